"""Lever scores, maturity, gaps, blind spots and progress on tests/portfolio.py, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from coinvest import metrics
from coinvest import reference as ref
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.metrics import Weights

ALL = PortfolioFilter(scope=None)


def _scores(frame: pd.DataFrame, *keys: str) -> dict:
    return {tuple(row[k] for k in keys): row["score"] for _, row in frame.iterrows()}


def test_latest_lever_scores_with_unanswered_questions(portfolio_con):
    got = _scores(metrics.lever_scores(portfolio_con, ALL), "project_id", "viewpoint", "lever")
    assert got == pytest.approx(
        {
            # P1, project team, round of 2025-01-10: needs 4, stakes 4, actors 4 (territories
            # unanswered) → 4 × 25; characteristics 3, phases 2 → 2.5 × 25; state 2 → 2 × 25
            ("P1", "project", "ecosystem"): 100.0,
            ("P1", "project", "innovation"): 62.5,
            ("P1", "project", "strategy"): 50.0,
            # P1, investor: needs 2, stakes 2; characteristics 2; state 4
            ("P1", "investment", "ecosystem"): 50.0,
            ("P1", "investment", "innovation"): 50.0,
            ("P1", "investment", "strategy"): 100.0,
            # P1, ecosystem, two assessors on 2025-03-01, averaged per question first:
            # needs (1 + 3) / 2 = 2, stakes 3 → (2 + 3) / 2 × 25 = 62.5 (pooling would give 58.3)
            # characteristics (2 + 4) / 2 = 3, phases 0 → 1.5 × 25 = 37.5
            ("P1", "ecosystem", "ecosystem"): 62.5,
            ("P1", "ecosystem", "innovation"): 37.5,
            ("P2", "project", "ecosystem"): 75.0,
            ("P2", "project", "digital"): 25.0,
            ("P2", "project", "alliances"): 50.0,
            ("P2", "investment", "digital"): 0.0,
            ("P2", "investment", "alliances"): 75.0,
            ("P3", "investment", "evaluation"): 75.0,  # (4 + 2) / 2 × 25
        }
    )


def test_first_round_is_the_earliest_per_project_and_viewpoint(portfolio_con):
    got = _scores(
        metrics.lever_scores(portfolio_con, ALL, "first").query("project_id == 'P1'"),
        "viewpoint",
        "lever",
    )
    assert got == pytest.approx(
        {
            ("project", "ecosystem"): 75.0,  # 2024-01-10: (2 + 4) / 2 × 25
            ("project", "innovation"): 25.0,
            ("investment", "ecosystem"): 50.0,  # one round: first = latest
            ("investment", "innovation"): 50.0,
            ("investment", "strategy"): 100.0,
            ("ecosystem", "ecosystem"): 0.0,  # 2024-06-01
        }
    )


def test_latest_is_as_of_the_end_of_the_period(portfolio_con):
    flt = PortfolioFilter.create(year_to=2024, scope=None)
    got = _scores(metrics.lever_scores(portfolio_con, flt), "project_id", "viewpoint", "lever")
    assert got == pytest.approx(
        {
            ("P1", "project", "ecosystem"): 75.0,
            ("P1", "project", "innovation"): 25.0,
            ("P1", "ecosystem", "ecosystem"): 0.0,
            ("P3", "investment", "evaluation"): 75.0,
        }
    )


def test_maturity_equal_weights(portfolio_con):
    m = metrics.maturity(portfolio_con, ALL).set_index("project_id")
    assert m.loc["P1", "maturity_project"] == pytest.approx((100 + 62.5 + 50) / 3)
    assert m.loc["P1", "maturity_investment"] == pytest.approx((50 + 50 + 100) / 3)
    assert m.loc["P1", "maturity_ecosystem"] == pytest.approx((62.5 + 37.5) / 2)
    # consolidated levers: ecosystem (100 + 50 + 62.5) / 3, innovation (62.5 + 50 + 37.5) / 3,
    # strategy (50 + 100) / 2 (no ecosystem score); then their mean
    expected = ((100 + 50 + 62.5) / 3 + (62.5 + 50 + 37.5) / 3 + (50 + 100) / 2) / 3
    assert m.loc["P1", "maturity_consolidated"] == pytest.approx(expected)
    assert m.loc["P2", "maturity_project"] == pytest.approx((75 + 25 + 50) / 3)
    assert m.loc["P2", "maturity_investment"] == pytest.approx((0 + 75) / 2)
    assert m.loc["P2", "maturity_consolidated"] == pytest.approx((75 + 12.5 + 62.5) / 3)
    # a project assessed from one viewpoint only
    assert pd.isna(m.loc["P3", "maturity_project"])
    assert m.loc["P3", "maturity_consolidated"] == pytest.approx(75.0)


def test_maturity_with_uneven_lever_weights(portfolio_con):
    weights = Weights.create(levers={"ecosystem": 3, "innovation": 1, "strategy": 0})
    m = metrics.maturity(portfolio_con, ALL, weights).set_index("project_id")
    # P1 project: (3 × 100 + 1 × 62.5 + 0 × 50) / (3 + 1 + 0)
    assert m.loc["P1", "maturity_project"] == pytest.approx(362.5 / 4)
    assert m.loc["P1", "maturity_investment"] == pytest.approx((3 * 50 + 50) / 4)
    # ecosystem viewpoint has no strategy score: weights renormalised over ecosystem + innovation
    assert m.loc["P1", "maturity_ecosystem"] == pytest.approx((3 * 62.5 + 37.5) / 4)
    # P2 project: ecosystem 75 (×3), digital 25 (×1), alliances 50 (×1)
    assert m.loc["P2", "maturity_project"] == pytest.approx((225 + 25 + 50) / 5)


def test_consolidated_levers_with_viewpoint_weights(portfolio_con):
    weights = Weights.create(viewpoints={"project": 0, "investment": 1, "ecosystem": 1})
    got = _scores(
        metrics.consolidated_levers(portfolio_con, ALL, weights).query("project_id == 'P1'"),
        "lever",
    )
    assert got == pytest.approx(
        {("ecosystem",): (50 + 62.5) / 2, ("innovation",): (50 + 37.5) / 2, ("strategy",): 100.0}
    )
    m = metrics.maturity(portfolio_con, ALL, weights).set_index("project_id")
    assert m.loc["P1", "maturity_consolidated"] == pytest.approx((56.25 + 43.75 + 100) / 3)


def test_weights_refuse_bad_sets():
    with pytest.raises(CoinvestError) as err:
        Weights.create(levers=dict.fromkeys(ref.LEVER_CODES, 0))
    assert err.value.key == "weights.levers_all_zero"
    with pytest.raises(CoinvestError) as err:
        Weights.create(viewpoints={"project": 0, "investment": 0, "ecosystem": 0})
    assert err.value.key == "weights.viewpoints_all_zero"
    for bad in (-1, float("nan"), float("inf"), 1e9, "lots"):
        with pytest.raises(CoinvestError):
            Weights.create(levers={"digital": bad})
    assert Weights.create() == metrics.EQUAL


def test_viewpoint_gap_needs_two_viewpoints(portfolio_con):
    gaps = metrics.viewpoint_gaps(portfolio_con, ALL)
    got = {(r.project_id, r.lever): (r.gap, r.viewpoints) for r in gaps.itertuples()}
    assert got == {
        ("P1", "ecosystem"): (100 - 50, 3),
        ("P1", "innovation"): (62.5 - 37.5, 3),
        ("P1", "strategy"): (100 - 50, 2),
        ("P2", "digital"): (25 - 0, 2),
        ("P2", "alliances"): (75 - 50, 2),
    }  # P2 ecosystem and P3 have a single viewpoint: no gap


def test_blind_spots_on_both_sides_and_exactly_at_the_threshold(portfolio_con):
    spots = metrics.blind_spots(portfolio_con, ALL)
    got = {(r.project_id, r.lever): (r.difference, r.kind) for r in spots.itertuples()}
    assert got == {
        ("P1", "ecosystem"): (100 - (50 + 62.5) / 2, "over_confident"),  # +43.75
        ("P1", "strategy"): (50 - 100, "under_rated"),  # −50
        ("P2", "digital"): (25 - 0, "over_confident"),  # exactly +25
        ("P2", "alliances"): (50 - 75, "under_rated"),  # exactly −25
    }  # P1 innovation: 62.5 − (50 + 37.5) / 2 = 18.75, under the threshold
    wider = metrics.blind_spots(portfolio_con, ALL, threshold=40)
    assert set(zip(wider.project_id, wider.lever, strict=True)) == {
        ("P1", "ecosystem"),
        ("P1", "strategy"),
    }
    with pytest.raises(CoinvestError):
        metrics.blind_spots(portfolio_con, ALL, threshold=0)


def test_progress_needs_two_rounds(portfolio_con):
    got = {
        (r.project_id, r.viewpoint, r.lever): r.progress
        for r in metrics.progress(portfolio_con, ALL).itertuples()
    }
    assert got == pytest.approx(
        {
            ("P1", "project", "ecosystem"): 100 - 75,
            ("P1", "project", "innovation"): 62.5 - 25,
            ("P1", "ecosystem", "ecosystem"): 62.5 - 0,
        }
    )  # strategy was not scored in the first round; single-round viewpoints have no progress


def test_filter_matching_nothing_gives_empty_frames(portfolio_con):
    none = PortfolioFilter.create(need=["culture"], scope=None)
    for frame in (
        metrics.lever_scores(portfolio_con, none),
        metrics.viewpoint_gaps(portfolio_con, none),
        metrics.blind_spots(portfolio_con, none),
        metrics.progress(portfolio_con, none),
        metrics.consolidated_levers(portfolio_con, none),
    ):
        assert frame.empty
    assert metrics.maturity(portfolio_con, none).empty
    assert metrics.project_summary(portfolio_con, none).empty


def test_lever_rounds_table_equals_the_answers_recomputed(demo_con):
    """The stored per-round lever scores match an independent computation from raw answers."""
    mismatches = demo_con.execute(
        """
        WITH q AS (
            SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(x.score) AS s
            FROM assessment a JOIN assessment_answer x USING (assessment_id)
            GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
        ), l AS (
            SELECT project_id, viewpoint, assessed_on, split_part(question, '.', 1) AS lever,
                   avg(s) * 25 AS score
            FROM q GROUP BY project_id, viewpoint, assessed_on, split_part(question, '.', 1)
        )
        SELECT count(*) FROM l FULL JOIN lever_round r USING (project_id, viewpoint, assessed_on, lever)
        WHERE r.score IS NULL OR l.score IS NULL OR abs(r.score - l.score) > 1e-9
        """
    ).fetchone()[0]
    assert mismatches == 0
    assert demo_con.execute("SELECT count(*) FROM lever_round").fetchone()[0] > 0
