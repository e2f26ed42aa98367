"""Writing a validated import in one transaction: idempotent upserts keyed by the user's own ids,
the rows the file did not mention counted (and deleted on request), references kept whole."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from coinvest import reference as ref
from coinvest.audit import TABLE_KEYS, Audit
from coinvest.db import Cursor
from coinvest.errors import CoinvestError
from coinvest.importer.problems import (
    ImportReport,
    Problem,
    Progress,
)
from coinvest.importer.validate import (
    Parsed,
)
from coinvest.interchange import (
    SHEET_BY_NAME,
    SHEETS,
    Column,
)
from coinvest.writing import WriteFailed, writing

_ARROW_TYPES = {
    "id": pa.string(),
    "text": pa.string(),
    "email": pa.string(),
    "code": pa.string(),
    "commune": pa.string(),
    "bool": pa.bool_(),
    "year": pa.int32(),
    "int": pa.int32(),
    "amount": pa.decimal128(18, 2),  # euros and cents, exact
    "number": pa.float64(),
    "date": pa.date32(),
    "score": pa.int16(),
}


def _arrow(columns: list[Column], records: list[dict[str, Any]]) -> pa.Table:
    return pa.table(
        {
            c.name: pa.array([r.get(c.name) for r in records], type=_ARROW_TYPES[c.kind])
            for c in columns
        }
    )


def _upsert(
    cur, table: str, key: tuple[str, ...], data: pa.Table, missing: _Missing
) -> dict[str, int]:
    """Insert new rows, update changed ones, leave identical ones; count each, and the rows of
    the table that the file did not mention (deleted when the import was asked to)."""
    columns = data.column_names  # from the fixed interchange description
    non_key = [c for c in columns if c not in key]
    cur.register("incoming", data)
    join = " AND ".join(f"t.{k} = i.{k}" for k in key)
    same = " AND ".join(f"t.{c} IS NOT DISTINCT FROM i.{c}" for c in non_key) or "TRUE"
    added, unchanged = cur.execute(
        f"""SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {join})),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM {table} t WHERE {join} AND {same}))
            FROM incoming i"""
    ).fetchall()[0]
    updates = ", ".join(f"{c} = excluded.{c}" for c in non_key)
    conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    cur.execute(
        f"""INSERT INTO {table} ({", ".join(columns)})
            SELECT {", ".join(columns)} FROM incoming i
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {join} AND {same})
            ON CONFLICT ({", ".join(key)}) {conflict}"""
    )
    counts = {
        "added": added,
        "updated": data.num_rows - added - unchanged,
        "unchanged": unchanged,
    }
    counts.update(missing.handle(cur, table, key, "incoming"))
    cur.unregister("incoming")
    return counts


# Rows the user never writes, left out of "not in the file" and of deletions.
BUILT_IN = {"indicator": "indicator_code <> $built_in"}


MISSING_SAMPLE = 200  # ids of rows not in the file listed in the report, per table


@dataclass
class _Missing:
    """Rows of the database that the file did not mention (docs/import.md "Rules"): they stay, and the
    report counts them; with `delete`, the explicit deletion step, they go."""

    delete: bool
    samples: dict[str, list[str]] = field(default_factory=dict)
    deleted_assessments: bool = False

    def handle(
        self, cur: Cursor, table: str, key: tuple[str, ...], incoming: str
    ) -> dict[str, int]:
        # `table`, `key` and `incoming` come from the fixed interchange description
        absent = " AND ".join(f"i.{k} = {table}.{k}" for k in key)
        where = f"NOT EXISTS (SELECT 1 FROM {incoming} i WHERE {absent})"
        params = None
        if table in BUILT_IN:
            where += f" AND {table}.{BUILT_IN[table]}"
            params = {"built_in": ref.BENEFICIARIES}
        count = cur.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0][0]
        counts = {"not_in_file": count, **({"deleted": count} if self.delete else {})}
        if not count:
            return counts
        keys = ", ".join(key)
        rows = cur.execute(
            f"SELECT {keys} FROM {table} WHERE {where} ORDER BY {keys} LIMIT {MISSING_SAMPLE}",
            params,
        ).fetchall()
        self.samples[table] = [" / ".join(str(v) for v in row) for row in rows]
        if self.delete:
            cur.execute(f"DELETE FROM {table} WHERE {where}", params)
            self.deleted_assessments |= table == "assessment"
        return counts

    def finish(self, cur: Cursor, files: str) -> list[Problem]:
        """After the deletions: answers of deleted assessments go with them, and a row still
        referring to a deleted one refuses the whole import (the derived tables of the projects
        they touched are refreshed by the write path, `coinvest.writing`)."""
        if not self.delete:
            return []
        if self.deleted_assessments:
            cur.execute(
                "DELETE FROM assessment_answer WHERE NOT EXISTS (SELECT 1 FROM assessment a "
                "WHERE a.assessment_id = assessment_answer.assessment_id)"
            )
        return dangling_references(cur, files)


# (child table, its sheet, column, child key, parent table, parent sheet, parent key): every
# reference between the user's tables — those of the interchange format, answers to their
# assessment, and a project's department.
REFERENCES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    *(
        (
            sheet.table,
            sheet.name,
            column.name,
            sheet.key[0],
            SHEET_BY_NAME[column.ref_sheet].table,
            column.ref_sheet,
            SHEET_BY_NAME[column.ref_sheet].key[0],
        )
        for sheet in SHEETS
        for column in sheet.columns
        if column.ref_sheet
    ),
    (
        "assessment_answer",
        "assessments",
        "assessment_id",
        "question",
        "assessment",
        "assessments",
        "assessment_id",
    ),
    ("project", "projects", "department_code", "project_id", "department", "departments", "code"),
)


def dangling_references(cur: Cursor, files: str = "") -> list[Problem]:
    """Rows referring to an id that does not exist, one problem per missing id."""
    problems: list[Problem] = []
    for child, child_sheet, column, child_key, parent, parent_sheet, parent_key in REFERENCES:
        found = cur.execute(
            f"""SELECT c.{column}, count(*), min(c.{child_key})
                FROM {child} c
                WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_key} = c.{column})
                GROUP BY c.{column} ORDER BY c.{column} LIMIT 20"""
        ).fetchall()
        problems.extend(
            Problem(
                files,
                parent_sheet,
                None,
                parent_key,
                str(value),
                "rule.still_referenced",
                {"sheet": child_sheet, "n": rows, "example": example},
            )
            for value, rows, example in found
        )
    return problems


def _write_assessments(cur: Cursor, parsed: Parsed, missing: _Missing) -> dict[str, int]:
    """Assessments and their answers. An assessment is unchanged when its row and its set of
    answers are; changed answers are replaced as a set. Returns the counts."""
    sheet = parsed.table.sheet
    head_columns = [c for c in sheet.columns if c.kind != "score" and c in parsed.table.columns]
    records = [r for _, r in parsed.records]
    head = _arrow(head_columns, records)
    # the answers an assessment after the other, in the file's order: the answers' key (an
    # index) takes rows in its own order faster than a question after the other
    present = {c.name for c in parsed.table.columns if c is not None}
    codes = [q for q in ref.QUESTION_CODES if q in present]
    ids = pa.array([r["assessment_id"] for r in records], pa.string())
    try:  # each record's scores taken at once
        row_scores = itemgetter(*codes) if len(codes) > 1 else (lambda r: (r[codes[0]],))
        flat = list(chain.from_iterable(map(row_scores, records))) if codes else []
    except KeyError:  # sheets read as one table, not all with every question's column
        flat = [r.get(q) for r in records for q in codes]
    scores = pa.array(flat, pa.int16())
    answered = pc.is_valid(scores)
    # each id and question held once, its rows pointing to it (no string copied per answer)
    by_row = np.repeat(np.arange(len(records), dtype=np.int32), len(codes))
    by_question = np.tile(np.arange(len(codes), dtype=np.int32), len(records))
    answer_table = pa.table(
        {
            "assessment_id": pa.DictionaryArray.from_arrays(by_row, ids),
            "question": pa.DictionaryArray.from_arrays(by_question, pa.array(codes, pa.string())),
            "score": scores,
        }
    ).filter(answered)
    cur.register("incoming_head", head)
    cur.register("incoming_answers", answer_table)
    same = " AND ".join(
        f"t.{c.name} IS NOT DISTINCT FROM i.{c.name}"
        for c in head_columns
        if c.name != "assessment_id"
    )
    before = {
        row[0]
        for row in cur.execute(
            "SELECT t.assessment_id FROM assessment t "
            "JOIN incoming_head i ON i.assessment_id = t.assessment_id"
        ).fetchall()
    }
    row_changed = {
        row[0]
        for row in cur.execute(
            f"SELECT t.assessment_id FROM assessment t "
            f"JOIN incoming_head i ON i.assessment_id = t.assessment_id WHERE NOT ({same})"
        ).fetchall()
    }
    # the assessments whose answers change; when every assessment is new, each with answers
    answers_changed = (
        set(pc.unique(answer_table["assessment_id"]).to_pylist())
        if not before
        else {
            row[0]
            for row in cur.execute(
                """SELECT i.assessment_id FROM incoming_answers i
               LEFT JOIN assessment_answer a
                 ON a.assessment_id = i.assessment_id AND a.question = i.question
               WHERE a.score IS DISTINCT FROM i.score
               UNION
               SELECT a.assessment_id FROM assessment_answer a
               JOIN incoming_head h ON h.assessment_id = a.assessment_id
               LEFT JOIN incoming_answers i
                 ON i.assessment_id = a.assessment_id AND i.question = a.question
               WHERE i.question IS NULL"""
            ).fetchall()
        }
    )
    upserted = _upsert(cur, "assessment", sheet.key, head, missing)
    replaced = sorted(answers_changed & before)
    # the assessments whose answers are written, as a table to join: a list of 100,000 ids
    # bound as one parameter took DuckDB longer to plan than the insert itself
    if replaced:
        cur.register("replaced_answers", pa.table({"assessment_id": pa.array(replaced)}))
        cur.execute(
            "DELETE FROM assessment_answer "
            "WHERE assessment_id IN (SELECT assessment_id FROM replaced_answers)"
        )
        cur.unregister("replaced_answers")
    if answers_changed:
        changed = pa.table({"assessment_id": pa.array(sorted(answers_changed), pa.string())})
        cur.register("changed_answers", changed)
        cur.execute(
            "INSERT INTO assessment_answer (assessment_id, question, score) "
            "SELECT assessment_id, question, score FROM incoming_answers "
            "WHERE assessment_id IN (SELECT assessment_id FROM changed_answers)"
        )
        cur.unregister("changed_answers")
    cur.unregister("incoming_head")
    cur.unregister("incoming_answers")
    added = len(records) - len(before)
    changed = row_changed | (answers_changed & before)
    counts = {
        **upserted,
        "added": added,
        "updated": len(changed),
        "unchanged": len(before) - len(changed),
    }
    return counts


class _Refused(Exception):
    """Raised inside the write transaction to roll it back with problems to report."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(len(problems))
        self.problems = problems


