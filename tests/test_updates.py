"""Routine data work (docs/import.md "Rules"): every field of every row can be edited and re-imported, and
the row is updated in place whatever references it; older databases are migrated to exact euros.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from coinvest import reference as ref
from coinvest import schema
from coinvest.db import EngineError, open_database
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.interchange import SHEET_BY_NAME, parse
from coinvest.workbook import EXAMPLE, table_frame
from tests.conftest import copy_of
from tests.template import MARKER, filled_template_xlsx

# For each sheet, a new valid value for each column that is not part of the key.
EDITS: dict[str, dict[str, str]] = {
    "organisations": {"name": "Association Exemple renommée", "kind": "foundation"},
    "indicators": {
        "name_fr": "Assiettes servies",
        "unit": "assiettes",
        "higher_is_better": "non",
        "name_en": "Plates served",
        "theme": "alimentation",
        "iris_code": "PI1234",
    },
    "projects": {
        "name": "Épicerie solidaire renommée",
        "holder_org_id": "ORG-2",
        "need": "health",
        "phase": "Déploiement",  # the French label of `scaling`, as users write it
        "department_code": "13",
        "legal_form": "SCIC",
        "commune_code": "13055",
        "qpv": "non",
        "rural_revitalisation": "oui",
        "start_year": "2019",
        "status": "paused",
    },
    "cohorts": {
        "support_body_org_id": "ORG-2",
        "name": "Promotion B",
        "year": "2024",
        "programme": "Accélération",
    },
    "cohort_members": {"entry_date": "01/02/2025", "exit_date": "30/06/2025"},
    "assessments": {
        "project_id": "PRJ-2",
        "viewpoint": "ecosystem",
        "assessor_org_id": "ORG-2",
        "assessed_on": "11/03/2025",
        **{code: "4" for code in ref.QUESTION_CODES},
        "comment": "Relu en comité",
    },
    "investments": {
        "investor_org_id": "ORG-2",
        "project_id": "PRJ-2",
        "date": "02/02/2025",
        "amount_eur": "13 000,50 €",
        "instrument": "loan",
        "investor_lever": "strategic_support",
    },
    "contributions": {
        "partner_org_id": "ORG-2",
        "project_id": "PRJ-2",
        "date": "02/03/2025",
        "value_eur": "2 500",
        "kind": "financial",
        "partnership_type": "economic_cooperation",
    },
    "measurements": {"value": "360", "target": "450", "source": "verified"},
}


def _csv(sheet_name: str, row: dict[str, object]) -> tuple[str, bytes]:
    sheet = SHEET_BY_NAME[sheet_name]
    names = [c.name for c in sheet.columns]
    cells = ["" if row.get(n) is None else str(row[n]) for n in names]
    return f"{sheet_name}.csv", (";".join(names) + "\n" + ";".join(cells) + "\n").encode()


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return value
    return None if pd.isna(value) else value


def _row(con, sheet_name: str, key: dict[str, object]) -> dict[str, object]:
    frame = table_frame(con, sheet_name, PortfolioFilter(scope=None))
    for column, value in key.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, (sheet_name, key, frame)
    return {k: _plain(v) for k, v in frame.iloc[0].items()}


@pytest.fixture
def template_con(engine, request, tmp_path):
    """The filled template and EXTRA, imported (a copy of the session's template database)."""
    con = open_database(copy_of(engine, request, tmp_path, "template"))
    yield con
    con.close()


def _typed(value):
    """A template's example value as the user typed it over the example (no marker)."""
    return value.replace(MARKER, "") if isinstance(value, str) else value


CASES = [(sheet, column) for sheet, edits in EDITS.items() for column in edits]


@pytest.mark.parametrize(("sheet_name", "column"), CASES)
def test_each_column_of_each_sheet_updates_in_place(template_con, sheet_name, column):
    sheet = SHEET_BY_NAME[sheet_name]
    base = {c.name: _typed(EXAMPLE[sheet_name].get(c.name)) for c in sheet.columns}
    edited = {**base, column: EDITS[sheet_name][column]}
    rows_before = len(table_frame(template_con, sheet_name, PortfolioFilter(scope=None)))
    report = import_files(template_con, [_csv(sheet_name, edited)])
    assert report.loaded, report.problems_frame("en")
    others = {"organisations": 1, "projects": 1}.get(sheet_name, 0)  # ORG-2, PRJ-2
    assert report.counts[sheet.table] == {
        "added": 0,
        "updated": 1,
        "unchanged": 0,
        "not_in_file": others,
    }
    key = {k: parse(sheet.column(k), base[k]) for k in sheet.key}
    got = _row(template_con, sheet_name, key)[column]
    expected = _plain(parse(sheet.column(column), EDITS[sheet_name][column]))
    assert got == expected
    assert (
        len(table_frame(template_con, sheet_name, PortfolioFilter(scope=None))) == rows_before
    )  # updated, not added


def test_a_phase_edited_from_modelling_to_scaling_through_the_cli(tmp_path, capsys):
    from coinvest.cli import main

    db = tmp_path / "edit.duckdb"
    template = tmp_path / "modele.xlsx"
    template.write_bytes(filled_template_xlsx())
    assert main(["import", str(template), "--db", str(db)]) == 0
    edited = tmp_path / "projets.csv"
    edited.write_text(
        "id_projet;nom;porteur;besoin;phase;departement\n"
        "PRJ-001;Épicerie solidaire du quartier;ASSO-001;food;Déploiement;69\n",
        encoding="utf-8",
    )
    assert main(["import", str(edited), "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    con = open_database(db, read_only=True)
    try:
        assert con.execute("SELECT phase FROM project").fetchall() == [("scaling",)]
        # the investments, assessments and cohort membership of the project are still there
        for table in ("investment", "assessment", "cohort_member", "measurement"):
            assert con.execute(
                f"SELECT count(*) FROM {table} WHERE project_id = 'PRJ-001'"
            ).fetchall() == [(1,)]
    finally:
        con.close()


def test_a_moved_assessment_moves_its_lever_scores(template_con):
    edited = {
        c.name: _typed(EXAMPLE["assessments"].get(c.name))
        for c in SHEET_BY_NAME["assessments"].columns
    }
    edited["project_id"] = "PRJ-2"
    assert import_files(template_con, [_csv("assessments", edited)]).loaded
    rows = template_con.execute(
        "SELECT DISTINCT project_id FROM lever_round ORDER BY project_id"
    ).fetchall()
    assert rows == [("PRJ-2",)]


def test_a_database_engine_error_while_writing_is_a_message_not_a_traceback(
    template_con, monkeypatch
):
    from coinvest.errors import CoinvestError
    from coinvest.importer import write as importer_write

    def broken(*args, **kwargs):
        raise EngineError("Constraint Error: something the engine refused", constraint=True)

    monkeypatch.setattr(importer_write, "_upsert", broken)
    name, data = _csv("organisations", {"org_id": "NEW", "name": "Nouvelle", "kind": "company"})
    with pytest.raises(CoinvestError) as caught:
        import_files(template_con, [(name, data)])
    assert "rien n'a été écrit" in caught.value.message("fr").lower()
    assert template_con.execute(
        "SELECT count(*) FROM organisation WHERE org_id = 'NEW'"
    ).fetchall() == [(0,)]


def test_a_version_1_database_is_migrated_to_exact_euros_keeping_its_rows(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    con = open_database(path)
    con.execute("INSERT INTO organisation VALUES ('O', 'Org', 'association')")
    con.execute(
        "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) "
        "VALUES ('P', 'Projet', 'O', 'food', 'rnd', '75')"
    )
    con.execute(
        "INSERT INTO investment VALUES ('I', 'O', 'P', DATE '2024-01-01', 0.1, 'grant', NULL),"
        " ('J', 'O', 'P', DATE '2024-01-02', 0.2, 'grant', NULL)"
    )
    con.close()
    monkeypatch.undo()
    con = open_database(path)
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchall() == [
            (schema.LATEST_VERSION,)
        ]
        kind = con.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'investment' AND column_name = 'amount_eur'"
        ).fetchall()
        assert kind == [("DECIMAL(18,2)",)]
        # 0.1 + 0.2 is 0.3 exactly now (as floats it was 0.30000000000000004)
        assert con.execute("SELECT sum(amount_eur) FROM investment").fetchall() == [
            (Decimal("0.30"),)
        ]
        assert con.execute("SELECT phase FROM project").fetchall() == [("rnd",)]
        con.execute("UPDATE project SET holder_org_id = 'O', phase = 'scaling'")
    finally:
        con.close()


def test_no_foreign_key_is_left_on_user_tables(empty_con):
    found = empty_con.execute(
        "SELECT table_name FROM information_schema.table_constraints "
        "WHERE constraint_type = 'FOREIGN KEY' AND table_schema = current_schema()"
    ).fetchall()
    assert {t for (t,) in found} <= {"department"}  # reference data, never edited


def test_dates_are_dates(template_con):
    row = _row(template_con, "investments", {"investment_id": "INV-001"})
    assert row["date"] == date(2025, 2, 1)
