"""Validating every cell and reference of the tables read, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.importer.problems import (
    Problem,
)
from coinvest.importer.read import (
    Table,
    _show,
)
from coinvest.interchange import (
    SCORE_SPELLINGS,
    SHEETS,
    CellError,
    Column,
    parse,
)


@dataclass
class Parsed:
    """The valid rows of one sheet: column name → value, with their row numbers."""

    table: Table
    records: list[tuple[int, dict[str, Any]]]


_REF_QUERIES = {
    "organisations": "SELECT org_id FROM organisation WHERE org_id = ANY($ids)",
    "projects": "SELECT project_id FROM project WHERE project_id = ANY($ids)",
    "cohorts": "SELECT cohort_id FROM cohort WHERE cohort_id = ANY($ids)",
    "indicators": "SELECT indicator_code FROM indicator WHERE indicator_code = ANY($ids)",
}


_MISSING = object()
# a score cell as a CSV gives it (text) or a workbook (a whole number, nothing when empty); a
# bool is an int to Python and to a dict, so the cell's class is checked first
_SCORE_CELLS: dict[Any, int | None] = {
    **SCORE_SPELLINGS,
    **{n: n for n in range(ref.SCORE_MIN, ref.SCORE_MAX + 1)},
    None: None,
}
_SCORE_CLASSES = frozenset((str, int, type(None)))


def _parse_column(column: Column, values: list[Any]) -> tuple[list[Any], dict[int, CellError]]:
    """Parse one column's cells; the errors by row position. Score columns, which a large
    assessments file holds by the million, go through a lookup before the general parser; a
    column of texts only is parsed once per distinct text (a file repeats its dates, viewpoints
    and projects)."""
    errors: dict[int, CellError] = {}
    if column.kind == "score" and column.default is None:
        if set(map(type, values)) <= _SCORE_CLASSES:  # a CSV's texts, a workbook's whole numbers
            fast = list(map(_SCORE_CELLS.get, values, repeat(_MISSING, len(values))))
        else:  # a bool equals 0 or 1 to a dict, and a float may be one: the parser decides
            fast = [
                _SCORE_CELLS.get(v, _MISSING) if v.__class__ in _SCORE_CLASSES else _MISSING
                for v in values
            ]
        todo = [i for i, v in enumerate(fast) if v is _MISSING]
    elif set(map(type, values)) == {str}:  # a CSV's column: each distinct text parsed once
        known: dict[str, Any] = {}  # a text → its value, or the CellError it raised
        for text in set(values):
            try:
                known[text] = parse(column, text)
            except CellError as exc:
                known[text] = exc
        fast = list(map(known.__getitem__, values))
        if any(isinstance(v, CellError) for v in known.values()):
            for i, found in enumerate(fast):
                if isinstance(found, CellError):
                    errors[i] = found
                    fast[i] = None
        return fast, errors
    else:
        fast = [_MISSING] * len(values)
        todo = list(range(len(values)))
    for i in todo:
        try:
            fast[i] = parse(column, values[i])
        except CellError as exc:
            errors[i] = exc
            fast[i] = None
    return fast, errors


def _all_none(values: Any, n: int) -> bool:
    """`values`: what an itemgetter of `n` positions gives (a tuple, or the one value)."""
    return values.count(None) == n if n > 1 else values is None


def _validate_table(
    table: Table, problems: list[Problem], keys_seen: dict[tuple, int] | None = None
) -> Parsed:
    """The valid rows of one table; `keys_seen` is shared by the sheets read as one table."""
    sheet = table.sheet
    records = []
    keys_seen = {} if keys_seen is None else keys_seen
    width = len(table.columns)
    rows = [cells[:width] for _, cells in table.rows]
    by_column = list(zip(*rows, strict=True)) if rows else []
    names: list[str] = []
    parsed_values: list[list[Any]] = []
    bad_rows: dict[int, list[Problem]] = {}
    for position, column in enumerate(table.columns):
        if column is None or not by_column:
            continue
        values, errors = _parse_column(column, list(by_column[position]))
        names.append(column.name)
        parsed_values.append(values)
        for index, exc in errors.items():
            raw = by_column[position][index]
            bad_rows.setdefault(index, []).append(
                Problem(
                    table.file,
                    table.sheet_label,
                    table.rows[index][0],
                    column.name,
                    _show(raw),
                    exc.rule,
                    exc.params,
                )
            )
        if column.required and None in values:
            for index, value in enumerate(values):
                if value is None and index not in errors:
                    bad_rows.setdefault(index, []).append(
                        Problem(
                            table.file,
                            table.sheet_label,
                            table.rows[index][0],
                            column.name,
                            None,
                            "rule.required_value",
                        )
                    )
    # an assessment's scores, taken from its row at once
    scores = [names.index(q) for q in ref.QUESTION_CODES if q in names]
    some_scores = itemgetter(*scores) if sheet.name == "assessments" and scores else None
    for index, row_values in enumerate(zip(*parsed_values, strict=True)):
        number = table.rows[index][0]
        ok = index not in bad_rows
        if not ok:
            problems.extend(sorted(bad_rows[index], key=lambda p: names.index(p.column or "")))
        record = dict(zip(names, row_values, strict=True))
        if not ok:
            continue
        if (
            sheet.name == "cohort_members"
            and record.get("exit_date")
            and record["exit_date"] < record["entry_date"]
        ):
            problems.append(
                Problem(
                    table.file,
                    table.sheet_label,
                    number,
                    "exit_date",
                    _show(record["exit_date"]),
                    "rule.exit_before_entry",
                )
            )
            continue
        if sheet.name == "measurements" and record.get("target") == 0:
            problems.append(
                Problem(
                    table.file,
                    table.sheet_label,
                    number,
                    "target",
                    "0",
                    "rule.zero_target",
                    severity="warning",
                )
            )
        if sheet.name == "assessments" and (
            some_scores is None or _all_none(some_scores(row_values), len(scores))
        ):
            problems.append(
                Problem(
                    table.file,
                    table.sheet_label,
                    number,
                    None,
                    None,
                    "rule.no_scores",
                    severity="warning",
                )
            )
        key = tuple(record.get(k) for k in sheet.key)
        if key in keys_seen:
            problems.append(
                Problem(
                    table.file,
                    table.sheet_label,
                    number,
                    sheet.key[0],
                    " / ".join(map(str, key)),
                    "rule.duplicate_id",
                    {"first": keys_seen[key]},
                )
            )
            continue
        keys_seen[key] = number
        records.append((number, record))
    return Parsed(table, records)


def _check_references(con: Connection, parsed: dict[str, Parsed], problems: list[Problem]) -> None:
    wanted: dict[str, set[str]] = {}
    for item in parsed.values():
        for column in item.table.sheet.columns:
            if column.ref_sheet:
                wanted.setdefault(column.ref_sheet, set()).update(
                    r[column.name] for _, r in item.records if r.get(column.name) is not None
                )
    known: dict[str, set[str]] = {}
    cur = con.cursor()
    try:
        for sheet_name, ids in wanted.items():
            sheet_key = next(s.key[0] for s in SHEETS if s.name == sheet_name)
            in_file = (
                {r[sheet_key] for _, r in parsed[sheet_name].records}
                if sheet_name in parsed
                else set()
            )
            missing = sorted(ids - in_file)
            in_db = set()
            if missing:
                in_db = {
                    row[0]
                    for row in cur.execute(_REF_QUERIES[sheet_name], {"ids": missing}).fetchall()
                }
            known[sheet_name] = in_file | in_db
    finally:
        cur.close()
    for item in parsed.values():
        kept = []
        referring = [(c.name, c.ref_sheet) for c in item.table.sheet.columns if c.ref_sheet]
        for number, record in item.records:
            ok = True
            for name, sheet in referring:
                value = record.get(name)
                if value is not None and value not in known[sheet]:
                    problems.append(
                        Problem(
                            item.table.file,
                            item.table.sheet_label,
                            number,
                            name,
                            value,
                            "rule.unresolved_reference",
                            {"sheet": sheet},
                        )
                    )
                    ok = False
            if ok:
                kept.append((number, record))
        item.records = kept


def validate(con: Connection, tables: list[Table], problems: list[Problem]) -> dict[str, Parsed]:
    groups: dict[str, list[Table]] = {}
    for table in tables:
        if any(
            p.rule == "rule.required_column"
            and p.file == table.file
            and p.sheet == table.sheet_label
            for p in problems
        ):
            continue  # the sheet cannot be read without its required columns
        groups.setdefault(table.sheet.name, []).append(table)
    parsed = {}
    for name, group in groups.items():
        # the sheets of one workbook that feed one table (`Investissements 2024`, `… 2025`)
        keys_seen: dict[tuple, int] = {}
        records = []
        for table in group:
            records.extend(_validate_table(table, problems, keys_seen).records)
        parsed[name] = Parsed(_joined(group), records)
    _skip_examples(parsed, problems)
    _check_id_case(con, parsed, problems)
    _check_references(con, parsed, problems)
    return parsed


def _joined(group: list[Table]) -> Table:
    """One table standing for several sheets read together: their columns, for the writer."""
    if len(group) == 1:
        return group[0]
    columns: list[Column | None] = []
    for table in group:
        columns.extend(c for c in table.columns if c is not None and c not in columns)
    first = group[0]
    label = ", ".join(t.sheet_label for t in group)
    return Table(first.file, first.sheet, label, first.header_row, columns, [])


EXAMPLE_MARKER = "exemple-"  # the template's example rows: every id they hold starts with it


def is_example(value: Any) -> bool:
    return isinstance(value, str) and value.casefold().startswith(EXAMPLE_MARKER)


def _skip_examples(parsed: dict[str, Parsed], problems: list[Problem]) -> None:
    """The template's example rows are skipped, with a note saying the file still holds them
    (docs/import.md "Rules")."""
    for item in parsed.values():
        ids = [c.name for c in item.table.sheet.columns if c.kind == "id"]
        examples = {  # each id column's distinct values looked at once (a file repeats its ids)
            name: {v for v in {r.get(name) for _, r in item.records} if is_example(v)}
            for name in ids
        }
        ids = [name for name in ids if examples[name]]
        if not ids:
            continue
        kept = [(n, r) for n, r in item.records if not any(r.get(i) in examples[i] for i in ids)]
        skipped = len(item.records) - len(kept)
        if skipped:
            problems.append(
                Problem(
                    item.table.file,
                    item.table.sheet_label,
                    None,
                    None,
                    None,
                    "rule.example_rows",
                    {"n": skipped},
                    severity="warning",
                )
            )
            item.records = kept


_KEY_QUERIES = {  # sheet → its table's ids equal, case aside, to some (fixed SQL)
    "organisations": "SELECT org_id FROM organisation WHERE lower(org_id) = ANY($ids)",
    "projects": "SELECT project_id FROM project WHERE lower(project_id) = ANY($ids)",
    "cohorts": "SELECT cohort_id FROM cohort WHERE lower(cohort_id) = ANY($ids)",
    "indicators": "SELECT indicator_code FROM indicator WHERE lower(indicator_code) = ANY($ids)",
    "assessments": "SELECT assessment_id FROM assessment WHERE lower(assessment_id) = ANY($ids)",
    "investments": "SELECT investment_id FROM investment WHERE lower(investment_id) = ANY($ids)",
    "contributions": "SELECT contribution_id FROM contribution "
    "WHERE lower(contribution_id) = ANY($ids)",
}


def _check_id_case(con: Connection, parsed: dict[str, Parsed], problems: list[Problem]) -> None:
    """An id equal to another but for case (`p03` beside `P03`), in the file or in the
    database, is refused naming both: it would silently make a second project (docs/import.md "Rules").
    Ids are stored in Unicode NFC (`coinvest.cells`), so accent forms meet as well."""
    cur = con.cursor()
    try:
        for name, item in parsed.items():
            if name not in _KEY_QUERIES:
                continue
            key = item.table.sheet.key[0]
            values = [record[key] for _, record in item.records]
            lowered = list(map(str.lower, values))
            first: dict[str, tuple[str, int]] = dict(
                zip(lowered, zip(values, (n for n, _ in item.records), strict=True), strict=True)
            )
            if len(first) < len(values):  # two ids of the file alike but for case
                first = {}
                kept = []
                for number, record in item.records:
                    value = record[key]
                    seen = first.setdefault(value.lower(), (value, number))
                    if seen[0] != value:
                        problems.append(_case_problem(item, number, key, value, seen[0], seen[1]))
                        continue
                    kept.append((number, record))
                item.records = kept
            if not first:
                continue
            found = cur.execute(_KEY_QUERIES[name], {"ids": sorted(first)}).fetchall()
            clashes = {}
            for (stored,) in found:
                value, number = first[str(stored).lower()]
                if value != stored:
                    clashes[number] = (value, str(stored))
            if clashes:
                for number, (value, stored) in sorted(clashes.items()):
                    problems.append(_case_problem(item, number, key, value, stored, None))
                item.records = [(n, r) for n, r in item.records if n not in clashes]
    finally:
        cur.close()


def _case_problem(
    item: Parsed, number: int, key: str, value: str, other: str, other_row: int | None
) -> Problem:
    where = (
        {"fr": "dans la base", "en": "in the database"}
        if other_row is None
        else {"fr": f"à la ligne {other_row}", "en": f"on row {other_row}"}
    )
    return Problem(
        item.table.file,
        item.table.sheet_label,
        number,
        key,
        value,
        "rule.id_case",
        {"value": value, "other": other, "where": where},
    )