def count_missing(con, parsed: dict[str, Parsed]) -> dict[str, int]:
    """Per table of the files, the rows of the database the files do not mention: what the
    deletion step would remove. Reads only (the command line's confirmation counts them)."""
    counts: dict[str, int] = {}
    cur = con.cursor()
    try:
        for sheet in SHEETS:
            if sheet.name not in parsed:
                continue
            item = parsed[sheet.name]
            keys = [sheet.column(k) for k in sheet.key]
            cur.register("preview_keys", _arrow(keys, [r for _, r in item.records]))
            # the fixed interchange description names the table and its keys
            absent = " AND ".join(f"i.{k} = t.{k}" for k in sheet.key)
            where = f"NOT EXISTS (SELECT 1 FROM preview_keys i WHERE {absent})"
            params = None
            if sheet.table in BUILT_IN:
                where += f" AND t.{BUILT_IN[sheet.table]}"
                params = {"built_in": ref.BENEFICIARIES}
            found = cur.execute(f"SELECT count(*) FROM {sheet.table} t WHERE {where}", params)
            counts[sheet.table] = int(found.fetchall()[0][0])
            cur.unregister("preview_keys")
    finally:
        cur.close()
    return counts


def _write(
    con,
    parsed: dict[str, Parsed],
    report: ImportReport,
    progress: Progress,
    delete_missing: bool,
    who: str,
) -> None:
    """Write in one transaction; an engine error rolls it back and becomes a message."""
    try:
        _write_all(con, parsed, report, progress, _Missing(delete_missing), who)
    except _Refused as refused:
        report.counts.clear()
        report.missing.clear()
        report.problems.extend(refused.problems)
    except WriteFailed as exc:
        report.counts.clear()
        raise CoinvestError("import.write_failed", detail=exc.detail) from exc


