"""The department maps: the departments' real shapes (the overseas ones as insets), or one tile
per department placed as on a map of France."""

from __future__ import annotations

import json
from typing import Any, ClassVar

import altair as alt
import pandas as pd

from coinvest.charts.base import (
    SEQUENTIAL_SCHEME,
    TILE,
    finish,
    wrap,
)
from coinvest.i18n import t
from coinvest.territory import department_shapes, departments

# the under-served index in fixed classes (docs/figures.md "Territories"): light is well served,
# dark is short of support; viridis, read under the common colour-vision deficiencies
CLASS_LIMITS = (20.0, 40.0, 60.0, 80.0)
CLASS_COLOURS = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
MISSING_COLOUR = "#d4d4d4"  # no figure: "not indexed", or a rate without its denominator
MAP_WIDTH, MAP_HEIGHT = 350, 330  # fits a phone's width, as the tile grid does
LEGEND_LIMIT = 400  # pixels: a legend's title is wrapped (28 characters a line), never cut
SHAPES = ("map", "tiles")  # real shapes, or the tile grid


def tile_map(
    frame: pd.DataFrame,
    value: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    value_format: str = ",.0f",
    classes: tuple[float, ...] | None = None,
    marked: str | None = None,
    marked_title: str = "",
) -> alt.TopLevelMixin:
    """A tile-grid map of the departments, placed as on a map of France.

    `frame` has one row per department with `department_code`, `department_name` and the
    `value` column (and the boolean `marked` column: a cross follows its departments' codes).
    """
    grid = {d.code: (d.col, d.row) for d in departments()}
    columns = ["department_code", "department_name", value, *([marked] if marked else [])]
    frame = frame[list(dict.fromkeys(columns))].copy()
    frame["col"] = frame["department_code"].map(lambda c: grid[c][0])
    frame["row"] = frame["department_code"].map(lambda c: grid[c][1])
    if marked:
        frame["label"] = frame["department_code"] + frame[marked].map({True: "✕"}).fillna("")
    else:
        frame["label"] = frame["department_code"]
    base = alt.Chart(frame).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
    )
    tooltips = _tooltips(value, value_title, value_format, lang)
    tiles = (
        base.transform_filter(_valid(value))
        .mark_rect(stroke="white", strokeWidth=1.5, cornerRadius=3)
        .encode(color=_fill(value, value_title, classes, value_format), tooltip=tooltips)
    )
    layers = [tiles]
    if frame[value].isna().any():  # a department without a figure is drawn grey, not left out
        layers.append(
            base.transform_filter(_valid(value, False))
            .mark_rect(stroke="white", strokeWidth=1.5, cornerRadius=3, color=MISSING_COLOUR)
            .encode(tooltip=tooltips)
        )
    # white on the dark colours, black on the light ones and on the grey of a missing figure
    shown = f"datum[{json.dumps(value)}]"
    dark = (
        f"{shown} >= {CLASS_LIMITS[2]}"
        if classes
        else f"{shown} <= {float(frame[value].max() or 0) * 0.55}"  # viridis: low is dark
    )
    labels = base.mark_text(fontSize=9, fontWeight="bold").encode(
        text="label:N",
        color=alt.condition(f"isValid({shown}) && {dark}", alt.value("white"), alt.value("black")),
    )
    n_cols = int(frame["col"].max()) + 1
    n_rows = int(frame["row"].max()) + 1
    # an empty layer of marks would be a graphic without a name for screen readers
    chart = alt.layer(*layers, labels).properties(
        title=_title(title),
        description=description,
        width=TILE * n_cols,
        height=TILE * n_rows,
    )
    return finish(chart, lang, fixed=True)


def _fill(value: str, title: str, classes: tuple[float, ...] | None, value_format: str):
    """The colour of a department: fixed classes or a sequential scale (those without a figure
    are drawn grey, by a layer of their own)."""
    if classes:
        scale = alt.Scale(type="threshold", domain=list(classes), range=list(CLASS_COLOURS))
        legend = alt.Legend(
            orient="bottom", format=",.0f", direction="horizontal", titleLimit=LEGEND_LIMIT
        )
    else:
        scale = alt.Scale(scheme=SEQUENTIAL_SCHEME)
        legend = alt.Legend(
            format=value_format, orient="bottom", gradientLength=TILE * 8, titleLimit=LEGEND_LIMIT
        )
    return alt.Color(f"{value}:Q", title=wrap(title, 28), scale=scale, legend=legend)


def _tooltips(value: str, value_title: str, value_format: str, lang: str) -> list[alt.Tooltip]:
    """A department's name, code and figure, as both drawings show them."""
    return [
        alt.Tooltip("department_name:N", title=t("col.department", lang)),
        alt.Tooltip("department_code:N", title="INSEE"),
        alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
    ]


def _title(text: str) -> alt.TitleParams:
    """A map's title on as many lines as it needs: a title cut at the chart's width would read
    differently as the page's font arrives (a rate's name can be long)."""
    return alt.TitleParams(text=wrap(text, 44))


