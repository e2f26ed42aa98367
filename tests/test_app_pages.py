"""AppTests of every page: on the demo, with a filter matching nothing, with a filter from the
URL; on each page a key figure is checked against the metric layer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coinvest import derived, metrics
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from coinvest.i18n import format_number
from tests.browser.harness import EVERY_PAGE, PAGE_FILES, PAGES
from tests.portfolio import PORTFOLIO

CHART_PAGES = (
    "overview",
    "utility",
    "territories",
    "compare",
    "viewpoints",
    "cohorts",
    "project",
    "partnerships",
)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.duckdb"
    con = open_database(path)
    for statement in PORTFOLIO:
        con.execute(statement)
    derived.refresh(con)  # what the write path does after a write of every table
    con.close()
    return path


def metric_layer(db: Path):
    return open_database(db)


def plain(markdown: str) -> str:
    """The text a reader sees, without the escapes that keep user text inert."""
    return re.sub(r"\\(.)", r"\1", markdown)


def tiles(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_every_page_renders_on_the_demo(open_page, app_demo_path, name):
    at = open_page(app_demo_path, name)
    assert at.title
    if name in CHART_PAGES:
        charts = at.get("vega_lite_chart")
        assert charts, name
        for chart in charts:
            spec = json.loads(chart.proto.spec)
            assert spec.get("title"), name
            assert spec.get("description"), name
            assert spec["config"]["locale"]["number"]["decimal"] == ","
            assert spec["config"]["locale"]["time"]["months"][0] == "janvier"


@pytest.mark.parametrize("name", [p for p in PAGES if p not in ("method", "project", *PAGE_FILES)])
def test_every_page_says_so_when_the_filter_matches_nothing(open_page, app_demo_path, name):
    at = open_page(app_demo_path, name, {"search": "aucun projet ne s'appelle ainsi"})
    assert "Aucun projet ne correspond" in " ".join(i.value for i in at.info)
    assert not at.get("vega_lite_chart")


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_every_page_in_english(open_page, app_demo_path, name):
    at = open_page(app_demo_path, name, {"lang": "en", "phase": "modelling"})
    assert at.session_state["ui_lang"] == "en"


def test_a_filter_in_the_url_sets_the_sidebar_and_survives_a_page_switch(open_page, app_demo_path):
    at = open_page(
        app_demo_path,
        "overview",
        {"investor": "INV02", "phase": ["rnd", "scaling"], "qpv": "1", "year_from": "2024"},
    )
    assert at.session_state["f_investor"] == "INV02"
    assert at.session_state["f_phase.fr"] == ["rnd", "scaling"]
    assert at.session_state["f_qpv"] is True
    flt = PortfolioFilter.create(
        investor="INV02", phase=["rnd", "scaling"], qpv=True, year_from=2024, scope=None
    )
    con = metric_layer(app_demo_path)
    expected = metrics.project_count(con, flt)
    con.close()
    assert tiles(at)["Projets"] == format_number(expected)
    at.switch_page("app_pages/viewpoints.py").run()
    assert at.query_params["phase"] == ["rnd", "scaling"]
    assert at.query_params["investor"] in ("INV02", ["INV02"])
    at.switch_page("app_pages/overview.py").run()
    assert tiles(at)["Projets"] == format_number(expected)


def test_changing_the_sidebar_filter_rewrites_the_url_and_the_figures(open_page, app_demo_path):
    at = open_page(app_demo_path, "overview")
    before = tiles(at)["Projets"]
    at.multiselect(key="f_need.fr").set_value(["food"]).run()
    assert at.query_params["need"] in ("food", ["food"])
    con = metric_layer(app_demo_path)
    expected = metrics.project_count(con, PortfolioFilter.create(need=["food"], scope=None))
    con.close()
    assert tiles(at)["Projets"] == format_number(expected) != before


def test_unknown_values_in_the_url_are_dropped(open_page, app_demo_path):
    at = open_page(
        app_demo_path,
        "overview",
        {"phase": ["rnd", "nonsense"], "investor": "NOBODY", "colour": "blue"},
    )
    assert at.session_state["f_phase.fr"] == ["rnd"]
    assert at.session_state["f_investor"] is None
    assert "investor" not in at.query_params


def test_compare_shows_the_consolidated_maturity_of_the_picked_projects(open_page, app_demo_path):
    con = metric_layer(app_demo_path)
    top = metrics.ranked_projects(con, PortfolioFilter(scope=None), limit=3)
    con.close()
    at = open_page(app_demo_path, "compare")
    assert at.session_state["cmp_projects"] == list(top["project_id"])
    shown = next(d.value for d in at.dataframe if "Maturité" in d.value.columns)
    expected = top.set_index("project_id")["maturity_consolidated"]
    assert shown["Maturité"].tolist() == pytest.approx([expected[p] for p in shown["Code"]])
    at.radio(key="cmp_view.fr").set_value("parallel").run()
    at.radio(key="cmp_viewpoint.fr").set_value("project").run()
    assert not at.exception
    assert "Projets" in json.loads(at.get("vega_lite_chart")[0].proto.spec)["title"]


def test_compare_asks_for_two_projects(open_page, app_demo_path):
    at = open_page(app_demo_path, "compare", state={"cmp_projects": ["P000001"]})
    assert "au moins deux projets" in at.info[0].value


def test_viewpoints_heatmap_and_blind_spot_count(open_page, app_demo_path):
    con = metric_layer(app_demo_path)
    means = metrics.lever_viewpoint_means(con, PortfolioFilter(scope=None))
    spots = metrics.blind_spots(con, PortfolioFilter(scope=None), 25)
    con.close()
    at = open_page(app_demo_path, "viewpoints")
    table = next(d.value for d in at.dataframe if "Score moyen" in d.value.columns)
    assert sorted(table["Score moyen"]) == pytest.approx(sorted(means["mean_score"]))
    assert f"{format_number(len(spots))} angles morts" in " ".join(c.value for c in at.caption)
    at.slider(key="vp_threshold").set_value(40).run()
    con = metric_layer(app_demo_path)
    fewer = metrics.blind_spots(con, PortfolioFilter(scope=None), 40)
    con.close()
    assert f"{format_number(len(fewer))} angles morts" in " ".join(c.value for c in at.caption)


def test_cohorts_side_by_side_and_a_cohort_of_one_project(open_page, small_db):
    at = open_page(small_db, "cohorts")
    table = next(d.value for d in at.dataframe if "Projets" in d.value.columns)
    assert dict(zip(table["Cohorte"], table["Projets"], strict=True)) == {
        "Promo 2024 (C2)": 2,
        "Promo 2025 (C1)": 1,
    }
    assert "Cohorte d'un seul projet (Promo 2025 (C1))" in plain(" ".join(i.value for i in at.info))


def test_utility_tiles_equal_the_metric_layer(open_page, app_demo_path):
    con = metric_layer(app_demo_path)
    overview = metrics.utility_overview(con, PortfolioFilter(scope=None))
    con.close()
    at = open_page(app_demo_path, "utility")
    assert tiles(at)["Indice d'utilité médian"] == format_number(overview["median_utility"], 0)
    assert tiles(at)["Bénéficiaires"] == format_number(overview["beneficiaries"])


def test_partnerships_need_an_investor_for_leverage(open_page, app_demo_path):
    at = open_page(app_demo_path, "partnerships")
    assert any("investisseur choisi" in i.value for i in at.info)
    con = metric_layer(app_demo_path)
    kpis = metrics.portfolio_kpis(con, PortfolioFilter.create(investor="INV03", scope=None))
    con.close()
    at = open_page(app_demo_path, "partnerships", {"investor": "INV03"})
    assert tiles(at)["Effet de levier"] == format_number(kpis.leverage, 2)
    assert tiles(at)["Levier financier"] == format_number(kpis.leverage_financial, 2)


def test_project_sheet_from_a_link_and_a_project_with_one_viewpoint(open_page, small_db):
    at = open_page(small_db, "project", {"project": "P3"})
    assert plain(at.header[0].value) == "Maison de santé (P3)"
    assert "Un seul regard (Investissements)" in " ".join(i.value for i in at.info)
    levers = next(d.value for d in at.dataframe if "Levier" in d.value.columns)
    assert set(levers["Score"]) == {75.0}
    at = open_page(small_db, "project", state={"sheet_project": "P1"})
    assert plain(at.header[0].value) == "Épicerie des Lilas (P1)"
    assert len(at.get("vega_lite_chart")) == 2


def test_the_loaded_modules_are_frozen_once_per_process(monkeypatch):
    """docs/rules.md "Speed": the first run freezes what is loaded; later runs only read a flag
    (counting the frozen objects took 12 ms at every run)."""
    import ui

    frozen: list[int] = []
    monkeypatch.setattr(ui, "_frozen", False)
    monkeypatch.setattr(ui.gc, "freeze", lambda: frozen.append(1))
    for _ in range(3):
        ui.freeze_loaded_modules()
    assert frozen == [1]
