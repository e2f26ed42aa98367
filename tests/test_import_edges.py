"""Imports that used to store the wrong thing without an error (docs/import.md "Rules", issue #28): units
named by a header, English thousands, Mac files, hidden cells, sheets split by year, Mac
(NFD) names, the template's own example rows, ids equal but for case."""

from __future__ import annotations

import io
import unicodedata

import pytest
from openpyxl import Workbook

from coinvest import metrics
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.workbook import build_template_xlsx
from tests.test_deletion import ORGS, PROJECTS, files, seed

MONEY_HEAD = ["investment_id", "investor_org_id", "project_id", "date", "amount_eur", "instrument"]


def _rules(report, severity: str = "error") -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.rule) for p in report.problems if p.severity == severity]


def _book(sheets: dict[str, list[list]], hide=None) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        if hide:
            hide(title, ws)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _base_sheets() -> dict[str, list[list]]:
    return {
        "organisations": [
            ["org_id", "name", "kind"],
            ["H1", "Lilas", "association"],
            ["INV", "Fonds", "public_investor"],
        ],
        "projects": [
            ["project_id", "name", "holder_org_id", "need", "phase", "department_code"],
            ["P1", "Épicerie", "H1", "food", "rnd", "75"],
        ],
    }


# --- 5. a unit other than euros in the header ------------------------------------------------


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Montant (k€)", "k€"),
        ("Montant (en milliers d'euros)", "milliers d'euros"),
        ("Montant (M€)", "M€"),
        ("Montant (%)", "%"),
    ],
)
def test_a_header_naming_another_unit_than_euros_is_refused_naming_it(empty_con, header, unit):
    seed(empty_con)
    text = f"investment_id;investor_org_id;project_id;date;{header};instrument\nI9;INV;P1;01/02/2025;50;grant\n"
    report = import_files(empty_con, files(investments=text))
    assert not report.loaded
    found = [p for p in report.errors if p.rule == "rule.foreign_unit"]
    assert len(found) == 1
    assert found[0].params["unit"] == unit
    assert unit in found[0].message("fr")
    assert "euros" in found[0].message("fr")
    assert empty_con.execute(
        "SELECT count(*) FROM investment WHERE investment_id = 'I9'"
    ).fetchone() == (0,)


def test_euro_headers_still_read(empty_con):
    seed(empty_con)
    text = "investment_id;investor_org_id;project_id;date;Montant (€);instrument\nI9;INV;P1;01/02/2025;1 234 euros;grant\n"
    report = import_files(empty_con, files(investments=text))
    assert report.loaded, report.problems_frame("en")
    assert (
        empty_con.execute(
            "SELECT amount_eur FROM investment WHERE investment_id = 'I9'"
        ).fetchone()[0]
        == 1234
    )


# --- 6. English thousands --------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["25,000", "1,234"])
def test_english_thousands_are_refused_not_stored_as_a_few_euros(empty_con, amount):
    seed(empty_con)
    text = f'investment_id;investor_org_id;project_id;date;amount_eur;instrument\nI9;INV;P1;01/02/2025;"{amount}";grant\n'
    report = import_files(empty_con, files(investments=text))
    assert not report.loaded
    assert _rules(report) == [("investments", 2, "amount_eur", "rule.ambiguous_comma")]


# --- 7. Mac files ----------------------------------------------------------------------------

MAC_ORGS = "org_id;name;kind\rH1;Régie de quartier;association\rH2;Crèche Les Lilas;association\r"


def test_a_mac_roman_csv_with_cr_line_ends_reads_as_typed(empty_con):
    data = MAC_ORGS.encode("mac_roman")
    report = import_files(empty_con, [("organisations.csv", data)])
    assert report.loaded, report.problems_frame("en")
    names = [
        r[0] for r in empty_con.execute("SELECT name FROM organisation ORDER BY org_id").fetchall()
    ]
    assert names == ["Régie de quartier", "Crèche Les Lilas"]


@pytest.mark.parametrize("codec", ["cp1252", "iso8859_15", "utf-16"])
def test_windows_latin9_and_utf16_files_read_as_typed(empty_con, codec):
    text = "org_id;name;kind\r\nH1;Œuvre du cœur à Besançon;association\r\n"
    report = import_files(empty_con, [("organisations.csv", text.encode(codec))])
    assert report.loaded, report.problems_frame("en")
    assert empty_con.execute("SELECT name FROM organisation").fetchone() == (
        "Œuvre du cœur à Besançon",
    )


