"""History and undo (docs/rules.md "History"): what each write path logs, a revert that gives back the very
same exports, refusals that name the rows, and a revert killed midway that changes nothing."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import date
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coinvest import access
from coinvest import reference as ref
from coinvest.assessments import AssessmentInput, save_assessment
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.errors import CoinvestError
from coinvest.export import export_frames, machine_csv
from coinvest.filters import PortfolioFilter
from coinvest.history import history, imports
from coinvest.importer import import_files
from coinvest.importer.revert import revert
from coinvest.scenarios import Scenario, delete_scenario, delete_view, save_scenario, save_view
from coinvest.workbook import export_portfolio_xlsx, frame_to_csv, table_frame
from tests.conftest import ROOT

SHEETS_OUT = (
    "organisations",
    "indicators",
    "projects",
    "cohorts",
    "cohort_members",
    "assessments",
    "investments",
    "contributions",
    "measurements",
)


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def base_db(engine, request, tmp_path_factory) -> str:
    """A small demo, on the test's engine: copied (a file, or a PostgreSQL template) per test."""
    if engine == "duckdb":
        target = str(tmp_path_factory.mktemp("history") / "base.duckdb")
    else:
        target = request.getfixturevalue("pg").create("history", template="coinvest_empty")
    con = open_database(target)
    generate(con, n_projects=25, seed=4, progress=_quiet)
    con.checkpoint()
    con.close()
    return target


def _copy(base_db: str, request, folder: Path) -> str:
    if not base_db.startswith("postgresql://"):
        path = folder / "work.duckdb"
        shutil.copy(base_db, path)
        return str(path)
    return request.getfixturevalue("pg").create("work", template=base_db.rsplit("/", 1)[1])


@pytest.fixture
def con(base_db, request, tmp_path):
    con = open_database(_copy(base_db, request, tmp_path))
    yield con
    con.close()


def exports(con) -> dict[str, bytes]:
    """Every table in the interchange format and every figure export, as bytes."""
    out = {
        name: machine_csv(frame)
        for name, frame in export_frames(con, PortfolioFilter(scope=None)).items()
    }
    for sheet in SHEETS_OUT:
        out[sheet] = frame_to_csv(table_frame(con, sheet, PortfolioFilter(scope=None)))
    return out


def workbook(con) -> openpyxl.Workbook:
    return openpyxl.load_workbook(
        io.BytesIO(export_portfolio_xlsx(con, PortfolioFilter(scope=None)))
    )


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def column_of(sheet, name: str) -> int:
    return next(c.column for c in sheet[1] if c.value == name)


def rows(con, **where) -> list[tuple]:
    frame = history(con)
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return list(
        frame[
            ["table_name", "row_key", "column_name", "action", "old_value", "new_value"]
        ].itertuples(index=False, name=None)
    )


# --- what each write path logs -----------------------------------------------------------------


def test_an_import_logs_each_added_changed_and_deleted_value_with_its_id_and_author(con):
    book = workbook(con)
    investments = book["investments"]
    first_id = investments.cell(row=2, column=1).value
    old_amount = con.execute(
        "SELECT CAST(amount_eur AS VARCHAR) FROM investment WHERE investment_id = $i",
        {"i": first_id},
    ).fetchone()[0]
    investments.cell(row=2, column=column_of(investments, "amount_eur")).value = 123456.78
    book["organisations"].append(["NEW-ORG", "Nouvelle association", "association"])
    report = import_files(con, [("edit.xlsx", saved(book))], who="claire@example.org")
    assert report.loaded
    assert report.import_id is not None
    logged = history(con)
    assert set(logged["import_id"]) == {report.import_id}
    assert set(logged["who"]) == {"claire@example.org"}
    assert set(logged["source"]) == {"import"}
    assert rows(con, table_name="investment") == [
        ("investment", first_id, "amount_eur", "update", old_amount, "123456.78")
    ]
    added = rows(con, table_name="organisation")
    assert {(k, c, a, o, n) for _, k, c, a, o, n in added} == {
        ("NEW-ORG", "name", "insert", None, "Nouvelle association"),
        ("NEW-ORG", "kind", "insert", None, "association"),
    }
    # an investment row belongs to its project's history
    project = con.execute(
        "SELECT project_id FROM investment WHERE investment_id = $i", {"i": first_id}
    ).fetchone()[0]
    assert "amount_eur" in set(history(con, project_id=project)["column_name"])
    # the same file again changes nothing, and logs nothing
    count = len(history(con))
    again = import_files(con, [("edit.xlsx", saved(book))], who="claire@example.org")
    assert again.loaded
    assert len(history(con)) == count


