"""Chart builders: a small aggregated DataFrame in, an Altair chart out.

Every chart has a title, a Vega-Lite `description` (read by screen readers), tooltips, the
number format of the language, and a colour-blind-safe palette (Okabe–Ito for categories,
viridis for sequential scales).
"""

from __future__ import annotations

from typing import Final

import altair as alt
import pandas as pd

from coinvest import reference as ref
from coinvest.i18n import d3_number_format, d3_time_format, normalise_lang, t
from coinvest.territory import departments

# Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL_SCHEME: Final = "viridis"
TILE = 34  # pixels per tile of the department map


def _finish(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """Locale and shared look; applied once, to the top-level chart."""
    language = normalise_lang(lang)
    return chart.configure(
        locale={"number": d3_number_format(language), "time": d3_time_format(language)}
    ).configure_view(strokeWidth=0)


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
            legend=alt.Legend(format=value_format, orient="right"),
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
    return _finish(chart, lang)


def bar_chart(
    frame: pd.DataFrame,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    sort: list[str] | None = None,
    share: str | None = None,
    pick: str | None = None,
) -> alt.TopLevelMixin:
    """Horizontal bars, one per category, in the given order.

    With `pick`, clicking a bar selects its `pick` field (a selection named "pick").
    """
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{value}:Q", title=value_title, format=",.0f"),
    ]
    if share:
        tooltip.append(alt.Tooltip(f"{share}:Q", title="%", format=".1%"))
    chart = (
        alt.Chart(frame)
        .mark_bar(color=OKABE_ITO[0], cornerRadiusEnd=3)
        .encode(
            y=alt.Y(f"{category}:N", title=None, sort=sort or "-x", axis=alt.Axis(labelLimit=220)),
            x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=",.0f", tickMinStep=1)),
            tooltip=tooltip,
        )
        .properties(title=title, description=description, height=alt.Step(24))
    )
    if pick:
        chart = chart.encode(detail=f"{pick}:N").add_params(
            alt.selection_point(name="pick", fields=[pick], on="click")
        )
    return _finish(chart, lang)


def _series_colour(frame: pd.DataFrame, field: str, title: str, **legend) -> tuple[alt.Color, list]:
    """Okabe–Ito colours for the series of `field`, in their order of appearance."""
    domain = list(dict.fromkeys(frame[field]))
    colour = alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=domain, range=OKABE_ITO[: max(1, len(domain))]),
        legend=alt.Legend(orient="bottom", **legend),
    )
    return colour, domain


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
) -> alt.TopLevelMixin:
    """A radar over the levers (0–100), one closed line per series.

    `frame` has `lever_label`, `score` and the `series` column; `levers` is the ordered list of
    lever labels. Positions are computed from each lever's angle (Vega-Lite has no polar lines).
    """
    n = len(levers)
    order = {label: i for i, label in enumerate(levers)}
    data = frame.assign(index=frame["lever_label"].map(order))
    angle = f"2 * PI * datum.index / {n} - PI / 2"
    grid = pd.DataFrame([{"ring": r, "index": i} for r in (25, 50, 75, 100) for i in range(n)])
    rings = (
        alt.Chart(grid)
        .transform_calculate(x=f"datum.ring * cos({angle})", y=f"datum.ring * sin({angle})")
        .mark_line(interpolate="linear-closed", color="#d0d7de", strokeWidth=1)
        .encode(
            x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-135, 135])),
            y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-120, 120])),
            detail="ring:N",
        )
    )
    labels = (
        alt.Chart(pd.DataFrame({"label": levers, "index": range(n)}))
        .transform_calculate(x=f"118 * cos({angle})", y=f"118 * sin({angle})")
        .mark_text(fontSize=11, color="#334e68")
        .encode(x="x:Q", y="y:Q", text="label:N")
    )
    base = alt.Chart(data).transform_calculate(
        x=f"datum.score * cos({angle})", y=f"datum.score * sin({angle})"
    )
    colour, _ = _series_colour(data, series, series_title, columns=2, labelLimit=320)
    lines = base.mark_line(interpolate="linear-closed", strokeWidth=2, opacity=0.9).encode(
        x="x:Q", y="y:Q", color=colour, detail=f"{series}:N", order="index:Q"
    )
    points = base.mark_point(filled=True, size=50).encode(
        x="x:Q",
        y="y:Q",
        color=colour,
        tooltip=_lever_tooltip(series, series_title),
    )
    chart = (rings + labels + lines + points).properties(
        title=title, description=description, width=460, height=420
    )
    return _finish(chart, lang)


