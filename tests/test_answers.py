"""One answer per assessment and question (docs/data.md "Two engines"): from schema version 20,
DuckDB keeps the answers without a primary key, so the writers keep them unique themselves.
Every write path that touches answers is run here, on both engines, and the answers are
checked against what was written after each step."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from coinvest import reference as ref
from coinvest.assessments import AssessmentInput, save_assessment
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.filters import PortfolioFilter
from coinvest.importer import import_files
from coinvest.importer.revert import revert
from coinvest.workbook import export_portfolio_xlsx


def _quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def base_db(engine, request, tmp_path_factory) -> str:
    if engine == "duckdb":
        target = str(tmp_path_factory.mktemp("answers") / "base.duckdb")
    else:
        target = request.getfixturevalue("pg").create("answers", template="coinvest_empty")
    con = open_database(target)
    generate(con, n_projects=20, seed=7, progress=_quiet)
    con.checkpoint()
    con.close()
    return target


@pytest.fixture
def con(base_db, request, tmp_path):
    if base_db.startswith("postgresql://"):
        target = request.getfixturevalue("pg").create("work", template=base_db.rsplit("/", 1)[1])
    else:
        target = str(tmp_path / "work.duckdb")
        shutil.copy(base_db, target)
    con = open_database(target)
    yield con
    con.close()


def _answers(con) -> dict[tuple[str, str], int]:
    """Every stored answer; fails on an assessment and question stored twice."""
    rows = con.execute("SELECT assessment_id, question, score FROM assessment_answer").fetchall()
    found: dict[tuple[str, str], int] = {}
    for assessment, question, score in rows:
        assert (assessment, question) not in found, f"{assessment} / {question} twice"
        found[(assessment, question)] = int(score)
    return found


def _book(con) -> openpyxl.Workbook:
    data = export_portfolio_xlsx(con, PortfolioFilter(scope=None))
    return openpyxl.load_workbook(io.BytesIO(data))


def _bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(sheet, name: str) -> int:
    return next(c.column for c in sheet[1] if c.value == name)


def test_the_answers_have_no_key_on_duckdb_and_keep_it_on_postgresql(empty_con):
    keyed = {
        str(t)
        for (t,) in empty_con.execute(
            "SELECT table_name FROM information_schema.table_constraints "
            "WHERE constraint_type = 'PRIMARY KEY' AND table_schema = current_schema()"
        ).fetchall()
    }
    assert "assessment" in keyed
    assert ("assessment_answer" in keyed) == (empty_con.engine == "postgres")


def test_every_write_keeps_one_answer_per_assessment_and_question(con):
    start = _answers(con)
    assert len(start) > 100

    # 1. the portfolio's own workbook again: nothing changes, nothing doubles
    assert import_files(con, [("same.xlsx", _bytes(_book(con)))]).loaded
    assert _answers(con) == start

    # 2. one score changed, one cleared, one question answered that was not, one new assessment
    book = _book(con)
    sheet = book["assessments"]
    first = sheet.cell(row=2, column=1).value
    answered = [q for q in ref.QUESTION_CODES if (first, q) in start]
    blank = [q for q in ref.QUESTION_CODES if (first, q) not in start]
    assert len(answered) >= 2
    changed, cleared = answered[0], answered[1]
    sheet.cell(row=2, column=_column(sheet, changed)).value = (start[(first, changed)] + 1) % 5
    sheet.cell(row=2, column=_column(sheet, cleared)).value = None
    expected = dict(start)
    expected[(first, changed)] = (start[(first, changed)] + 1) % 5
    del expected[(first, cleared)]
    if blank:
        sheet.cell(row=2, column=_column(sheet, blank[0])).value = 2
        expected[(first, blank[0])] = 2
    new_row = [c.value for c in sheet[2]]
    new_row[0] = "A-NEW-1"
    sheet.append(new_row)
    for question in ref.QUESTION_CODES:
        score = new_row[_column(sheet, question) - 1]
        if score is not None:
            expected[("A-NEW-1", question)] = int(score)
    report = import_files(con, [("edits.xlsx", _bytes(book))])
    assert report.loaded, [p.rule for p in report.errors]
    assert _answers(con) == expected

    # 3. the same file twice more: the same answers
    assert import_files(con, [("edits.xlsx", _bytes(book))]).loaded
    assert _answers(con) == expected

    # 4. an assessment recorded on the questionnaire page
    project, viewpoint, assessor = con.execute(
        "SELECT project_id, viewpoint, assessor_org_id FROM assessment WHERE assessment_id = $id",
        {"id": first},
    ).fetchall()[0]
    scores = {q: i % 5 for i, q in enumerate(ref.QUESTION_CODES[:6])}
    made = save_assessment(
        con, AssessmentInput(project, viewpoint, assessor, date(2026, 11, 30), scores)
    )
    expected.update({(made, q): s for q, s in scores.items()})
    assert _answers(con) == expected

    # 5. an assessment deleted with the rows missing from the file, then brought back
    book = _book(con)
    sheet = book["assessments"]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == made)
    kept = [c.value for c in sheet[row]]
    sheet.delete_rows(row)
    gone = import_files(con, [("fewer.xlsx", _bytes(book))], delete_missing=True)
    assert gone.loaded, [p.rule for p in gone.errors]
    assert _answers(con) == {k: v for k, v in expected.items() if k[0] != made}
    sheet.append(kept)
    assert import_files(con, [("back.xlsx", _bytes(book))]).loaded
    assert _answers(con) == expected

    # 6. undone, newest first: each revert puts the answers back as they were
    assert revert(con, gone.import_id + 1, "test").import_id
    assert _answers(con) == {k: v for k, v in expected.items() if k[0] != made}
    revert(con, gone.import_id, "test")
    assert _answers(con) == expected
    revert(con, report.import_id, "test")
    assert _answers(con) == {**start, **{(made, q): s for q, s in scores.items()}}


def test_the_answers_lose_their_key_on_duckdb_and_keep_every_row(tmp_path, monkeypatch):
    """Migration 19 → 20 on DuckDB: the same answers, in a table without a key."""
    from coinvest import schema

    path = tmp_path / "v19.duckdb"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:19])
    con = open_database(path)
    generate(con, n_projects=12, seed=3, progress=_quiet)
    before = sorted(con.execute("SELECT * FROM assessment_answer").fetchall())
    con.close()
    monkeypatch.undo()
    con = open_database(Path(path))
    try:
        assert sorted(con.execute("SELECT * FROM assessment_answer").fetchall()) == before
        assert len(before) > 100
        keys = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'assessment_answer' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()[0]
        assert keys == 0
        checks = con.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'assessment_answer' "
            "AND constraint_type = 'CHECK'"
        ).fetchone()[0]
        assert checks == 2  # the question's code and the score's range
        with pytest.raises(Exception, match=r"(?i)constraint"):
            con.execute(
                "INSERT INTO assessment_answer (assessment_id, question, score) "
                "VALUES ('A1', 'ecosystem.needs', 7)"
            )
    finally:
        con.close()