def test_a_changed_answer_is_one_row_per_question(con):
    book = workbook(con)
    sheet = book["assessments"]
    assessment = sheet.cell(row=2, column=1).value
    question = ref.QUESTION_CODES[3]
    column = column_of(sheet, question)
    old = sheet.cell(row=2, column=column).value
    sheet.cell(row=2, column=column).value = 0 if old != 0 else 4
    report = import_files(con, [("answers.xlsx", saved(book))])
    assert report.loaded
    logged = rows(con, table_name="assessment_answer")
    assert logged == [
        (
            "assessment_answer",
            f"{assessment} / {question}",
            "score",
            "update" if old is not None else "insert",
            None if old is None else str(old),
            "0" if old != 0 else "4",
        )
    ] or all(r[0] == "assessment_answer" for r in logged)
    assert history(con)["who"].iloc[0].startswith("cli:")


def test_the_deletion_step_logs_every_removed_value(con):
    book = workbook(con)
    measurements = book["measurements"]
    gone = [measurements.cell(row=2, column=c).value for c in (1, 2, 3)]
    measurements.delete_rows(2)
    files = [("m.xlsx", saved(book))]
    report = import_files(con, files, delete_missing=True)
    assert report.loaded
    removed = history(con, table="measurement")
    assert set(removed["action"]) == {"delete"}
    assert set(removed["row_key"]) == {" / ".join(str(v) for v in gone)}
    assert set(removed["column_name"]) >= {"value", "target", "source"}


def test_the_questionnaire_scenarios_views_and_members_log_their_changes(con):
    project = con.execute("SELECT project_id FROM project ORDER BY 1 LIMIT 1").fetchone()[0]
    saved_id = save_assessment(
        con,
        AssessmentInput(project, "investment", "INV01", date(2026, 2, 3), {"ecosystem.needs": 3}),
        who="olivia@example.org",
    )
    logged = history(con, table="assessment")
    assert set(logged["source"]) == {"questionnaire"}
    assert set(logged["who"]) == {"olivia@example.org"}
    assert set(logged["row_key"]) == {saved_id}
    assert set(logged["project_id"]) == {project}
    answer = history(con, table="assessment_answer")
    assert set(answer["row_key"]) == {f"{saved_id} / ecosystem.needs"}
    score = answer[answer["column_name"] == "score"]
    assert list(zip(score["action"], score["new_value"], strict=True)) == [("insert", "3")]
    assert set(answer["project_id"]) == {project}

    save_scenario(con, Scenario("Plan A"))
    save_scenario(con, Scenario("Plan A", threshold=30.0), overwrite=True)
    delete_scenario(con, "Plan A")
    scenario = history(con, table="scenario")
    assert list(scenario["action"].iloc[::-1].unique()) == ["insert", "update", "delete"]
    assert set(scenario["source"]) == {"scenario"}
    assert set(scenario["who"]) == {history(con)["who"].iloc[0]}
    assert scenario["who"].iloc[0].startswith("app:")
    save_view(con, "Vue", PortfolioFilter(scope=None))
    delete_view(con, "Vue")
    assert list(history(con, table="saved_view")["action"].unique()) == ["delete", "insert"]

    access.add_member(con, "a@example.org", "INV01", "investor", who="boss@example.org")
    access.add_member(con, "a@example.org", "INV02", "investor", who="boss@example.org")
    access.remove_member(con, "a@example.org", who="boss@example.org")
    members = history(con, table="membership")
    assert set(members["who"]) == {"boss@example.org"}
    changed = members[members["action"] == "update"]
    assert list(changed["column_name"]) == ["org_id"] or set(changed["column_name"]) >= {"org_id"}
    assert ("INV01", "INV02") in set(zip(changed["old_value"], changed["new_value"], strict=True))
    assert "delete" in set(members["action"])


