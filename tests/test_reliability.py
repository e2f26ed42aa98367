"""Faults, bad input and shared viewing: coinvest loses nothing and says what went wrong."""

from __future__ import annotations

import ast
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coinvest import derived, metrics
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.filters import FILTER_KEYS, PortfolioFilter
from coinvest.importer import import_files
from coinvest.interchange import SHEETS
from coinvest.schema import DATA_TABLES
from coinvest.settings import BY_NAME
from coinvest.workbook import frame_to_csv, table_frame
from tests.conftest import choose_tab
from tests.portfolio import PORTFOLIO

ROOT = Path(__file__).resolve().parents[1]
EVIL = [
    "'; DROP TABLE project; --",
    "x' OR '1'='1",
    "Robert'); DELETE FROM investment; --",
    "<script>alert('xss')</script>",
    "![pixel](http://127.0.0.1:9/x.png) [lien](javascript:alert(1))",
    "$f_search",
    "\u202e\u0000nul",
]


def checksum_file(path: Path, read_only: bool = False) -> str:
    """The content's checksum, opened the way the app in this process opened it (DuckDB refuses
    a second configuration of one file within a process)."""
    con = open_database(path, read_only=read_only)
    try:
        return checksum(con)
    finally:
        con.close()


def checksum(con) -> str:
    digest = hashlib.sha256()
    for table in (*DATA_TABLES, "lever_round"):
        rows = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        digest.update(repr((table, rows)).encode())
    return digest.hexdigest()


def env(**extra: str) -> dict:
    return {**os.environ, "COINVEST_LANG": "en", **extra}


@pytest.fixture
def demo_file(tmp_path) -> Path:
    path = tmp_path / "demo.duckdb"
    con = open_database(path)
    generate(con, n_projects=300, seed=11, progress=lambda _: None)
    con.close()
    return path


def big_assessments_file(db: Path, folder: Path, copies: int = 12) -> Path:
    """An assessments CSV of new rows, large enough that writing it takes a while."""
    import pandas as pd

    con = open_database(db, read_only=True)
    base = table_frame(con, "assessments", PortfolioFilter(scope=None))
    con.close()
    frames = []
    for i in range(copies):
        frame = base.copy()
        frame["assessment_id"] = f"K{i}-" + frame["assessment_id"]
        frames.append(frame)
    path = folder / "assessments.csv"
    path.write_bytes(frame_to_csv(pd.concat(frames, ignore_index=True)))
    return path


# --- faults ----------------------------------------------------------------------------------------


def test_an_import_killed_half_way_leaves_the_database_as_it_was(demo_file, tmp_path):
    before = checksum_file(demo_file)
    csv = big_assessments_file(demo_file, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "coinvest", "import", str(csv), "--db", str(demo_file)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env(COINVEST_MAX_IMPORT_MB="64"),
    )
    for line in process.stderr:
        if "writing" in line:
            break
    time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert checksum_file(demo_file) == before


