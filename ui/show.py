"""Showing frames: tables in the UI's number format that download for office users, a chart with
its figures as a table, project tables that open the sheet."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from altair.utils.schemapi import disable_debug_mode

from coinvest import reference as ref
from coinvest.audit import TABLE_SHEET
from coinvest.charts import SHAPES
from coinvest.filters import PortfolioFilter
from coinvest.folding import fold
from coinvest.i18n import format_date, format_eur, format_number, format_pct, t
from coinvest.workbook import frame_to_csv, frame_to_xlsx
from ui.language import lang_key
from ui.url import bound, keep, one_of, switch_page

PROJECT_PAGE = "app_pages/project.py"
COMPARE_PAGE = "app_pages/compare.py"
# a table's pinned naming column, in pixels: room for a name, not for the figures' place
NAME_WIDTH = 240
NAME_WIDTH_NARROW = 170
COMPARED = "cmp_projects"  # the Compare page's picker
SHEET_PROJECT = "sheet_project"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MISSING = "—"
# columns that name a row: pinned on the left, wide enough to read
NAME_COLUMNS = (
    "name",
    "label",
    "lever_label",
    "metric",
    "department_name",
    "indicator",
    "investor",
    "partner",
)


@dataclass(frozen=True)
class Format:
    """How a column shows on screen (in the UI's language) and in Excel (a number format)."""

    show: Callable[[Any], str]
    excel: str | None = None

    def __call__(self, value: Any) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return MISSING
        return self.show(value)


def number(decimals: int, language: str, signed: bool = False) -> Format:
    excel = "#,##0" + ("." + "0" * decimals if decimals else "")
    return Format(
        lambda v: format_number(v, decimals, language, signed=signed),
        f"+{excel};-{excel};0" if signed else excel,
    )


def measure(language: str) -> Format:
    """A measured value as its indicator counts it: `34` people, `12,5` tonnes (a whole number
    without decimals, another with what it has, up to two)."""

    def shown(value: float) -> str:
        number = float(value)
        if number.is_integer():
            return format_number(number, 0, language)
        return format_number(number, 2, language).rstrip("0").rstrip(",.")

    return Format(shown, "#,##0.##")


def eur(language: str) -> Format:
    return Format(lambda v: format_eur(v, lang=language), '#,##0 "€"')


def pct(language: str) -> Format:
    return Format(lambda v: format_pct(v, lang=language), "0.0%")


def day(language: str) -> Format:
    return Format(lambda v: format_date(v, language), "DD/MM/YYYY")


def text(show: Callable[[Any], str]) -> Format:
    """A column shown through a function (`+3`, `=`), exported as its value."""
    return Format(show)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(title)).strip("-")[:60] or "table"


