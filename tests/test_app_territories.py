"""The Territories page (docs/pages.md "Territories"): its figures are the metric layer's, every
setting lives in the URL, and the `support=none` filter works on every page."""

from __future__ import annotations

import json

import pytest

from coinvest import metrics
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from coinvest.i18n import format_number

ALL = PortfolioFilter(scope=None)


def _tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _figures(db, flt=ALL, **settings):
    con = open_database(db)
    try:
        return metrics.territory_support(con, flt, **settings)
    finally:
        con.close()


def _ranked(at):
    return next(d.value for d in at.dataframe if "Population" in d.value.columns)


def test_the_page_shows_the_metric_layers_figures(open_page, app_demo_path):
    at = open_page(app_demo_path, "territories")
    frame = _figures(app_demo_path)
    tiles = _tiles(at)
    assert tiles["Départements indexés"] == format_number(int(frame["indexed"].sum()))
    assert tiles["Zones blanches"] == format_number(int(frame["white_zone"].sum()))
    assert tiles["Besoins prioritaires non accompagnés"] == format_number(
        int(frame["unmet_priority"].sum())
    )
    ranked = _ranked(at)
    # every department, the most under-served first, as the metric layer ranks them
    assert list(ranked["Département"].head(10)) == list(frame["department_name"].head(10))
    elsewhere = "Structures actives ailleurs dans la région"
    act = next(d.value for d in at.dataframe if elsewhere in d.value.columns)
    assert len(act) == min(10, int(frame["rank"].notna().sum()))
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Indice de sous-dotation" in " ".join(spec["title"]["text"])
    assert "zones blanches" in spec["description"]
    # the real shapes: every department's geometry is in the chart
    shapes = spec["data"]["values"]
    assert len(shapes) == 101
    assert all(f["geometry"]["coordinates"] for f in shapes)


def test_every_setting_comes_from_the_url_and_changes_the_figures(open_page, app_demo_path):
    params = {
        "map_color": "coverage",
        "map_shape": "tiles",
        "need_threshold": "50",
        "n_min": "5",
        "w_unmet": "2",
        "w_capacity": "0",
        "w_fragile": "0.5",
    }
    at = open_page(app_demo_path, "territories", params)
    assert at.session_state["ter_map_color.fr"] == "coverage"
    assert at.session_state["ter_n_min"] == 5
    assert at.session_state["ter_w_capacity"] == 0.0
    for key, value in params.items():
        assert at.query_params[key] in (value, [value]), key
    frame = _figures(app_demo_path, threshold=50.0, n_min=5, weights=(2.0, 0.0, 0.5))
    assert _tiles(at)["Départements indexés"] == format_number(int(frame["indexed"].sum()))
    ranked = _ranked(at)
    assert list(ranked["Département"].head(5)) == list(frame["department_name"].head(5))
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Couverture" in " ".join(spec["title"]["text"])
    assert "values" not in spec.get("data", {})  # the tile grid: no shapes sent
    # back to the defaults: the URL keeps nothing of them
    at.slider(key="ter_n_min").set_value(3).run()
    assert "n_min" not in at.query_params


def test_all_weights_at_zero_is_said_not_raised(open_page, app_demo_path):
    at = open_page(
        app_demo_path, "territories", {"w_unmet": "0", "w_capacity": "0", "w_fragile": "0"}
    )
    assert "ne peuvent pas tous valoir 0" in at.warning[0].value


@pytest.mark.parametrize("name", ["overview", "territories", "needs"])
def test_the_unsupported_filter_on_every_page(open_page, app_demo_path, name):
    at = open_page(app_demo_path, name, {"support": "none"})
    assert at.session_state["f_support"] is True
    con = open_database(app_demo_path)
    unsupported = metrics.project_count(con, PortfolioFilter.create(support=True, scope=None))
    every = metrics.project_count(con, ALL)
    con.close()
    assert 0 < unsupported < every
    assert "Sans accompagnement" in " ".join(m.value for m in at.markdown)
    if name == "overview":
        assert _tiles(at)["Projets"] == format_number(unsupported)
    if name == "territories":
        assert _ranked(at)["Projets accompagnés"].astype(str).eq("0").all()