@pytest.mark.parametrize("codec", ["cp1252", "mac_roman"])
@pytest.mark.parametrize(
    "name", ["Collectif des salarié·es", "Dossier n°12", "Noël à l’atelier", "Café naïf"]
)
def test_french_text_reads_as_typed_in_either_single_byte_encoding(name, codec):
    from coinvest.importer.read import _decode

    text, unreadable = _decode(f"org_id;name;kind\nH1;{name};association\n".encode(codec))
    assert unreadable is None
    assert f"H1;{name};" in text


def test_a_file_no_encoding_reads_plausibly_is_refused_in_french_naming_the_row(empty_con):
    data = b"org_id;name;kind\nH1;Lilas;association\nH2;Bo\x81\x8d\x9d\x8f\x90;association\n"
    report = import_files(empty_con, [("organisations.csv", data)])
    assert not report.loaded
    assert _rules(report) == [("organisations", 3, None, "rule.bad_encoding")]
    assert "ligne 3" in report.errors[0].message("fr")
    assert empty_con.execute("SELECT count(*) FROM organisation").fetchone() == (0,)


def test_a_broken_csv_line_is_a_french_message_naming_it(empty_con):
    data = b'org_id;name;kind\nH1;"Lilas;association\n' + b"H2;x\x00;association\n"
    report = import_files(empty_con, [("organisations.csv", data)])
    assert not report.loaded
    assert report.errors[0].rule in ("rule.csv_line", "rule.not_text")
    assert "new-line" not in report.errors[0].message("fr")


# --- 8. hidden columns and rows --------------------------------------------------------------


def test_a_hidden_column_with_values_is_an_error_naming_it(empty_con):
    sheets = _base_sheets()
    sheets["investments"] = [
        [*MONEY_HEAD[:4], "Montant (€)", "instrument", "Montant révisé (€)"],
        ["I1", "INV", "P1", "01/02/2025", 90000, "grant", 120000],
    ]

    def hide(title, ws):
        if title == "investments":
            ws.column_dimensions["E"].hidden = True  # the stale amounts

    report = import_files(empty_con, [("portefeuille.xlsx", _book(sheets, hide))])
    assert not report.loaded
    hidden = [p for p in report.errors if p.rule == "rule.hidden_column"]
    assert [(p.sheet, p.column) for p in hidden] == [("investments", "E")]
    assert "Montant (€)" in hidden[0].message("fr")
    assert empty_con.execute("SELECT count(*) FROM investment").fetchone() == (0,)


def test_a_hidden_row_with_values_is_an_error_naming_it(empty_con):
    sheets = _base_sheets()
    sheets["projects"].append(["P2", "Ancien projet", "H1", "food", "rnd", "13"])

    def hide(title, ws):
        if title == "projects":
            ws.row_dimensions[3].hidden = True

    report = import_files(empty_con, [("portefeuille.xlsx", _book(sheets, hide))])
    assert not report.loaded
    assert _rules(report) == [("projects", 3, None, "rule.hidden_row")]


def test_an_empty_hidden_column_is_no_problem(empty_con):
    def hide(title, ws):
        ws.column_dimensions["H"].hidden = True

    report = import_files(empty_con, [("portefeuille.xlsx", _book(_base_sheets(), hide))])
    assert report.loaded, report.problems_frame("en")


# --- 9. a table split over several sheets ---------------------------------------------------


def test_investments_split_by_year_over_sheets_are_read_together(empty_con):
    sheets = _base_sheets()
    sheets["Investissements 2024"] = [
        ["Suivi 2024"],
        [
            "Id investissement",
            "Financeur",
            "Projet",
            "Date d'engagement",
            "Montant (€)",
            "Instrument",
        ],
        ["I1", "INV", "P1", "01/02/2024", "10 000", "grant"],
    ]
    sheets["Investissements 2025"] = [
        MONEY_HEAD,
        ["I2", "INV", "P1", "01/02/2025", "2 500,50", "loan"],
    ]
    sheets["Notes"] = [["à relire"]]
    report = import_files(empty_con, [("portefeuille.xlsx", _book(sheets))])
    assert report.loaded, report.problems_frame("en")
    assert report.counts["investment"]["added"] == 2
    notes = {(p.sheet, p.rule) for p in report.warnings}
    assert ("Investissements 2024, Investissements 2025", "rule.sheets_combined") in notes
    assert ("Notes", "rule.unknown_sheet") in notes
    combined = next(p for p in report.warnings if p.rule == "rule.sheets_combined")
    assert "investments" in combined.message("fr")
    k = metrics.portfolio_kpis(empty_con, PortfolioFilter(scope=None))
    assert k.invested_eur == 12500.5


