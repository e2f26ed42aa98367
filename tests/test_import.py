"""Import: every rule located exactly, French formats, idempotence, round trip, bad files."""

from __future__ import annotations

import hashlib
import io
import os
import random
import subprocess
import sys

import pytest
from openpyxl import Workbook

from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.importer.problems import max_import_bytes
from coinvest.metrics import lever_scores
from coinvest.schema import DATA_TABLES
from coinvest.workbook import export_portfolio_xlsx
from tests.template import filled_template_xlsx, filled_template_zip

ORGS = "org_id;name;kind\nH1;Association Les Lilas;association\nINV;Fonds public;public_investor\n"
PROJECTS = (
    "project_id;name;holder_org_id;need;phase;department_code\n"
    "P1;Épicerie des Lilas;H1;food;rnd;75\n"
)


def csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def checksum(con) -> str:
    digest = hashlib.sha256()
    for table in (*DATA_TABLES, "lever_round"):
        rows = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        digest.update(repr((table, rows)).encode())
    return digest.hexdigest()


def only_problem(report, severity: str = "error"):
    found = [p for p in report.problems if p.severity == severity]
    assert len(found) == 1, [(p.sheet, p.row, p.column, p.value, p.rule) for p in report.problems]
    p = found[0]
    return (p.file, p.sheet, p.row, p.column, p.value, p.rule)


def test_a_hand_written_portfolio_in_the_template_imports(empty_con):
    report = import_files(empty_con, [("modele.xlsx", filled_template_xlsx())])
    assert report.loaded, report.problems_frame("en")
    assert report.counts["project"] == {"added": 1, "updated": 0, "unchanged": 0, "not_in_file": 0}
    assert empty_con.execute("SELECT amount_eur FROM investment").fetchall() == [(12500.0,)]
    scores = lever_scores(empty_con, PortfolioFilter(scope=None))
    assert set(scores["lever"]) == {"ecosystem", "innovation"}  # the example's seven answers
    assert scores.set_index("lever").loc["ecosystem", "score"] == 50.0


def test_the_csv_template_zip_imports_the_same(empty_con):
    assert import_files(empty_con, [("modele.zip", filled_template_zip())]).loaded
    first = checksum(empty_con)
    report = import_files(empty_con, [("modele.xlsx", filled_template_xlsx())])
    assert report.loaded
    assert checksum(empty_con) == first
    assert all(c["unchanged"] == 1 for c in report.counts.values())


