"""Benchmarks and the viewpoint pair (docs/pages.md), on the hand-written portfolio, by hand.

Latest lever scores of tests/portfolio.py (scale 25 points per answer level):
- P1 project (A2): ecosystem 4,4,4 → 100; innovation 3,2 → 62.5; strategy 2 → 50.
  P1 investment (A3, INV_A): ecosystem 2,2 → 50; innovation 2 → 50; strategy 4 → 100.
  P1 ecosystem (A5 + A6, same date, averaged per question): ecosystem (1+3)/2, 3 → 2.5 → 62.5;
  innovation (2+4)/2, 0 → 1.5 → 37.5.
- P2 project (A7): ecosystem 3 → 75; digital 1 → 25; alliances 2 → 50.
  P2 investment (A8, INV_B): digital 0 → 0; alliances 3 → 75.
- P3 investment (A9, INV_A): evaluation 4, 2 → 75.
"""

from __future__ import annotations

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.derived import refresh_lever_rounds
from coinvest.filters import PortfolioFilter

ALL = PortfolioFilter(scope=None)

# consolidated = mean over the viewpoints present
P1 = {"ecosystem": (100 + 50 + 62.5) / 3, "innovation": (62.5 + 50 + 37.5) / 3, "strategy": 75.0}
P2 = {"ecosystem": 75.0, "digital": 12.5, "alliances": 62.5}
P3 = {"evaluation": 75.0}


def _maturity(levers: dict[str, float]) -> float:
    return sum(levers.values()) / len(levers)


def test_lever_medians_of_the_portfolio_and_of_peers(portfolio_con):
    medians = metrics.lever_medians(portfolio_con, ALL).set_index("lever")
    assert medians.loc["ecosystem", "median_score"] == pytest.approx(
        (P1["ecosystem"] + P2["ecosystem"]) / 2
    )
    assert medians.loc["ecosystem", "projects"] == 2
    assert medians.loc["innovation", "median_score"] == pytest.approx(50.0)
    assert medians.loc["evaluation", "median_score"] == pytest.approx(75.0)
    assert "model" not in medians.index  # never assessed: no median, not 0
    maturities = sorted(_maturity(p) for p in (P1, P2, P3))
    assert medians.loc[metrics.MATURITY, "median_score"] == pytest.approx(maturities[1])
    assert medians.loc[metrics.MATURITY, "projects"] == 3
    assert list(medians.index)[-1] == metrics.MATURITY  # levers in the model's order, then it

    # peers of a modelling project: the filtered projects in the modelling phase (P2, P3)
    peers = metrics.lever_medians(portfolio_con, ALL.with_(phase=("modelling",))).set_index("lever")
    assert peers.loc["ecosystem", "median_score"] == pytest.approx(75.0)
    assert peers.loc[metrics.MATURITY, "median_score"] == pytest.approx(
        (_maturity(P2) + _maturity(P3)) / 2
    )


def test_investor_benchmark_is_each_investors_own_leverage(portfolio_con):
    bench = metrics.investor_benchmark(portfolio_con, ALL).set_index("org_id")
    # INV_A: P1 10 000 (resources 10 000 + 5 000 + 2 000) and P3 30 000 (resources 30 000)
    assert bench.loc["INV_A", "leverage"] == pytest.approx((7_000 + 0) / 40_000)
    # INV_B: P1 5 000 in skills, P2 20 000 (resources 21 000)
    assert bench.loc["INV_B", "leverage"] == pytest.approx((12_000 + 1_000) / 25_000)
    assert bench.loc["INV_B", "leverage_financial"] == pytest.approx(12_000 / 20_000)
    assert bench.loc["INV_B", "projects"] == 2
    assert bench["median_leverage"].iloc[0] == pytest.approx((0.175 + 0.52) / 2)
    assert list(bench.index) == ["INV_B", "INV_A"]  # the highest leverage first
    for investor in bench.index:  # exactly what the Overview shows for that investor
        chosen = metrics.portfolio_kpis(portfolio_con, ALL.with_(investor=investor))
        assert bench.loc[investor, "leverage"] == pytest.approx(chosen.leverage)
        assert bench.loc[investor, "leverage_financial"] == pytest.approx(chosen.leverage_financial)


