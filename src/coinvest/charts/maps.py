"""The department map: one tile per department, placed as on a map of France."""

from __future__ import annotations

import altair as alt
import pandas as pd

from coinvest.charts.base import (
    SEQUENTIAL_SCHEME,
    TILE,
    finish,
)
from coinvest.i18n import t
from coinvest.territory import departments


def tile_map(
    frame: pd.DataFrame,
    value: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    value_format: str = ",.0f",
) -> alt.TopLevelMixin:
    """A tile-grid map of the departments.

    `frame` has one row per department with `col`, `row`, `department_code`,
    `department_name` and the `value` column.
    """
    base = alt.Chart(frame).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
    )
    tiles = base.mark_rect(stroke="white", strokeWidth=1.5, cornerRadius=3).encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=alt.Scale(scheme=SEQUENTIAL_SCHEME),
            legend=alt.Legend(format=value_format, orient="bottom", gradientLength=TILE * 8),
        ),
        tooltip=[
            alt.Tooltip("department_name:N", title=""),
            alt.Tooltip("department_code:N", title="INSEE"),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    )
    labels = base.mark_text(fontSize=9, fontWeight="bold").encode(
        text="department_code:N",
        color=alt.condition(
            f"datum.{value} > {float(frame[value].max() or 0) * 0.55}",
            alt.value("black"),
            alt.value("white"),
        ),
    )
    n_cols = int(frame["col"].max()) + 1
    n_rows = int(frame["row"].max()) + 1
    chart = (tiles + labels).properties(
        title=title,
        description=description,
        width=TILE * n_cols,
        height=TILE * n_rows,
    )
    return finish(chart, lang, fixed=True)


def department_map(
    by_department: pd.DataFrame, measure: str, lang: str = "fr"
) -> alt.TopLevelMixin:
    """The tile map of `projects_by_department`, coloured by `projects` or `committed_eur`."""
    grid = {d.code: (d.col, d.row) for d in departments()}
    frame = by_department[["department_code", "department_name", measure]].copy()
    frame["col"] = frame["department_code"].map(lambda c: grid[c][0])
    frame["row"] = frame["department_code"].map(lambda c: grid[c][1])
    label = t("map.measure.projects" if measure == "projects" else "map.measure.eur", lang)
    return tile_map(
        frame,
        value=measure,
        value_title=label,
        title=t("map.title" if measure == "projects" else "map.title.eur", lang),
        description=t("map.description", lang, measure=label.lower()),
        lang=lang,
    )
