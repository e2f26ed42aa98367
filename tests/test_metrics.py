"""Portfolio figures on a tiny portfolio written here, each expectation computed by hand."""

from __future__ import annotations

import pytest

from coinvest import metrics
from coinvest.filters import PortfolioFilter


@pytest.fixture
def con(portfolio_con):
    """The hand-written portfolio of tests/portfolio.py."""
    return portfolio_con


def test_kpis_without_investor(con):
    k = metrics.portfolio_kpis(con, PortfolioFilter(scope=None))
    assert k.projects == 3
    assert k.invested_eur == 10000 + 5000 + 20000 + 30000
    assert k.committed_eur == 65000
    assert k.resources_eur == 65000 + 2000 + 1000
    assert k.beneficiaries == 80 + 200  # latest year of P1 (2024) and of P2; P3 has none
    assert k.fragile_share == pytest.approx(2 / 3)
    assert k.levered_eur is None
    assert k.leverage is None
    assert k.leverage_financial is None


def test_kpis_for_investor_a(con):
    k = metrics.portfolio_kpis(con, PortfolioFilter.create(investor="INV_A", scope=None))
    assert k.projects == 2  # P1 and P3
    assert k.committed_eur == 10000 + 30000
    # R(P1) = 10000 + 5000 + 2000, R(P3) = 30000
    assert k.resources_eur == 47000
    assert k.levered_eur == 47000 - 40000
    assert k.leverage == pytest.approx(7000 / 40000)
    # without non-financial resources: R(P1) = 10000 + 2000, own stays 10000 + 30000
    assert k.leverage_financial == pytest.approx((12000 - 10000 + 30000 - 30000) / 40000)
    assert k.beneficiaries == 80
    assert k.fragile_share == pytest.approx(1 / 2)


def test_kpis_for_investor_b_leverage_without_non_financial_covers_the_same_projects(con):
    k = metrics.portfolio_kpis(con, PortfolioFilter.create(investor="INV_B", scope=None))
    assert k.committed_eur == 25000
    assert k.leverage == pytest.approx((17000 - 5000 + 21000 - 20000) / 25000)
    # docs/figures.md "Settled points": the same projects P1 and P2. In P1, B brought only skills sponsorship, so its
    # financial euros there are 0 and P1 adds to the numerator only: R_fin(P1) = 10000 (A's
    # grant) + 2000 (the partner's financial contribution). In P2 the other resource (network)
    # is non-financial: R_fin(P2) − own_fin(P2) = 20000 − 20000.
    assert k.leverage_financial == pytest.approx((12000 - 0 + 20000 - 20000) / 20000)


def test_investor_and_period_is_its_portfolio_as_of_the_end_with_the_period_s_euros(con):
    # docs/figures.md "Settled points": "INV_A in 2024" keeps the projects A had funded by the end of 2024 — P3
    # (2023) and P1 (2024) — and counts only the euros of 2024.
    k = metrics.portfolio_kpis(
        con, PortfolioFilter.create(investor="INV_A", year_from=2024, year_to=2024, scope=None)
    )
    assert k.projects == 2
    assert k.committed_eur == 10000  # I1; I4 (P3) is dated 2023
    assert k.resources_eur == 10000 + 5000 + 2000  # P1's 2024 flows; P3 had none in 2024
    assert k.levered_eur == 17000 - 10000  # P3, without A's euros in 2024, adds nothing
    assert k.leverage == pytest.approx(7000 / 10000)
    # a project funded only after the period is not in the portfolio yet
    k = metrics.portfolio_kpis(
        con, PortfolioFilter.create(investor="INV_B", year_to=2024, scope=None)
    )
    assert k.projects == 1  # P1 (2024); P2 was funded in 2025


def test_period_limits_investments_contributions_and_measurements(con):
    k = metrics.portfolio_kpis(
        con, PortfolioFilter.create(investor="INV_B", year_from=2025, scope=None)
    )
    assert k.projects == 2  # B's portfolio: P1 (2024) and P2 (2025)
    assert k.committed_eur == 20000  # the 2025 euros only
    assert k.leverage == pytest.approx((20000 + 1000 - 20000) / 20000)
    k = metrics.portfolio_kpis(con, PortfolioFilter.create(year_to=2023, scope=None))
    assert k.projects == 3
    assert k.invested_eur == 30000
    assert k.resources_eur == 30000
    assert k.beneficiaries == 50  # P1's latest year up to 2023


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"need": ["food"]}, 2),
        ({"phase": ["modelling"]}, 2),
        ({"department": ["75"]}, 1),
        ({"region": ["53"]}, 1),
        ({"qpv": True}, 1),
        ({"rural": True}, 1),
        ({"qpv": True, "rural": True}, 2),
        ({"search": "EPICERIE"}, 1),
        ({"search": "amis de la sante"}, 1),
        ({"support_body": ["SB"]}, 1),
        ({"support_body": ["SB", "SB2"]}, 3),
        ({"cohort": ["C2"]}, 2),
        ({"cohort": ["C1"]}, 1),
        ({"need": ["food"], "phase": ["modelling"]}, 1),
        ({"need": ["health"], "qpv": True}, 0),
    ],
)
def test_filter_fields_keep_the_right_projects(con, raw, expected):
    assert (
        metrics.portfolio_kpis(con, PortfolioFilter.create(**raw, scope=None)).projects == expected
    )


def test_filter_matching_nothing_gives_zeros_not_errors(con):
    flt = PortfolioFilter.create(search="nothing like this", scope=None)
    k = metrics.portfolio_kpis(con, flt)
    assert (k.projects, k.invested_eur, k.resources_eur, k.beneficiaries, k.fragile_share) == (
        0,
        0,
        0,
        None,
        None,
    )
    assert metrics.projects_by_department(con, flt)["projects"].sum() == 0
    assert metrics.projects_by(con, flt, "phase")["projects"].sum() == 0


def test_projects_and_euros_by_department(con):
    frame = metrics.projects_by_department(con, PortfolioFilter(scope=None)).set_index(
        "department_code"
    )
    assert len(frame) == 101
    assert frame.loc["75", "projects"] == 1
    assert frame.loc["75", "committed_eur"] == 15000
    assert frame.loc["13", "committed_eur"] == 20000
    assert frame.loc["29", "region_name"] == "Bretagne"
    assert frame["projects"].sum() == 3


def test_projects_by_phase_and_need_in_reference_order(con):
    phases = metrics.projects_by(con, PortfolioFilter(scope=None), "phase")
    assert list(phases["code"]) == ["emergence", "rnd", "modelling", "scaling"]
    assert list(phases["projects"]) == [0, 1, 2, 0]
    assert list(phases["share"]) == pytest.approx([0, 1 / 3, 2 / 3, 0])
    needs = metrics.projects_by(con, PortfolioFilter(scope=None), "need").set_index("code")
    assert needs.loc["food", "projects"] == 2
    assert needs.loc["health", "projects"] == 1
    with pytest.raises(KeyError):
        metrics.projects_by(con, PortfolioFilter(scope=None), "name; DROP TABLE project")
