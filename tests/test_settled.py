"""The settled points of docs/figures.md "Settled points", each computed by hand on tests/portfolio.py (the Method
page states them: tests/test_app_method.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from coinvest import metrics
from coinvest.derived import refresh_utility
from coinvest.filters import PortfolioFilter

ALL = PortfolioFilter(scope=None)


def _by(frame, *keys):
    return frame.set_index(list(keys))


# --- missing is not zero ---------------------------------------------------------------------


def test_blind_spots_are_missing_without_the_self_assessment_and_another_viewpoint(portfolio_con):
    s = _by(metrics.project_summary(portfolio_con, ALL), "project_id")
    # P2: self-assessment (ecosystem 75, digital 25, alliances 50) against the investment
    # viewpoint (digital 0, alliances 75): digital +25 and alliances −25, both exactly at the
    # threshold, count; ecosystem has no other viewpoint to compare with
    assert s.loc["P2", "blind_spots"] == 2
    # P3: the investment viewpoint only — no count at all, not 0
    assert pd.isna(s.loc["P3", "blind_spots"])
    exported = metrics.project_summary(portfolio_con, ALL)
    assert exported["blind_spots"].isna().sum() == 1


def test_blind_spots_are_missing_for_a_project_never_assessed(portfolio_con):
    portfolio_con.execute(
        "INSERT INTO project (project_id, name, holder_org_id, need, phase, department_code) "
        "VALUES ('P4', 'Tiers-lieu', 'H1', 'culture', 'emergence', '69')"
    )
    s = _by(metrics.project_summary(portfolio_con, ALL), "project_id")
    assert pd.isna(s.loc["P4", "blind_spots"])
    assert pd.isna(s.loc["P4", "max_gap"])
    assert pd.isna(s.loc["P4", "maturity_consolidated"])


def test_blind_spots_are_missing_in_a_period_before_any_round(portfolio_con):
    # up to 2023, P1 has no round yet (its first is 2024-01-10): no count, not 0
    s = _by(
        metrics.project_summary(portfolio_con, PortfolioFilter.create(year_to=2023, scope=None)),
        "project_id",
    )
    assert pd.isna(s.loc["P1", "blind_spots"])
    # up to 2024, P1's self-assessment (2024-01-10) and ecosystem round (2024-06-01) meet:
    # ecosystem lever, self (2 + 4) / 2 × 25 = 75, ecosystem 0 × 25 = 0 → +75, a blind spot;
    # innovation, self 1 × 25 = 25, the ecosystem did not answer → not comparable
    s = _by(
        metrics.project_summary(portfolio_con, PortfolioFilter.create(year_to=2024, scope=None)),
        "project_id",
    )
    assert s.loc["P1", "blind_spots"] == 1


# --- utility year --------------------------------------------------------------------------------


def test_utility_index_is_of_the_latest_year_with_a_target_beneficiaries_of_the_latest_value(
    portfolio_con,
):
    # P1 in 2025: beneficiaries without a target, and a measurement against a target of 0
    portfolio_con.execute(
        "INSERT INTO measurement VALUES ('P1', 'beneficiaries', 2025, 90, NULL, 'declared'), "
        "('P1', 'meals', 2025, 500, 0, 'declared')"
    )
    refresh_utility(portfolio_con)  # what every writer of measurements does
    u = _by(metrics.utility(portfolio_con, ALL), "project_id")
    # 2025 has no measurement with a (non-zero) target: the index stays 2024's,
    # 100 × (80/70 + min(300/100, 2) + 100/80) / 3
    assert u.loc["P1", "utility_year"] == 2024
    assert u.loc["P1", "utility_index"] == pytest.approx(100 * (80 / 70 + 2 + 1.25) / 3)
    # beneficiaries: the latest year with a value, 2025
    assert u.loc["P1", "beneficiaries_year"] == 2025
    assert u.loc["P1", "beneficiaries"] == 90
    a = _by(metrics.achievements(portfolio_con, ALL), "project_id", "indicator_code", "year")
    assert pd.isna(a.loc[("P1", "meals", 2025), "achievement"])  # target 0: missing


# --- leverage without non-financial resources ---------------------------------------------------


def test_leverage_without_non_financial_resources_covers_the_same_projects(portfolio_con):
    inv_b = PortfolioFilter.create(investor="INV_B", scope=None)
    per_project = _by(metrics.leverage(portfolio_con, inv_b), "project_id")
    # P1: B brought skills sponsorship only (5000): financial own euros 0, no per-project ratio
    assert per_project.loc["P1", "own_fin_eur"] == 0
    assert pd.isna(per_project.loc["P1", "leverage_financial"])
    # …but P1 is still one of B's projects and adds R_fin(P1) = 10000 + 2000 to the numerator
    k = metrics.portfolio_kpis(portfolio_con, inv_b)
    assert k.leverage_financial == pytest.approx((12000 + (20000 - 20000)) / 20000)
    assert k.leverage == pytest.approx(((17000 - 5000) + (21000 - 20000)) / 25000)


# --- investor and period -------------------------------------------------------------------------


def test_investor_in_a_year_is_its_portfolio_as_of_then_with_that_year_s_euros(portfolio_con):
    flt = PortfolioFilter.create(investor="INV_A", year_from=2024, year_to=2024, scope=None)
    assert metrics.project_count(portfolio_con, flt) == 2  # P3 (2023) and P1 (2024)
    money = _by(metrics.leverage(portfolio_con, flt), "project_id")
    assert money.loc["P3", "own_eur"] == 0  # the 2023 loan is outside the period
    assert money.loc["P1", "own_eur"] == 10000
    assert money.loc["P1", "resources_eur"] == 10000 + 5000 + 2000
    summary = metrics.portfolio_summary(portfolio_con, flt).set_index("metric")["value"]
    assert summary["committed_eur"] == 10000
    assert summary["leverage"] == pytest.approx(7000 / 10000)