def _writes(con) -> list[tuple[int, int, int]]:
    """Each write's change rows: (first number, last number, how many), in order."""
    return [
        (int(first), int(last), int(n))
        for first, last, n in con.execute(
            "SELECT min(change_id), max(change_id), count(*) FROM change_log "
            "GROUP BY changed_at, source ORDER BY min(change_id)"
        ).fetchall()
    ]


def test_change_rows_are_numbered_after_the_last_with_no_number_twice(con):
    """Schema v18: the audit numbers each write's change rows after the last one (under the
    write lock), one statement's rows at a time; the table takes no row without its number."""
    from coinvest.db import EngineError

    project = con.execute("SELECT project_id FROM project ORDER BY 1 LIMIT 1").fetchone()[0]
    answers = {"ecosystem.needs": 3, "ecosystem.stakes": 2, "strategy.state": 1}
    save_assessment(
        con,
        AssessmentInput(project, "investment", "INV01", date(2026, 2, 3), answers),
        who="a@b.fr",
    )
    save_scenario(con, Scenario("Plan A"))
    save_scenario(con, Scenario("Plan A", threshold=30.0), overwrite=True)  # an update
    delete_scenario(con, "Plan A")  # a deletion
    writes = _writes(con)
    assert len(writes) >= 4
    # the assessment (its row and three answers), then the scenario's three writes
    assert writes[-4][2] >= 1 + len(answers)
    numbers = [r[0] for r in con.execute("SELECT change_id FROM change_log").fetchall()]
    assert len(set(numbers)) == len(numbers)
    assert writes[0][0] == 1
    for (_, last, _), (first, _, _) in pairwise(writes):
        assert first == last + 1
    assert all(last - first + 1 == n for first, last, n in writes)
    with pytest.raises(EngineError):
        con.execute(
            "INSERT INTO change_log (changed_at, who, source, table_name, row_key, column_name, "
            "action) VALUES (current_timestamp, 'x', 'import', 'project', 'P1', 'name', 'insert')"
        )


def test_a_version_17_history_is_numbered_on_from_its_last_row(tmp_path, monkeypatch):
    """A database of version 17, whose change rows took their numbers from a sequence: after
    the migration, the next write's rows follow the last of them, and the sequence is gone."""
    from coinvest import schema

    path = tmp_path / "v17.duckdb"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:17])
    con = open_database(path)
    for n in range(3):  # rows as version 17 wrote them: numbered by the column's default
        con.execute(
            "INSERT INTO change_log (changed_at, who, source, table_name, row_key, column_name, "
            "action, new_value) VALUES (current_timestamp, 'cli:x', 'import', 'organisation', "
            f"'O{n}', 'name', 'insert', 'Org {n}')"
        )
    con.close()
    monkeypatch.undo()
    con = open_database(path)
    try:
        assert con.execute("SELECT max(change_id) FROM change_log").fetchone()[0] == 3
        save_scenario(con, Scenario("Plan B"))
        assert _writes(con)[-1][0] == 4
        sequences = con.execute(
            "SELECT count(*) FROM duckdb_sequences() WHERE sequence_name = 'change_log_seq'"
        ).fetchone()[0]
        assert sequences == 0
    finally:
        con.close()


