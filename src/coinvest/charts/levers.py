"""Charts of the levers: radar, parallel coordinates and heatmap of scores 0–100."""

from __future__ import annotations

from typing import Any, Literal

import altair as alt
import pandas as pd

from coinvest.charts.base import (
    RADAR_SIZE,
    SEQUENTIAL_SCHEME,
    finish,
    series_colour,
    two_lines,
    wrap,
    wrapped_labels,
)


def _lever_tooltip(series: str, series_title: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{series}:N", title=series_title),
        alt.Tooltip("lever_label:N", title=""),
        alt.Tooltip("score:Q", title="Score", format=",.1f"),
    ]


def radar_chart(
    frame: pd.DataFrame,
    levers: list[str],
    series: str,
    series_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    colours: dict[str, str] | None = None,
) -> alt.TopLevelMixin:
    """A radar over the levers (0–100), one closed line per series, the first lever at the top
    and the others clockwise; rings at 25, 50, 75 and 100 with their values written.

    `frame` has `lever_label`, `score` and the `series` column; `levers` is the ordered list of
    lever labels. Positions are computed from each lever's angle (Vega-Lite has no polar lines).
    """
    n = len(levers)
    order = {label: i for i, label in enumerate(levers)}
    data = frame.assign(index=frame["lever_label"].map(order))
    angle = f"PI / 2 - 2 * PI * datum.index / {n}"
    reach = 160
    x_scale = alt.Scale(domain=[-reach, reach], nice=False)
    y_scale = alt.Scale(domain=[-reach, reach], nice=False)
    position = {
        "x": alt.X("x:Q", axis=None, scale=x_scale),
        "y": alt.Y("y:Q", axis=None, scale=y_scale),
    }
    grid = pd.DataFrame([{"ring": r, "index": i} for r in (25, 50, 75, 100) for i in range(n)])
    # each ring is one closed line through the levers in their order (else it zigzags)
    rings = (
        alt.Chart(grid)
        .transform_calculate(x=f"datum.ring * cos({angle})", y=f"datum.ring * sin({angle})")
        .mark_line(interpolate="linear-closed", color="#bcccdc", strokeWidth=1)
        .encode(detail="ring:N", order="index:Q", **position)
    )
    spokes = (
        alt.Chart(pd.DataFrame({"index": range(n)}))
        .transform_calculate(x0="0", y0="0", x=f"100 * cos({angle})", y=f"100 * sin({angle})")
        .mark_rule(color="#d9e2ec")
        .encode(
            x=alt.X("x0:Q", axis=None, scale=x_scale),
            y=alt.Y("y0:Q", axis=None, scale=y_scale),
            x2="x:Q",
            y2="y:Q",
        )
    )
    between = f"PI / 2 - PI / {n}"  # the scale is written between the first two levers
    scale_marks = (
        alt.Chart(pd.DataFrame({"value": [25, 50, 75, 100]}))
        .transform_calculate(x=f"datum.value * cos({between})", y=f"datum.value * sin({between})")
        .mark_text(align="left", dx=3, fontSize=9, color="#52606d")
        .encode(text="value:Q", **position)
    )
    names = pd.DataFrame(
        {"label": ["\n".join(wrap(label, 11)) for label in levers], "index": range(n)}
    )
    label_layers = []
    sides: tuple[
        tuple[Literal["left", "right", "center"], Literal["middle", "top", "bottom"], str], ...
    ]
    sides = (
        ("left", "middle", "cos(datum.a) > 0.2"),
        ("right", "middle", "cos(datum.a) < -0.2"),
        ("center", "bottom", "abs(cos(datum.a)) <= 0.2 && sin(datum.a) > 0"),
        ("center", "top", "abs(cos(datum.a)) <= 0.2 && sin(datum.a) <= 0"),
    )
    for align, baseline, test in sides:
        radius = 108 if align != "center" else 114
        label_layers.append(
            alt.Chart(names)
            .transform_calculate(a=angle)
            .transform_filter(test)
            .transform_calculate(  # top and bottom names clear the 100 ring's points
                x=f"{radius} * cos(datum.a)", y=f"{radius} * sin(datum.a)"
            )
            .mark_text(fontSize=10, color="#243b53", align=align, baseline=baseline, lineBreak="\n")
            .encode(text="label:N", **position)
        )
    base = alt.Chart(data).transform_calculate(
        x=f"datum.score * cos({angle})", y=f"datum.score * sin({angle})"
    )
    colour, _ = series_colour(data, series, series_title, order=None, colours=colours)
    lines = base.mark_line(interpolate="linear-closed", strokeWidth=2, opacity=0.9).encode(
        color=colour, detail=f"{series}:N", order="index:Q", **position
    )
    points = base.mark_point(filled=True, size=50).encode(
        color=colour, tooltip=_lever_tooltip(series, series_title), **position
    )
    chart = alt.layer(rings, spokes, scale_marks, *label_layers, lines, points).properties(
        title=title, description=description, width=RADAR_SIZE, height=RADAR_SIZE
    )
    return finish(chart, lang, fixed=True)


