"""AppTest of the Overview page on the demo portfolio."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.i18n import format_number

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def app_db(tmp_path_factory) -> Path:
    """A demo database of the app's own (the app opens it read-write)."""
    path = tmp_path_factory.mktemp("app") / "demo.duckdb"
    con = open_database(path)
    generate(con, n_projects=300, seed=42, progress=lambda _: None)
    con.close()
    return path


def _sql_count(path: Path, where: str = "TRUE", params: list | None = None) -> int:
    con = open_database(path)
    try:
        return con.execute(f"SELECT count(*) FROM project WHERE {where}", params or []).fetchone()[
            0
        ]
    finally:
        con.close()


@pytest.fixture
def app(app_db, monkeypatch, clear_streamlit_caches):
    monkeypatch.setenv("COINVEST_DB", str(app_db))
    monkeypatch.delenv("COINVEST_READ_ONLY", raising=False)
    return AppTest.from_file(APP, default_timeout=60)


def chart_rows(chart) -> list[dict]:
    """The rows a chart sends to the browser (Streamlit ships them as Arrow datasets)."""
    rows: list[dict] = []
    for dataset in chart.proto.datasets:
        rows.extend(pa.ipc.open_stream(dataset.data.data).read_all().to_pylist())
    return rows


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_renders_with_the_project_count_of_the_database(app, app_db):
    expected = _sql_count(app_db)
    app.run()
    assert not app.exception
    assert app.title[0].value == "Vue d'ensemble du portefeuille"
    tiles = _metrics(app)
    assert tiles["Projets"] == format_number(expected)
    assert set(tiles) == {
        "Projets",
        "€ engagés",
        "Ressources totales",
        "Effet de levier",
        "Bénéficiaires",
        "En territoires fragiles",
    }
    charts = app.get("vega_lite_chart")
    assert len(charts) == 3
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec["title"]
        assert spec["description"]


def test_map_sums_to_the_project_count_and_switches_to_euros(app, app_db):
    app.run()
    rows = chart_rows(app.get("vega_lite_chart")[0])
    assert len(rows) == 101
    assert sum(r["projects"] for r in rows) == _sql_count(app_db)
    app.radio(key="overview_map_measure.fr").set_value("committed_eur").run()
    assert not app.exception
    spec = json.loads(app.get("vega_lite_chart")[0].proto.spec)
    assert spec["title"] == "Euros engagés par département"


def test_filter_in_the_url_restricts_the_figures(app, app_db):
    expected = _sql_count(app_db, "phase IN ('rnd', 'scaling') AND need = ?", ["employment"])
    app.query_params["phase"] = ["rnd", "scaling"]
    app.query_params["need"] = "employment"
    app.run()
    assert not app.exception
    assert _metrics(app)["Projets"] == format_number(expected)


def test_investor_in_the_url_shows_leverage(app):
    app.query_params["investor"] = "INV01"
    app.run()
    assert not app.exception
    tiles = _metrics(app)
    assert "€ levés" in tiles
    assert tiles["Effet de levier"] != "—"


def test_filter_matching_nothing_says_so(app):
    app.query_params["search"] = "aucun projet ne porte ce nom"
    app.run()
    assert not app.exception
    assert "Aucun projet ne correspond" in app.info[0].value
    assert not app.get("vega_lite_chart")


def test_english_on_request(app, app_db):
    app.query_params["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Portfolio overview"
    assert _metrics(app)["Projects"] == format_number(_sql_count(app_db), lang="en")


def test_empty_database_invites_to_load_data(tmp_path, monkeypatch, clear_streamlit_caches):
    monkeypatch.setenv("COINVEST_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "coinvest demo" in at.info[0].value


def test_unusable_database_gives_a_message_not_a_traceback(
    tmp_path, monkeypatch, clear_streamlit_caches
):
    bad = tmp_path / "bad.duckdb"
    bad.write_text("not a database")
    monkeypatch.setenv("COINVEST_DB", str(bad))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert "n'est pas une base DuckDB" in at.error[0].value
    assert bad.read_text() == "not a database"