def _watch(cur, audit: Audit, sheet, item: Parsed, delete: bool) -> None:
    """Before a sheet is written: the rows it may touch, for the history (docs/rules.md "History") — those
    of its keys, and with the deletion step every row of its table."""
    table = sheet.table
    keys = TABLE_KEYS[table]
    key_data = pa.table(
        {
            k: pa.array([r.get(k) for _, r in item.records], _ARROW_TYPES[sheet.column(k).kind])
            for k in keys
        }
    )
    cur.register("audit_incoming_keys", key_data)
    cur.execute(f"DROP TABLE IF EXISTS audit_keys_{table}")
    cur.execute(
        f"CREATE TEMP TABLE audit_keys_{table} AS SELECT DISTINCT {', '.join(keys)} "
        "FROM audit_incoming_keys"
    )
    cur.unregister("audit_incoming_keys")
    mine = " AND ".join(f"k.{k} = {table}.{k}" for k in keys)
    condition = "TRUE" if delete else f"EXISTS (SELECT 1 FROM audit_keys_{table} k WHERE {mine})"
    audit.watch(table, condition)
    if table == "assessment":  # and its answers
        audit.watch(
            "assessment_answer",
            "TRUE"
            if delete
            else "assessment_id IN (SELECT assessment_id FROM audit_keys_assessment)",
        )