def downloads(
    frame: pd.DataFrame,
    columns: dict[str, str],
    language: str,
    formats: dict[str, Format] | None,
    key: str,
    title: str | None = None,
) -> None:
    """An .xlsx (numbers stay numbers, French formats in a French Excel) and a CSV for Excel
    (`;`, decimal comma) of a table as shown, headers in the UI language. Built on click."""
    kept = frame[list(columns)]
    headers = {c: columns[c] for c in kept.columns}
    number_formats = {
        headers[c]: f.excel for c, f in (formats or {}).items() if c in headers and f.excel
    }
    name = f"coinvest-{_slug(title or t('table.file', language))}"

    def xlsx() -> bytes:
        return frame_to_xlsx(kept.rename(columns=headers), name[:31], number_formats)

    def csv() -> bytes:
        return frame_to_csv(kept.rename(columns=headers))

    row = st.container(horizontal=True, gap="small")
    row.download_button(
        t("table.download.xlsx", language),
        data=xlsx,
        file_name=f"{name}.xlsx",
        mime=XLSX,
        key=f"{key}_xlsx",
        icon=":material/download:",
        width="content",
    )
    row.download_button(
        t("table.download.csv", language),
        data=csv,
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        width="content",
    )


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    language: str,
    formats: dict[str, Format] | None = None,
    key: str | None = None,
    select: bool = False,
    title: str | None = None,
    flt: PortfolioFilter | None = None,
    download: bool = True,
    wide: bool = True,
    helps: dict[str, str] | None = None,
):
    """A table in the UI's number format, its naming column pinned, and its downloads.

    Every figure is shown as formatted text (`2 224 400 €`, `50,2`), missing ones as "—"; the
    downloads keep the numbers. With `select`, picking a row that has a `project_id` opens that
    project's sheet (with the filter `flt`). The naming column is pinned and kept narrow (long
    names wrap to "…", whole in the cell's tooltip), so that the figures stay in sight at a
    laptop's width; a table that is not `wide` (in half a page) keeps it narrower still.
    `helps` gives a column's header a tooltip (a short header's full name).
    """
    key = key or f"table_{_slug('_'.join(columns))}"
    shown = frame[list(columns)].copy()
    numeric: dict[str, Format] = {}
    for column in shown.columns:
        formatter = (formats or {}).get(column)
        missing = shown[column].isna().any()
        if formatter is not None and not missing and pd.api.types.is_numeric_dtype(shown[column]):
            numeric[columns[column]] = formatter  # shown formatted, sorted as a number
        elif formatter is not None:
            # Streamlit draws a missing cell as "None" whatever the Styler says: such a column
            # is shown as formatted text, with "—" where a figure does not exist
            shown[column] = [formatter(v) for v in shown[column]]
        elif missing:
            shown[column] = [MISSING if pd.isna(v) else str(v) for v in shown[column]]
    config: dict[str, Any] = {}
    naming = next((c for c in columns if c in NAME_COLUMNS), None)  # the one pinned
    for column, label in columns.items():
        help_text = (helps or {}).get(column)
        if column == naming:
            width = NAME_WIDTH if wide else NAME_WIDTH_NARROW
            config[label] = st.column_config.Column(label, pinned=True, width=width, help=help_text)
        elif column in (formats or {}):
            config[label] = st.column_config.Column(label, alignment="right", help=help_text)
        elif help_text:
            config[label] = st.column_config.Column(label, help=help_text)
    shown = shown.rename(columns=columns)
    styled = shown.style.format(numeric) if numeric else shown
    common = {"hide_index": True, "key": key, "column_config": config, "width": "stretch"}
    if not select:
        st.dataframe(styled, **common)
    else:
        event = st.dataframe(styled, on_select="rerun", selection_mode="single-row", **common)
        st.caption(t("table.open_hint", language))
        rows = event.selection.rows if event else []
        if rows and "project_id" in frame.columns:
            open_project(frame.iloc[rows[0]]["project_id"], flt, language)
    if download:
        downloads(frame, columns, language, formats, key, title)


def leverage_tile(
    box, leverage: float | None, benchmark: pd.DataFrame, language: str, help_prefix: str = ""
) -> None:
    """The chosen investor's leverage, with its difference to the investors' median over the
    same projects (`metrics.investor_benchmark`) and that median in the help."""
    median = benchmark["median_leverage"].iloc[0] if len(benchmark) else None
    # a peer figure over fewer than PEER_MIN investors is no comparison (docs/rules.md "Sign-in and scope"): hidden
    compared = int(benchmark["leverage"].notna().sum()) if len(benchmark) else 0
    delta = None
    if compared < ref.PEER_MIN:
        note = t("kpi.leverage.median_too_few", language, investors=compared, minimum=ref.PEER_MIN)
    else:
        if median is not None and leverage is not None:
            difference = format_number(leverage - median, 2, language, signed=True)
            delta = t("kpi.leverage.vs_median", language, difference=difference)
        note = t(
            "kpi.leverage.median_help",
            language,
            median=format_number(median, 2, language),
            investors=format_number(compared, lang=language),
        )
    box.metric(
        t("kpi.leverage", language),
        format_number(leverage, 2, language),
        delta=delta,
        help=f"{help_prefix} {note}" if help_prefix else note,
    )


def open_project(project_id: str, flt: PortfolioFilter | None, language: str) -> None:
    """The project's sheet, its link keeping the filter (docs/pages.md)."""
    st.session_state[SHEET_PROJECT] = project_id
    open_page(PROJECT_PAGE, flt, language, {"project": project_id})


def open_page(
    page: str, flt: PortfolioFilter | None, language: str, params: dict[str, Any]
) -> None:
    """Another page with its own `params`, its link keeping the filter and the language."""
    query: dict[str, Any] = dict((flt or PortfolioFilter(scope=None)).to_query_params())
    if language != "fr":
        query["lang"] = language
    query.update(params)
    switch_page(page, query)


def compare_projects(project_ids: list[str], flt: PortfolioFilter | None, language: str) -> None:
    """The Compare page with these projects (its picker starts from the link)."""
    st.session_state.pop(COMPARED, None)
    open_page(COMPARE_PAGE, flt, language, {"projects": list(project_ids)})