def test_the_same_investment_in_two_year_sheets_is_a_duplicate(empty_con):
    sheets = _base_sheets()
    sheets["Investissements 2024"] = [MONEY_HEAD, ["I1", "INV", "P1", "01/02/2024", 10, "grant"]]
    sheets["Investissements 2025"] = [MONEY_HEAD, ["I1", "INV", "P1", "01/02/2025", 20, "grant"]]
    report = import_files(empty_con, [("portefeuille.xlsx", _book(sheets))])
    assert not report.loaded
    assert [p.rule for p in report.errors] == ["rule.duplicate_id"]


def test_assessments_over_two_sheets_with_other_questions_keep_each_answer(empty_con):
    """The sheets read as one table need not have the same question columns: each assessment
    keeps the answers of its own sheet, and nothing for a question its sheet lacks."""
    sheets = _base_sheets()
    head = ["assessment_id", "project_id", "viewpoint", "assessor_org_id", "assessed_on"]
    sheets["Évaluations 2024"] = [
        [*head, "ecosystem.needs", "strategy.state"],
        ["A1", "P1", "project", "H1", "10/03/2024", 2, 4],
    ]
    sheets["Évaluations 2025"] = [
        [*head, "ecosystem.needs"],
        ["A2", "P1", "project", "H1", "10/03/2025", 3],
    ]
    report = import_files(empty_con, [("portefeuille.xlsx", _book(sheets))])
    assert report.loaded, report.problems_frame("en")
    assert report.counts["assessment"]["added"] == 2
    stored = empty_con.execute(
        "SELECT assessment_id, question, score FROM assessment_answer ORDER BY 1, 2"
    ).fetchall()
    assert stored == [
        ("A1", "ecosystem.needs", 2),
        ("A1", "strategy.state", 4),
        ("A2", "ecosystem.needs", 3),
    ]


# --- 10. names typed on a Mac ---------------------------------------------------------------


def test_a_name_typed_on_a_mac_is_stored_nfc_and_found_by_search(empty_con):
    name = unicodedata.normalize("NFD", "Épicerie Crèche")
    text = ORGS + f"H9;{name};association\n"
    projects = PROJECTS + f"P9;{name};H1;food;rnd;75\n"
    report = import_files(empty_con, files(organisations=text, projects=projects))
    assert report.loaded, report.problems_frame("en")
    stored = empty_con.execute("SELECT name FROM project WHERE project_id = 'P9'").fetchone()[0]
    assert stored == unicodedata.normalize("NFC", name)
    for search in (
        "epicerie creche",
        "Épicerie Crèche",
        unicodedata.normalize("NFD", "épicerie crèche"),
    ):
        flt = PortfolioFilter.create(search=search, scope=None)
        assert metrics.project_count(empty_con, flt) == 1, search


# --- 11. the template's own example rows ------------------------------------------------------


def test_the_template_s_example_rows_are_skipped_with_a_note(empty_con):
    report = import_files(empty_con, [("modele.xlsx", build_template_xlsx())])
    assert not report.errors
    notes = [p for p in report.warnings if p.rule == "rule.example_rows"]
    assert {p.sheet for p in notes} >= {"organisations", "projects", "investments", "members"}
    assert "exemple" in notes[0].message("fr").lower()
    for table in ("organisation", "project", "investment", "membership", "assessment"):
        assert empty_con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_a_real_row_left_beside_the_examples_is_imported(empty_con):
    sheets = {
        "organisations": [
            ["org_id", "name", "kind"],
            ["EXEMPLE-ASSO-001", "Association Exemple", "association"],
            ["H1", "Lilas", "association"],
        ],
    }
    report = import_files(empty_con, [("modele.xlsx", _book(sheets))])
    assert report.loaded
    assert empty_con.execute("SELECT org_id FROM organisation").fetchall() == [("H1",)]


# --- 12. ids equal but for case ---------------------------------------------------------------


def test_an_id_equal_to_a_stored_one_but_for_case_is_refused_naming_both(empty_con):
    seed(empty_con)
    text = (
        "project_id;name;holder_org_id;need;phase;department_code\np1;Épicerie bis;H1;food;rnd;75\n"
    )
    report = import_files(empty_con, files(projects=text))
    assert not report.loaded
    assert _rules(report) == [("projects", 2, "project_id", "rule.id_case")]
    message = report.errors[0].message("fr")
    assert "« p1 »" in message
    assert "« P1 »" in message
    assert "dans la base" in message
    assert empty_con.execute("SELECT count(*) FROM project").fetchone() == (2,)


def test_ids_equal_but_for_case_in_one_file_are_refused(empty_con):
    text = ORGS + "h1;Autre;association\n"
    report = import_files(empty_con, files(organisations=text))
    assert not report.loaded
    assert _rules(report) == [("organisations", 5, "org_id", "rule.id_case")]
    assert "ligne 2" in report.errors[0].message("fr")
