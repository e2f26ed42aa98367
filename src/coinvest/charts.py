"""Chart builders: a small aggregated DataFrame in, an Altair chart out.

Every chart has a title, a Vega-Lite `description` (read by screen readers), tooltips, the
number format of the language, and a colour-blind-safe palette (Okabe–Ito for categories,
viridis for sequential scales).
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal, cast

import altair as alt
import pandas as pd

from coinvest import reference as ref
from coinvest.i18n import d3_number_format, d3_time_format, normalise_lang, t
from coinvest.territory import departments

# Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL_SCHEME: Final = "viridis"
TILE = 27  # pixels per tile of the department map: 13 columns fit a phone's width
# One colour per viewpoint on every chart (and the consolidated view in black).
VIEWPOINT_COLOURS: Final = {
    "ecosystem": OKABE_ITO[2],
    "project": OKABE_ITO[1],
    "investment": OKABE_ITO[0],
}
CONSOLIDATED_COLOUR: Final = OKABE_ITO[7]
RADAR_SIZE = 340  # fits a phone's width (390 px less the page's margins)


def viewpoint_colours(lang: str = "fr", consolidated: str | None = None) -> dict[str, str]:
    """Label → colour of the viewpoints in a language (and of the consolidated label, if given)."""
    colours = {v.label(lang): VIEWPOINT_COLOURS[v.code] for v in ref.VIEWPOINTS}
    if consolidated:
        colours[consolidated] = CONSOLIDATED_COLOUR
    return colours


def wrap(label: str, width: int = 16) -> list[str]:
    """A label cut into lines of about `width` characters, at spaces."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [label]


def _wrapped_labels(labels: list[str], width: int = 16) -> str:
    """A Vega expression turning each label into its lines (multi-line axis labels)."""
    import json

    table = json.dumps({label: wrap(label, width) for label in labels}, ensure_ascii=False)
    return f"{table}[datum.label] || datum.label"


def _finish(chart: alt.TopLevelMixin, lang: str, fixed: bool = False) -> alt.TopLevelMixin:
    """Locale and shared look; applied once, to the top-level chart.

    A chart fits its width to the page (axes and legend included, so nothing overflows a phone)
    and takes the height it needs: the plot is never squeezed to make room for a legend or
    multi-line labels. A `fixed` chart (radar, map, matrix) keeps the size it was given.
    """
    language = normalise_lang(lang)
    autosize = alt.AutoSizeParams(type="pad" if fixed else "fit-x", contains="padding")
    _speak(chart, language)
    return (
        chart.properties(autosize=autosize)
        .configure(locale={"number": d3_number_format(language), "time": d3_time_format(language)})
        .configure_view(strokeWidth=0)
    )


def _aria_text(tooltips: list, lang: str) -> str:
    """A Vega expression saying a mark in words from its tooltips' titles and formats
    (`Projets : 14 ; Phase : Modélisation`), where Vega-Lite would say field names."""
    separator = " : " if lang == "fr" else ": "
    parts = []
    for tip in tooltips:
        spec = tip.to_dict() if hasattr(tip, "to_dict") else dict(tip)
        field = json.dumps(spec["field"])
        value = f"datum[{field}]"
        if spec.get("type") == "quantitative":
            value = (
                f"(isValid({value}) ? format({value}, {json.dumps(spec.get('format', ','))}) : '—')"
            )
        elif spec.get("type") == "temporal":
            value = f"timeFormat({value}, {json.dumps(spec.get('format', '%d/%m/%Y'))})"
        else:
            value = f"('' + {value})"
        title = spec.get("title")
        parts.append(f"{json.dumps(title + separator)} + {value}" if title else value)
    return " + ' ; ' + ".join(parts) if lang == "fr" else " + '; ' + ".join(parts)


def _speak(chart: Any, lang: str) -> None:
    """Screen readers hear each data mark in words (its tooltip's titles and values) and never
    the decoration: grid rings, spokes, labels written on the chart are hidden from them."""
    layers: list[Any] = chart.layer if isinstance(chart, alt.LayerChart) else [chart]
    for position, layer in enumerate(layers):
        if isinstance(layer, alt.LayerChart):
            _speak(layer, lang)
            continue
        encoding = layer.encoding
        tooltips = encoding.tooltip if encoding is not alt.Undefined else alt.Undefined
        if tooltips is alt.Undefined:
            mark = layer.mark
            layer.mark = (
                alt.MarkDef(cast(Any, mark), aria=False) if isinstance(mark, str) else mark.copy()
            )
            if not isinstance(mark, str):
                layer.mark.aria = False
            continue
        spoken = layer.transform_calculate(aria_text=_aria_text(list(tooltips), lang)).encode(
            description="aria_text:N"
        )
        if isinstance(chart, alt.LayerChart):
            chart.layer[position] = spoken
        else:  # a single chart: its own transforms and encoding take the additions
            chart.transform = spoken.transform
            chart.encoding = spoken.encoding


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
    return _finish(chart, lang, fixed=True)


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


