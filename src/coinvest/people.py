"""Files meant for people (docs/import.md "Exports"): the same tables as the machine files, with
headers in the reader's language and codes by their labels (`Modélisation`, not `modelling`;
`oui`, not `true`). Figures stay unrounded; a machine CSV keeps its English headers and codes.

Two kinds of table are given this way: a sheet of the interchange format (the Export page's
"Table", as CSV for Excel or a workbook) and the figures of `coinvest export` (the workbook of
the figures zip and of `coinvest export --xlsx`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd

from coinvest import reference as ref
from coinvest.i18n import t
from coinvest.interchange import SHEET_BY_NAME
from coinvest.metrics.territories import EXPORT_COLUMNS as TERRITORY_COLUMNS

# a column whose header depends on its sheet (`kind`: an organisation's type, a contribution's
# nature)
SHEET_SPECIFIC = ("kind",)

# the figures' columns that hold a code of the reference model, and its list
FIGURE_CODES: dict[str, tuple[ref.Code, ...]] = {
    "lever": ref.LEVERS,
    "viewpoint": ref.VIEWPOINTS,
    "recommended_path": ref.LEVERS,
}
YES_NO_COLUMNS = ("priority", "white_zone")
# the figures' columns named as the Territories page names them, and as the interchange format
TERRITORY_OWN = frozenset(TERRITORY_COLUMNS) - {
    "department_code",
    "department_name",
    "projects",
    "committed_eur",
    "white_zone",
}
INTERCHANGE_NAMED = ("project_id", "department_code", "viewpoint", "assessed_on", "name", "value")


def _yes_no(value: object, lang: str) -> object:
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value, value)
    if isinstance(value, bool):
        return t("column.yes" if value else "column.no", lang)
    return value


def _labelled(codes: tuple[ref.Code, ...], lang: str) -> Callable[[object], object]:
    names = {item.code: item.label(lang) for item in codes}
    return lambda value: names.get(value, value) if isinstance(value, str) else value


def interchange_header(sheet: str, column: str, lang: str) -> str:
    """A column of the interchange format named for people: `Identifiant du projet`; a question
    by its lever and its words."""
    if column in ref.QUESTION_CODES:
        question = next(q for q in ref.QUESTIONS if q.code == column)
        lever = next(lever for lever in ref.LEVERS if question in lever.questions)
        return t(
            "column.question", lang, lever=lever.short_label(lang), question=question.label(lang)
        )
    if column in SHEET_SPECIFIC:
        return t(f"column.{sheet}.{column}", lang)
    return t(f"column.{column}", lang)


def interchange_for_people(frame: pd.DataFrame, sheet: str, lang: str) -> pd.DataFrame:
    """A sheet of the interchange format (`workbook.table_frame`) for people."""
    columns = {c.name: c for c in SHEET_BY_NAME[sheet].columns}
    out = frame.copy()
    for name in out.columns:
        column = columns.get(name)
        if column is None:
            continue
        if column.kind == "code" and column.labels:
            out[name] = out[name].map(_labelled(column.labels, lang))
        elif column.kind == "bool":
            out[name] = out[name].map(lambda v: _yes_no(v, lang))
    return out.rename(columns={c: interchange_header(sheet, c, lang) for c in out.columns})


def interchange_sheet_name(sheet: str, lang: str) -> str:
    """`Projets` for the sheet `projects`."""
    return t(f"sheet.{sheet}", lang)


def figure_header(table: str, column: str, lang: str) -> str:
    """A column of the figures (`export.EXPORT_FILES`) named for people."""
    if table == "territory_support" and column in TERRITORY_OWN:
        return t(f"territories.col.{column}", lang)
    if column in INTERCHANGE_NAMED:
        return t(f"column.{column}", lang)
    return t(f"export.col.{column}", lang)


def figures_for_people(table: str, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table of `coinvest export` for people: headers in the language, the levers, viewpoints,
    groups and portfolio figures by their names, yes or no."""
    out = frame.copy()
    for column, codes in FIGURE_CODES.items():
        if column in out.columns:
            out[column] = out[column].map(_labelled(codes, lang))
    for column in YES_NO_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: _yes_no(v, lang))
    if "group" in out.columns:
        out["group"] = out["group"].map(lambda g: t(f"export.group.{g}", lang))
    if table == "portfolio":
        out["metric"] = out["metric"].map(lambda m: t(f"export.metric.{m}", lang))
    return out.rename(columns={c: figure_header(table, c, lang) for c in out.columns})


def figures_workbook_sheets(
    frames: Mapping[str, pd.DataFrame], lang: str
) -> dict[str, pd.DataFrame]:
    """The figures as the sheets of a workbook for people, each named in the language."""
    return {
        t(f"export.sheet.{name}", lang): figures_for_people(name, frame, lang)
        for name, frame in frames.items()
    }


def file_slug(label: str) -> str:
    """A label as a file name: `Membres des cohortes` → `membres-des-cohortes`."""
    return "-".join(label.lower().replace("'", " ").split())