def _write_all(
    con,
    parsed: dict[str, Parsed],
    report: ImportReport,
    progress: Progress,
    missing: _Missing,
    who: str,
) -> None:
    with writing(con, who, "import", numbered=True) as audit:
        cur, import_id = audit.cur, int(audit.import_id or 0)
        for sheet in SHEETS:
            if sheet.name not in parsed:
                continue
            item = parsed[sheet.name]
            _watch(cur, audit, sheet, item, missing.delete)
            progress("writing", f"{sheet.name}: {len(item.records):,}")
            if sheet.name == "assessments":
                counts = _write_assessments(cur, item, missing)
            else:
                # only the columns the file has: the others keep their value (or default)
                present = [c for c in sheet.columns if c in item.table.columns]
                data = _arrow(present, [r for _, r in item.records])
                counts = _upsert(cur, sheet.table, sheet.key, data, missing)
            report.counts[sheet.table] = counts
            if not (counts["added"] or counts["updated"] or counts.get("deleted")):
                audit.unchanged(sheet.table)  # as the report says: nothing to log
                if sheet.table == "assessment":
                    audit.unchanged("assessment_answer")  # a changed answer counts its assessment
            item.records = []  # written: the history and derived tables need the memory back
        dangling = missing.finish(cur, ", ".join(report.files))
        if dangling:
            raise _Refused(dangling)
        report.missing = missing.samples
        # the history, then the derived tables of every project whose rows changed
        progress("history", f"{audit.finish():,}")
        report.import_id = import_id
        cur.execute(
            """INSERT INTO import_log (import_id, file_name, sha256, status, counts, who)
               VALUES ($id, $name, $sha, 'loaded', $counts, $who)""",
            {
                "id": import_id,
                "name": ", ".join(report.files)[:1000],
                "sha": report.sha256,
                "counts": json.dumps(report.counts, sort_keys=True),
                "who": who,
            },
        )
