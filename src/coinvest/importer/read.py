"""Reading uploaded files into tables of cells: workbooks, CSV files (French ones as they come:
separators, encodings, a title row above the header) and zips of CSV files."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from coinvest.importer.problems import (
    Problem,
    max_import_bytes,
)
from coinvest.interchange import (
    HELPER_SHEETS,
    SHEETS,
    Column,
    Sheet,
    foreign_unit,
    header_key,
    is_blank,
    match_column,
    match_sheet,
    match_sheet_by_header,
)


@dataclass
class Table:
    """The cells of one sheet or CSV file, with the row numbers a spreadsheet shows."""

    file: str
    sheet: Sheet
    sheet_label: str
    header_row: int
    columns: list[Column | None]  # per position; None for unknown columns
    rows: list[tuple[int, list[Any]]]


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


# Letters and signs a French file holds; anything else after decoding means a wrong guess (not
# ¡ nor ¿: in a French file they are a Mac Roman ° and ø misread).
_SIGNS = set("€«»‘’‚“”„–—…•°§£©®™²³·±×÷¼½¾µªº\u00a0\u202f\u2009")
# Signs that a Mac Roman letter becomes when read as Windows-1252 (`No‘l`, `H™tel`, `na•f`):
# between two letters, a misread. Not `·` (`salarié·es`) nor `°` (`n°dossier`), which French
# writes inside words.
_NOT_IN_WORDS = set("€«»‘“”„•§£©®™²³±×÷¼½¾µªº")
_SINGLE_BYTE = ("cp1252", "iso8859_15", "mac_roman")  # Windows, Latin-9, "CSV (Macintosh)"


def _implausible(text: str) -> int | None:
    """The position of the first character a French file would not hold, or None: a control
    character, a sign outside `_SIGNS`, a sign between two letters (`H™tel`), an accented
    capital inside a word (`RŽgie`, `lÕassociation`) or an accented letter alone."""
    for position, char in enumerate(text):
        if char.isascii():
            if char < " " and char not in "\t\r\n":
                return position
            continue
        before = text[position - 1] if position else ""
        after = text[position + 1] if position + 1 < len(text) else ""
        if char.isalpha() and "\u00c0" <= char <= "\u017f":
            if char.isupper() and before.isalpha() and (before.islower() or after.islower()):
                return position
            if not before.isalpha() and not after.isalpha() and char not in "Àà":
                return position  # a lone accented letter (`12 500 Û`): only `à` stands alone
            continue
        if char not in _SIGNS or (char in _NOT_IN_WORDS and before.isalpha() and after.isalpha()):
            return position
        if char in "¼½¾" and (before.isalpha() or after.isalpha()):
            return position  # Latin-9's Œ œ Ÿ read as Windows-1252 (`c½ur`)
    return None


def _decode(data: bytes) -> tuple[str, int | None]:
    """The text of a CSV file, its line ends made `\\n` (CR-only ones too: Excel for Mac), and
    the line of the first character that no encoding reads plausibly (None when one does).

    UTF-8 (with or without BOM) and UTF-16 are exact; otherwise the first of Windows-1252,
    Latin-9 and Mac Roman that decodes every byte into plausible French text (docs/import.md "Rules")."""
    codec = _utf16(data)
    if codec:
        try:
            return _lines(data.decode(codec).lstrip("\ufeff")), None
        except UnicodeDecodeError as exc:
            text = _lines(data[: exc.start].decode(codec, errors="replace"))
            return text, text.count("\n") + 1
    try:
        return _lines(data.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        pass
    best: tuple[int, str] | None = None
    for name in _SINGLE_BYTE:
        try:
            text = _lines(data.decode(name))
        except UnicodeDecodeError:
            continue
        position = _implausible(text)
        if position is None:
            return text, None
        if best is None or position > best[0]:
            best = (position, text)
    if best is None:  # every byte decodes in Mac Roman: not reached, kept for safety
        text = _lines(data.decode("cp1252", errors="replace"))
        return text, 1
    position, text = best
    return text, text.count("\n", 0, position) + 1


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


def _delimiter(text: str) -> str:
    """`;`, tab or `,`: the one found on most of the first lines (a title line above the header
    has none), or the one named by Excel's `sep=` line."""
    lines = [line for line in text.splitlines() if line.strip()][:10]
    named = _SEP_LINE.match(lines[0]) if lines else None
    if named:
        return named.group(1)
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
        elif column.kind == "amount" and (unit := foreign_unit(header)) is not None:
            problems.append(
                Problem(
                    file,
                    label,
                    header_row,
                    str(header),
                    None,
                    "rule.foreign_unit",
                    {"header": str(header), "unit": unit},
                )
            )
            column = None
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
    width = len(columns)
    data = [  # every row as wide as the header (a workbook's rows are already: kept as they are)
        (number, cells if len(cells) >= width else [*cells, *[None] * (width - len(cells))])
        for number, cells in iterator
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
    text, unreadable = _decode(data)
    if unreadable is not None:
        problems.append(
            Problem(
                file, sheet.name, unreadable, None, None, "rule.bad_encoding", {"line": unreadable}
            )
        )
        return None
    delimiter = _delimiter(text)
    first, newline, rest = text.partition("\n")
    if _SEP_LINE.match(first):
        text = newline + rest  # Excel's `sep=;` line: a blank line, so rows keep their numbers
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for row in reader:  # numbered as a spreadsheet shows them: one a record
            rows.append((len(rows) + 1, row))
    except csv.Error:
        problems.append(Problem(file, sheet.name, len(rows) + 1, None, None, "rule.csv_line"))
        return None
    return _table_from_rows(file, sheet, sheet.name, rows, problems)


def _row_values(row: list[Any]) -> list[Any]:
    """A row as read by calamine, given as a spreadsheet library gives it: an empty cell is
    None, a whole number an int (`25000`, never `25000.0`), anything else as it is."""
    return [
        None
        if value == ""
        else int(value)
        if value.__class__ is float and value.is_integer() and -_EXACT < value < _EXACT
        else value
        for value in row
    ]


_EXACT = 2.0**53  # beyond, a float no longer tells whole numbers apart


def _read_workbook(file: str, data: bytes, problems: list[Problem]) -> list[Table]:
    """The tables of a workbook. A sheet is read as the table its name or, failing that, its
    header row names (`Investissements 2024`); nothing is skipped silently: a sheet matching
    no table is named, and a hidden row or column holding values is an error (docs/import.md "Rules")."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    except Exception:  # a damaged file, or not a workbook
        problems.append(Problem(file, "", None, None, None, "rule.not_a_workbook"))
        return []
    tables = []
    uncomputed = _uncomputed_formulas(data)
    hidden = _hidden_parts(data)
    try:
        known = False
        for title in worksheets:
            if header_key(title) in (header_key(h) for h in HELPER_SHEETS):
                continue
            try:
                values = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            except Exception:
                problems.append(Problem(file, title, None, None, None, "rule.not_a_workbook"))
                return []
            rows = [(number, _row_values(row)) for number, row in enumerate(values, start=1)]
            sheet = match_sheet(title)
            if sheet is None:
                sheet = _sheet_by_header(rows)
                if sheet is not None:
                    problems.append(
                        Problem(
                            file,
                            title,
                            None,
                            None,
                            None,
                            "rule.sheet_by_header",
                            {"table": sheet.name},
                            severity="warning",
                        )
                    )
            if sheet is None:
                problems.append(
                    Problem(file, title, None, None, None, "rule.unknown_sheet", severity="warning")
                )
                continue
            known = True
            if uncomputed.get(title):
                # a formula never computed reads as an empty cell: say why, not "missing"
                problems.extend(
                    Problem(file, title, row, letter, formula, "rule.formula_without_value")
                    for row, letter, formula in uncomputed[title][:50]
                )
                continue
            if _refuse_hidden(file, title, rows, hidden.get(title), problems):
                continue
            table = _table_from_rows(file, sheet, title, rows, problems)
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
    combined: dict[str, list[str]] = {}
    for table in tables:
        combined.setdefault(table.sheet.name, []).append(table.sheet_label)
    for name, labels in combined.items():
        if len(labels) > 1:  # read together as one table (validate joins their rows)
            problems.append(
                Problem(
                    file,
                    ", ".join(labels),
                    None,
                    None,
                    None,
                    "rule.sheets_combined",
                    {"table": name, "sheets": ", ".join(labels)},
                    severity="warning",
                )
            )
    return tables


def _sheet_by_header(rows: list[tuple[int, list[Any]]]) -> Sheet | None:
    """The table named by one of the first rows (a title may stand above the header)."""
    filled = [cells for _, cells in rows[:HEADER_SEARCH] if any(not is_blank(c) for c in cells)]
    for cells in filled:
        sheet = match_sheet_by_header(cells)
        if sheet is not None:
            return sheet
    return None


_SHEET_ENTRY = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(r'([\w:]+)="([^"]*)"')
_RELATION = re.compile(r"<Relationship\b[^>]*>")
_COL = re.compile(r"<(?:\w+:)?col\b[^>]*>")
_ROW = re.compile(r"<(?:\w+:)?row\b[^>]*>")
_HIDDEN = ("1", "true")


@dataclass
class _Hidden:
    columns: set[int]  # 1-based positions
    rows: set[int]


def _hidden_parts(data: bytes) -> dict[str, _Hidden]:
    """Per sheet title, its hidden columns and rows, from the sheet's XML (openpyxl's read-only
    mode does not read them)."""
    found: dict[str, _Hidden] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return found
        targets = {}
        for tag in _RELATION.findall(archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")):
            attributes = dict(_ATTRIBUTE.findall(tag))
            target = attributes.get("Target", "").lstrip("/")
            targets[attributes.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
        for tag in _SHEET_ENTRY.findall(archive.read("xl/workbook.xml").decode("utf-8")):
            attributes = dict(_ATTRIBUTE.findall(tag))
            relation = next((v for k, v in attributes.items() if k.endswith(":id")), None)
            part = targets.get(relation)
            if part not in names:
                continue
            raw = archive.read(part)
            if b"hidden=" not in raw:  # nothing hidden: no need to read every row's tag
                continue
            xml = raw.decode("utf-8", errors="replace")
            columns: set[int] = set()
            for col in _COL.findall(xml):
                spec = dict(_ATTRIBUTE.findall(col))
                if spec.get("hidden") in _HIDDEN:
                    columns.update(range(int(spec.get("min", 1)), int(spec.get("max", 1)) + 1))
            rows = {
                int(spec["r"])
                for row in _ROW.findall(xml)
                if (spec := dict(_ATTRIBUTE.findall(row))).get("hidden") in _HIDDEN and "r" in spec
            }
            if columns or rows:
                title = html.unescape(attributes.get("name", ""))
                found[title] = _Hidden(columns, rows)
    return found


def _refuse_hidden(
    file: str,
    title: str,
    rows: list[tuple[int, list[Any]]],
    hidden: _Hidden | None,
    problems: list[Problem],
) -> bool:
    """A hidden column or row that holds a value is an error naming it: the user sees one
    thing, the file holds another. True when the sheet is refused."""
    if hidden is None:
        return False
    found = False
    header = next((cells for _, cells in rows if any(not is_blank(c) for c in cells)), [])
    for position in sorted(hidden.columns):
        if any(len(c) >= position and not is_blank(c[position - 1]) for _, c in rows):
            name = header[position - 1] if len(header) >= position else None
            letter = get_column_letter(position)
            problems.append(
                Problem(
                    file,
                    title,
                    None,
                    letter,
                    _show(name),
                    "rule.hidden_column",
                    {"letter": letter, "header": "" if name is None else str(name)},
                )
            )
            found = True
    for number, cells in rows:
        if number in hidden.rows and any(not is_blank(c) for c in cells):
            problems.append(
                Problem(file, title, number, None, None, "rule.hidden_row", {"row": number})
            )
            found = True
    return found


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel format (.xls)


def _uncomputed_formulas(data: bytes) -> dict[str, list[tuple[int, str, str]]]:
    """Per sheet, the formula cells that have no computed value (a file written by a program
    rather than saved by a spreadsheet): (row, column letter, formula)."""
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
                for position, (cell, value) in enumerate(zip(row, row_values, strict=False), 1):
                    if getattr(cell, "data_type", None) == "f" and value.value is None:
                        found.setdefault(ws.title, []).append(
                            (number, get_column_letter(position), str(cell.value))
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
        if table.sheet.name in seen and seen[table.sheet.name] != table.file:
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
