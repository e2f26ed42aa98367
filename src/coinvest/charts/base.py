"""The common ground of the chart builders: the palette, label wrapping, and the title,
locale and screen-reader description every chart gets."""

from __future__ import annotations

import json
from typing import Any, Final, cast

import altair as alt
import pandas as pd

from coinvest import reference as ref
from coinvest.i18n import d3_number_format, d3_time_format, normalise_lang

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


def two_lines(label: str, line: int) -> str:
    """A Vega expression breaking `label` at its last space before `line` characters: a label
    longer than a line is shown on two (the axis cuts the second if it still runs on)."""
    cut = f"lastindexof(substring({label}, 0, {line}), ' ')"
    return (
        f"length({label}) > {line} && {cut} > 0"
        f" ? [substring({label}, 0, {cut}), substring({label}, {cut} + 1)] : {label}"
    )


# a category axis's labels (a bar per lever, per cohort…): on two lines of this many characters
# at most, within this many pixels, so that the plot keeps most of a phone's width
CATEGORY_LINE = 26
CATEGORY_LABEL_LIMIT = 160


def category_axis(**options: Any) -> alt.Axis:
    """The axis of a bar chart's categories: every label shown, long ones on two lines."""
    return alt.Axis(
        labelLimit=CATEGORY_LABEL_LIMIT,
        labelExpr=two_lines("datum.label", CATEGORY_LINE),
        labelLineHeight=12,
        labelOverlap=False,
        **options,
    )


def wrapped_labels(labels: list[str], width: int = 16) -> str:
    """A Vega expression turning each label into its lines (multi-line axis labels)."""
    import json

    table = json.dumps({label: wrap(label, width) for label in labels}, ensure_ascii=False)
    return f"{table}[datum.label] || datum.label"


def finish(chart: alt.TopLevelMixin, lang: str, fixed: bool = False) -> alt.TopLevelMixin:
    """Locale and shared look; applied once, to the top-level chart.

    A chart fits its width to the page (axes and legend included, so nothing overflows a phone)
    and takes the height it needs: the plot is never squeezed to make room for a legend or
    multi-line labels. A `fixed` chart (radar, map) keeps the size it was given. A mark
    without tooltips of its own (a label, a cross) has none.
    """
    language = normalise_lang(lang)
    speak(chart, language)
    # set on the chart itself, which its builder made for this call alone: Altair's chained
    # `properties` and `configure_*` each deep-copied the chart, and a layered one's copy builds
    # it anew, copying every layer twice more (half of a page's chart-building time)
    top: Any = chart  # a Chart or a LayerChart: both have these top-level properties
    top.autosize = alt.AutoSizeParams(type="pad" if fixed else "fit-x", contains="padding")
    top.config = alt.Config(
        locale={"number": d3_number_format(language), "time": d3_time_format(language)},
        view=alt.ViewConfig(strokeWidth=0),
        # Streamlit's theme gives every mark a tooltip of its raw fields (`department_name`,
        # `lever_label`…): a mark shows the tooltip its chart names in words, or none
        mark=alt.MarkConfig(tooltip=False),
        # nothing hangs out of a phone's width: the end labels of a number or date axis stay
        # within it, and legends go under the plot, a series a line
        axisQuantitative=alt.AxisConfig(labelFlush=True),
        axisTemporal=alt.AxisConfig(labelFlush=True),
        legend=alt.LegendConfig(
            orient="bottom", symbolDirection="vertical", gradientDirection="horizontal"
        ),
    )
    return chart


def aria_text(tooltips: list, lang: str) -> str:
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


def speak(chart: Any, lang: str) -> None:
    """Screen readers hear each data mark in words (its tooltip's titles and values) and never
    the decoration: grid rings, spokes, labels written on the chart are hidden from them."""
    layers: list[Any] = chart.layer if isinstance(chart, alt.LayerChart) else [chart]
    for position, layer in enumerate(layers):
        if isinstance(layer, alt.LayerChart):
            speak(layer, lang)
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
        spoken = layer.transform_calculate(aria_text=aria_text(list(tooltips), lang)).encode(
            description="aria_text:N"
        )
        if isinstance(chart, alt.LayerChart):
            chart.layer[position] = spoken
        else:  # a single chart: its own transforms and encoding take the additions
            chart.transform = spoken.transform
            chart.encoding = spoken.encoding


LEGEND_LINE = 28  # a legend's entry: lines of at most this many characters (a phone's width)


def series_colour(
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
        "labelExpr": wrapped_labels([str(v) for v in domain], LEGEND_LINE),
        **legend,
    }
    colour = alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=domain or [""], range=colour_range or OKABE_ITO[:1]),
        legend=alt.Legend(**options),
    )
    return colour, domain