def test_no_code_path_updates_or_deletes_the_change_log():
    pattern = re.compile(r"(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+change_log\b", re.I)
    for path in (ROOT / "src").rglob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE change_log SET who = 'someone else'",
        "DELETE FROM change_log",
        "TRUNCATE change_log",
    ],
)
def test_postgresql_itself_refuses_to_change_the_history(pg, statement):
    """docs/rules.md "History": on PostgreSQL a trigger rejects every UPDATE, DELETE and TRUNCATE of
    `change_log`, whoever connects (the app, a script, psql)."""
    from coinvest.db import EngineError
    from tests.test_deletion import seed

    url = pg.create("journal", template="coinvest_empty")
    try:
        con = open_database(url)
        try:
            seed(con)
            before = con.execute("SELECT count(*) FROM change_log").fetchone()[0]
            assert before > 0
            with pytest.raises(EngineError, match="append-only"):
                con.execute(statement)
            assert con.execute("SELECT count(*) FROM change_log").fetchone()[0] == before
        finally:
            con.close()
    finally:
        pg.drop(url)


# --- undo -------------------------------------------------------------------------------------


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["amount", "answer", "new_investment", "drop_measurement", "target"]),
        st.integers(min_value=0, max_value=40),
        st.integers(min_value=0, max_value=4),
    ),
    min_size=1,
    max_size=6,
)


def _edit(book: openpyxl.Workbook, edits) -> bool:
    """Apply random edits to an exported workbook; True when a row was dropped (the import
    then deletes it)."""
    dropped = False
    for number, (kind, row, value) in enumerate(edits):
        if kind == "amount":
            sheet = book["investments"]
            r = 2 + row % (sheet.max_row - 1)
            sheet.cell(row=r, column=column_of(sheet, "amount_eur")).value = 1000 + row * 7 + value
        elif kind == "answer":
            sheet = book["assessments"]
            r = 2 + row % (sheet.max_row - 1)
            question = ref.QUESTION_CODES[(row + value) % len(ref.QUESTION_CODES)]
            sheet.cell(row=r, column=column_of(sheet, question)).value = (
                None if value == 0 else value
            )
        elif kind == "new_investment":
            sheet = book["investments"]
            template = [c.value for c in sheet[2]]
            template[0] = f"NEW-{number}-{row}-{value}"  # two alike edits: two investments
            template[column_of(sheet, "amount_eur") - 1] = 5000 + value
            sheet.append(template)
        elif kind == "target":
            sheet = book["measurements"]
            r = 2 + row % (sheet.max_row - 1)
            sheet.cell(row=r, column=column_of(sheet, "target")).value = (
                None if value == 0 else 10.5 * value
            )
        else:
            sheet = book["measurements"]
            if sheet.max_row > 2:
                sheet.delete_rows(2 + row % (sheet.max_row - 1))
                dropped = True
    return dropped


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
@pytest.mark.slow  # random edits, each exported twice: `make test-slow` (CI runs it)
def test_reverting_random_edits_gives_byte_identical_exports(
    base_db, request, tmp_path_factory, edits
):
    con = open_database(_copy(base_db, request, tmp_path_factory.mktemp("prop")))
    try:
        before = exports(con)
        book = workbook(con)
        dropped = _edit(book, edits)
        report = import_files(con, [("edits.xlsx", saved(book))], delete_missing=dropped)
        assert report.loaded, [p.rule for p in report.errors]
        changed = len(history(con)) > 0
        if not changed:
            return
        undone = revert(con, report.import_id, "test")
        assert exports(con) == before
        # the revert is itself an import, which can be undone: the edits come back
        after_edits_revert = revert(con, undone.import_id, "test")
        assert after_edits_revert.import_id > undone.import_id
        assert exports(con) != before
    finally:
        con.close()