# --- each rule, with the exact place it is reported ------------------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "projects.csv": "project_id;name;holder_org_id;phase;department_code\nP1;X;H1;rnd;75\n"
            },
            ("projects.csv", "projects", 1, "need", None, "rule.required_column"),
        ),
        (
            {
                "projects.csv": PROJECTS.replace("phase;", "phase;need;").replace(
                    "rnd;", "rnd;food;"
                )
            },
            ("projects.csv", "projects", 1, "need", None, "rule.duplicate_column"),
        ),
        (
            {"projects.csv": PROJECTS.replace("P1;", "P" + "1" * 120 + ";")},
            ("projects.csv", "projects", 2, "project_id", "P" + "1" * 76 + "…", "rule.too_long"),
        ),
        (
            {"projects.csv": PROJECTS.replace("food", "weather")},
            ("projects.csv", "projects", 2, "need", "weather", "rule.unknown_code"),
        ),
        (
            {"projects.csv": PROJECTS.replace(";75", ";20")},
            ("projects.csv", "projects", 2, "department_code", "20", "rule.unknown_code"),
        ),
        (
            {"projects.csv": PROJECTS.replace("H1;food", "NOBODY;food")},
            ("projects.csv", "projects", 2, "holder_org_id", "NOBODY", "rule.unresolved_reference"),
        ),
        (
            {"projects.csv": PROJECTS + "P1;Doublon;H1;food;rnd;75\n"},
            ("projects.csv", "projects", 3, "project_id", "P1", "rule.duplicate_id"),
        ),
        (
            {"projects.csv": PROJECTS.replace("Épicerie des Lilas", "")},
            ("projects.csv", "projects", 2, "name", None, "rule.required_value"),
        ),
        (
            {
                "projects.csv": PROJECTS.replace(
                    "department_code", "department_code;start_year"
                ).replace(";75", ";75;deux mille")
            },
            ("projects.csv", "projects", 2, "start_year", "deux mille", "rule.year"),
        ),
        (
            {
                "projects.csv": PROJECTS.replace("department_code", "department_code;qpv").replace(
                    ";75", ";75;peut-être"
                )
            },
            ("projects.csv", "projects", 2, "qpv", "peut-être", "rule.bool"),
        ),
        (
            {
                "projects.csv": PROJECTS.replace(
                    "department_code", "department_code;commune_code"
                ).replace(";75", ";75;7501")
            },
            ("projects.csv", "projects", 2, "commune_code", "7501", "rule.commune_code"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "assessments.csv": "assessment_id;project_id;viewpoint;assessor_org_id;assessed_on;ecosystem.needs\n"
                "A1;P1;project;H1;10/03/2025;5\n",
            },
            ("assessments.csv", "assessments", 2, "ecosystem.needs", "5", "rule.score"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "assessments.csv": "assessment_id;project_id;viewpoint;assessor_org_id;assessed_on;ecosystem.needs\n"
                "A1;P1;neighbour;H1;10/03/2025;2\n",
            },
            ("assessments.csv", "assessments", 2, "viewpoint", "neighbour", "rule.unknown_code"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "investments.csv": "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
                "I1;INV;P1;01/02/2025;-12 500,00 €;grant\n",
            },
            ("investments.csv", "investments", 2, "amount_eur", "-12 500,00 €", "rule.negative"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "investments.csv": "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
                "I1;INV;P1;31/02/2025;100;grant\n",
            },
            ("investments.csv", "investments", 2, "date", "31/02/2025", "rule.date"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "investments.csv": "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
                "I1;INV;P1;01/02/2025;beaucoup;grant\n",
            },
            ("investments.csv", "investments", 2, "amount_eur", "beaucoup", "rule.number"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "contributions.csv": "contribution_id;partner_org_id;project_id;date;value_eur;kind\n"
                "K1;INV;P1;01/02/2025;-5;skills\n",
            },
            ("contributions.csv", "contributions", 2, "value_eur", "-5", "rule.negative"),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "measurements.csv": "project_id;indicator_code;year;value\nP1;happiness;2024;3\n",
            },
            (
                "measurements.csv",
                "measurements",
                2,
                "indicator_code",
                "happiness",
                "rule.unresolved_reference",
            ),
        ),
        (
            {
                "projects.csv": PROJECTS,
                "cohorts.csv": "cohort_id;support_body_org_id;name;year\nC1;INV;Promo;2025\n",
                "cohort_members.csv": "cohort_id;project_id;entry_date;exit_date\nC1;P1;15/01/2025;01/01/2024\n",
            },
            (
                "cohort_members.csv",
                "cohort_members",
                2,
                "exit_date",
                "2024-01-01",
                "rule.exit_before_entry",
            ),
        ),
    ],
)
def test_each_rule_is_reported_where_it_is_broken(empty_con, files, expected):
    files = {"organisations.csv": ORGS, **files}
    before = checksum(empty_con)
    report = import_files(empty_con, [(name, csv(text)) for name, text in files.items()])
    assert not report.loaded
    assert only_problem(report) == expected
    assert checksum(empty_con) == before  # nothing written


def test_rows_and_sheets_are_those_excel_shows(empty_con):
    book = Workbook()
    ws = book.active
    ws.title = "Projets"  # a French sheet name
    ws.append(["id_projet", "nom", "id_porteur", "besoin", "phase", "code_departement"])
    ws.append(["P1", "Épicerie", "H1", "food", "rnd", "75"])
    ws.append(["P2", "Garage", "H1", "mobility", "maturity", "13"])
    orgs = book.create_sheet("organisations")
    orgs.append(["org_id", "name", "kind"])
    orgs.append(["H1", "Association", "association"])
    data = io.BytesIO()
    book.save(data)
    report = import_files(empty_con, [("portefeuille.xlsx", data.getvalue())])
    assert only_problem(report) == (
        "portefeuille.xlsx",
        "Projets",
        3,
        "phase",
        "maturity",
        "rule.unknown_code",
    )


def test_unknown_columns_are_a_warning_only(empty_con):
    report = import_files(
        empty_con,
        [("organisations.csv", csv("org_id;name;kind;couleur\nH1;Asso;association;bleu\n"))],
    )
    assert report.loaded
    assert only_problem(report, "warning") == (
        "organisations.csv",
        "organisations",
        1,
        "couleur",
        None,
        "rule.unknown_column",
    )


def test_references_resolve_in_the_database_too(empty_con):
    assert import_files(empty_con, [("organisations.csv", csv(ORGS))]).loaded
    report = import_files(empty_con, [("projects.csv", csv(PROJECTS))])
    assert report.loaded
    assert report.counts == {
        "project": {"added": 1, "updated": 0, "unchanged": 0, "not_in_file": 0}
    }


# --- French files as they come ----------------------------------------------------------------

