"""What-if: hypothetical investments and re-weighting by hand, scenarios and views saved apart."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from coinvest import derived, metrics
from coinvest import reference as ref
from coinvest.db import open_database
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.metrics import Hypothetical, Weights
from coinvest.scenarios import (
    Scenario,
    delete_scenario,
    list_scenarios,
    load_scenario,
    load_view,
    save_scenario,
    save_view,
    validate_lines,
)
from coinvest.schema import DATA_TABLES
from tests.portfolio import PORTFOLIO

INV_A = PortfolioFilter.create(investor="INV_A", scope=None)
ONE = (Hypothetical("INV_A", "P2", 10000, "grant"),)


def real_data(con) -> tuple:
    counts = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DATA_TABLES)
    digest = hashlib.sha256()
    for table in (*DATA_TABLES, "lever_round"):
        rows = sorted(con.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        digest.update(repr(rows).encode())
    return counts, digest.hexdigest()


def test_one_hypothetical_investment_on_leverage_and_cost_per_beneficiary(portfolio_con):
    before = metrics.scenario_figures(portfolio_con, INV_A)
    after = metrics.scenario_figures(portfolio_con, INV_A, ONE)
    # baseline: own 10000 (P1) + 30000 (P3), resources 17000 + 30000
    assert before["leverage"] == pytest.approx((47000 - 40000) / 40000)
    # P2 joins INV_A's portfolio: own 50000; resources 17000 + 30000 + (21000 + 10000)
    assert after["projects"] == 3
    assert after["committed_eur"] == 50000
    assert after["resources_eur"] == 78000
    assert after["levered_eur"] == 28000
    assert after["leverage"] == pytest.approx(28000 / 50000)
    # cost per beneficiary of INV_A: P1 10000 / 80 = 125; with P2, 10000 / 200 = 50 → median 87.5
    assert before["median_cost_per_beneficiary"] == pytest.approx(125.0)
    assert after["median_cost_per_beneficiary"] == pytest.approx(87.5)
    # public share: INV_A is public; resources 78000 of which public 50000
    assert after["public_share"] == pytest.approx(50000 / 78000)
    # without an investor the money is added, no leverage
    plain = metrics.scenario_figures(portfolio_con, PortfolioFilter(scope=None), ONE)
    assert plain["resources_eur"] == 68000 + 10000
    assert plain["leverage"] is None


def test_hypothetical_non_financial_investment_counts_in_leverage_only_with_non_financial(
    portfolio_con,
):
    skills = (Hypothetical("INV_A", "P1", 4000, "skills_sponsorship"),)
    k = metrics.portfolio_kpis(portfolio_con, INV_A, skills)
    assert k.leverage == pytest.approx((51000 - 44000) / 44000)
    assert k.leverage_financial == pytest.approx((12000 - 10000) / 40000)  # unchanged


def test_reweighting_ranks_by_hand(portfolio_con):
    weights = Weights.create(
        levers={code: 0 for code in ref.LEVER_CODES} | {"ecosystem": 1, "alliances": 1}
    )
    ranking = metrics.reweighting(portfolio_con, PortfolioFilter(scope=None), weights)
    rows = {
        r.project_id: (r.rank_equal, r.rank_weighted, r.rank_change) for r in ranking.itertuples()
    }
    # equal: P3 75, P1 65.3, P2 50. Ecosystem + alliances only: P1 70.8 (ecosystem), P2 68.75
    # ((75 + 62.5) / 2), P3 none (evaluation only) — last
    assert rows == {"P1": (2, 1, 1), "P2": (3, 2, 1), "P3": (1, 3, -2)}
    m = ranking.set_index("project_id")
    assert m.loc["P1", "maturity_weighted"] == pytest.approx((100 + 50 + 62.5) / 3)
    assert m.loc["P2", "maturity_weighted"] == pytest.approx((75 + 62.5) / 2)
    assert pd.isna(m.loc["P3", "maturity_weighted"])
    summary = metrics.reweighting_summary(portfolio_con, PortfolioFilter(scope=None), weights)
    p1 = ((100 + 50 + 62.5) / 3 + (62.5 + 50 + 37.5) / 3 + (50 + 100) / 2) / 3
    assert summary["maturity_equal"] == pytest.approx((p1 + 50 + 75) / 3)
    assert summary["maturity_weighted"] == pytest.approx(((100 + 50 + 62.5) / 3 + 68.75) / 2)
    assert summary["moved"] == 3
    movers = metrics.reweighting(
        portfolio_con, PortfolioFilter(scope=None), weights, limit=1, movers=True
    )
    assert list(movers["project_id"]) == ["P3"]


def test_bad_lines_are_reported_and_nothing_is_kept(portfolio_con):
    rows = [
        {"investor_org_id": "INV_A", "project_id": "P2", "amount_eur": 1000, "instrument": "grant"},
        {"investor_org_id": "INV_A", "project_id": "P9", "amount_eur": 1000, "instrument": "grant"},
        {"investor_org_id": "INV_A", "project_id": "P1", "amount_eur": -5, "instrument": "grant"},
        {"investor_org_id": "INV_A", "project_id": "P1", "amount_eur": 5e12, "instrument": "grant"},
        {
            "investor_org_id": "NOBODY",
            "project_id": "P1",
            "amount_eur": 10,
            "instrument": "bitcoin",
        },
        {"investor_org_id": None, "project_id": None, "amount_eur": None, "instrument": None},
    ]
    lines, problems = validate_lines(portfolio_con, rows, None)
    assert [(p.line, p.column, p.key) for p in problems] == [
        (2, "project_id", "whatif.unknown_project"),
        (3, "amount_eur", "whatif.bad_amount"),
        (4, "amount_eur", "whatif.bad_amount"),
        (5, "investor_org_id", "whatif.unknown_investor"),
        (5, "instrument", "whatif.bad_instrument"),
    ]
    assert lines == (Hypothetical("INV_A", "P2", 1000.0, "grant"),)


def test_all_zero_weights_are_refused():
    with pytest.raises(CoinvestError):
        Weights.create(levers=dict.fromkeys(ref.LEVER_CODES, 0.0))


def test_scenario_and_view_round_trip_and_real_data_untouched(portfolio_con):
    untouched = real_data(portfolio_con)
    weights = Weights.create(levers={"digital": 3, "model": 0}, viewpoints={"project": 0.5})
    scenario = Scenario("Comité de juin", weights, 30.0, ONE, INV_A)
    save_scenario(portfolio_con, scenario)
    again = load_scenario(portfolio_con, "Comité de juin", None)
    assert again == scenario
    with pytest.raises(CoinvestError) as err:
        save_scenario(portfolio_con, scenario)
    assert err.value.key == "whatif.name_taken"
    save_scenario(portfolio_con, Scenario("Comité de juin", lines=()), overwrite=True)
    assert load_scenario(portfolio_con, "Comité de juin", None).lines == ()
    assert list(list_scenarios(portfolio_con, None)["name"]) == ["Comité de juin"]
    save_view(
        portfolio_con,
        "Ma vue",
        PortfolioFilter.create(need=["food"], qpv=True, scope=None),
        weights,
        35,
    )
    view = load_view(portfolio_con, "Ma vue", None)
    assert view.filter == PortfolioFilter.create(need=["food"], qpv=True, scope=None)
    assert view.weights == weights
    assert view.threshold == 35
    metrics.scenario_figures(portfolio_con, INV_A, ONE)
    metrics.reweighting(portfolio_con, PortfolioFilter(scope=None), weights)
    assert delete_scenario(portfolio_con, "Comité de juin")
    assert load_scenario(portfolio_con, "Comité de juin", None) is None
    assert real_data(portfolio_con) == untouched
    with pytest.raises(CoinvestError):
        save_scenario(portfolio_con, Scenario("   "))


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def small_db(tmp_path) -> Path:
    path = tmp_path / "small.duckdb"
    con = open_database(path)
    for statement in PORTFOLIO:
        con.execute(statement)
    derived.refresh(con)  # what the write path does after a write of every table
    con.close()
    return path


def test_page_reweights_live(small_db, open_page):
    at = open_page(small_db, "whatif", {})
    for code in ref.LEVER_CODES:
        if code not in ("ecosystem", "alliances"):
            at.select_slider(key=f"wi_lever_{code}").set_value(0.0)
    at.run()
    assert not at.exception
    ranking = next(d.value for d in at.dataframe if "Rang (vos poids)" in d.value.columns)
    assert list(ranking["Code"][:3]) == ["P1", "P2", "P3"]
    for code in ref.LEVER_CODES:
        at.select_slider(key=f"wi_lever_{code}").set_value(0.0)
    at.run()
    assert any("Tous les poids des leviers sont nuls" in e.value for e in at.error)


def test_page_opens_a_scenario_from_the_url_and_compares_it(small_db, open_page):
    con = open_database(small_db)
    save_scenario(con, Scenario("P2 par A", lines=ONE))
    expected = metrics.scenario_figures(con, INV_A, ONE)
    untouched = real_data(con)
    con.close()
    at = open_page(small_db, "whatif", {"scenario": "P2 par A", "investor": "INV_A"})
    compare = next(d.value for d in at.dataframe if "Scénario" in d.value.columns).set_index(
        "Chiffre"
    )
    assert compare.loc["Effet de levier", "Scénario"] == "0,56"
    assert (
        compare.loc["Effet de levier", "Réalité"] == "0,17"
        or compare.loc["Effet de levier", "Réalité"] == "0,18"
    )
    assert expected["leverage"] == pytest.approx(0.56)
    at.text_input(key="wi_name").set_value("Copie")
    at.button(key="wi_save").click().run()
    assert any("Copie" in s.value for s in at.success)
    con = open_database(small_db)
    assert load_scenario(con, "Copie", None).lines == ONE
    assert real_data(con) == untouched
    con.close()


def test_page_opens_a_saved_view_from_the_url(small_db, open_page):
    con = open_database(small_db)
    save_view(
        con,
        "Alimentation",
        PortfolioFilter.create(need=["food"], scope=None),
        Weights.create(levers={"digital": 4}),
        40,
    )
    con.close()
    at = open_page(small_db, "whatif", {"view": "Alimentation"})
    assert at.session_state["f_need.fr"] == ["food"]
    assert at.session_state["wi_lever_digital"] == 4.0
    assert at.session_state["wi_threshold"] == 40
    assert "view" not in at.query_params
