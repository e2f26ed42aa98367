"""The page aggregates of the metric layer, on tests/portfolio.py, by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.filters import PortfolioFilter
from coinvest.metrics import Weights

ALL = PortfolioFilter(scope=None)
INV_A = PortfolioFilter.create(investor="INV_A", scope=None)


def test_project_count(portfolio_con):
    assert metrics.project_count(portfolio_con, ALL) == 3
    assert (
        metrics.project_count(portfolio_con, PortfolioFilter.create(need=["food"], scope=None)) == 2
    )
    assert (
        metrics.project_count(portfolio_con, PortfolioFilter.create(search="zzz", scope=None)) == 0
    )


def test_lever_profiles_of_picked_projects(portfolio_con):
    consolidated = metrics.lever_profiles(portfolio_con, ALL, ["P1", "P2"])
    got = {(r.project_id, r.lever): r.score for r in consolidated.itertuples()}
    assert got == pytest.approx(
        {
            ("P1", "ecosystem"): (100 + 50 + 62.5) / 3,
            ("P1", "innovation"): (62.5 + 50 + 37.5) / 3,
            ("P1", "strategy"): (50 + 100) / 2,
            ("P2", "ecosystem"): 75.0,
            ("P2", "digital"): (25 + 0) / 2,
            ("P2", "alliances"): (50 + 75) / 2,
        }
    )
    team = metrics.lever_profiles(portfolio_con, ALL, ["P1", "P3"], "project")
    assert set(team["project_id"]) == {"P1"}  # P3 has no self-assessment
    # a pick outside the filter is not shown
    assert metrics.lever_profiles(
        portfolio_con, PortfolioFilter.create(need=["health"], scope=None), ["P1"]
    ).empty


def test_ranked_projects(portfolio_con):
    p1 = ((100 + 50 + 62.5) / 3 + (62.5 + 50 + 37.5) / 3 + (50 + 100) / 2) / 3
    best = metrics.ranked_projects(portfolio_con, ALL, limit=2)
    assert list(best["project_id"]) == ["P3", "P1"]  # 75 > 65.3 > 50
    assert best["maturity_consolidated"].tolist() == pytest.approx([75.0, p1])
    worst = metrics.ranked_projects(portfolio_con, ALL, limit=1, best=False)
    assert list(worst["project_id"]) == ["P2"]


def test_round_maturity(portfolio_con):
    rounds = metrics.round_maturity(portfolio_con, ALL, ["P1"])
    got = {(r.viewpoint, r.assessed_on): r.maturity for r in rounds.itertuples()}
    assert got == pytest.approx(
        {
            ("project", date(2024, 1, 10)): (75 + 25) / 2,
            ("ecosystem", date(2024, 6, 1)): 0.0,
            ("project", date(2025, 1, 10)): (100 + 62.5 + 50) / 3,
            ("investment", date(2025, 2, 1)): (50 + 50 + 100) / 3,
            ("ecosystem", date(2025, 3, 1)): (62.5 + 37.5) / 2,
        }
    )


def test_lever_viewpoint_means(portfolio_con):
    means = metrics.lever_viewpoint_means(portfolio_con, ALL).set_index(["viewpoint", "lever"])
    # investment viewpoint, ecosystem lever: P1 only (50); alliances: P2 (75)
    assert means.loc[("investment", "ecosystem"), "mean_score"] == 50.0
    assert means.loc[("project", "ecosystem"), "mean_score"] == pytest.approx((100 + 75) / 2)
    assert means.loc[("project", "ecosystem"), "projects"] == 2
    assert means.loc[("investment", "evaluation"), "mean_score"] == 75.0


def test_gaps_by_lever(portfolio_con):
    gaps = metrics.gaps_by_lever(portfolio_con, ALL, threshold=30).set_index("lever")
    assert gaps.loc["ecosystem", "mean_gap"] == 50.0
    assert gaps.loc["strategy", "projects"] == 1
    assert gaps.loc["strategy", "large_gaps"] == 1
    assert gaps.loc["innovation", "large_gaps"] == 0  # 25 < 30
    assert gaps.loc["digital", "mean_gap"] == 25.0


def test_blind_spot_counts(portfolio_con):
    counts = metrics.blind_spot_counts(portfolio_con, ALL)
    got = {(r.lever, r.kind): r.spots for r in counts.itertuples()}
    assert got == {
        ("ecosystem", "over_confident"): 1,
        ("strategy", "under_rated"): 1,
        ("digital", "over_confident"): 1,
        ("alliances", "under_rated"): 1,
    }


def test_cohort_maturity_spread_of_two_projects(portfolio_con):
    spread = metrics.cohort_maturity_spread(portfolio_con, ALL).set_index(["cohort_id", "round"])
    p1_latest = ((100 + 50 + 62.5) / 3 + (62.5 + 50 + 37.5) / 3 + (50 + 100) / 2) / 3
    row = spread.loc[("C2", "latest")]
    assert row["projects"] == 2
    assert row["min"] == pytest.approx(p1_latest)
    assert row["max"] == 75.0
    assert row["median"] == pytest.approx((p1_latest + 75) / 2)
    assert row["q1"] == pytest.approx(p1_latest + 0.25 * (75 - p1_latest))
    one = spread.loc[("C1", "first")]
    assert one["min"] == one["max"] == one["median"] == pytest.approx(50.0)


def test_indicator_summary(portfolio_con):
    s = metrics.indicator_summary(portfolio_con, ALL).set_index("indicator_code")
    # beneficiaries: P1 2023 (0.833), P1 2024 (1.143), P2 2025 (no target), P3 2024 (0)
    assert s.loc["beneficiaries", "projects"] == 3
    assert s.loc["beneficiaries", "measurements"] == 4
    assert s.loc["beneficiaries", "with_target"] == 3
    assert s.loc["beneficiaries", "mean_achievement"] == pytest.approx((50 / 60 + 80 / 70 + 0) / 3)
    assert s.loc["beneficiaries", "share_met"] == pytest.approx(1 / 3)
    assert s.loc["cost", "mean_achievement"] == pytest.approx((100 / 80 + 60 / 120) / 2)
    assert s.loc["meals", "share_met"] == 1.0


def test_utility_histogram_and_overview(portfolio_con):
    bands = dict(metrics.utility_histogram(portfolio_con, ALL, 20).itertuples(index=False))
    # P1 146.4 → band 140; P2 50 → 40; P3 0 → 0
    assert bands == {0.0: 1, 40.0: 1, 140.0: 1}
    o = metrics.utility_overview(portfolio_con, ALL)
    assert o["median_utility"] == pytest.approx(50.0)
    assert o["projects_with_index"] == 3
    assert o["beneficiaries"] == 280
    # cost per beneficiary: P1 15000 / 80, P2 20000 / 200 (P3: no beneficiary)
    assert o["median_cost_per_beneficiary"] == pytest.approx((187.5 + 100) / 2)
    assert metrics.utility_overview(portfolio_con, INV_A)[
        "median_cost_per_beneficiary"
    ] == pytest.approx(125.0)


def test_cost_and_leverage_rankings(portfolio_con):
    high = metrics.cost_ranking(portfolio_con, ALL, 5)
    assert list(high["project_id"]) == ["P1", "P2"]
    assert high["cost_per_beneficiary"].tolist() == pytest.approx([187.5, 100.0])
    low = metrics.cost_ranking(portfolio_con, ALL, 1, highest=False)
    assert list(low["project_id"]) == ["P2"]
    both = metrics.cost_extremes(portfolio_con, ALL, 2)  # the two ends, in one pass
    assert list(both["highest"]["project_id"]) == ["P1", "P2"]
    assert list(both["lowest"]["project_id"]) == ["P2", "P1"]
    assert both["lowest"]["cost_per_beneficiary"].tolist() == pytest.approx([100.0, 187.5])
    assert list(both["lowest"].columns) == list(high.columns)
    ranking = metrics.leverage_ranking(portfolio_con, INV_A)
    assert list(ranking["project_id"]) == ["P1", "P3"]
    assert ranking["leverage"].tolist() == pytest.approx([0.7, 0.0])
    assert metrics.leverage_ranking(portfolio_con, ALL).empty  # no investor chosen


def test_resources_by_kind_and_diversity_summary(portfolio_con):
    kinds = {
        (r.kind, r.financial): r.eur
        for r in metrics.resources_by_kind(portfolio_con, ALL).itertuples()
    }
    assert kinds == {
        ("public_investor", True): 40000,
        ("foundation", True): 20000,
        ("foundation", False): 5000,
        ("company", True): 2000,
        ("company", False): 1000,
    }
    summary = metrics.diversity_summary(portfolio_con, ALL).set_index("kinds")
    assert summary["projects"].to_dict() == {1: 1, 2: 1, 3: 1}
    assert summary.loc[1, "mean_evenness"] == 0.0


def test_viewpoint_overview_equals_the_three_separate_aggregates(demo_con):
    flt = PortfolioFilter.create(phase=["modelling", "scaling"], scope=None)
    overview = metrics.viewpoint_overview(demo_con, flt, 30)
    pd.testing.assert_frame_equal(
        overview["means"], metrics.lever_viewpoint_means(demo_con, flt), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        overview["gaps"], metrics.gaps_by_lever(demo_con, flt, 30), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        overview["blind"], metrics.blind_spot_counts(demo_con, flt, 30), check_dtype=False
    )
    listed = metrics.blind_spots(demo_con, flt, 30, limit=5)
    assert len(listed) == 5
    pd.testing.assert_frame_equal(listed, metrics.blind_spots(demo_con, flt, 30).head(5))


def test_reweighting_overview_is_one_query_for_three_answers(demo_con):
    weights = Weights.create(levers={"digital": 3, "evaluation": 0})
    top, movers, summary = metrics.reweighting_overview(
        demo_con, PortfolioFilter(scope=None), weights, 10
    )
    assert list(top["rank_weighted"]) == list(range(1, 11))
    assert (movers["rank_change"].abs().diff().dropna() <= 0).all()
    assert (movers["rank_change"] != 0).all()
    equal_top, equal_movers, equal_summary = metrics.reweighting_overview(
        demo_con, PortfolioFilter(scope=None), metrics.EQUAL, 10
    )
    assert (equal_top["rank_change"] == 0).all()
    assert equal_movers.empty  # nothing moves: no "biggest move" listed
    assert equal_summary["moved"] == 0
    assert equal_summary["maturity_equal"] == pytest.approx(summary["maturity_equal"])
