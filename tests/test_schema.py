"""The schema refuses what the model forbids; opening refuses what is not ours and changes nothing."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from coinvest.db import EngineError, open_database, resolve_db
from coinvest.errors import CoinvestError
from coinvest.schema import LATEST_VERSION

VALID = [
    "INSERT INTO organisation VALUES ('O1', 'Asso', 'association'), ('INV', 'Fonds', 'public_investor'), ('SB', 'Incubateur', 'support_body')",
    "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P1', 'Projet', 'O1', 'food', 'rnd', '2A')",
    "INSERT INTO cohort VALUES ('C1', 'SB', 'Promo 2025', NULL, 2025)",
    "INSERT INTO cohort_member VALUES ('C1', 'P1', DATE '2025-01-15', NULL)",
    "INSERT INTO assessment VALUES ('A1', 'P1', 'project', 'O1', DATE '2025-03-01', NULL)",
    "INSERT INTO assessment_answer VALUES ('A1', 'ecosystem.needs', 3, NULL)",
    "INSERT INTO investment VALUES ('I1', 'INV', 'P1', DATE '2025-02-01', 10000, 'grant', NULL)",
    "INSERT INTO contribution VALUES ('K1', 'SB', 'P1', DATE '2025-02-01', 500, 'skills', 'patronage')",
    "INSERT INTO measurement VALUES ('P1', 'beneficiaries', 2025, 120, 100, 'declared')",
]

BAD = {
    "score above 4": "INSERT INTO assessment_answer VALUES ('A1', 'ecosystem.stakes', 5, NULL)",
    "score below 0": "INSERT INTO assessment_answer VALUES ('A1', 'ecosystem.stakes', -1, NULL)",
    "unknown question": "INSERT INTO assessment_answer VALUES ('A1', 'ecosystem.weather', 2, NULL)",
    "answer twice": "INSERT INTO assessment_answer VALUES ('A1', 'ecosystem.needs', 2, NULL)",
    "unknown organisation kind": "INSERT INTO organisation VALUES ('O2', 'X', 'pirate')",
    "empty organisation name": "INSERT INTO organisation VALUES ('O2', '  ', 'company')",
    "unknown need": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P2', 'X', 'O1', 'weather', 'rnd', '75')",
    "unknown phase": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P2', 'X', 'O1', 'food', 'maturity', '75')",
    "unknown status": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code, status) VALUES ('P2', 'X', 'O1', 'food', 'rnd', '75', 'dormant')",
    "duplicate project id": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P1', 'X', 'O1', 'food', 'rnd', '75')",
    "unknown viewpoint": "INSERT INTO assessment VALUES ('A2', 'P1', 'neighbour', 'O1', DATE '2025-03-01', NULL)",
    "negative investment": "INSERT INTO investment VALUES ('I2', 'INV', 'P1', DATE '2025-02-01', -1, 'grant', NULL)",
    "unknown instrument": "INSERT INTO investment VALUES ('I2', 'INV', 'P1', DATE '2025-02-01', 10, 'bitcoin', NULL)",
    "unknown investor lever": "INSERT INTO investment VALUES ('I2', 'INV', 'P1', DATE '2025-02-01', 10, 'grant', 'luck')",
    "negative contribution": "INSERT INTO contribution VALUES ('K2', 'SB', 'P1', DATE '2025-02-01', -5, 'skills', NULL)",
    "unknown contribution kind": "INSERT INTO contribution VALUES ('K2', 'SB', 'P1', DATE '2025-02-01', 5, 'magic', NULL)",
    "unknown partnership type": "INSERT INTO contribution VALUES ('K2', 'SB', 'P1', DATE '2025-02-01', 5, 'skills', 'friendship')",
    "exit before entry": "INSERT INTO cohort_member VALUES ('C1', 'P1', DATE '2025-01-15', DATE '2024-01-01')",
    "negative measurement": "INSERT INTO measurement VALUES ('P1', 'beneficiaries', 2024, -1, NULL, NULL)",
    "unknown measurement source": "INSERT INTO measurement VALUES ('P1', 'beneficiaries', 2024, 1, NULL, 'rumour')",
}

# References between the user's tables are not FOREIGN KEY clauses (DuckDB refuses to update a
# row that another table references: docs/import.md "Rules" asks for updates in place). The importer
# resolves every reference against the file and the database before writing, the deletion step
# refuses to leave one dangling, and `dangling_references` finds any that a hand-made change
# left behind. Each of these statements makes one.
ORPHANS = {
    "answer to no assessment": "INSERT INTO assessment_answer VALUES ('A9', 'ecosystem.stakes', 2, NULL)",
    "unknown department": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P2', 'X', 'O1', 'food', 'rnd', '20')",
    "project of no holder": "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) VALUES ('P2', 'X', 'NOBODY', 'food', 'rnd', '75')",
    "assessment of no project": "INSERT INTO assessment VALUES ('A2', 'P9', 'project', 'O1', DATE '2025-03-01', NULL)",
    "assessor unknown": "INSERT INTO assessment VALUES ('A2', 'P1', 'project', 'NOBODY', DATE '2025-03-01', NULL)",
    "investment by nobody": "INSERT INTO investment VALUES ('I2', 'NOBODY', 'P1', DATE '2025-02-01', 10, 'grant', NULL)",
    "investment in no project": "INSERT INTO investment VALUES ('I2', 'INV', 'P9', DATE '2025-02-01', 10, 'grant', NULL)",
    "contribution by nobody": "INSERT INTO contribution VALUES ('K2', 'NOBODY', 'P1', DATE '2025-02-01', 5, 'skills', NULL)",
    "cohort of no support body": "INSERT INTO cohort VALUES ('C2', 'NOBODY', 'X', NULL, 2025)",
    "member of no cohort": "INSERT INTO cohort_member VALUES ('C9', 'P1', DATE '2025-01-15', NULL)",
    "measurement of unknown indicator": "INSERT INTO measurement VALUES ('P1', 'happiness', 2025, 1, NULL, NULL)",
    "measurement of no project": "INSERT INTO measurement VALUES ('P9', 'beneficiaries', 2025, 1, NULL, NULL)",
    "delete a referenced organisation": "DELETE FROM organisation WHERE org_id = 'O1'",
}


@pytest.fixture
def seeded(empty_con):
    for statement in VALID:
        empty_con.execute(statement)
    return empty_con


def test_valid_rows_are_accepted(seeded):
    assert seeded.execute("SELECT count(*) FROM assessment_answer").fetchone()[0] == 1


# DuckDB keeps the answers without a key (schema v20, docs/data.md "Two engines"): there, the
# writers keep one answer per assessment and question (tests/test_answers.py).
KEPT_BY_THE_WRITERS_ON_DUCKDB = {"answer twice"}


@pytest.mark.parametrize("case", sorted(BAD))
def test_constraint_refuses(seeded, case):
    before = seeded.execute(
        "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM project), "
        "(SELECT count(*) FROM assessment_answer), (SELECT count(*) FROM investment)"
    ).fetchone()
    if case in KEPT_BY_THE_WRITERS_ON_DUCKDB and seeded.engine == "duckdb":
        seeded.execute(BAD[case])  # the schema takes it; no writer of the app writes it
        answers = seeded.execute("SELECT count(*) FROM assessment_answer").fetchone()[0]
        assert answers == before[2] + 1
        return
    with pytest.raises(EngineError) as refused:
        seeded.execute(BAD[case])
    assert refused.value.constraint
    after = seeded.execute(
        "SELECT (SELECT count(*) FROM organisation), (SELECT count(*) FROM project), "
        "(SELECT count(*) FROM assessment_answer), (SELECT count(*) FROM investment)"
    ).fetchone()
    assert before == after


@pytest.mark.parametrize("case", sorted(ORPHANS))
def test_a_dangling_reference_is_found_by_the_integrity_check(seeded, case):
    from coinvest.importer import dangling_references

    assert dangling_references(seeded.cursor()) == []
    seeded.execute(ORPHANS[case])
    found = dangling_references(seeded.cursor())
    assert found
    assert {p.rule for p in found} == {"rule.still_referenced"}


def test_new_database_has_schema_version_and_reference_rows(empty_con):
    assert (
        empty_con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == LATEST_VERSION
    )
    assert empty_con.execute("SELECT count(*) FROM department").fetchone()[0] == 101
    assert empty_con.execute("SELECT count(*) FROM region").fetchone()[0] == 18
    assert empty_con.execute(
        "SELECT higher_is_better FROM indicator WHERE indicator_code = 'beneficiaries'"
    ).fetchone() == (True,)


def test_reopening_applies_nothing_twice(tmp_path):
    path = tmp_path / "a.duckdb"
    open_database(path).close()
    con = open_database(path)
    assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == LATEST_VERSION
    con.close()


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_folder_is_refused_and_nothing_created(tmp_path):
    path = tmp_path / "nowhere" / "x.duckdb"
    with pytest.raises(CoinvestError) as err:
        open_database(path)
    assert err.value.key == "db.folder_missing"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    "content", [b"", b"hello, this is a CSV file\n1;2;3\n", b"SQLite format 3\x00" + bytes(200)]
)
def test_file_of_another_program_is_refused_unchanged(tmp_path, content):
    path = tmp_path / "other.db"
    path.write_bytes(content)
    with pytest.raises(CoinvestError) as err:
        open_database(path)
    assert err.value.key == "db.not_duckdb"
    assert path.read_bytes() == content


def test_duckdb_database_of_another_program_is_refused_unchanged(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE weather (day DATE, rain DOUBLE)")
    con.close()
    digest = _digest(path)
    with pytest.raises(CoinvestError) as err:
        open_database(path)
    assert err.value.key == "db.not_coinvest"
    assert _digest(path) == digest


def test_newer_schema_is_refused_unchanged(tmp_path):
    path = tmp_path / "future.duckdb"
    open_database(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version (version) VALUES (?)", [LATEST_VERSION + 1])
    con.close()
    digest = _digest(path)
    with pytest.raises(CoinvestError) as err:
        open_database(path)
    assert err.value.key == "db.newer_schema"
    assert str(LATEST_VERSION + 1) in err.value.message("en")
    assert _digest(path) == digest


def test_database_held_by_another_process_gives_a_clear_error(tmp_path):
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "held.duckdb"
    open_database(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(CoinvestError) as err:
            open_database(path)
        assert err.value.key == "db.locked"
    finally:
        holder.communicate("\n", timeout=30)


def test_read_only_open_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CoinvestError) as err:
        open_database(tmp_path / "absent.duckdb", read_only=True)
    assert err.value.key == "db.read_only_missing"


def test_path_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("COINVEST_DB", raising=False)
    assert str(resolve_db()) == "data/coinvest.duckdb"
    monkeypatch.setenv("COINVEST_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db() == str(tmp_path / "env.duckdb")
    assert resolve_db(tmp_path / "arg.duckdb") == str(tmp_path / "arg.duckdb")


def test_the_frozen_code_lists_of_version_1_still_match_the_reference_model():
    """A new code in the reference model needs a migration that widens the CHECK constraint:
    version 1 keeps the lists it was released with."""
    from coinvest import reference as ref
    from coinvest.schema import V1_BENEFICIARIES, V1_CODES, V1_SCORES

    assert V1_CODES == {
        "org_kind": ref.ORG_KIND_CODES,
        "need": ref.NEED_CODES,
        "phase": ref.PHASE_CODES,
        "status": ref.STATUS_CODES,
        "viewpoint": ref.VIEWPOINT_CODES,
        "question": ref.QUESTION_CODES,
        "lever": ref.LEVER_CODES,
        "instrument": ref.INSTRUMENT_CODES,
        "investor_lever": ref.INVESTOR_LEVER_CODES,
        "contribution_kind": ref.CONTRIBUTION_KIND_CODES,
        "partnership_type": ref.PARTNERSHIP_TYPE_CODES,
        "source": ref.SOURCE_CODES,
    }
    assert V1_SCORES == (ref.SCORE_MIN, ref.SCORE_MAX)
    assert V1_BENEFICIARIES == ref.BENEFICIARIES


def test_a_memory_limit_bounds_duckdb_and_a_bad_one_is_refused(tmp_path):
    path = tmp_path / "bounded.duckdb"
    con = open_database(path, memory_limit="512MB")
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        assert limit == "488.2 MiB"  # 512 MB in DuckDB's units
    finally:
        con.close()
    with pytest.raises(CoinvestError) as err:
        open_database(path, memory_limit="lots")
    assert err.value.key == "db.memory_limit"
    assert "1GB" in err.value.message("en")
    open_database(path).close()  # the refused open left the file closed and usable