def test_a_revert_is_refused_naming_the_rows_a_later_change_touched(con):
    book = workbook(con)
    sheet = book["investments"]
    target = sheet.cell(row=2, column=1).value
    sheet.cell(row=2, column=column_of(sheet, "amount_eur")).value = 777
    first = import_files(con, [("a.xlsx", saved(book))])
    sheet.cell(row=2, column=column_of(sheet, "amount_eur")).value = 888
    second = import_files(con, [("b.xlsx", saved(book))])
    before = exports(con)
    with pytest.raises(CoinvestError) as err:
        revert(con, first.import_id, "test")
    assert err.value.key == "revert.conflict"
    assert target in err.value.message("fr")
    assert exports(con) == before  # nothing changed
    undo_second = revert(con, second.import_id, "olivia@example.org")
    # the revert logs what it put back, under its own id and its author
    logged = history(con)
    mine = logged[logged["import_id"] == undo_second.import_id]
    assert set(mine["source"]) == {"revert"}
    assert set(mine["who"]) == {"olivia@example.org"}
    assert list(mine[["row_key", "column_name", "old_value"]].itertuples(index=False)) == [
        (target, "amount_eur", "888.00")
    ]
    revert(con, first.import_id, "test")  # once the later one is undone, the first can be
    assert exports(con) != before
    with pytest.raises(CoinvestError) as twice:
        revert(con, first.import_id, "test")
    assert twice.value.key == "revert.already"
    with pytest.raises(CoinvestError) as unknown:
        revert(con, 999, "test")
    assert unknown.value.key == "revert.unknown"


def test_the_command_line_prints_the_id_lists_imports_writes_history_and_reverts(con, tmp_path):
    db = con.target  # the file, or the URL
    book = workbook(con)
    sheet = book["investments"]
    sheet.cell(row=2, column=column_of(sheet, "amount_eur")).value = 4242
    file = tmp_path / "edit.xlsx"
    file.write_bytes(saved(book))
    before = exports(con)
    con.close()

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "coinvest", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            env={**os.environ, "COINVEST_LANG": "en"},
            timeout=300,
        )

    loaded = cli("import", str(file))
    assert loaded.returncode == 0, loaded.stderr
    found = re.search(r"Import (\d+) \(undo with: coinvest revert \1\)", loaded.stdout)
    assert found, loaded.stdout
    import_id = found.group(1)
    listed = cli("log")
    assert "edit.xlsx" in listed.stdout
    assert "cli:" in listed.stdout
    out = tmp_path / "history.csv"
    written = cli("history", "--since", "2000-01-01", "--out", str(out))
    assert written.returncode == 0, written.stderr
    text = out.read_text(encoding="utf-8-sig")  # CSV for Excel (docs/import.md "Rules")
    assert text.startswith("changed_at;who;source;import_id;table_name;row_key")
    assert "amount_eur" in text
    assert "4242" in text
    bad = cli("history", "--since", "hier", "--out", str(out))
    assert bad.returncode == 1
    assert "not a date" in bad.stderr
    undone = cli("revert", import_id)
    assert undone.returncode == 0, undone.stderr
    assert f"Import {import_id} undone" in undone.stdout
    again = cli("revert", import_id)
    assert again.returncode == 1
    assert "already undone" in again.stderr
    check = open_database(db, read_only=True)
    try:
        assert exports(check) == before
        assert len(imports(check)) == 2
    finally:
        check.close()


KILLED_MIDWAY = textwrap.dedent(
    """
    import sys, time
    from coinvest import audit
    from coinvest.db import open_database
    from coinvest.importer.revert import revert

    finish = audit.Audit.finish

    def finish_then_wait(self):
        written = finish(self)
        if self.source == "revert":  # every row is back, nothing committed yet
            print("MIDWAY", flush=True)
            time.sleep(120)
        return written

    audit.Audit.finish = finish_then_wait
    con = open_database(sys.argv[1])
    revert(con, int(sys.argv[2]), "test")
    """
)


def test_a_revert_killed_midway_leaves_the_database_as_before_it(con, tmp_path):
    db = con.target  # the file, or the URL
    book = workbook(con)
    sheet = book["investments"]
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column_of(sheet, "amount_eur"))
        cell.value = float(cell.value) + 1
    report = import_files(con, [("all.xlsx", saved(book))])
    assert report.loaded
    edited = exports(con)
    con.close()
    script = tmp_path / "kill_midway.py"
    script.write_text(KILLED_MIDWAY, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(db), str(report.import_id)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "MIDWAY"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    check = open_database(db, read_only=True)
    try:
        assert exports(check) == edited  # the edits are there, the revert is not
        assert list(imports(check)["import_id"]) == [report.import_id]
    finally:
        check.close()
