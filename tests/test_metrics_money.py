"""Utility, cost per beneficiary, leverage, mix, diversity, co-investment and cohorts, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.filters import PortfolioFilter

ALL = PortfolioFilter(scope=None)
INV_A = PortfolioFilter.create(investor="INV_A", scope=None)
INV_B = PortfolioFilter.create(investor="INV_B", scope=None)


def _by(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    return frame.set_index(list(keys))


def test_achievement_higher_and_lower_is_better_and_the_cap(portfolio_con):
    a = _by(metrics.achievements(portfolio_con, ALL), "project_id", "indicator_code", "year")
    assert a.loc[("P1", "beneficiaries", 2023), "achievement"] == pytest.approx(50 / 60)
    assert a.loc[("P1", "beneficiaries", 2024), "achievement"] == pytest.approx(80 / 70)
    assert a.loc[("P1", "meals", 2024), "achievement"] == 2.0  # 300 / 100 = 3, capped at 2
    assert a.loc[("P1", "cost", 2024), "achievement"] == pytest.approx(100 / 80)  # lower is better
    assert a.loc[("P2", "cost", 2025), "achievement"] == pytest.approx(60 / 120)
    assert pd.isna(a.loc[("P2", "beneficiaries", 2025), "achievement"])  # no target
    assert a.loc[("P3", "beneficiaries", 2024), "achievement"] == 0.0


def test_utility_index_of_the_latest_year_with_a_value(portfolio_con):
    per_year = _by(metrics.utility_by_year(portfolio_con, ALL), "project_id", "year")
    assert per_year.loc[("P1", 2023), "utility_index"] == pytest.approx(100 * 50 / 60)
    assert per_year.loc[("P1", 2024), "utility_index"] == pytest.approx(
        100 * (80 / 70 + 2 + 1.25) / 3
    )
    u = _by(metrics.utility(portfolio_con, ALL), "project_id")
    assert u.loc["P1", "utility_year"] == 2024
    assert u.loc["P1", "utility_index"] == pytest.approx(100 * (80 / 70 + 2 + 1.25) / 3)
    assert u.loc["P2", "utility_index"] == pytest.approx(50.0)  # beneficiaries have no target
    assert u.loc["P3", "utility_index"] == 0.0
    assert u.loc["P1", "beneficiaries"] == 80
    assert u.loc["P2", "beneficiaries"] == 200
    assert u.loc["P3", "beneficiaries"] == 0
    # inside a period: P1's latest year up to 2023
    early = _by(
        metrics.utility(portfolio_con, PortfolioFilter.create(year_to=2023, scope=None)),
        "project_id",
    )
    assert early.loc["P1", "utility_index"] == pytest.approx(100 * 50 / 60)
    assert pd.isna(early.loc["P2", "beneficiaries"])


def test_cost_per_beneficiary_with_zero_beneficiaries_is_empty(portfolio_con):
    c = _by(metrics.cost_per_beneficiary(portfolio_con, INV_A), "project_id")
    assert c.loc["P1", "cost_per_beneficiary"] == pytest.approx(10000 / 80)
    assert c.loc["P3", "eur"] == 30000
    assert pd.isna(c.loc["P3", "cost_per_beneficiary"])  # 0 beneficiaries: empty, no error
    every = _by(metrics.cost_per_beneficiary(portfolio_con, ALL), "project_id")
    assert every.loc["P1", "cost_per_beneficiary"] == pytest.approx((10000 + 5000) / 80)
    assert every.loc["P2", "cost_per_beneficiary"] == pytest.approx(20000 / 200)


def test_leverage_with_and_without_non_financial_resources(portfolio_con):
    a = _by(metrics.leverage(portfolio_con, INV_A), "project_id")
    # R(P1) = 10000 + 5000 (skills) + 2000 = 17000; own = 10000
    assert a.loc["P1", "resources_eur"] == 17000
    assert a.loc["P1", "leverage"] == pytest.approx((17000 - 10000) / 10000)
    assert a.loc["P1", "leverage_financial"] == pytest.approx((12000 - 10000) / 10000)
    assert a.loc["P3", "leverage"] == 0.0
    b = _by(metrics.leverage(portfolio_con, INV_B), "project_id")
    assert b.loc["P1", "leverage"] == pytest.approx((17000 - 5000) / 5000)
    assert pd.isna(b.loc["P1", "leverage_financial"])  # B's only euros in P1 are skills
    assert b.loc["P2", "leverage"] == pytest.approx((21000 - 20000) / 20000)
    assert b.loc["P2", "leverage_financial"] == 0.0  # the other resource is network


def test_leverage_of_an_investor_absent_from_a_project_is_empty(portfolio_con):
    a = _by(metrics.leverage(portfolio_con, ALL, investor="INV_A"), "project_id")
    assert a.loc["P2", "own_eur"] == 0
    assert pd.isna(a.loc["P2", "leverage"])
    assert a.loc["P1", "leverage"] == pytest.approx(0.7)
    none = metrics.leverage(portfolio_con, ALL)
    assert none["leverage"].isna().all()  # no investor chosen: resources only
    assert list(none["resources_eur"]) == [17000, 21000, 30000]


def test_portfolio_leverage(portfolio_con):
    k = metrics.portfolio_kpis(portfolio_con, INV_A)
    assert k.leverage == pytest.approx(((17000 - 10000) + (30000 - 30000)) / 40000)
    summary = dict(metrics.portfolio_summary(portfolio_con, INV_A).itertuples(index=False))
    assert summary["projects"] == 2
    assert summary["committed_eur"] == 40000
    assert summary["levered_eur"] == 7000
    assert summary["leverage"] == pytest.approx(7000 / 40000)
    plain = metrics.portfolio_summary(portfolio_con, ALL)
    assert "leverage" not in set(plain["metric"])
    assert list(plain["metric"]) == [
        "projects",
        "committed_eur",
        "resources_eur",
        "beneficiaries",
        "fragile_share",
    ]


def test_public_private_mix(portfolio_con):
    mix = _by(metrics.resource_mix(portfolio_con, ALL), "sector")
    assert mix.loc["public", "eur"] == 10000 + 30000  # INV_A is a public investor
    assert mix.loc["private", "eur"] == 5000 + 20000 + 2000 + 1000
    assert mix.loc["public", "share"] == pytest.approx(40000 / 68000)
    per_project = _by(
        metrics.resource_mix(portfolio_con, ALL, by_project=True), "project_id", "sector"
    )
    assert per_project.loc[("P1", "public"), "share"] == pytest.approx(10000 / 17000)
    assert per_project.loc[("P3", "public"), "share"] == 1.0


def _evenness(*euros: float) -> float:
    total = sum(euros)
    h = -sum(e / total * math.log(e / total) for e in euros if e > 0)
    return h / math.log(len(euros))


def test_partner_diversity_and_evenness(portfolio_con):
    d = _by(metrics.partner_diversity(portfolio_con, ALL), "project_id")
    # P1: public investor 10000, foundation 5000, company 2000
    assert d.loc["P1", "kinds"] == 3
    assert d.loc["P1", "evenness"] == pytest.approx(_evenness(10000, 5000, 2000))
    # P2: foundation 20000, company 1000
    assert d.loc["P2", "kinds"] == 2
    assert d.loc["P2", "evenness"] == pytest.approx(_evenness(20000, 1000))
    assert d.loc["P3", "kinds"] == 1
    assert d.loc["P3", "evenness"] == 0.0


def test_co_investment_pairs(portfolio_con):
    pairs = metrics.co_investment(portfolio_con, ALL)
    assert list(pairs.itertuples(index=False)) == [
        ("INV_A", "Fonds public A", "INV_B", "Fondation B", 1, 10000.0, 5000.0)
    ]
    assert metrics.co_investment(
        portfolio_con, PortfolioFilter.create(need=["health"], scope=None)
    ).empty


def test_cohort_medians(portfolio_con):
    f = _by(metrics.cohort_figures(portfolio_con, ALL), "cohort_id")
    # C2 holds P1 and P3. First rounds of P1: project {eco 75, inno 25}, investment {eco 50,
    # inno 50, strat 100}, ecosystem {eco 0} → consolidated eco 125/3, inno 37.5, strat 100.
    p1_first = ((75 + 50 + 0) / 3 + (25 + 50) / 2 + 100) / 3
    p1_latest = ((100 + 50 + 62.5) / 3 + (62.5 + 50 + 37.5) / 3 + (50 + 100) / 2) / 3
    assert f.loc["C2", "size"] == 2
    assert f.loc["C2", "median_maturity_first"] == pytest.approx((p1_first + 75) / 2)
    assert f.loc["C2", "median_maturity_latest"] == pytest.approx((p1_latest + 75) / 2)
    assert f.loc["C2", "median_utility"] == pytest.approx((100 * (80 / 70 + 2 + 1.25) / 3 + 0) / 2)
    assert pd.isna(f.loc["C2", "median_leverage"])  # no investor chosen
    assert f.loc["C1", "size"] == 1
    assert f.loc["C1", "median_maturity_first"] == pytest.approx((75 + 12.5 + 62.5) / 3)
    with_a = _by(metrics.cohort_figures(portfolio_con, INV_A), "cohort_id")
    assert with_a.loc["C2", "median_leverage"] == pytest.approx((0.7 + 0.0) / 2)
    assert "C1" not in with_a.index  # INV_A funds no project of C1


def test_cohort_progress_and_phases(portfolio_con):
    p = _by(metrics.cohort_progress(portfolio_con, ALL), "cohort_id", "lever")
    # P1 consolidated progress: ecosystem (25 + 62.5) / 2, innovation 37.5; P3 has one round
    assert p.loc[("C2", "ecosystem"), "median_progress"] == pytest.approx(43.75)
    assert p.loc[("C2", "innovation"), "median_progress"] == pytest.approx(37.5)
    assert "C1" not in p.index.get_level_values(0)
    phases = _by(metrics.cohort_phases(portfolio_con, ALL), "cohort_id", "phase")
    assert phases.loc[("C2", "rnd"), "share"] == 0.5
    assert phases.loc[("C2", "modelling"), "share"] == 0.5
    assert phases.loc[("C1", "modelling"), "share"] == 1.0


def test_project_summary(portfolio_con):
    s = _by(metrics.project_summary(portfolio_con, INV_A), "project_id")
    assert list(s.index) == ["P1", "P3"]
    assert s.loc["P1", "max_gap"] == 50
    assert s.loc["P1", "blind_spots"] == 2
    assert s.loc["P1", "leverage"] == pytest.approx(0.7)
    assert s.loc["P1", "own_eur"] == 10000
    # P3 has the investment viewpoint only: no blind-spot count at all (missing, not 0)
    assert pd.isna(s.loc["P3", "blind_spots"])
    assert pd.isna(s.loc["P3", "max_gap"])
    plain = metrics.project_summary(portfolio_con, ALL)
    assert "leverage" not in plain.columns
    assert "own_eur" not in plain.columns
