"""Exports are safe to open (docs/import.md "Rules"): text stays text in .xlsx, CSV for Excel neutralises
formula-looking cells, and an exported portfolio re-imports as it was."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from coinvest.export import write_export
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.workbook import export_portfolio_xlsx, frame_to_csv, frame_to_xlsx, table_frame

NAMES = ['=HYPERLINK("http://example.org","clic")', "=1+1", "+33 6 12 34 56 78", "@SUM(A1)", "-x"]
ORGS = "org_id;name;kind\n" + "".join(
    f"O{i};{name.replace(';', ',')};association\n" for i, name in enumerate(NAMES)
)


def _formulas(xlsx: bytes) -> int:
    """How many cells of the workbook's sheets are formulas (an `<f>` element)."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return sum(
            archive.read(name).count(b"<f")
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
        )


def _seed(con) -> None:
    report = import_files(con, [("organisations.csv", ORGS.encode())])
    assert report.loaded, report.problems_frame("en")


def test_the_portfolio_workbook_writes_formula_like_names_as_text(empty_con, tmp_path):
    _seed(empty_con)
    xlsx = export_portfolio_xlsx(empty_con, PortfolioFilter(scope=None))
    assert _formulas(xlsx) == 0
    sheet = load_workbook(io.BytesIO(xlsx))["organisations"]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == NAMES
    # and it re-imports as it was into another database
    from coinvest.db import open_database

    other = open_database(tmp_path / "other.duckdb")
    try:
        report = import_files(other, [("portefeuille.xlsx", xlsx)])
        assert report.loaded, report.problems_frame("en")
        assert sorted(r[0] for r in other.execute("SELECT name FROM organisation").fetchall()) == (
            sorted(NAMES)
        )
    finally:
        other.close()


def test_a_table_export_to_xlsx_writes_text_as_text(empty_con):
    _seed(empty_con)
    xlsx = frame_to_xlsx(
        table_frame(empty_con, "organisations", PortfolioFilter(scope=None)), "organisations"
    )
    assert _formulas(xlsx) == 0


def test_coinvest_export_xlsx_writes_text_as_text(empty_con, tmp_path):
    _seed(empty_con)
    empty_con.execute(
        "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) "
        "VALUES ('P', '=1+1', 'O0', 'food', 'rnd', '75')"
    )
    written = write_export(empty_con, PortfolioFilter(scope=None), tmp_path, xlsx=True)
    workbook = next(p for p in written if p.suffix == ".xlsx")
    assert _formulas(workbook.read_bytes()) == 0
    # the machine CSV keeps text verbatim (docs/import.md "Rules")
    summary = pd.read_csv(tmp_path / "project_summary.csv")
    assert summary["name"].tolist() == ["=1+1"]


def test_csv_for_excel_neutralises_formula_starts_and_uses_the_decimal_comma(empty_con):
    _seed(empty_con)
    text = frame_to_csv(
        table_frame(empty_con, "organisations", PortfolioFilter(scope=None))
    ).decode("utf-8-sig")
    for name in NAMES:
        assert f"'{name}" in text.replace('""', '"')
    numbers = frame_to_csv(pd.DataFrame({"x": [1.5], "label": ["ok"]})).decode("utf-8-sig")
    assert numbers.splitlines()[1] == "1,5;ok"


def test_a_neutralised_csv_re_imports_the_original_text(empty_con, tmp_path):
    _seed(empty_con)
    exported = frame_to_csv(table_frame(empty_con, "organisations", PortfolioFilter(scope=None)))
    from coinvest.db import open_database

    other = open_database(tmp_path / "other.duckdb")
    try:
        report = import_files(other, [("organisations.csv", exported)])
        assert report.loaded, report.problems_frame("en")
        assert sorted(r[0] for r in other.execute("SELECT name FROM organisation").fetchall()) == (
            sorted(NAMES)
        )
    finally:
        other.close()
