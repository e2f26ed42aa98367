"""Deletions are explicit, never silent (docs/import.md "Rules"): rows missing from a re-imported file stay
and are counted; `delete_missing` removes them, unless a remaining row still refers to one."""

from __future__ import annotations

from coinvest.cli import main
from coinvest.db import open_database
from coinvest.importer import import_files
from tests.test_import import checksum

ORGS = (
    "org_id;name;kind\nH1;Association Les Lilas;association\nH2;SCIC;company\n"
    "INV;Fonds public;public_investor\n"
)
PROJECTS = (
    "project_id;name;holder_org_id;need;phase;department_code\n"
    "P1;Épicerie;H1;food;rnd;75\nP2;Garage;H2;mobility;rnd;13\n"
)
INVESTMENTS = (
    "investment_id;investor_org_id;project_id;date;amount_eur;instrument\n"
    "I1;INV;P1;01/02/2025;1000;grant\nI2;INV;P2;01/02/2025;2000;grant\n"
)
ASSESSMENTS = (
    "assessment_id;project_id;viewpoint;assessor_org_id;assessed_on;ecosystem.needs\n"
    "A1;P1;project;H1;10/03/2025;2\nA2;P2;project;H2;10/03/2025;3\n"
)
INDICATORS = "indicator_code;name_fr;unit;higher_is_better\nmeals;Repas;repas;oui\n"


def files(**tables: str) -> list[tuple[str, bytes]]:
    return [(f"{name}.csv", text.encode()) for name, text in tables.items()]


def seed(con) -> None:
    report = import_files(
        con,
        files(
            organisations=ORGS,
            projects=PROJECTS,
            investments=INVESTMENTS,
            assessments=ASSESSMENTS,
            indicators=INDICATORS,
        ),
    )
    assert report.loaded, report.problems_frame("en")


def drop_line(text: str, start: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(start))


def count(con, table: str, where: str = "TRUE") -> int:
    return con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchall()[0][0]


def test_rows_missing_from_a_reimported_file_stay_and_are_counted(empty_con):
    seed(empty_con)
    report = import_files(empty_con, files(investments=drop_line(INVESTMENTS, "I2")))
    assert report.loaded
    assert report.counts["investment"]["not_in_file"] == 1
    assert "deleted" not in report.counts["investment"]
    assert report.missing == {"investment": ["I2"]}
    assert report.not_in_file == 1
    assert count(empty_con, "investment") == 2
    assert "not_in_file" in report.counts_frame().columns


def test_delete_missing_removes_them_with_their_answers_and_lever_scores(empty_con):
    seed(empty_con)
    report = import_files(
        empty_con,
        files(
            projects=drop_line(PROJECTS, "P2"),
            investments=drop_line(INVESTMENTS, "I2"),
            assessments=drop_line(ASSESSMENTS, "A2"),
        ),
        delete_missing=True,
    )
    assert report.loaded, report.problems_frame("en")
    assert report.counts["project"]["deleted"] == 1
    assert report.counts["investment"]["deleted"] == 1
    assert report.counts["assessment"]["deleted"] == 1
    assert count(empty_con, "project") == 1
    assert count(empty_con, "assessment_answer", "assessment_id = 'A2'") == 0
    assert count(empty_con, "lever_round", "project_id = 'P2'") == 0
    assert count(empty_con, "lever_round", "project_id = 'P1'") == 1
    # what the file's sheets did not cover is untouched
    assert count(empty_con, "organisation") == 3


def test_a_deletion_that_would_leave_references_behind_is_refused_and_writes_nothing(empty_con):
    seed(empty_con)
    before = checksum(empty_con)
    # P2 is gone from the projects, but its investment and assessment are not in this file
    report = import_files(empty_con, files(projects=drop_line(PROJECTS, "P2")), delete_missing=True)
    assert not report.loaded
    found = {(p.sheet, p.value, p.params["sheet"], p.params["n"]) for p in report.errors}
    assert found == {("projects", "P2", "investments", 1), ("projects", "P2", "assessments", 1)}
    assert "I2" in report.errors[0].message("fr") or "A2" in report.errors[0].message("fr")
    assert checksum(empty_con) == before


def test_the_built_in_indicator_is_never_missing_nor_deleted(empty_con):
    seed(empty_con)
    report = import_files(empty_con, files(indicators=INDICATORS), delete_missing=True)
    assert report.loaded
    assert report.counts["indicator"]["not_in_file"] == 0
    assert count(empty_con, "indicator", "indicator_code = 'beneficiaries'") == 1


def test_cli_says_what_stays_and_deletes_on_request(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    con = open_database(db)
    seed(con)
    con.close()
    partial = tmp_path / "investissements.csv"
    partial.write_text(drop_line(INVESTMENTS, "I2"), encoding="utf-8")
    assert main(["import", str(partial), "--db", str(db)]) == 0
    out = capsys.readouterr()
    assert "not_in_file" in out.out
    assert "--delete-missing" in out.err
    # the deletion step is confirmed: without a terminal to answer, `--yes` says it
    assert main(["import", str(partial), "--db", str(db), "--delete-missing"]) == 1
    out = capsys.readouterr()
    assert "investment 1" in out.err
    assert "--yes" in out.err
    con = open_database(db, read_only=True)
    try:
        assert count(con, "investment") == 2
    finally:
        con.close()
    assert main(["import", str(partial), "--db", str(db), "--delete-missing", "--yes"]) == 0
    out = capsys.readouterr()
    assert "deleted" in out.out
    con = open_database(db, read_only=True)
    try:
        assert count(con, "investment") == 1
    finally:
        con.close()


def test_a_header_only_file_with_delete_missing_asks_before_emptying_a_table(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    con = open_database(db)
    seed(con)
    con.close()
    header_only = tmp_path / "investissements.csv"
    header_only.write_text(INVESTMENTS.splitlines()[0] + "\n", encoding="utf-8")
    assert main(["import", str(header_only), "--db", str(db), "--delete-missing"]) == 1
    err = capsys.readouterr().err
    assert "2" in err
    assert "--yes" in err
    con = open_database(db, read_only=True)
    try:
        assert count(con, "investment") == 2
    finally:
        con.close()