def parallel_chart(
    frame: pd.DataFrame,
    levers: list[str],
    series: str,
    series_title: str,
    title: str,
    description: str,
    lang: str = "fr",
) -> alt.TopLevelMixin:
    """Parallel coordinates over the levers (one axis per lever, 0–100), one line per series."""
    colour, _ = _series_colour(frame, series, series_title, columns=2, labelLimit=320)
    base = alt.Chart(frame).encode(
        x=alt.X(
            "lever_label:N", sort=levers, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=160)
        ),
        y=alt.Y("score:Q", title="Score (0–100)", scale=alt.Scale(domain=[0, 100])),
        color=colour,
        detail=f"{series}:N",
    )
    lines = base.mark_line(strokeWidth=2)
    points = base.mark_point(filled=True, size=50).encode(
        tooltip=_lever_tooltip(series, series_title)
    )
    chart = (lines + points).properties(title=title, description=description, width=620, height=360)
    return _finish(chart, lang)


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
    cell_width: int = 90,
) -> alt.TopLevelMixin:
    """A matrix of coloured cells with their value written in them."""
    scale = (
        alt.Scale(scheme=SEQUENTIAL_SCHEME, domain=domain)
        if domain
        else alt.Scale(scheme=SEQUENTIAL_SCHEME)
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x}:N",
            title=x_title,
            sort=x_sort,
            axis=alt.Axis(labelAngle=-90 if cell_width < 80 else 0, labelLimit=180, orient="top"),
        ),
        y=alt.Y(f"{y}:N", title=y_title, sort=y_sort, axis=alt.Axis(labelLimit=220)),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color(
            f"{value}:Q", title=value_title, scale=scale, legend=alt.Legend(format=value_format)
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
    chart = (cells + text).properties(
        title=title, description=description, width=alt.Step(cell_width), height=alt.Step(26)
    )
    return _finish(chart, lang)


def grouped_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    group: str,
    category_title: str,
    value_title: str,
    group_title: str,
    title: str,
    description: str,
    lang: str = "fr",
    sort: list[str] | None = None,
    value_format: str = ",.1f",
    stacked: bool = False,
) -> alt.TopLevelMixin:
    """Bars per category, one colour per group, side by side (or stacked)."""
    colour, domain = _series_colour(frame, group, group_title, labelLimit=260)
    encoding = {
        "y": alt.Y(f"{category}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=220)),
        "x": alt.X(
            f"{value}:Q",
            title=value_title,
            axis=alt.Axis(format=value_format),
            stack="normalize" if stacked else None,
        ),
        "color": colour,
        "tooltip": [
            alt.Tooltip(f"{category}:N", title=category_title),
            alt.Tooltip(f"{group}:N", title=group_title),
            alt.Tooltip(f"{value}:Q", title=value_title, format=value_format),
        ],
    }
    if not stacked:
        encoding["yOffset"] = alt.YOffset(f"{group}:N", sort=domain)
    step = 26 if stacked else max(18, 12 * len(domain))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(**encoding)
        .properties(title=title, description=description, height=alt.Step(step))
    )
    return _finish(chart, lang)