def _valid(value: str, valid: bool = True) -> str:
    test = f"isValid(datum[{json.dumps(value)}])"
    return test if valid else f"!{test}"


class _Whole:
    """Chart data that Altair hands on whole: a JSON list it neither copies nor walks.

    Altair copies a chart at every step of its building (a map has some forty) and walks every
    list of a spec when it writes it: the shapes' 17,000 coordinates cost a third of a second a
    chart, the departments' figures a tenth. As an object with its own `to_dict` (Altair's
    `SchemaLike`), the spec gets the same list for the cost of a reference.
    """

    _schema: ClassVar[dict[str, str]] = {"type": "array"}

    def __init__(self, values: list[dict[str, Any]]) -> None:
        self._values = values

    def to_dict(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self._values


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows as JSON values: a missing figure is null (the map's grey), never NaN."""
    kept = frame[columns].astype(object)
    return [
        {
            str(c): (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
            for c, v in row.items()
        }
        for row in kept.to_dict("records")
    ]


def department_choropleth(
    frame: pd.DataFrame,
    value: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    value_format: str = ",.0f",
    shape: str = "map",
    classes: tuple[float, ...] | None = None,
    marked: str | None = None,
    marked_title: str = "",
    extra_tooltips: tuple[tuple[str, str, str | None], ...] = (),
) -> alt.TopLevelMixin:
    """The departments coloured by `value` (grey where it is missing), on their real shapes
    (`shape="map"`: metropolitan France and the five overseas departments as insets) or on the
    tile grid. `classes` colours by fixed classes instead of a continuous scale; where the
    boolean column `marked` is true a cross marks the department (white zones).

    `frame` has one row per department: `department_code`, `department_name`, `value`, and the
    `marked` and tooltip columns (`extra_tooltips`: column, title, and a number format, or None
    for a text).
    """
    if shape not in SHAPES:
        raise ValueError(shape)
    if shape == "tiles":
        return tile_map(
            frame,
            value,
            value_title,
            title,
            description,
            lang,
            value_format,
            classes,
            marked,
            marked_title,
        )
    columns = ["department_code", "department_name", value]
    columns += [c for c in ([marked] if marked else []) if c not in columns]
    columns += [c for c, _, _ in extra_tooltips if c not in columns]
    rows = alt.Data(values=_Whole(_records(frame, columns)))
    looked_up = [c for c in columns if c != "department_code"]
    tooltips = _tooltips(value, value_title, value_format, lang) + [
        alt.Tooltip(f"{column}:N", title=tip)
        if number is None
        else alt.Tooltip(f"{column}:Q", title=tip, format=number)
        for column, tip, number in extra_tooltips
    ]
    # the layers' data, the shapes, is set on the finished chart (below)
    base = (
        alt.Chart()
        .transform_lookup(
            lookup="properties.code",
            from_=alt.LookupData(rows, "department_code", looked_up),
        )
        .transform_calculate(department_code="datum.properties.code")
    )
    layers = [
        base.transform_filter(_valid(value))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(color=_fill(value, value_title, classes, value_format), tooltip=tooltips)
        .project(type="identity", reflectY=True)
    ]
    # a department without a figure is drawn grey, not left out; no layer when there is none
    # (an empty layer of marks would be a graphic without a name for screen readers)
    if frame[value].isna().any():
        layers.append(
            base.transform_filter(_valid(value, False))
            .mark_geoshape(stroke="white", strokeWidth=0.6, color=MISSING_COLOUR)
            .encode(tooltip=tooltips)
            .project(type="identity", reflectY=True)
        )
    if marked and frame[marked].any():
        layers.append(
            base.transform_filter(f"datum[{json.dumps(marked)}] === true")
            .transform_calculate(mark_label=json.dumps(marked_title))
            .mark_point(shape="cross", filled=True, color="#d55e00", size=70, opacity=1)
            .encode(
                longitude="properties.cx:Q",
                latitude="properties.cy:Q",
                shape=alt.Shape(
                    "mark_label:N",
                    title=None,
                    scale=alt.Scale(range=["cross"]),
                    legend=alt.Legend(orient="bottom"),
                ),
            )
            .project(type="identity", reflectY=True)
        )
    chart = alt.layer(*layers).properties(
        title=_title(title), description=description, width=MAP_WIDTH, height=MAP_HEIGHT
    )
    finished = finish(chart, lang, fixed=True)
    # set once the chart is built: given to alt.layer, each layer would carry a copy
    finished.data = alt.Data(values=_Whole(department_shapes()["features"]))
    return finished


def department_map(
    by_department: pd.DataFrame, measure: str, lang: str = "fr", shape: str = "map"
) -> alt.TopLevelMixin:
    """The map of `projects_by_department`, coloured by `projects` or `committed_eur`."""
    label = t("map.measure.projects" if measure == "projects" else "map.measure.eur", lang)
    return department_choropleth(
        by_department,
        value=measure,
        value_title=label,
        title=t("map.title" if measure == "projects" else "map.title.eur", lang),
        description=t("map.description", lang, measure=label.lower()),
        lang=lang,
        shape=shape,
    )