def test_investor_benchmark_ignores_the_filters_investor_and_keeps_its_period(portfolio_con):
    with_investor = metrics.investor_benchmark(
        portfolio_con, PortfolioFilter.create(investor="INV_A", scope=None)
    )
    assert set(with_investor["org_id"]) == {"INV_A", "INV_B"}
    in_2025 = metrics.investor_benchmark(
        portfolio_con, PortfolioFilter.create(year_from=2025, scope=None)
    ).set_index("org_id")
    # in 2025 only I3 (INV_B, P2, 20 000) and K2 (1 000 of network) count; INV_B's portfolio is
    # P1 (2024) and P2, INV_A's P1 and P3 with none of its euros in 2025: listed, leverage
    # missing (docs/figures.md "Settled points"), and left out of the median
    assert list(in_2025.index) == ["INV_B", "INV_A"]
    assert in_2025.loc["INV_B", "leverage"] == pytest.approx(1_000 / 20_000)
    assert in_2025.loc["INV_B", "projects"] == 2
    assert pd.isna(in_2025.loc["INV_A", "leverage"])
    assert in_2025.loc["INV_A", "own_eur"] == 0
    assert in_2025["median_leverage"].iloc[0] == pytest.approx(1_000 / 20_000)


def test_viewpoint_pair_by_hand(portfolio_con):
    pair = metrics.viewpoint_pair(portfolio_con, ALL, "project", "investment", "ecosystem")
    summary = pair["summary"].iloc[0]
    # only P1 has both: project 100, investment 50 (P2's investment round has no ecosystem)
    assert summary["projects"] == 1
    assert summary["mean_first"] == pytest.approx(100)
    assert summary["mean_second"] == pytest.approx(50)
    assert summary["mean_difference"] == pytest.approx(50)
    assert (summary["first_higher"], summary["second_higher"], summary["large"]) == (1, 0, 1)
    assert pair["density"].to_dict("records") == [
        {"band_first": 90, "band_second": 50, "projects": 1}  # 100 goes in the top band
    ]
    assert list(pair["largest"]["project_id"]) == ["P1"]
    assert pair["largest"]["name"].iloc[0] == "Épicerie des Lilas"

    alliances = metrics.viewpoint_pair(portfolio_con, ALL, "project", "investment", "alliances")
    summary = alliances["summary"].iloc[0]
    assert summary["mean_difference"] == pytest.approx(50 - 75)  # P2
    assert (summary["first_higher"], summary["second_higher"]) == (0, 1)
    assert summary["large"] == 1  # exactly the threshold counts
    tighter = metrics.viewpoint_pair(
        portfolio_con, ALL, "project", "investment", "alliances", threshold=30
    )
    assert tighter["summary"].iloc[0]["large"] == 0


def test_viewpoint_pair_with_the_investors_own_assessors(portfolio_con):
    inv_b = PortfolioFilter.create(investor="INV_B", scope=None)  # P1 and P2
    everyone = metrics.viewpoint_pair(portfolio_con, inv_b, "project", "investment", "ecosystem")
    assert everyone["summary"].iloc[0]["projects"] == 1  # P1, assessed by INV_A
    own = metrics.viewpoint_pair(
        portfolio_con, inv_b, "project", "investment", "ecosystem", own_assessors=True
    )
    assert own["summary"].iloc[0]["projects"] == 0  # INV_B never assessed P1's ecosystem
    assert own["density"].empty
    assert own["largest"].empty

    # INV_B assesses P1 before INV_A did: the latest investment round stays INV_A's, but INV_B's
    # own latest round is its own (4 on ecosystem.needs → 100)
    portfolio_con.execute(
        "INSERT INTO assessment VALUES ('A10', 'P1', 'investment', 'INV_B', DATE '2024-12-01', NULL)"
    )
    portfolio_con.execute(
        "INSERT INTO assessment_answer VALUES ('A10', 'ecosystem.needs', 4, NULL)"
    )
    refresh_lever_rounds(portfolio_con)
    everyone = metrics.viewpoint_pair(portfolio_con, inv_b, "project", "investment", "ecosystem")
    assert everyone["summary"].iloc[0]["mean_second"] == pytest.approx(50)
    own = metrics.viewpoint_pair(
        portfolio_con, inv_b, "project", "investment", "ecosystem", own_assessors=True
    )
    assert own["summary"].iloc[0]["mean_second"] == pytest.approx(100)
    assert own["summary"].iloc[0]["mean_difference"] == pytest.approx(0)
    # as of the end of 2024, INV_A's round (2025) does not exist yet
    until_2024 = inv_b.with_(year_to=2024)
    earlier = metrics.viewpoint_pair(
        portfolio_con, until_2024, "investment", "project", "ecosystem"
    )
    assert earlier["summary"].iloc[0]["mean_first"] == pytest.approx(100)


def test_viewpoint_pair_refuses_what_it_cannot_compare(portfolio_con):
    from coinvest.errors import CoinvestError

    with pytest.raises(CoinvestError):
        metrics.viewpoint_pair(portfolio_con, ALL, "project", "project", "ecosystem")
    with pytest.raises(KeyError):
        metrics.viewpoint_pair(portfolio_con, ALL, "project", "nobody", "ecosystem")
    with pytest.raises(KeyError):
        metrics.viewpoint_pair(portfolio_con, ALL, "project", "investment", "weather")


