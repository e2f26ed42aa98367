"""Reproducible figures (docs/figures.md "Settled points"): exporting the same database twice gives byte-identical
files, whatever the number of threads, and the same data imported from CSV or from Excel gives
the same exports."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from coinvest import metrics
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.derived import refresh_summaries
from coinvest.export import EXPORT_FILES, write_export
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.interchange import SHEETS
from coinvest.workbook import build_template_xlsx, export_portfolio_xlsx, frame_to_csv, table_frame

FILTERS = [
    PortfolioFilter(scope=None),
    PortfolioFilter.create(investor="INV02", scope=None),
    PortfolioFilter.create(investor="INV01", year_from=2024, year_to=2024, scope=None),
]


def _quiet(*_: object) -> None:
    pass


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _exports(con, out: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for number, flt in enumerate(FILTERS):
        folder = out / str(number)
        write_export(con, flt, folder, xlsx=True)
        files.update({f"{number}/{name}": data for name, data in _files(folder).items()})
    return files


@pytest.fixture(scope="module")
def m_path(tmp_path_factory) -> Path:
    """The demo at scale M (10,000 projects)."""
    path = tmp_path_factory.mktemp("m") / "m.duckdb"
    con = open_database(path)
    generate(con, n_projects=10_000, seed=7, progress=_quiet)
    con.close()
    return path


def _parallel(request, url: str, threads: int) -> None:
    """PostgreSQL: `threads` workers per query for the database's next sessions, and parallel
    plans even for a small portfolio."""
    server = request.getfixturevalue("pg")
    name = url.rsplit("/", 1)[1]
    for setting, value in (
        ("max_parallel_workers_per_gather", threads - 1),
        ("parallel_setup_cost", 0),
        ("parallel_tuple_cost", 0),
        ("min_parallel_table_scan_size", 0),
    ):
        server.admin(f"ALTER DATABASE {name} SET {setting} = {value}")


@pytest.mark.parametrize(
    "scale",
    # M (the 2,000-project demo built and exported three times) is `make test-slow`'s
    ["S", pytest.param("M", marks=pytest.mark.slow)],
)
def test_exporting_twice_gives_byte_identical_files_whatever_the_threads(
    scale, engine, demo_path, request, tmp_path
):
    if scale == "M" and engine == "postgres":
        pytest.skip("M on DuckDB; PostgreSQL's parallel plans are forced at S")
    target = demo_path if scale == "S" else request.getfixturevalue("m_path")
    runs = []
    for number, threads in enumerate((1, 4, 4)):
        if engine == "postgres":
            _parallel(request, str(target), threads)
        con = open_database(target, read_only=True)
        try:
            if engine == "duckdb":
                con.execute(f"SET threads = {threads}")
            runs.append(_exports(con, tmp_path / f"run{number}"))
        finally:
            con.close()
    if engine == "postgres":
        name = str(target).rsplit("/", 1)[1]
        request.getfixturevalue("pg").admin(f"ALTER DATABASE {name} RESET ALL")
    assert runs[0].keys() == runs[1].keys() == runs[2].keys()
    for name in runs[0]:
        assert runs[0][name] == runs[1][name] == runs[2][name], name
    # every CSV file of `coinvest export` and the workbook
    assert len(runs[0]) == (len(EXPORT_FILES) + 1) * len(FILTERS)


def test_the_office_files_are_the_same_bytes_every_time(demo_con):
    first = export_portfolio_xlsx(demo_con, PortfolioFilter(scope=None))
    time.sleep(1.1)  # a workbook's properties and parts would carry the second it was written
    assert export_portfolio_xlsx(demo_con, PortfolioFilter(scope=None)) == first
    assert build_template_xlsx() == build_template_xlsx()


def test_rankings_break_ties_by_project_id(portfolio_con):
    # P2 and P3 tie with no consolidated maturity difference once both are set to one score
    portfolio_con.execute("DELETE FROM lever_round")
    portfolio_con.execute(
        "INSERT INTO lever_round VALUES "
        "('P3', 'investment', DATE '2024-01-01', 'ecosystem', 50, TRUE, TRUE), "
        "('P1', 'investment', DATE '2024-01-01', 'ecosystem', 50, TRUE, TRUE), "
        "('P2', 'investment', DATE '2024-01-01', 'ecosystem', 50, TRUE, TRUE)"
    )
    refresh_summaries(portfolio_con.cursor())  # what the writers do after the lever rounds
    ranked = metrics.ranked_projects(portfolio_con, PortfolioFilter(scope=None), limit=3)
    assert ranked["project_id"].tolist() == ["P1", "P2", "P3"]
    worst = metrics.ranked_projects(portfolio_con, PortfolioFilter(scope=None), limit=3, best=False)
    assert worst["project_id"].tolist() == ["P1", "P2", "P3"]
    top, _, _ = metrics.reweighting_overview(
        portfolio_con, PortfolioFilter(scope=None), metrics.EQUAL
    )
    assert top["project_id"].tolist() == ["P1", "P2", "P3"]
    assert top["rank_weighted"].tolist() == [1, 2, 3]


def _csv_zip(con) -> bytes:
    """Every table as the Data page's CSV for Excel (`;`, decimal comma), in one zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for sheet in (s for s in SHEETS if s.portfolio):
            frame = table_frame(con, sheet.name, PortfolioFilter(scope=None))
            if sheet.name == "indicators":
                frame = frame[frame["indicator_code"] != "beneficiaries"]
            archive.writestr(f"{sheet.name}.csv", frame_to_csv(frame))
    return out.getvalue()


@pytest.mark.slow  # the demo exported, imported twice and exported again: `make test-slow`
def test_csv_and_excel_imports_of_the_same_data_give_identical_exports(demo_con, new_db, tmp_path):
    sources = {
        "portefeuille.xlsx": export_portfolio_xlsx(demo_con, PortfolioFilter(scope=None)),
        "tables.zip": _csv_zip(demo_con),
    }
    exports = {"demo": _exports(demo_con, tmp_path / "demo")}
    for name, data in sources.items():
        con = open_database(new_db(name.replace(".", "_")))
        try:
            report = import_files(con, [(name, data)])
            assert report.loaded, report.problems_frame("en").head(20)
            exports[name] = _exports(con, tmp_path / name)
        finally:
            con.close()
    assert exports["portefeuille.xlsx"] == exports["tables.zip"]
    assert exports["portefeuille.xlsx"] == exports["demo"]
