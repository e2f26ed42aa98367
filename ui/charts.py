"""The chart builders of `coinvest.charts`, each drawn once per input (docs/rules.md "Speed").

Building an Altair chart and turning it into the Vega-Lite spec the browser receives took a
page 20–90 ms per chart at every run, the same figures giving the same chart. Here each builder
returns that spec, kept per input (the frames and options are the key) next to the figures'
cache: a page redrawn, or a filter already seen, sends the chart without building it. The spec
goes to `ui.show.chart` / `ui.show.altair`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from coinvest import charts
from ui import show

MAX_CHARTS = 256  # specs kept: each is a small aggregate frame and its encoding


def _vega_lite(chart: Any, validate: bool) -> dict[str, Any]:
    """An Altair chart as the Vega-Lite spec `st.altair_chart` sends (its frames under
    `datasets`, sent as Arrow), checked against Vega-Lite's schema only when `validate`: a tenth
    of a page's server time at L, and the page tests validate every chart drawn."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    if not validate:
        unchecked = functools.partial(type(chart).to_dict, chart, validate=False)
        object.__setattr__(chart, "to_dict", unchecked)  # Altair's own __setattr__ stores specs
    return dict(_convert_altair_to_vega_lite_spec(chart))


@st.cache_data(max_entries=MAX_CHARTS, show_spinner=False)
def _spec(name: str, args: tuple, kwargs: tuple, validate: bool) -> dict[str, Any]:
    return _vega_lite(getattr(charts, name)(*args, **dict(kwargs)), validate)


def _kept(name: str) -> Callable[..., dict[str, Any]]:
    builder = getattr(charts, name)

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return _spec(name, args, tuple(sorted(kwargs.items())), show.VALIDATE_CHARTS)

    return build


bar_chart = _kept("bar_chart")
box_plot = _kept("box_plot")
department_choropleth = _kept("department_choropleth")
department_map = _kept("department_map")
grouped_bars = _kept("grouped_bars")
heatmap = _kept("heatmap")
histogram = _kept("histogram")
line_chart = _kept("line_chart")
parallel_chart = _kept("parallel_chart")
projects_by_chart = _kept("projects_by_chart")
radar_chart = _kept("radar_chart")
