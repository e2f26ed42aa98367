"""Import a workbook or CSV files (DESIGN §6): read, validate everything, then write or nothing.

The Data page and `coinvest import` both call `import_files`. Every problem is reported with its
file, sheet, row, column, value and the rule broken; a file set with any error writes nothing;
a good one is written in one transaction as an idempotent upsert keyed by the user's own ids,
and the report counts the rows added, updated and unchanged per table.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from coinvest import reference as ref
from coinvest.db import transaction
from coinvest.errors import CoinvestError
from coinvest.i18n import t
from coinvest.interchange import (
    HELPER_SHEETS,
    SCORE_SPELLINGS,
    SHEET_BY_NAME,
    SHEETS,
    CellError,
    Column,
    Sheet,
    header_key,
    is_blank,
    match_column,
    match_sheet,
    parse,
)
from coinvest.lever_rounds import refresh_lever_rounds

DEFAULT_MAX_MB = 16
Progress = Callable[[str, str], None]  # (stage: reading | validating | writing, detail)


def max_import_bytes() -> int:
    """The size limit of one import, in bytes (COINVEST_MAX_IMPORT_MB, default 16 MB)."""
    try:
        megabytes = float(os.environ.get("COINVEST_MAX_IMPORT_MB", DEFAULT_MAX_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1024 * 1024)


@dataclass
class Problem:
    """One broken rule, located as precisely as the file allows."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # or "warning"

    def message(self, lang: str = "fr") -> str:
        params = {
            name: value.get(lang, value.get("fr")) if isinstance(value, dict) else value
            for name, value in self.params.items()
        }
        return t(self.rule, lang, **params)


@dataclass
class Table:
    """The cells of one sheet or CSV file, with the row numbers a spreadsheet shows."""

    file: str
    sheet: Sheet
    sheet_label: str
    header_row: int
    columns: list[Column | None]  # per position; None for unknown columns
    rows: list[tuple[int, list[Any]]]


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    loaded: bool = False
    files: list[str] = field(default_factory=list)
    sha256: str = ""
    missing: dict[str, list[str]] = field(default_factory=dict)  # table → ids not in the file

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def problems_frame(self, lang: str = "fr") -> pd.DataFrame:
        """The validation report as a table: file, sheet, row, column, value, rule, severity."""
        return pd.DataFrame(
            [
                {
                    "file": p.file,
                    "sheet": p.sheet,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "rule": p.message(lang),
                    "severity": p.severity,
                }
                for p in self.problems
            ],
            columns=["file", "sheet", "row", "column", "value", "rule", "severity"],
        ).astype({"row": "Int64"})

    def counts_frame(self) -> pd.DataFrame:
        """Rows added, updated and unchanged per table, and how many rows of the database the
        file did not mention (they stay; deleting them is a separate step)."""
        columns = ["table", "added", "updated", "unchanged", "not_in_file"]
        if any("deleted" in c for c in self.counts.values()):
            columns.append("deleted")
        return pd.DataFrame(
            [{"table": table, **c} for table, c in self.counts.items()], columns=columns
        )

    @property
    def not_in_file(self) -> int:
        """Rows of the database that the file's tables did not mention."""
        return sum(c.get("not_in_file", 0) for c in self.counts.values())


def _quiet(stage: str, detail: str) -> None:
    pass


# --- reading ------------------------------------------------------------------------------------