def _holder(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import duckdb, sys
                con = duckdb.connect({str(path)!r})
                print("ready", flush=True)
                sys.stdin.readline()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_an_import_waits_for_a_busy_database_then_completes(demo_file, tmp_path):
    orgs = tmp_path / "organisations.csv"
    orgs.write_text("org_id;name;kind\nNEW1;Nouvelle association;association\n", encoding="utf-8")
    holder = _holder(demo_file)
    process = subprocess.Popen(
        [sys.executable, "-m", "coinvest", "import", str(orgs), "--db", str(demo_file)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env(COINVEST_LOCK_WAIT="60"),
    )
    time.sleep(2)
    holder.communicate("\n", timeout=30)  # the other process lets go
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "busy in another process: waiting" in err
    con = open_database(demo_file, read_only=True)
    assert con.execute("SELECT name FROM organisation WHERE org_id = 'NEW1'").fetchall() == [
        ("Nouvelle association",)
    ]
    con.close()


def test_a_database_locked_by_another_process_gives_a_clear_message(demo_file, tmp_path):
    orgs = tmp_path / "organisations.csv"
    orgs.write_text("org_id;name;kind\nNEW1;Nouvelle association;association\n", encoding="utf-8")
    holder = _holder(demo_file)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "coinvest", "import", str(orgs), "--db", str(demo_file)],
            capture_output=True,
            text=True,
            env=env(COINVEST_LOCK_WAIT="1"),
            timeout=120,
        )
    finally:
        holder.communicate("\n", timeout=30)
    assert result.returncode == 1
    assert "is open in another process" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_imports_at_once_in_one_process_are_serialised(demo_file):
    con = open_database(demo_file)
    files = [
        [
            (
                "organisations.csv",
                "\n".join(
                    ["org_id;name;kind"] + [f"T{i}-{n};Org {n};company" for n in range(2000)]
                ).encode(),
            )
        ]
        for i in range(2)
    ]
    reports = [None, None]

    def run(index: int) -> None:
        reports[index] = import_files(con, files[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(report.loaded for report in reports)
    assert (
        con.execute("SELECT count(*) FROM organisation WHERE org_id LIKE 'T%-%'").fetchone()[0]
        == 4000
    )
    con.close()


# --- bad input ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb"
    con = open_database(path)
    for statement in PORTFOLIO:
        con.execute(statement)
    derived.refresh(con)  # what the write path does after a write of every table
    con.close()
    return path


CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "oui",
            "non",
            "x",
            "12 500,00 €",
            "-1",
            "1e309",
            "NaN",
            "31/02/2025",
            "2025-13-01",
            "4",
            "5",
            "P1",
            "H1",
            "INV_A",
            "food",
            "rnd",
            "75",
            "2A",
        ]
    ),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sheet=st.sampled_from([s.name for s in SHEETS]),
    extra_headers=st.lists(st.text(min_size=1, max_size=12), max_size=3),
    drop=st.integers(0, 3),
    rows=st.lists(st.lists(CELL, min_size=0, max_size=30), max_size=15),
    separator=st.sampled_from([";", ",", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_fuzzed_files_never_crash_and_never_write_in_part(
    fuzz_db, sheet, extra_headers, drop, rows, separator, encoding
):
    spec = next(s for s in SHEETS if s.name == sheet)
    headers = [c.name for c in spec.columns][: max(1, len(spec.columns) - drop)] + extra_headers
    lines = [separator.join(headers)] + [
        separator.join(cell.replace("\n", " ") for cell in row) for row in rows
    ]
    data = "\n".join(lines).encode(encoding, errors="replace")
    con = open_database(fuzz_db)
    try:
        before = checksum(con)
        report = import_files(con, [(f"{sheet}.csv", data)])
        if not report.loaded:
            assert checksum(con) == before
            assert report.errors
            for problem in report.problems:
                assert problem.message("fr")
                assert problem.message("en")
    finally:
        con.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blob=st.binary(max_size=4096),
    name=st.sampled_from(["projects.csv", "portefeuille.xlsx", "x.zip", "donnees"]),
)
def test_random_bytes_never_crash(fuzz_db, blob, name):
    con = open_database(fuzz_db)
    try:
        before = checksum(con)
        report = import_files(con, [(name, blob)])
        if not report.loaded:
            assert checksum(con) == before
    finally:
        con.close()


@pytest.mark.parametrize("evil", EVIL)
def test_injection_strings_in_text_fields_are_stored_as_written(empty_con, evil):
    text = "org_id;name;kind\nH1;{};association\n".format(
        evil.replace(";", ",").replace("\u0000", "")
    )
    report = import_files(empty_con, [("organisations.csv", text.encode())])
    assert report.loaded
    stored = empty_con.execute("SELECT name FROM organisation WHERE org_id = 'H1'").fetchone()[0]
    assert stored == evil.replace(";", ",").replace("\u0000", "").strip()
    assert empty_con.execute("SELECT count(*) FROM department").fetchone()[0] == 101


@pytest.mark.parametrize("evil", EVIL)
def test_injection_strings_in_every_url_parameter_have_no_effect(fuzz_db, open_page, evil):
    before = checksum_file(fuzz_db)
    keys = (*FILTER_KEYS, "lang", "project", "view", "scenario")
    at = open_page(fuzz_db, params=dict.fromkeys(keys, evil))
    assert at.session_state["f_search"] == evil.strip()[:200]  # shown as typed, searched as text
    for page in ("compare", "viewpoints", "project", "whatif"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, page
    assert checksum_file(fuzz_db) == before
    con = open_database(fuzz_db)
    assert metrics.project_count(con, PortfolioFilter.create(search=evil, scope=None)) == 0
    con.close()


def test_html_and_markdown_in_names_are_shown_as_text(tmp_path, open_page):
    path = tmp_path / "names.duckdb"
    con = open_database(path)
    for statement in PORTFOLIO:
        con.execute(statement)
    con.execute("UPDATE project SET name = ? WHERE project_id = 'P1'", [EVIL[3]])
    con.execute("UPDATE organisation SET name = ? WHERE org_id = 'H1'", [EVIL[4]])
    derived.refresh(con)  # what the write path does after a write of every table
    con.close()
    at = open_page(path, "project", {"project": "P1"})
    header = at.header[0].value
    assert "<script>" not in header  # every special character escaped
    assert "\\<script\\>" in header
    card = at.markdown[0].value if at.markdown else ""
    assert "![pixel]" not in " ".join(m.value for m in at.markdown) or "\\!\\[pixel\\]" in card


# --- limits and shared viewing -------------------------------------------------------------------------


def test_the_upload_limit_is_set_in_the_streamlit_config_and_matches_the_importer():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == BY_NAME["COINVEST_MAX_IMPORT_MB"].default


def test_no_page_relies_on_streamlit_magic_which_is_off():
    """`runner.magicEnabled` is off: a bare expression in a page would show nothing."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["magicEnabled"] is False
    shown = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
    bare = []
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)  # a lambda's is an expression
            for i, statement in enumerate(body if isinstance(body, list) else []):
                if not isinstance(statement, ast.Expr) or isinstance(statement.value, shown):
                    continue
                docstring = isinstance(statement.value, ast.Constant) and i == 0
                if not docstring:
                    bare.append(f"{path.name}:{statement.lineno}")
    assert not bare


def test_read_only_mode_reaches_no_write_path(demo_file, open_page):
    before = checksum_file(demo_file, read_only=True)
    at = open_page(demo_file, "import", read_only=True)
    assert any("Consultation seule" in i.value for i in at.info)
    assert at.get("file_uploader")[0].proto.disabled
    assert at.button(key="data_import").disabled
    choose_tab(at, "questionnaire")
    submit = next(b for b in at.get("form_submit_button") if "Enregistrer" in b.label)
    assert submit.disabled
    at.switch_page("app_pages/whatif.py").run()
    assert not at.exception
    assert at.button(key="wi_save").disabled
    assert at.button(key="wi_view_save").disabled
    assert checksum_file(demo_file, read_only=True) == before


def test_a_read_only_connection_refuses_writes(demo_file):
    con = open_database(demo_file, read_only=True)
    with pytest.raises(Exception, match="read-only"):
        con.execute("DELETE FROM project")
    con.close()


def test_the_app_says_when_its_memory_limit_is_unreadable(fuzz_db, open_page, monkeypatch):
    monkeypatch.setenv("COINVEST_MEMORY_LIMIT", "beaucoup")
    at = open_page(fuzz_db)
    assert any("COINVEST_MEMORY_LIMIT" in e.value and "1GB" in e.value for e in at.error)
    assert not at.metric  # nothing drawn from a connection that was refused