FRENCH = {
    "organisations.csv": "id_organisation;nom;type\nH1;Association Les Lilas;Association\nINV;Fonds régional;investisseur public\n",
    "projets.csv": "id_projet;nom;id_porteur;besoin;phase;code_departement;qpv;zrr;annee_debut\n"
    "P1;Épicerie des Lilas;H1;Alimentation;Modélisation;7;oui;non;2021\n"
    "P2;Garage solidaire;H1;mobility;rnd;2A;x;;2020\n"
    "P3;Tiers-lieu;H1;culture;scaling;974;FAUX;Vrai;2019\n"
    "P4;Ressourcerie;H1;environment;emergence;59;1;0;2024\n"
    "P5;Vélo-école;H1;mobility;emergence;33;true;false;2024\n",
    "investissements.csv": "id_investissement;id_investisseur;id_projet;date;montant_eur;instrument\n"
    "I1;INV;P1;01/02/2025;12 500,00 €;subvention\n"
    "I2;INV;P2;2024-06-30;1\u202f234,5;loan\n"
    'I3;INV;P3;5/9/2023;"3.000,75";grant\n',
}


def _french_check(con):
    projects = dict(
        (row[0], row[1:])
        for row in con.execute(
            "SELECT project_id, name, need, phase, department_code, qpv, rural_revitalisation FROM project"
        ).fetchall()
    )
    assert projects["P1"] == ("Épicerie des Lilas", "food", "modelling", "07", True, False)
    assert projects["P2"][3:] == ("2A", True, False)
    assert projects["P3"][4:] == (False, True)
    assert projects["P4"][4:] == (True, False)
    assert projects["P5"][4:] == (True, False)
    amounts = dict(con.execute("SELECT investment_id, amount_eur FROM investment").fetchall())
    assert amounts == {"I1": 12500.0, "I2": 1234.5, "I3": 3000.75}
    dates = dict(
        con.execute("SELECT investment_id, CAST(date AS VARCHAR) FROM investment").fetchall()
    )
    assert dates == {"I1": "2025-02-01", "I2": "2024-06-30", "I3": "2023-09-05"}
    kinds = dict(con.execute("SELECT org_id, kind FROM organisation").fetchall())
    assert kinds == {"H1": "association", "INV": "public_investor"}


@pytest.mark.parametrize(
    ("separator", "encoding", "bom"),
    [
        (";", "utf-8", True),
        (";", "utf-8", False),
        (",", "utf-8", False),
        ("\t", "utf-8", True),
        (";", "cp1252", False),
    ],
)
def test_french_csv_variants(empty_con, separator, encoding, bom):
    files = []
    for name, text in FRENCH.items():
        if separator != ";":
            # quote cells that hold the new separator, as a spreadsheet would
            lines = []
            for line in text.splitlines():
                cells = [c.strip('"') for c in line.split(";")]
                lines.append(separator.join(f'"{c}"' if separator in c else c for c in cells))
            text = "\n".join(lines) + "\n"
        if encoding == "cp1252":
            text = text.replace("\u202f", " ")  # Windows-1252 has no narrow no-break space
        data = text.encode(encoding)
        files.append((name, (b"\xef\xbb\xbf" if bom else b"") + data))
    report = import_files(empty_con, files)
    assert report.loaded, report.problems_frame("en").to_string()
    _french_check(empty_con)


# --- idempotence, updates, round trip ---------------------------------------------------------


def test_reimport_changes_nothing_and_an_edit_is_one_update(empty_con):
    files = [("organisations.csv", csv(ORGS)), ("projects.csv", csv(PROJECTS))]
    assert import_files(empty_con, files).loaded
    first = checksum(empty_con)
    again = import_files(empty_con, files)
    assert again.counts["project"] == {"added": 0, "updated": 0, "unchanged": 1, "not_in_file": 0}
    assert checksum(empty_con) == first
    edited = [("projects.csv", csv(PROJECTS.replace(";rnd;", ";scaling;")))]
    report = import_files(empty_con, edited)
    assert report.counts["project"] == {"added": 0, "updated": 1, "unchanged": 0, "not_in_file": 0}
    assert empty_con.execute("SELECT phase FROM project").fetchall() == [("scaling",)]


