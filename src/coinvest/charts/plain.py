"""Bars, grouped bars, box plots, histograms and lines of aggregated frames."""

from __future__ import annotations

import altair as alt
import pandas as pd

from coinvest import reference as ref
from coinvest.charts.base import (
    OKABE_ITO,
    category_axis,
    finish,
    series_colour,
)
from coinvest.i18n import normalise_lang, t

BAR_TICKS = 6  # a bar chart's value axis: a few round ticks, not one every two units


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
            y=alt.Y(f"{category}:N", title=None, sort=sort or "-x", axis=category_axis()),
            x=alt.X(
                f"{value}:Q",
                title=value_title,
                axis=alt.Axis(format=",.0f", tickMinStep=1, tickCount=BAR_TICKS),
            ),
            tooltip=tooltip,
        )
        .properties(title=title, description=description, height=alt.Step(24))
    )
    if pick:
        chart = chart.encode(detail=f"{pick}:N").add_params(
            alt.selection_point(name="pick", fields=[pick], on="click")
        )
    return finish(chart, lang)


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
    groups: list[str] | None = None,
    colours: dict[str, str] | None = None,
) -> alt.TopLevelMixin:
    """Bars per category, one colour per group, side by side (or stacked), the groups in the
    order of `groups` (e.g. the phases in process order) or of their appearance."""
    colour, domain = series_colour(frame, group, group_title, order=groups, colours=colours)
    rank = {g: i for i, g in enumerate(domain)}
    frame = frame.assign(group_rank=frame[group].map(rank))
    encoding = {
        "y": alt.Y(f"{category}:N", title=None, sort=sort, axis=category_axis()),
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
    if stacked:
        encoding["order"] = alt.Order("group_rank:Q")
    else:
        encoding["yOffset"] = alt.YOffset(f"{group}:N", sort=domain)
    step = 26 if stacked else max(18, 12 * len(domain))
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(**encoding)
        .properties(title=title, description=description, height=alt.Step(step))
    )
    return finish(chart, lang)


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
    colour, domain = series_colour(frame, group, group_title)
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", title=None, axis=category_axis()),
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
    return finish(chart, lang)


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
    return finish(chart, lang)


POINT_ROOM = 12  # pixels between a line chart's extreme points and its axes


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
    colours: dict[str, str] | None = None,
    order: list[str] | None = None,
) -> alt.TopLevelMixin:
    """Lines over dates with their points (e.g. maturity per assessment round); one tick label
    per month at most, never the same month twice."""
    colour, _ = series_colour(frame, series, series_title, order=order, colours=colours)
    date_format = "%d/%m/%Y" if normalise_lang(lang) == "fr" else "%Y-%m-%d"
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x}:T",
            title=x_title,
            axis=alt.Axis(
                format="%b %Y", tickCount={"interval": "month", "step": 3}, labelOverlap="greedy"
            ),
            # the first and last rounds stand clear of the axes, not half hidden on them
            scale=alt.Scale(padding=POINT_ROOM),
        ),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(domain=[0, 100], padding=POINT_ROOM)),
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
    ).properties(title=title, description=description, height=300, width="container")
    return finish(chart, lang)


# --- the Overview's charts (the page and the committee report draw the same ones) ---------------


def labelled(frame: pd.DataFrame, column: str, lang: str = "fr") -> pd.DataFrame:
    """`projects_by` for `phase` or `need` with a `label` column in the language."""
    items = {"phase": ref.PHASES, "need": ref.NEEDS}[column]
    return frame.assign(label=frame["code"].map(ref.labels(items, lang)))


def projects_by_chart(frame: pd.DataFrame, column: str, lang: str = "fr") -> alt.TopLevelMixin:
    """Bars of `projects_by` for `phase` or `need`, labelled in the language (the frame itself
    is left as it is: `labelled` gives the labels to a table)."""
    frame = labelled(frame, column, lang)
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