def box_plot(
    frame: pd.DataFrame,
    category: str,
    group: str,
    category_title: str,
    group_title: str,
    value_title: str,
    title: str,
    description: str,
    lang: str = "fr",
) -> alt.TopLevelMixin:
    """Box plots drawn from quartiles computed in SQL (min, q1, median, q3, max per row)."""
    colour, domain = _series_colour(frame, group, group_title)
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset(f"{group}:N", sort=domain),
    )
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{group}:N", title=group_title),
        alt.Tooltip("projects:Q", title="n"),
        alt.Tooltip("min:Q", format=",.1f"),
        alt.Tooltip("q1:Q", format=",.1f"),
        alt.Tooltip("median:Q", format=",.1f"),
        alt.Tooltip("q3:Q", format=",.1f"),
        alt.Tooltip("max:Q", format=",.1f"),
    ]
    scale = alt.Scale(domain=[0, 100])
    whisker = base.mark_rule().encode(
        x=alt.X("min:Q", title=value_title, scale=scale), x2="max:Q", color=colour, tooltip=tooltip
    )
    box = base.mark_bar(size=12, opacity=0.75).encode(
        x="q1:Q", x2="q3:Q", color=colour, tooltip=tooltip
    )
    median = base.mark_tick(color="black", thickness=2, size=12).encode(
        x="median:Q", tooltip=tooltip
    )
    chart = (whisker + box + median).properties(
        title=title, description=description, height=alt.Step(18 * len(domain) + 8)
    )
    return _finish(chart, lang)


def histogram(
    frame: pd.DataFrame,
    start: str,
    count: str,
    width: float,
    start_title: str,
    count_title: str,
    title: str,
    description: str,
    lang: str = "fr",
) -> alt.TopLevelMixin:
    """Bars of pre-binned counts (binning done in SQL)."""
    data = frame.assign(band_end=frame[start] + width)
    chart = (
        alt.Chart(data)
        .mark_bar(color=OKABE_ITO[0], stroke="white")
        .encode(
            x=alt.X(f"{start}:Q", title=start_title, bin="binned"),
            x2="band_end:Q",
            y=alt.Y(f"{count}:Q", title=count_title),
            tooltip=[
                alt.Tooltip(f"{start}:Q", title=start_title, format=",.0f"),
                alt.Tooltip(f"{count}:Q", title=count_title, format=",.0f"),
            ],
        )
        .properties(title=title, description=description, height=260)
    )
    return _finish(chart, lang)


def line_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    x_title: str,
    y_title: str,
    series_title: str,
    title: str,
    description: str,
    lang: str = "fr",
) -> alt.TopLevelMixin:
    """Lines over dates with their points (e.g. maturity per assessment round)."""
    colour, _ = _series_colour(frame, series, series_title)
    date_format = "%d/%m/%Y" if normalise_lang(lang) == "fr" else "%Y-%m-%d"
    base = alt.Chart(frame).encode(
        x=alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%b %Y")),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(domain=[0, 100])),
        color=colour,
    )
    chart = (
        base.mark_line(strokeWidth=2)
        + base.mark_point(filled=True, size=60).encode(
            tooltip=[
                alt.Tooltip(f"{series}:N", title=series_title),
                alt.Tooltip(f"{x}:T", title=x_title, format=date_format),
                alt.Tooltip(f"{y}:Q", title=y_title, format=",.1f"),
            ]
        )
    ).properties(title=title, description=description, height=280)
    return _finish(chart, lang)


# --- the Overview's charts (the page and the committee report draw the same ones) ---------------


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


def projects_by_chart(frame: pd.DataFrame, column: str, lang: str = "fr") -> alt.TopLevelMixin:
    """Bars of `projects_by` for `phase` or `need`, labelled in the language (adds `label`)."""
    items = {"phase": ref.PHASES, "need": ref.NEEDS}[column]
    frame["label"] = frame["code"].map(ref.labels(items, lang))
    return bar_chart(
        frame,
        category="label",
        value="projects",
        category_title=t(f"col.{column}", lang),
        value_title=t("col.projects", lang),
        title=t(f"chart.{column}.title", lang),
        description=t(f"chart.{column}.description", lang),
        lang=lang,
        sort=list(frame["label"]),
        share="share",
    )
