"""Workbooks in the interchange format: the template, the whole-portfolio export, filtered tables.

The template has every sheet of docs/import.md with its headers, drop-down lists for the coded
columns and one example row, marked by its ids (`EXEMPLE-…`): the importer skips such rows and
says the file still holds them (docs/import.md "Rules"). The portfolio export writes the database in
the same format, so that exporting and importing into an empty database gives the same content.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from coinvest import reference as ref
from coinvest.db import Connection, query
from coinvest.filters import PortfolioFilter
from coinvest.interchange import SHEETS, Column, Sheet
from coinvest.lookups import organisations_around

LISTS_SHEET = "_listes"

EXAMPLE: dict[str, dict[str, Any]] = {
    "organisations": {
        "org_id": "EXEMPLE-ASSO-001",
        "name": "Association Exemple",
        "kind": "association",
    },
    "indicators": {
        "indicator_code": "EXEMPLE-repas_servis",
        "name_fr": "Repas servis",
        "unit": "repas",
        "higher_is_better": "oui",
        "name_en": "Meals served",
        "theme": "food",
    },
    "projects": {
        "project_id": "EXEMPLE-PRJ-001",
        "name": "Épicerie solidaire du quartier",
        "holder_org_id": "EXEMPLE-ASSO-001",
        "need": "food",
        "phase": "modelling",
        "department_code": "69",
        "legal_form": "Association loi 1901",
        "commune_code": "69123",
        "qpv": "oui",
        "rural_revitalisation": "non",
        "start_year": 2021,
        "status": "active",
    },
    "cohorts": {
        "cohort_id": "EXEMPLE-PROMO-2025",
        "support_body_org_id": "EXEMPLE-ASSO-001",
        "name": "Promotion 2025",
        "year": 2025,
        "programme": "Incubation",
    },
    "cohort_members": {
        "cohort_id": "EXEMPLE-PROMO-2025",
        "project_id": "EXEMPLE-PRJ-001",
        "entry_date": "15/01/2025",
    },
    "assessments": {
        "assessment_id": "EXEMPLE-EVAL-001",
        "project_id": "EXEMPLE-PRJ-001",
        "viewpoint": "project",
        "assessor_org_id": "EXEMPLE-ASSO-001",
        "assessed_on": "10/03/2025",
        **{code: 2 for code in ref.QUESTION_CODES[:7]},
        "comment": "Auto-évaluation de l'équipe",
    },
    "investments": {
        "investment_id": "EXEMPLE-INV-001",
        "investor_org_id": "EXEMPLE-ASSO-001",
        "project_id": "EXEMPLE-PRJ-001",
        "date": "01/02/2025",
        "amount_eur": "12 500,00 €",
        "instrument": "grant",
        "investor_lever": "structural_funding",
    },
    "contributions": {
        "contribution_id": "EXEMPLE-CTB-001",
        "partner_org_id": "EXEMPLE-ASSO-001",
        "project_id": "EXEMPLE-PRJ-001",
        "date": "01/03/2025",
        "value_eur": "2 000,00 €",
        "kind": "skills",
        "partnership_type": "patronage",
    },
    "measurements": {
        "project_id": "EXEMPLE-PRJ-001",
        "indicator_code": "beneficiaries",
        "year": 2024,
        "value": 350,
        "target": 400,
        "source": "declared",
    },
    "members": {
        "email": "prenom.nom@exemple.fr",
        "org_id": "EXEMPLE-ASSO-001",
        "role": "project",
        "name": "Prénom Nom",
    },
}

_BOOL_CHOICES = ("oui", "non")


def _choices(column: Column) -> tuple[str, ...] | None:
    if column.kind == "code":
        return column.codes
    if column.kind == "bool":
        return _BOOL_CHOICES
    return None


_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def _header_style(ws) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    ws.freeze_panes = "A2"


def build_template_xlsx() -> bytes:
    """The import template: every sheet, headers, drop-down lists and one example row."""
    book = Workbook()
    book.remove(book.worksheets[0])
    lists = book.create_sheet(LISTS_SHEET)
    list_ranges: dict[tuple[str, ...], str] = {}
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append([c.name for c in sheet.columns])
        example = EXAMPLE[sheet.name]
        ws.append([example.get(c.name) for c in sheet.columns])
        _header_style(ws)
        for position, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(position)
            ws.column_dimensions[letter].width = max(12, min(40, len(column.name) + 4))
            choices = _choices(column)
            if choices:
                if choices not in list_ranges:
                    col = get_column_letter(len(list_ranges) + 1)
                    lists.cell(row=1, column=len(list_ranges) + 1, value=column.name)
                    for i, choice in enumerate(choices, start=2):
                        lists.cell(row=i, column=len(list_ranges) + 1, value=choice)
                    list_ranges[choices] = f"'{LISTS_SHEET}'!${col}$2:${col}${len(choices) + 1}"
                rule = DataValidation(type="list", formula1=list_ranges[choices], allow_blank=True)
            elif column.kind == "score":
                rule = DataValidation(
                    type="whole", operator="between", formula1="0", formula2="4", allow_blank=True
                )
            else:
                continue
            rule.error = "Valeur hors liste"
            rule.showErrorMessage = True
            ws.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}5000")
    lists.sheet_state = "hidden"
    book.move_sheet(LISTS_SHEET, offset=len(SHEETS))
    out = io.BytesIO()
    book.save(out)
    return reproducible_xlsx(out.getvalue())


def _csv_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def build_template_zip() -> bytes:
    """The same template as CSV files (`;`-separated, UTF-8 with BOM), one per table, in a zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in SHEETS:
            example = EXAMPLE[sheet.name]
            row = ["" if example.get(c.name) is None else example[c.name] for c in sheet.columns]
            archive.writestr(
                f"{sheet.name}.csv", _csv_bytes([c.name for c in sheet.columns], [row])
            )
    return out.getvalue()