def test_cohorts_of_a_support_body_are_its_own(portfolio_con):
    # SB2's cohort C2 holds P1 and P3; SB's cohort C1 holds P2. With SB2 chosen, only C2 shows.
    sb2 = PortfolioFilter.create(support_body=["SB2"], scope=None)
    assert list(metrics.cohort_figures(portfolio_con, sb2)["cohort_id"]) == ["C2"]
    # a project in both bodies' cohorts still lists only the chosen body's cohort
    portfolio_con.execute("INSERT INTO cohort_member VALUES ('C1', 'P1', DATE '2025-01-15', NULL)")
    figures = metrics.cohort_figures(portfolio_con, sb2)
    assert list(figures["cohort_id"]) == ["C2"]
    assert list(metrics.cohort_figures(portfolio_con, ALL)["cohort_id"]) == ["C2", "C1"]
    phases = metrics.cohort_phases(portfolio_con, sb2)
    assert set(phases["cohort_id"]) == {"C2"}
    assert isinstance(phases, pd.DataFrame)


def test_viewpoint_gap_ranking_over_all_levers_by_hand(portfolio_con):
    ranked = metrics.viewpoint_gap_ranking(portfolio_con, ALL, "project", "investment")
    assert ranked["summary"]["projects"].iloc[0] == 2
    rows = ranked["ranking"].set_index("project_id")
    assert list(rows.index) == ["P1", "P2"]  # by mean gap
    # P1: ecosystem 100 − 50, innovation 62.5 − 50, strategy 50 − 100
    assert rows.loc["P1", "levers"] == 3
    assert rows.loc["P1", "mean_gap"] == pytest.approx((50 + 12.5 + 50) / 3)
    assert rows.loc["P1", "mean_difference"] == pytest.approx((50 + 12.5 - 50) / 3)
    assert rows.loc["P1", "largest_gap"] == pytest.approx(50)
    # a tie between ecosystem (+50) and strategy (−50): the first lever in the method's order
    assert (rows.loc["P1", "largest_lever"], rows.loc["P1", "largest_difference"]) == (
        "ecosystem",
        pytest.approx(50),
    )
    # P2: digital 25 − 0, alliances 50 − 75; alliances comes before digital in the order
    assert rows.loc["P2", "mean_gap"] == pytest.approx(25)
    assert rows.loc["P2", "mean_difference"] == pytest.approx(0)
    assert rows.loc["P2", "largest_lever"] == "alliances"
    assert rows.loc["P2", "largest_difference"] == pytest.approx(-25)
    assert rows.loc["P2", "name"]

    # the reversed pair: the same gaps, the differences of the other sign
    reversed_ = metrics.viewpoint_gap_ranking(portfolio_con, ALL, "investment", "project")
    back = reversed_["ranking"].set_index("project_id")
    assert back.loc["P1", "mean_difference"] == pytest.approx(-(50 + 12.5 - 50) / 3)
    assert back.loc["P1", "mean_gap"] == pytest.approx((50 + 12.5 + 50) / 3)

    first = metrics.viewpoint_gap_ranking(portfolio_con, ALL, "project", "investment", limit=1)
    assert list(first["ranking"]["project_id"]) == ["P1"]
    assert first["summary"]["projects"].iloc[0] == 2  # the count is of every project, not the shown


def test_viewpoint_gap_ranking_with_the_investors_own_assessors(portfolio_con):
    inv_b = PortfolioFilter.create(investor="INV_B", scope=None)  # P1 and P2
    everyone = metrics.viewpoint_gap_ranking(portfolio_con, inv_b, "project", "investment")
    assert list(everyone["ranking"]["project_id"]) == ["P1", "P2"]
    own = metrics.viewpoint_gap_ranking(
        portfolio_con, inv_b, "project", "investment", own_assessors=True
    )
    assert list(own["ranking"]["project_id"]) == ["P2"]  # INV_B assessed P2 only
    assert own["ranking"]["mean_gap"].iloc[0] == pytest.approx(25)
    nobody = metrics.viewpoint_gap_ranking(portfolio_con, ALL, "ecosystem", "investment")
    assert list(nobody["ranking"]["project_id"]) == ["P1"]
    in_29 = PortfolioFilter.create(department="29", scope=None)  # P3: investment only
    assert metrics.viewpoint_gap_ranking(portfolio_con, in_29, "project", "investment")[
        "ranking"
    ].empty
    from coinvest.errors import CoinvestError

    with pytest.raises(CoinvestError):
        metrics.viewpoint_gap_ranking(portfolio_con, ALL, "project", "project")
