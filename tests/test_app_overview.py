"""AppTest of the Overview page on the demo portfolio: its own figures."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from coinvest.db import open_database
from coinvest.i18n import format_number


def _sql_count(path: Path, where: str = "TRUE", params: list | None = None) -> int:
    con = open_database(path)
    try:
        return con.execute(f"SELECT count(*) FROM project WHERE {where}", params or []).fetchone()[
            0
        ]
    finally:
        con.close()


def chart_rows(chart) -> list[dict]:
    """The rows a chart sends to the browser (Streamlit ships them as Arrow datasets)."""
    rows: list[dict] = []
    for dataset in chart.proto.datasets:
        rows.extend(pa.ipc.open_stream(dataset.data.data).read_all().to_pylist())
    return rows


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# Every page renders, in English too, and says so when the filter matches nothing: see
# test_app_pages.py. Here: the Overview's own figures.


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_overview_tiles_show_the_project_count_of_the_database(open_page, app_demo_path, lang):
    app = open_page(app_demo_path, params={"lang": lang})
    tiles = _metrics(app)
    if lang == "en":
        assert app.title[0].value == "Portfolio overview"
        assert tiles["Projects"] == format_number(_sql_count(app_demo_path), lang="en")
        return
    assert app.title[0].value == "Vue d'ensemble du portefeuille"
    assert tiles["Projets"] == format_number(_sql_count(app_demo_path))
    assert set(tiles) == {
        "Projets",
        "€ engagés",
        "Ressources totales",
        "Effet de levier",
        "Bénéficiaires",
        "En territoires fragiles",
    }
    assert len(app.get("vega_lite_chart")) == 3


def map_rows(chart) -> list[dict]:
    """The departments' figures the map of real shapes looks up for its shapes."""
    spec = json.loads(chart.proto.spec)
    lookups = [
        step["from"]["data"]["values"]
        for layer in spec["layer"]
        for step in layer.get("transform", [])
        if "lookup" in step
    ]
    return lookups[0]


def test_map_sums_to_the_project_count_and_switches_to_euros(open_page, app_demo_path):
    app = open_page(app_demo_path)
    rows = map_rows(app.get("vega_lite_chart")[0])
    assert len(rows) == 101
    assert sum(r["projects"] for r in rows) == _sql_count(app_demo_path)
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert len(spec["data"]["values"]) == 101  # one shape per department
    app.radio(key="overview_map_measure.fr").set_value("committed_eur").run()
    assert not app.exception
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"]["text"] == ["Euros engagés par département"]
    euros = sum(r["committed_eur"] for r in map_rows(app.get("vega_lite_chart")[0]))
    # the tile grid, the other drawing: the same figures, as Arrow rows
    app.radio(key="overview_map_shape.fr").set_value("tiles").run()
    assert app.query_params["map_shape"] in ("tiles", ["tiles"])
    tiles = chart_rows(app.get("vega_lite_chart")[0])
    assert len(tiles) == 101
    assert euros > 0
    assert sum(r["committed_eur"] for r in tiles) == pytest.approx(euros)


def test_filter_in_the_url_restricts_the_figures(open_page, app_demo_path):
    expected = _sql_count(app_demo_path, "phase IN ('rnd', 'scaling') AND need = ?", ["employment"])
    app = open_page(app_demo_path, params={"phase": ["rnd", "scaling"], "need": "employment"})
    assert _metrics(app)["Projets"] == format_number(expected)


def test_investor_in_the_url_shows_leverage(open_page, app_demo_path):
    tiles = _metrics(open_page(app_demo_path, params={"investor": "INV01"}))
    assert "€ levés" in tiles
    assert tiles["Effet de levier"] != "—"


def test_empty_database_invites_to_load_data(open_page, tmp_path):
    at = open_page(tmp_path / "empty.duckdb")
    assert "coinvest demo" in at.info[0].value


def test_unusable_database_gives_a_message_not_a_traceback(open_page, tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    at = open_page(bad)
    assert "n'est pas une base DuckDB" in at.error[0].value
    assert bad.read_text() == "not a database"


def test_a_server_that_stops_answering_is_a_message_not_a_traceback(
    open_page, app_demo_path, monkeypatch
):
    import ui.context
    from coinvest.db import EngineError

    def lost(con):
        raise EngineError("server closed the connection unexpectedly")

    monkeypatch.setattr(ui.context, "data_version", lost)
    at = open_page(app_demo_path)
    assert "ne répond pas (server closed the connection unexpectedly)" in at.error[0].value
    assert not at.metric  # no figures drawn from a database that is not answering


def test_a_postgresql_server_that_cannot_be_reached_is_one_message(open_page, pg):
    url = f"postgresql://postgres:hunter2@127.0.0.1:{pg.port}/no_such_database"
    at = open_page(url)
    message = at.error[0].value.replace("\\", "")  # the values are escaped for Markdown
    assert "Impossible d'ouvrir la base" in message
    assert "no_such_database" in message
    assert "hunter2" not in message


def test_the_figures_under_a_chart_are_drawn_once_opened(open_page, app_demo_path):
    """A page does not draw the tables nobody opens: each chart's figures come on request."""
    from tests.conftest import unfold

    app = open_page(app_demo_path, unfolded=False)
    assert len(app.expander) == 3
    assert len(app.dataframe) == 0
    unfold(app)
    departments = next(d.value for d in app.dataframe if "Département" in d.value.columns)
    assert departments["Projets"].sum() == _sql_count(app_demo_path)
    assert len(app.dataframe) == 3


@pytest.mark.parametrize("investor", [None, "INV02"])
def test_the_committee_report_opens_on_the_overviews_headline_figures(
    open_page, app_demo_path, investor
):
    from datetime import date

    from coinvest.filters import PortfolioFilter
    from coinvest.report import committee_report

    at = open_page(app_demo_path, "overview", {"investor": investor} if investor else {})
    screen = {m.label: m.value for m in at.metric}
    con = open_database(app_demo_path)  # as the app opened it, in this process
    try:
        flt = PortfolioFilter.create(investor=investor, scope=None)
        page = committee_report(con, flt, "fr", date(2026, 12, 3))
    finally:
        con.close()
    assert len(screen) == 6
    for label, value in screen.items():
        assert f"<div>{label}</div><div class='v'>{value}</div>" in page.replace("&#x27;", "'")
