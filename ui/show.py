"""Showing frames: a chart with its figures as a table, project tables that open the sheet."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from coinvest.i18n import format_date, format_eur, format_number, format_pct, t

PROJECT_PAGE = "app_pages/project.py"
SHEET_PROJECT = "sheet_project"


def number(decimals: int, language: str) -> Callable:
    return partial(_fmt_number, decimals=decimals, language=language)


def _fmt_number(value, decimals: int, language: str) -> str:
    return format_number(value, decimals, language)


def eur(language: str) -> Callable:
    return lambda value: format_eur(value, lang=language)


def pct(language: str) -> Callable:
    return lambda value: format_pct(value, lang=language)


def day(language: str) -> Callable:
    return lambda value: (
        format_date(value, language) if value is not None and not pd.isna(value) else "—"
    )


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    language: str,
    formats: dict[str, Callable] | None = None,
    key: str | None = None,
    select: bool = False,
):
    """A table with French/English number formats (the numbers stay numbers for sorting).

    With `select`, picking a row that has a `project_id` opens that project's sheet.
    """
    shown = frame[list(columns)].copy()
    numeric: dict[str, Callable] = {}
    for column, formatter in (formats or {}).items():
        if column not in columns:
            continue
        if shown[column].isna().any():
            # Streamlit draws missing cells as "None" whatever the Styler says: such a column
            # is shown as formatted text, with "—" where a figure does not exist
            shown[column] = [formatter(v) for v in shown[column]]
        else:
            numeric[columns[column]] = formatter
    shown = shown.rename(columns=columns)
    styled = shown.style.format(numeric) if numeric else shown
    if not select:
        st.dataframe(styled, hide_index=True, key=key)
        return
    event = st.dataframe(
        styled, hide_index=True, key=key, on_select="rerun", selection_mode="single-row"
    )
    st.caption(t("table.open_hint", language))
    rows = event.selection.rows if event else []
    if rows and "project_id" in frame.columns:
        open_project(frame.iloc[rows[0]]["project_id"])


def open_project(project_id: str) -> None:
    st.session_state[SHEET_PROJECT] = project_id
    st.switch_page(PROJECT_PAGE)


def chart(
    spec,
    frame: pd.DataFrame,
    columns: dict[str, str],
    language: str,
    formats: dict[str, Callable] | None = None,
    key: str | None = None,
    stretch: bool = True,
    pick_project: bool = False,
) -> None:
    """The chart, then its figures in a table under it.

    With `pick_project`, clicking a mark carrying a `project_id` opens that project's sheet.
    """
    width = "stretch" if stretch else "content"
    if not pick_project:
        st.altair_chart(spec, width=width, key=key)
    else:
        event = st.altair_chart(
            spec, width=width, key=key, on_select="rerun", selection_mode="pick"
        )
        picked = (event.selection.get("pick") or []) if event else []
        if picked and picked[0].get("project_id"):
            open_project(picked[0]["project_id"])
        st.caption(t("chart.open_hint", language))
    with st.expander(t("chart.show_table", language)):
        table(frame, columns, language, formats)