# --- the database in the interchange format -------------------------------------------------------


def _sheet_sql(sheet: Sheet, scoped: bool = False) -> str:
    """SELECT of one table in the sheet's columns (answers pivoted to one column per question);
    `scoped`: for a member, whose export must not name organisations beyond their scope."""
    if sheet.name == "assessments":
        scores = ",\n".join(
            f"max(x.score) FILTER (WHERE x.question = '{q}') AS \"{q}\"" for q in ref.QUESTION_CODES
        )
        return f"""SELECT a.assessment_id, a.project_id, a.viewpoint, a.assessor_org_id,
                          a.assessed_on, {scores}, a.comment
                   FROM assessment a
                   LEFT JOIN assessment_answer x ON x.assessment_id = a.assessment_id
                   WHERE a.project_id IN (SELECT project_id FROM selected)
                   GROUP BY a.assessment_id, a.project_id, a.viewpoint, a.assessor_org_id,
                            a.assessed_on, a.comment
                   ORDER BY a.assessment_id"""
    columns = ", ".join(f"t.{c.name}" for c in sheet.columns)
    order = ", ".join(f"t.{k}" for k in sheet.key)
    if scoped:
        # a member's export: the organisations and cohorts around their projects only (every
        # row the others refer to is still there, so the export imports)
        projects = "SELECT project_id FROM selected"
        around = {
            "organisations": f"WHERE {organisations_around('t.org_id', projects)}",
            "cohorts": f"""WHERE t.cohort_id IN (
                SELECT cohort_id FROM cohort_member WHERE project_id IN ({projects}))""",
        }
        if sheet.name in around:
            return f"SELECT {columns} FROM {sheet.table} t {around[sheet.name]} ORDER BY {order}"
    where = {
        "projects": "WHERE t.project_id IN (SELECT project_id FROM selected)",
        "cohort_members": "WHERE t.project_id IN (SELECT project_id FROM selected)",
        "investments": "WHERE t.project_id IN (SELECT project_id FROM selected)",
        "contributions": "WHERE t.project_id IN (SELECT project_id FROM selected)",
        "measurements": "WHERE t.project_id IN (SELECT project_id FROM selected)",
    }.get(sheet.name, "")
    return f"SELECT {columns} FROM {sheet.table} t {where} ORDER BY {order}"


