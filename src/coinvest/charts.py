"""Chart builders: a small aggregated DataFrame in, an Altair chart out.

Every chart has a title, a Vega-Lite `description` (read by screen readers), tooltips, the
number format of the language, and a colour-blind-safe palette (Okabe–Ito for categories,
viridis for sequential scales).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from coinvest.i18n import d3_number_format, normalise_lang

# Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL_SCHEME = "viridis"
TILE = 34  # pixels per tile of the department map


def _finish(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """Locale and shared look; applied once, to the top-level chart."""
    return chart.configure(
        locale={"number": d3_number_format(normalise_lang(lang))}
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
) -> alt.TopLevelMixin:
    """Horizontal bars, one per category, in the given order."""
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
        .properties(title=title, description=description, height=24 * len(frame))
    )
    return _finish(chart, lang)
