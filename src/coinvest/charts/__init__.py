"""Chart builders: a small aggregated DataFrame in, an Altair chart out.

Every chart has a title, a Vega-Lite `description` (read by screen readers), tooltips, the
number format of the language, and a colour-blind-safe palette (Okabe–Ito for categories,
viridis for sequential scales). Charts get frames: they never open a connection nor compute a
figure (an import-linter contract).

- `base`: palette, label wrapping, and what every chart gets;
- `levers`: radar, parallel coordinates and heatmap of lever scores;
- `plain`: bars, grouped bars, box plots, histograms, lines;
- `maps`: the department maps (real shapes with the overseas insets, or the tile grid).
"""

from __future__ import annotations

from coinvest.charts.base import (
    CONSOLIDATED_COLOUR,
    OKABE_ITO,
    RADAR_SIZE,
    SEQUENTIAL_SCHEME,
    TILE,
    VIEWPOINT_COLOURS,
    viewpoint_colours,
    wrap,
)
from coinvest.charts.levers import heatmap, parallel_chart, radar_chart
from coinvest.charts.maps import (
    CLASS_LIMITS,
    SHAPES,
    department_choropleth,
    department_map,
    tile_map,
)
from coinvest.charts.plain import (
    bar_chart,
    box_plot,
    grouped_bars,
    histogram,
    labelled,
    line_chart,
    projects_by_chart,
)

__all__ = [
    "CLASS_LIMITS",
    "CONSOLIDATED_COLOUR",
    "OKABE_ITO",
    "RADAR_SIZE",
    "SEQUENTIAL_SCHEME",
    "SHAPES",
    "TILE",
    "VIEWPOINT_COLOURS",
    "bar_chart",
    "box_plot",
    "department_choropleth",
    "department_map",
    "grouped_bars",
    "heatmap",
    "histogram",
    "labelled",
    "line_chart",
    "parallel_chart",
    "projects_by_chart",
    "radar_chart",
    "tile_map",
    "viewpoint_colours",
    "wrap",
]