def _show(value: Any) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _utf16(data: bytes) -> str | None:
    """The codec of UTF-16 text (Excel's "Unicode text", some exports), with or without BOM."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "utf-16-be"
    return None


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16, else Windows-1252."""
    codec = _utf16(data)
    if codec:
        return data.decode(codec, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


def _delimiter(text: str) -> str:
    """`;`, tab or `,`: the one found on most of the first lines (a title line above the header
    has none), or the one named by Excel's `sep=` line."""
    lines = [line for line in text.splitlines() if line.strip()][:10]
    if lines and _SEP_LINE.match(lines[0]):
        return _SEP_LINE.match(lines[0]).group(1)
    counts = {d: sum(1 for line in lines if d in line) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: (counts[d], sum(line.count(d) for line in lines)))
    return best if counts[best] else ","


HEADER_SEARCH = 10  # a title row, a `sep=;` line or notes may stand above the header


def _header_position(sheet: Sheet, filled: list[tuple[int, list[Any]]]) -> int:
    """The header is the first of the first rows naming the most of the sheet's columns (the
    first row when none names any, so that its unknown columns are reported)."""
    best, best_hits = 0, 0
    for position, (_, cells) in enumerate(filled[:HEADER_SEARCH]):
        hits = sum(1 for c in cells if not is_blank(c) and match_column(sheet, c) is not None)
        if hits > best_hits:
            best, best_hits = position, hits
    return best


def _table_from_rows(
    file: str,
    sheet: Sheet,
    label: str,
    rows: Iterable[tuple[int, list[Any]]],
    problems: list[Problem],
) -> Table | None:
    filled = [(n, cells) for n, cells in rows if any(not is_blank(c) for c in cells)]
    if not filled:
        problems.append(
            Problem(file, label, None, None, None, "rule.empty_sheet", severity="warning")
        )
        return None
    start = _header_position(sheet, filled)
    header_row, headers = filled[start]
    iterator = iter(filled[start + 1 :])
    columns: list[Column | None] = []
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        if is_blank(header):
            columns.append(None)
            continue
        column = match_column(sheet, header)
        if column is None:
            problems.append(
                Problem(
                    file,
                    label,
                    header_row,
                    str(header),
                    None,
                    "rule.unknown_column",
                    severity="warning",
                )
            )
        elif column.name in seen:
            problems.append(
                Problem(file, label, header_row, str(header), None, "rule.duplicate_column")
            )
            column = None
        else:
            seen[column.name] = position
        columns.append(column)
    for name in sheet.required:
        if name not in seen:
            problems.append(Problem(file, label, header_row, name, None, "rule.required_column"))
    data = [
        (number, list(cells) + [None] * (len(columns) - len(cells))) for number, cells in iterator
    ]
    return Table(file, sheet, label, header_row, columns, data)


def _read_csv(file: str, data: bytes, problems: list[Problem]) -> Table | None:
    sheet = match_sheet(PurePath(file).stem)
    if sheet is None:
        problems.append(
            Problem(
                file,
                "",
                None,
                None,
                PurePath(file).name,
                "rule.unknown_file",
                {"expected": ", ".join(s.name + ".csv" for s in SHEETS)},
            )
        )
        return None
    if b"\x00" in data[:65536] and not _utf16(data):
        problems.append(Problem(file, sheet.name, None, None, None, "rule.not_text"))
        return None
    text = _decode(data)
    delimiter = _delimiter(text)
    first, newline, rest = text.partition("\n")
    if _SEP_LINE.match(first):
        text = newline + rest  # Excel's `sep=;` line: a blank line, so rows keep their numbers
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [(number, row) for number, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        problems.append(
            Problem(file, sheet.name, None, None, None, "rule.bad_csv", {"detail": str(exc)})
        )
        return None
    return _table_from_rows(file, sheet, sheet.name, rows, problems)


def _read_workbook(file: str, data: bytes, problems: list[Problem]) -> list[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        problems.append(Problem(file, "", None, None, None, "rule.not_a_workbook"))
        return []
    tables = []
    uncomputed = _uncomputed_formulas(data)
    try:
        known = False
        for ws in book.worksheets:
            if header_key(ws.title) in (header_key(h) for h in HELPER_SHEETS):
                continue
            sheet = match_sheet(ws.title)
            if sheet is None:
                problems.append(
                    Problem(
                        file, ws.title, None, None, None, "rule.unknown_sheet", severity="warning"
                    )
                )
                continue
            known = True
            if uncomputed.get(ws.title):
                # a formula never computed reads as an empty cell: say why, not "missing"
                problems.extend(
                    Problem(file, ws.title, row, letter, formula, "rule.formula_without_value")
                    for row, letter, formula in uncomputed[ws.title][:50]
                )
                continue
            rows = (
                (number, list(values))
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
            )
            table = _table_from_rows(file, sheet, ws.title, rows, problems)
            if table is not None:
                tables.append(table)
        if not known:
            problems.append(
                Problem(
                    file,
                    "",
                    None,
                    None,
                    None,
                    "rule.no_known_sheet",
                    {"expected": ", ".join(s.name for s in SHEETS)},
                )
            )
    finally:
        book.close()
    return tables


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel format (.xls)


def _uncomputed_formulas(data: bytes) -> dict[str, list[tuple[int, str, str]]]:
    """Per sheet, the formula cells that have no computed value (a file written by a program
    rather than saved by a spreadsheet): (row, column letter, formula)."""
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = (
            archive.read(n)
            for n in archive.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        )
        if not any(b"<f>" in xml or b"<f " in xml for xml in parts):
            return {}
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    found: dict[str, list[tuple[int, str, str]]] = {}
    try:
        for ws in formulas.worksheets:
            computed = values[ws.title].iter_rows()
            for number, (row, row_values) in enumerate(
                zip(ws.iter_rows(), computed, strict=False), start=1
            ):
                for cell, value in zip(row, row_values, strict=False):
                    if getattr(cell, "data_type", None) == "f" and value.value is None:
                        found.setdefault(ws.title, []).append(
                            (number, cell.column_letter, str(cell.value))
                        )
    finally:
        formulas.close()
        values.close()
    return found


def read_files(files: list[tuple[str, bytes]]) -> tuple[list[Table], list[Problem]]:
    """The tables in a set of uploaded files (workbooks, CSV files, or a zip of CSV files)."""
    problems: list[Problem] = []
    tables: list[Table] = []
    limit = max_import_bytes()
    total = sum(len(data) for _, data in files)
    if not files:
        problems.append(Problem("", "", None, None, None, "rule.no_file"))
        return tables, problems
    if total > limit:
        problems.append(
            Problem(
                ", ".join(name for name, _ in files),
                "",
                None,
                None,
                None,
                "rule.file_too_large",
                {"size": round(total / 1024 / 1024, 1), "limit": round(limit / 1024 / 1024, 1)},
            )
        )
        return tables, problems
    for name, data in files:
        if not data.strip():
            problems.append(Problem(name, "", None, None, None, "rule.empty_file"))
            continue
        suffix = PurePath(name).suffix.lower()
        if data[:4] == b"PK\x03\x04":
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
                members = archive.namelist()
            except zipfile.BadZipFile:
                problems.append(Problem(name, "", None, None, None, "rule.not_a_workbook"))
                continue
            if "[Content_Types].xml" in members:
                tables.extend(_read_workbook(name, data, problems))
                continue
            csv_members = [
                m
                for m in members
                if m.lower().endswith(".csv")
                and not m.endswith("/")
                # macOS puts resource forks beside the files: `__MACOSX/…`, `._name.csv`
                and not m.startswith("__MACOSX/")
                and not PurePath(m).name.startswith("._")
            ]
            if not csv_members:
                problems.append(Problem(name, "", None, None, None, "rule.not_a_workbook"))
            for member in csv_members:
                table = _read_csv(f"{name}/{member}", archive.read(member), problems)
                if table is not None:
                    tables.append(table)
        elif data[:8] == _OLE2 or suffix == ".xls":
            problems.append(Problem(name, "", None, None, None, "rule.old_xls"))
        elif suffix in (".xlsx", ".xlsm", ".ods"):
            problems.append(Problem(name, "", None, None, None, "rule.not_a_workbook"))
        else:
            table = _read_csv(name, data, problems)
            if table is not None:
                tables.append(table)
    seen: dict[str, str] = {}
    for table in tables:
        if table.sheet.name in seen:
            problems.append(
                Problem(
                    table.file,
                    table.sheet_label,
                    None,
                    None,
                    None,
                    "rule.duplicate_sheet",
                    {"other": seen[table.sheet.name]},
                )
            )
        seen[table.sheet.name] = table.file
    return tables, problems


# --- validating -----------------------------------------------------------------------------------


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


def _parse_column(column: Column, values: list[Any]) -> tuple[list[Any], dict[int, CellError]]:
    """Parse one column's cells; the errors by row position. Score columns, which a large
    assessments file holds by the million, go through a lookup before the general parser."""
    errors: dict[int, CellError] = {}
    if column.kind == "score":
        fast = [
            SCORE_SPELLINGS.get(v, _MISSING) if v.__class__ is str else _MISSING for v in values
        ]
        todo = [i for i, v in enumerate(fast) if v is _MISSING]
    else:
        fast = [_MISSING] * len(values)
        todo = range(len(values))
    for i in todo:
        try:
            fast[i] = parse(column, values[i])
        except CellError as exc:
            errors[i] = exc
            fast[i] = None
    return fast, errors


def _validate_table(table: Table, problems: list[Problem]) -> Parsed:
    sheet = table.sheet
    records = []
    keys_seen: dict[tuple, int] = {}
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
        if column.required:
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
    for index, values in enumerate(zip(*parsed_values, strict=True)):
        number = table.rows[index][0]
        ok = index not in bad_rows
        if not ok:
            problems.extend(sorted(bad_rows[index], key=lambda p: names.index(p.column)))
        record = dict(zip(names, values, strict=True))
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
        if sheet.name == "assessments" and all(record.get(q) is None for q in ref.QUESTION_CODES):
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


def _check_references(con, parsed: dict[str, Parsed], problems: list[Problem]) -> None:
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
        for number, record in item.records:
            ok = True
            for column in item.table.sheet.columns:
                value = record.get(column.name)
                if column.ref_sheet and value is not None and value not in known[column.ref_sheet]:
                    problems.append(
                        Problem(
                            item.table.file,
                            item.table.sheet_label,
                            number,
                            column.name,
                            value,
                            "rule.unresolved_reference",
                            {"sheet": column.ref_sheet},
                        )
                    )
                    ok = False
            if ok:
                kept.append((number, record))
        item.records = kept


def validate(con, tables: list[Table], problems: list[Problem]) -> dict[str, Parsed]:
    parsed = {}
    for table in tables:
        if any(
            p.rule == "rule.required_column"
            and p.file == table.file
            and p.sheet == table.sheet_label
            for p in problems
        ):
            continue  # the sheet cannot be read without its required columns
        parsed[table.sheet.name] = _validate_table(table, problems)
    _check_references(con, parsed, problems)
    return parsed


# --- writing --------------------------------------------------------------------------------------

_ARROW_TYPES = {
    "id": pa.string(),
    "text": pa.string(),
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
    """Rows of the database that the file did not mention (DESIGN §6.2): they stay, and the
    report counts them; with `delete`, the explicit deletion step, they go."""

    delete: bool
    samples: dict[str, list[str]] = field(default_factory=dict)
    projects: set[str] = field(default_factory=set)  # whose lever scores must be recomputed
    deleted_assessments: bool = False

    def handle(self, cur, table: str, key: tuple[str, ...], incoming: str) -> dict[str, int]:
        # `table`, `key` and `incoming` come from the fixed interchange description
        absent = " AND ".join(f"i.{k} = {table}.{k}" for k in key)
        where = f"NOT EXISTS (SELECT 1 FROM {incoming} i WHERE {absent})"
        params = None
        if table in BUILT_IN:
            where += f" AND {table}.{BUILT_IN[table]}"
            params = {"built_in": ref.BENEFICIARIES}
        count = cur.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0][0]
        counts = {"not_in_file": count}
        if count:
            keys = ", ".join(key)
            rows = cur.execute(
                f"SELECT {keys} FROM {table} WHERE {where} ORDER BY {keys} LIMIT {MISSING_SAMPLE}",
                params,
            ).fetchall()
            self.samples[table] = [" / ".join(str(v) for v in row) for row in rows]
        if self.delete:
            if count and table in ("project", "assessment"):
                self.projects.update(
                    row[0]
                    for row in cur.execute(
                        f"SELECT DISTINCT project_id FROM {table} WHERE {where}", params
                    ).fetchall()
                )
            if count:
                cur.execute(f"DELETE FROM {table} WHERE {where}", params)
                self.deleted_assessments |= table == "assessment"
            counts["deleted"] = count
        return counts

    def finish(self, cur, files: str) -> list[Problem]:
        """After the deletions: answers of deleted assessments go with them, lever scores are
        recomputed, and a row still referring to a deleted one refuses the whole import."""
        if not self.delete:
            return []
        if self.deleted_assessments:
            cur.execute(
                "DELETE FROM assessment_answer WHERE NOT EXISTS (SELECT 1 FROM assessment a "
                "WHERE a.assessment_id = assessment_answer.assessment_id)"
            )
        if self.projects:
            refresh_lever_rounds(cur, sorted(self.projects))
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


def dangling_references(cur, files: str = "") -> list[Problem]:
    """Rows referring to an id that does not exist, one problem per missing id."""
    problems = []
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
                {"sheet": child_sheet, "rows": rows, "example": example},
            )
            for value, rows, example in found
        )
    return problems


def _write_assessments(cur, parsed: Parsed, missing: _Missing) -> tuple[dict[str, int], list[str]]:
    """Assessments and their answers. An assessment is unchanged when its row and its set of
    answers are; changed answers are replaced as a set. Returns the counts and the projects
    whose lever scores must be recomputed."""
    sheet = parsed.table.sheet
    head_columns = [c for c in sheet.columns if c.kind != "score" and c in parsed.table.columns]
    records = [r for _, r in parsed.records]
    head = _arrow(head_columns, records)
    ids = pa.array([r["assessment_id"] for r in records], pa.string())
    parts = []
    for question in ref.QUESTION_CODES:
        scores = pa.array([r.get(question) for r in records], pa.int16())
        answered = pc.is_valid(scores)
        kept = pc.sum(answered).as_py() or 0
        parts.append(
            pa.table(
                {
                    "assessment_id": ids.filter(answered),
                    "question": pa.array([question] * kept, pa.string()),
                    "score": scores.filter(answered),
                }
            )
        )
    answer_table = pa.concat_tables(parts)
    cur.register("incoming_head", head)
    cur.register("incoming_answers", answer_table)
    same = " AND ".join(
        f"t.{c.name} IS NOT DISTINCT FROM i.{c.name}"
        for c in head_columns
        if c.name != "assessment_id"
    )
    before = dict(
        cur.execute(
            "SELECT t.assessment_id, t.project_id FROM assessment t "
            "JOIN incoming_head i ON i.assessment_id = t.assessment_id"
        ).fetchall()
    )
    row_changed = {
        row[0]
        for row in cur.execute(
            f"SELECT t.assessment_id FROM assessment t "
            f"JOIN incoming_head i ON i.assessment_id = t.assessment_id WHERE NOT ({same})"
        ).fetchall()
    }
    answers_changed = {
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
    upserted = _upsert(cur, "assessment", sheet.key, head, missing)
    replaced = sorted(answers_changed & set(before))
    if replaced:
        cur.execute(
            "DELETE FROM assessment_answer WHERE assessment_id = ANY($ids)", {"ids": replaced}
        )
    if answers_changed:
        cur.execute(
            "INSERT INTO assessment_answer (assessment_id, question, score) "
            "SELECT assessment_id, question, score FROM incoming_answers "
            "WHERE assessment_id = ANY($ids)",
            {"ids": sorted(answers_changed)},
        )
    cur.unregister("incoming_head")
    cur.unregister("incoming_answers")
    added = len(records) - len(before)
    changed = row_changed | (answers_changed & set(before))
    counts = {
        **upserted,
        "added": added,
        "updated": len(changed),
        "unchanged": len(before) - len(changed),
    }
    new_ids = {r["assessment_id"] for r in records} - set(before)
    touched = changed | new_ids
    projects = {r["project_id"] for r in records if r["assessment_id"] in touched}
    projects |= {before[a] for a in changed}  # an assessment may have moved to another project
    return counts, sorted(projects)


# One import at a time in a process: two sessions of the app share one connection, and two
# concurrent transactions writing the same tables would conflict. (Another process cannot open
# the database at all while this one holds it.)
_WRITE_LOCK = threading.Lock()


class _Refused(Exception):
    """Raised inside the write transaction to roll it back with problems to report."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(len(problems))
        self.problems = problems


def _write(
    con, parsed: dict[str, Parsed], report: ImportReport, progress: Progress, delete_missing: bool
) -> None:
    """Write in one transaction; an engine error rolls it back and becomes a message."""
    try:
        _write_all(con, parsed, report, progress, _Missing(delete_missing))
    except _Refused as refused:
        report.counts.clear()
        report.missing.clear()
        report.problems.extend(refused.problems)
    except duckdb.Error as exc:
        report.counts.clear()
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CoinvestError("import.write_failed", detail=detail) from exc


def _write_all(
    con, parsed: dict[str, Parsed], report: ImportReport, progress: Progress, missing: _Missing
) -> None:
    with _WRITE_LOCK, transaction(con) as cur:
        projects_touched: list[str] = []
        for sheet in SHEETS:
            if sheet.name not in parsed:
                continue
            item = parsed[sheet.name]
            progress("writing", f"{sheet.name}: {len(item.records):,}")
            if sheet.name == "assessments":
                counts, projects_touched = _write_assessments(cur, item, missing)
            else:
                # only the columns the file has: the others keep their value (or default)
                present = [c for c in sheet.columns if c in item.table.columns]
                data = _arrow(present, [r for _, r in item.records])
                counts = _upsert(cur, sheet.table, sheet.key, data, missing)
            report.counts[sheet.table] = counts
        if projects_touched:
            refresh_lever_rounds(cur, projects_touched)
        dangling = missing.finish(cur, ", ".join(report.files))
        if dangling:
            raise _Refused(dangling)
        report.missing = missing.samples
        cur.execute(
            "INSERT INTO import_log (file_name, sha256, status, counts) VALUES ($name, $sha, 'loaded', $counts)",
            {
                "name": ", ".join(report.files)[:1000],
                "sha": report.sha256,
                "counts": json.dumps(report.counts, sort_keys=True),
            },
        )


def import_files(
    con,
    files: list[tuple[str, bytes]],
    progress: Progress = _quiet,
    delete_missing: bool = False,
) -> ImportReport:
    """Validate a set of files and, when nothing is wrong, load them in one transaction.

    Rows of the database that the file's tables do not mention stay, counted in the report
    (`not_in_file`, ids in `missing`); with `delete_missing` — the explicit deletion step of
    DESIGN §6.2 — they are deleted in the same transaction, unless a remaining row still
    refers to one of them, which refuses the whole import and names the rows.
    """
    report = ImportReport(files=[name for name, _ in files])
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    report.sha256 = digest.hexdigest()
    progress("reading", f"{len(files)} file(s), {sum(len(d) for _, d in files):,} bytes")
    tables, problems = read_files(files)
    report.problems.extend(problems)
    if report.errors or not tables:
        if not report.errors:
            report.problems.append(
                Problem(", ".join(report.files), "", None, None, None, "rule.nothing_to_import")
            )
        return report
    progress("validating", f"{sum(len(t.rows) for t in tables):,} rows")
    parsed = validate(con, tables, report.problems)
    if report.errors:
        return report
    _write(con, parsed, report, progress, delete_missing)
    report.loaded = not report.errors
    return report


def import_log(con, limit: int = 50) -> pd.DataFrame:
    cur = con.cursor()
    try:
        return (
            cur.sql(
                "SELECT imported_at, file_name, sha256, counts FROM import_log ORDER BY import_id DESC LIMIT $n",
                params={"n": limit},
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        cur.close()