# The page tests set it: every chart a page draws is then checked against Vega-Lite's schema.
VALIDATE_CHARTS = False
# nor is each part of a spec checked as the builders assemble it (the whole is, in the tests)
disable_debug_mode()


def altair(spec: dict[str, Any], **options: Any) -> Any:
    """A chart of `ui.charts` (a Vega-Lite spec, built once per input)."""
    return st.vega_lite_chart(spec, **options)


def unfolding(label: str, key: str | None, expanded: bool = False) -> tuple[Any, bool]:
    """An expander and whether to draw its content: with a key, the content is drawn only once
    the reader opens it (a rerun, from cached figures), so that a page does not draw tables
    nobody looks at; without one, an ordinary expander, always drawn."""
    if key is None:
        return st.expander(label, expanded=expanded), True
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun")
    return box, box.open is not False


def chart(
    spec: dict[str, Any],
    frame: pd.DataFrame,
    columns: dict[str, str],
    language: str,
    formats: dict[str, Format] | None = None,
    key: str | None = None,
    stretch: bool = True,
    pick_project: bool = False,
    flt: PortfolioFilter | None = None,
) -> None:
    """The chart, then its figures in a table under it.

    With `pick_project`, clicking a mark carrying a `project_id` opens that project's sheet.
    """
    width = "stretch" if stretch else "content"
    if not pick_project:
        altair(spec, width=width, key=key)
    else:
        event = altair(spec, width=width, key=key, on_select="rerun", selection_mode="pick")
        picked = (event.selection.get("pick") or []) if event else []
        if picked and picked[0].get("project_id"):
            open_project(picked[0]["project_id"], flt, language)
        st.caption(t("chart.open_hint", language))
    box, shown = unfolding(t("chart.show_table", language), f"{key}_figures" if key else None)
    with box:
        if shown:
            title = spec.get("title")
            table(
                frame,
                columns,
                language,
                formats,
                key=f"{key}_table" if key else None,
                title=title if isinstance(title, str) else None,
                wide=stretch,
            )


# the What-if page's tables, which have no import sheet
WHAT_IF_TABLES = ("scenario", "scenario_investment", "saved_view")


def table_label(name: str, language: str) -> str:
    """A database table or an import sheet, named as the templates name it."""
    if name in WHAT_IF_TABLES:
        return t(f"table.{name}", language)
    sheet = TABLE_SHEET.get(name, name)
    return t(f"sheet.{sheet}", language) if sheet in TABLE_SHEET.values() else name


def history_table(frame: pd.DataFrame, language: str, key: str, title: str) -> None:
    """Change rows of `coinvest.history.history` (docs/rules.md "History"): when, who, which import, table,
    row, column, the change, before and after."""
    frame = frame.copy()
    frame["table_label"] = frame["table_name"].map(lambda name: table_label(name, language))
    frame["action_label"] = frame["action"].map(lambda a: t(f"data.journal.action.{a}", language))
    table(
        frame,
        {
            "changed_at": t("data.journal.when", language),
            "who": t("data.log.who", language),
            "import_id": t("data.log.id", language),
            "table_label": t("data.journal.table", language),
            "row_key": t("data.journal.row", language),
            "column_name": t("data.journal.column", language),
            "action_label": t("data.journal.action", language),
            "old_value": t("data.journal.old", language),
            "new_value": t("data.journal.new", language),
        },
        language,
        formats={"import_id": number(0, language)},
        key=key,
        title=title,
    )


def who_answered(language: str) -> None:
    """A caption naming who answers from each viewpoint (`Projets : l'équipe projet elle-même…`),
    under a chart that names the viewpoints by their short labels."""
    separator = " : " if language == "fr" else ": "
    who = "; ".join(
        f"{item.label(language)}{separator}{item.assessors(language)}" for item in ref.VIEWPOINTS
    )
    st.caption(t("viewpoints.who", language, who=who))


def map_shape(key: str, language: str) -> str:
    """The department map's drawing — the real shapes or the tile grid — chosen by the reader
    and kept in the URL (`map_shape`)."""
    key = lang_key(key)  # its options are labelled in the UI language
    bound(key, "map_shape", one_of(SHAPES), SHAPES[0])
    shape: str = st.radio(
        t("map.shape", language),
        options=SHAPES,
        format_func=lambda s: t(f"map.shape.{s}", language),
        horizontal=True,
        key=key,
    )
    keep("map_shape", shape, SHAPES[0])
    return shape