def test_changed_answers_update_the_assessment_and_its_lever_scores(empty_con):
    head = "assessment_id;project_id;viewpoint;assessor_org_id;assessed_on;ecosystem.needs;ecosystem.stakes\n"
    files = [
        ("organisations.csv", csv(ORGS)),
        ("projects.csv", csv(PROJECTS)),
        ("assessments.csv", csv(head + "A1;P1;project;H1;10/03/2025;2;4\n")),
    ]
    assert import_files(empty_con, files).loaded
    assert lever_scores(empty_con, PortfolioFilter(scope=None))["score"].tolist() == [75.0]
    report = import_files(
        empty_con, [("assessments.csv", csv(head + "A1;P1;project;H1;10/03/2025;4;\n"))]
    )
    assert report.counts["assessment"] == {
        "added": 0,
        "updated": 1,
        "unchanged": 0,
        "not_in_file": 0,
    }
    assert lever_scores(empty_con, PortfolioFilter(scope=None))["score"].tolist() == [100.0]
    assert empty_con.execute("SELECT count(*) FROM assessment_answer").fetchone()[0] == 1
    same = import_files(
        empty_con, [("assessments.csv", csv(head + "A1;P1;project;H1;10/03/2025;4;\n"))]
    )
    assert same.counts["assessment"] == {"added": 0, "updated": 0, "unchanged": 1, "not_in_file": 0}


def test_export_then_import_into_an_empty_database_gives_identical_content(demo_con, empty_con):
    workbook = export_portfolio_xlsx(demo_con, PortfolioFilter(scope=None))
    report = import_files(empty_con, [("portefeuille.xlsx", workbook)])
    assert report.loaded, report.problems_frame("en").head().to_string()
    assert checksum(empty_con) == checksum(demo_con)
    again = import_files(empty_con, [("portefeuille.xlsx", workbook)])
    assert all(c["added"] == 0 and c["updated"] == 0 for c in again.counts.values())


def test_the_import_log_records_each_load(empty_con):
    import_files(empty_con, [("organisations.csv", csv(ORGS))])
    import_files(empty_con, [("organisations.csv", csv(ORGS.replace("public_investor", "bogus")))])
    rows = empty_con.execute("SELECT file_name, length(sha256), counts FROM import_log").fetchall()
    assert len(rows) == 1  # a refused import writes nothing, not even a log line
    assert rows[0][0] == "organisations.csv"
    assert rows[0][1] == 64
    assert '"organisation": {"added": 2' in rows[0][2]


# --- files that are not what they claim -------------------------------------------------------


def _bad(empty_con, files, rule):
    before = checksum(empty_con)
    report = import_files(empty_con, files)
    assert not report.loaded
    assert rule in {p.rule for p in report.errors}, report.problems_frame("en").to_string()
    assert checksum(empty_con) == before
    for p in report.errors:
        assert p.message("fr")
        assert p.message("en")


def test_empty_file(empty_con):
    _bad(empty_con, [("projects.csv", b"")], "rule.empty_file")


def test_random_bytes(empty_con):
    noise = random.Random(7).randbytes(4096)
    _bad(empty_con, [("projects.csv", noise)], "rule.not_text")
    _bad(empty_con, [("portefeuille.xlsx", noise)], "rule.not_a_workbook")
    _bad(empty_con, [("portefeuille.xlsx", b"PK\x03\x04" + noise)], "rule.not_a_workbook")


def test_workbook_with_wrong_sheet_names(empty_con):
    book = Workbook()
    book.active.title = "Feuil1"
    book.active.append(["a", "b"])
    data = io.BytesIO()
    book.save(data)
    _bad(empty_con, [("classeur.xlsx", data.getvalue())], "rule.no_known_sheet")


def test_csv_named_after_no_table(empty_con):
    _bad(empty_con, [("export_2025.csv", csv(ORGS))], "rule.unknown_file")


def test_a_file_over_the_32_mb_limit_is_refused(empty_con):
    line = "P{0};Projet {0};H1;food;rnd;75\n"
    text = "project_id;name;holder_org_id;need;phase;department_code\n"
    body = "".join(line.format(i) for i in range(1_000_000))
    data = csv(text + body)
    assert max_import_bytes() == 32 * 1024 * 1024 < len(data)
    _bad(empty_con, [("projects.csv", data)], "rule.file_too_large")


# --- the command line ------------------------------------------------------------------------


def test_cli_import_loads_or_reports(tmp_path):
    good = tmp_path / "organisations.csv"
    good.write_text(ORGS, encoding="utf-8")
    bad = tmp_path / "projects.csv"
    bad.write_text(PROJECTS.replace("food", "weather"), encoding="utf-8")
    db = tmp_path / "p.duckdb"
    env = {**os.environ, "COINVEST_LANG": "en"}
    ok = subprocess.run(
        [sys.executable, "-m", "coinvest", "import", str(good), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "organisation" in ok.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "coinvest", "import", str(bad), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 1
    assert "Unknown code" in refused.stderr
    assert "weather" in refused.stderr
    assert "Nothing was written" in refused.stderr
    assert "Traceback" not in refused.stderr