def parallel_chart(
    frame: pd.DataFrame,
    levers: list[str],
    series: str,
    series_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    colours: dict[str, str] | None = None,
) -> alt.TopLevelMixin:
    """Parallel coordinates over the levers (one axis per lever, 0–100), one line per series;
    every lever's name is shown, on several lines, and the chart takes its container's width."""
    colour, _ = series_colour(frame, series, series_title, colours=colours)
    base = alt.Chart(frame).encode(
        x=alt.X(
            "lever_label:N",
            sort=levers,
            title=None,
            axis=alt.Axis(
                labelAngle=0,
                labelLimit=0,
                labelOverlap=False,
                labelExpr=wrapped_labels(levers, 12),
                labelFontSize=10,
                labelLineHeight=12,
            ),
            scale=alt.Scale(domain=levers),
        ),
        y=alt.Y("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
        color=colour,
        detail=f"{series}:N",
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=50).encode(
        tooltip=_lever_tooltip(series, series_title)
    )
    chart = (lines + points).properties(
        title=title, description=description, width="container", height=320
    )
    return finish(chart, lang)


def heatmap(
    frame: pd.DataFrame,
    x: str,
    y: str,
    value: str,
    x_title: str,
    y_title: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    x_sort: list[str] | None = None,
    y_sort: list[str] | None = None,
    value_format: str = ",.0f",
    domain: list[float] | None = None,
    cell_height: int = 26,
    y_axis_title: bool = True,
    width: int | None = None,
) -> alt.TopLevelMixin:
    """A matrix of coloured cells with their value written in them.

    It fits the width it is given (a phone's, a page's column; `width` in pixels for a fixed
    picture): the columns share what the row labels and the legend, under the matrix, leave.
    A row label longer than a line goes on two (the second cut if it still runs on); the
    tooltips give it whole. Without `y_axis_title` the rows' labels speak for themselves (long
    lever names would run into a title beside them).
    """
    scale = (
        alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=domain)
        if domain
        else alt.Scale(scheme=SEQUENTIAL_SCHEME)
    )
    columns = len(x_sort) if x_sort else int(frame[x].nunique())
    # the frame is the layer's, not each mark's: Altair would otherwise compare the marks' data
    # row by row to lift it to the layer
    base = alt.Chart().encode(
        # every column and row of the sort lists is drawn, with no data (an empty band of the
        # pair density, a lever nobody scored) a blank cell, not a missing column
        x=alt.X(
            f"{x}:N",
            title=x_title,
            sort=x_sort,
            scale=alt.Scale(domain=x_sort) if x_sort else alt.Undefined,
            axis=alt.Axis(
                labelAngle=-90 if columns > WIDE_COLUMNS else 0,
                labelLimit=HEATMAP_LABEL_LIMIT,
                orient="top",
            ),
        ),
        y=alt.Y(
            f"{y}:N",
            title=y_title if y_axis_title else None,
            sort=y_sort,
            scale=alt.Scale(domain=y_sort) if y_sort else alt.Undefined,
            axis=alt.Axis(
                labelLimit=HEATMAP_LABEL_LIMIT,
                labelExpr=two_lines("datum.label", LABEL_LINE),
                labelLineHeight=12,
                labelOverlap=False,  # every row is named, a two-line label included
            ),
        ),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            f"{value}:Q",
            title=value_title,
            scale=scale,
            # short enough to sit under the plot beside long row labels on a phone
            legend=alt.Legend(format=value_format, orient="bottom", gradientLength=100),
        ),
        tooltip=[
            alt.Tooltip(f"{y}:N", title=y_title),
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    )
    top = float(frame[value].max()) if len(frame) else 0.0
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=value_format),
        color=alt.condition(f"datum.{value} > {top * 0.6}", alt.value("black"), alt.value("white")),
    )
    chart: Any = alt.layer(cells, text, data=frame)  # set in place: `properties` copies it
    chart.title = alt.TitleParams(text=wrap(title, 44))
    chart.description = description
    chart.height = alt.Step(cell_height)
    if width is not None:
        chart.width = width
    return finish(chart, lang)


# a heatmap's axis labels: at most this wide (pixels), row labels on two lines of this many
# characters; more columns than WIDE_COLUMNS turn their labels upright
HEATMAP_LABEL_LIMIT = 190
LABEL_LINE = 32
WIDE_COLUMNS = 4