def table_frame(con: Connection, sheet_name: str, flt: PortfolioFilter) -> pd.DataFrame:
    """One table in the interchange format, restricted to the filtered projects' rows.

    Organisations, cohorts and indicators are not restricted by the filter: every row the others
    may refer to is kept, so that the export always imports. For a member (a filter with a
    scope), organisations and cohorts are those around their projects.
    """
    sheet = next(s for s in SHEETS if s.name == sheet_name and s.portfolio)
    selected, params = flt.selected_projects()
    sql = _sheet_sql(sheet, scoped=flt.scope is not None)
    return query(con, f"WITH selected AS ({selected}) {sql}", params)


def export_portfolio_xlsx(con: Connection, flt: PortfolioFilter) -> bytes:
    """The portfolio as a workbook in the template format (importable as it is)."""
    sheets = {}
    for sheet in (s for s in SHEETS if s.portfolio):
        frame = table_frame(con, sheet.name, flt)
        if sheet.name == "indicators":
            frame = frame[frame["indicator_code"] != ref.BENEFICIARIES]  # built in
        sheets[sheet.name] = frame
    out = io.BytesIO()
    write_xlsx(sheets, out)
    return out.getvalue()


# --- safe files for office users (docs/import.md "Rules": exports are safe to open) -------------------------

# A cell starting with one of these is a formula for Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_DATE_FORMAT = "DD/MM/YYYY"


def _cell_value(value: Any) -> Any:
    """A pandas cell as openpyxl writes it: missing → empty, numpy → Python, Decimal → float."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value


def write_xlsx(
    sheets: dict[str, pd.DataFrame],
    target,
    number_formats: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Write frames as the sheets of one workbook. Text is written as text, never as a formula,
    so `=HYPERLINK(…)` in a name stays a name (and the file re-imports as it was).

    `number_formats[sheet][column]` is an Excel number format (`#,##0.0`, `0.0%`): Excel shows it
    in its reader's locale, so a French Excel writes `1 234,5`.
    """
    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        formats = (number_formats or {}).get(name, {})
        by_position = [formats.get(str(column)) for column in frame.columns]
        ws = book.create_sheet(name[:31])
        ws.freeze_panes = "A2"
        header = []
        for column in frame.columns:
            cell = WriteOnlyCell(ws, value=str(column))
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            header.append(cell)
        ws.append(header)
        for row in frame.itertuples(index=False, name=None):
            cells = []
            for raw, number_format in zip(row, by_position, strict=True):
                value = _cell_value(raw)
                if isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # openpyxl takes a leading "=" for a formula
                elif isinstance(value, datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = _DATE_FORMAT
                elif (
                    number_format and isinstance(value, int | float) and not isinstance(value, bool)
                ):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = number_format
                else:
                    cell = value
                cells.append(cell)
            ws.append(cells)
    out = io.BytesIO()
    book.save(out)
    data = reproducible_xlsx(out.getvalue())
    if isinstance(target, io.BytesIO):
        target.write(data)
    else:
        Path(target).write_bytes(data)


_STAMP = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def reproducible_xlsx(data: bytes) -> bytes:
    """The same workbook without the moments it was written: no creation or modification time
    in its properties, a fixed date on each part, so that one database exports to the same
    bytes every time (docs/figures.md "Settled points")."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                part = _STAMP.sub(b"", part)
            info = zipfile.ZipInfo(item.filename, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, part)
    return out.getvalue()


def _neutralised(value: Any) -> Any:
    """OWASP CSV injection: text that a spreadsheet would run as a formula gets a leading `'`
    (which Excel shows as a text marker; the importer takes it off again)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV for Excel: `;`-separated, decimal comma, UTF-8 with BOM (opens as is in a
    French Excel), ISO dates, formula-looking text neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_neutralised)
    text = safe.to_csv(index=False, sep=";", decimal=",", na_rep="", lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def frame_to_xlsx(
    frame: pd.DataFrame, sheet_name: str, number_formats: Mapping[str, str] | None = None
) -> bytes:
    out = io.BytesIO()
    write_xlsx({sheet_name: frame}, out, {sheet_name: number_formats or {}})
    return out.getvalue()
