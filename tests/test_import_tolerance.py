"""Files as users produce them (docs/import.md "Rules"): tolerated, or refused with a message that says
what to do."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from coinvest import metrics
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files

ORGS = "org_id;name;kind\nH1;Association Les Lilas;association\nINV;Fonds public;public_investor\n"
PROJECTS = "project_id;name;holder_org_id;need;phase;department_code\nP1;Épicerie;H1;food;rnd;75\n"
INVESTMENTS = (
    "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
    "I1;INV;P1;01/02/2025;12 500,00 €;grant\n"
)


def seed(con) -> None:
    report = import_files(
        con, [("organisations.csv", ORGS.encode()), ("projects.csv", PROJECTS.encode())]
    )
    assert report.loaded, report.problems_frame("en")


def loaded(con, files) -> None:
    report = import_files(con, files)
    assert report.loaded, report.problems_frame("en").to_string()
    return report


def invested(con) -> list[tuple]:
    return con.execute("SELECT investment_id, date, amount_eur FROM investment").fetchall()


def test_a_title_row_above_the_header(empty_con):
    seed(empty_con)
    text = "Investissements 2025 — Fonds public;;;;;\n;;;;;\n" + INVESTMENTS
    report = loaded(empty_con, [("investments.csv", text.encode())])
    assert len(invested(empty_con)) == 1
    assert report.problems == []


def test_a_title_row_above_the_header_in_a_workbook(empty_con):
    seed(empty_con)
    book = Workbook()
    ws = book.active
    ws.title = "Investissements"
    ws.append(["Suivi des engagements — export du 12/03/2025"])
    ws.append([])
    for line in INVESTMENTS.splitlines():
        ws.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    report = loaded(empty_con, [("suivi.xlsx", out.getvalue())])
    assert len(invested(empty_con)) == 1
    assert [p for p in report.problems if p.severity == "error"] == []


def test_excel_sep_line_above_the_header(empty_con):
    seed(empty_con)
    loaded(empty_con, [("investments.csv", ("sep=;\n" + INVESTMENTS).encode())])
    assert len(invested(empty_con)) == 1


@pytest.mark.parametrize(
    "name", ["investissements (1).csv", "investissements(2).csv", "Investissements - Copie.csv"]
)
def test_browser_download_suffixes(empty_con, name):
    seed(empty_con)
    loaded(empty_con, [(name, INVESTMENTS.encode())])
    assert len(invested(empty_con)) == 1


def test_natural_french_headers(empty_con):
    seed(empty_con)
    text = (
        "Identifiant de l'investissement;Financeur;Projet;Date d'engagement;Montant (€);"
        "Outil\nI1;INV;P1;01/02/2025;12 500,00 €;Subvention\n"
    )
    loaded(empty_con, [("investissements.csv", text.encode())])
    assert invested(empty_con) == [("I1", pd.Timestamp("2025-02-01").date(), 12500)]
    projects = (
        "ID projet;Nom du projet;Porteur;Besoin sociétal;Phase;Code du département\n"
        "P2;Garage;H1;Mobilité;Déploiement;13\n"
    )
    loaded(empty_con, [("projets.csv", projects.encode())])
    assert empty_con.execute(
        "SELECT need, phase, department_code FROM project WHERE project_id = 'P2'"
    ).fetchall() == [("mobility", "scaling", "13")]


@pytest.mark.parametrize(
    ("written", "expected"),
    [("01/02/25", "2025-02-01"), ("01/02/2025 14:30", "2025-02-01"), ("1/2/98", "1998-02-01")],
)
def test_short_years_and_times_of_day(empty_con, written, expected):
    seed(empty_con)
    text = INVESTMENTS.replace("01/02/2025", written)
    loaded(empty_con, [("investments.csv", text.encode())])
    assert invested(empty_con)[0][1] == pd.Timestamp(expected).date()


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text(empty_con, codec):
    seed(empty_con)
    text = INVESTMENTS.replace(";", "\t")
    loaded(empty_con, [("investments.csv", text.encode(codec))])
    assert invested(empty_con)[0][2] == 12500


def test_macos_zips_ignore_their_resource_forks(empty_con):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("donnees/organisations.csv", ORGS)
        archive.writestr("donnees/projects.csv", PROJECTS)
        archive.writestr("__MACOSX/donnees/._organisations.csv", b"\x00\x05\x16\x07binary")
        archive.writestr("__MACOSX/donnees/._projects.csv", b"\x00\x05\x16\x07binary")
        archive.writestr("donnees/._investments.csv", b"\x00\x05\x16\x07binary")
    report = loaded(empty_con, [("donnees.zip", out.getvalue())])
    assert report.problems == []


def test_old_xls_files_are_refused_with_what_to_do(empty_con):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    report = import_files(empty_con, [("financements.xls", ole2)])
    assert not report.loaded
    assert [p.rule for p in report.errors] == ["rule.old_xls"]
    assert ".xlsx" in report.errors[0].message("fr")


def test_formulas_without_a_computed_value_are_refused_where_they_are(empty_con):
    seed(empty_con)
    book = Workbook()
    ws = book.active
    ws.title = "investments"
    ws.append(
        ["investment_id", "investor_org_id", "project_id", "date", "amount_eur", "instrument"]
    )
    ws.append(["I1", "INV", "P1", "01/02/2025", "=10000+2500", "grant"])
    out = io.BytesIO()
    book.save(out)  # openpyxl writes formulas without their value, as scripts do
    report = import_files(empty_con, [("calcul.xlsx", out.getvalue())])
    assert not report.loaded
    found = [(p.sheet, p.row, p.column, p.value, p.rule) for p in report.errors]
    assert found == [("investments", 2, "E", "=10000+2500", "rule.formula_without_value")]
    assert "enregistrez" in report.errors[0].message("fr")


def test_an_unknown_code_lists_the_french_labels_too(empty_con):
    seed(empty_con)
    text = PROJECTS.replace("rnd", "maturité")
    report = import_files(empty_con, [("projects.csv", text.encode())])
    message = report.errors[0].message("fr")
    assert "rnd (R&D, expérimentation)" in message
    assert "scaling (Déploiement, essaimage)" in message
    english = report.errors[0].message("en")
    assert "rnd (R&D, experimentation)" in english
    assert "scaling (Scaling)" not in english  # a label that only repeats the code is left out


def test_a_zero_target_warns_and_its_achievement_is_missing(empty_con):
    seed(empty_con)
    text = "project_id;indicator_code;year;value;target\nP1;beneficiaries;2024;120;0\n"
    report = loaded(empty_con, [("measurements.csv", text.encode())])
    warnings = [(p.row, p.column, p.rule) for p in report.warnings]
    assert warnings == [(2, "target", "rule.zero_target")]
    achievement = metrics.achievements(empty_con, PortfolioFilter(scope=None))
    assert achievement["achievement"].isna().all()