def _series_colour(
    frame: pd.DataFrame,
    field: str,
    title: str,
    order: list[str] | None = None,
    colours: dict[str, str] | None = None,
    **legend,
) -> tuple[alt.Color, list]:
    """Colours for the series of `field`: fixed ones where `colours` names them (a viewpoint is
    always the same colour), else Okabe–Ito in the given order or their order of appearance.

    The legend lists every series, one per line, with its whole name.
    """
    present = list(dict.fromkeys(frame[field]))
    domain = (
        [v for v in order if v in present] + [v for v in present if v not in order]
        if order
        else present
    )
    palette = iter([c for c in OKABE_ITO if c not in (colours or {}).values()] + OKABE_ITO)
    colour_range = [(colours or {}).get(v) or next(palette) for v in domain]
    # every name whole, on several lines when long (a phone's width holds ~45 characters)
    options = {
        "orient": "bottom",
        "direction": "vertical",
        "labelLimit": 0,
        "labelExpr": _wrapped_labels([str(v) for v in domain], 44),
        **legend,
    }
    colour = alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=domain or [""], range=colour_range or OKABE_ITO[:1]),
        legend=alt.Legend(**options),
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
    colour, _ = _series_colour(data, series, series_title, order=None, colours=colours)
    lines = base.mark_line(interpolate="linear-closed", strokeWidth=2, opacity=0.9).encode(
        color=colour, detail=f"{series}:N", order="index:Q", **position
    )
    points = base.mark_point(filled=True, size=50).encode(
        color=colour, tooltip=_lever_tooltip(series, series_title), **position
    )
    chart = alt.layer(rings, spokes, scale_marks, *label_layers, lines, points).properties(
        title=title, description=description, width=RADAR_SIZE, height=RADAR_SIZE
    )
    return _finish(chart, lang, fixed=True)


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
    colour, _ = _series_colour(frame, series, series_title, colours=colours)
    base = alt.Chart(frame).encode(
        x=alt.X(
            "lever_label:N",
            sort=levers,
            title=None,
            axis=alt.Axis(
                labelAngle=0,
                labelLimit=0,
                labelOverlap=False,
                labelExpr=_wrapped_labels(levers, 12),
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
    cell_height: int = 26,
    y_axis_title: bool = True,
) -> alt.TopLevelMixin:
    """A matrix of coloured cells with their value written in them.

    Without `y_axis_title` the rows' labels speak for themselves (long lever names would run
    into a title beside them); the tooltips still name the rows.
    """
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
        y=alt.Y(
            f"{y}:N",
            title=y_title if y_axis_title else None,
            sort=y_sort,
            axis=alt.Axis(labelLimit=260),
        ),
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
        title=title,
        description=description,
        width=alt.Step(cell_width),
        height=alt.Step(cell_height),
    )
    return _finish(chart, lang, fixed=True)


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
    colour, domain = _series_colour(frame, group, group_title, order=groups, colours=colours)
    rank = {g: i for i, g in enumerate(domain)}
    frame = frame.assign(group_rank=frame[group].map(rank))
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
    colours: dict[str, str] | None = None,
    order: list[str] | None = None,
) -> alt.TopLevelMixin:
    """Lines over dates with their points (e.g. maturity per assessment round); one tick label
    per month at most, never the same month twice."""
    colour, _ = _series_colour(frame, series, series_title, order=order, colours=colours)
    date_format = "%d/%m/%Y" if normalise_lang(lang) == "fr" else "%Y-%m-%d"
    base = alt.Chart(frame).encode(
        x=alt.X(
            f"{x}:T",
            title=x_title,
            axis=alt.Axis(
                format="%b %Y", tickCount={"interval": "month", "step": 3}, labelOverlap="greedy"
            ),
        ),
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
    ).properties(title=title, description=description, height=300, width="container")
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
