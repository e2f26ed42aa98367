"""The portfolio filter: URL round trip, invalid values dropped, SQL with bound values only."""

from __future__ import annotations

import pytest

from coinvest.filters import PortfolioFilter, fold

FULL = PortfolioFilter.create(
    investor="INV01",
    support_body=["SB2", "SB1"],
    cohort=["SB1-2025"],
    region=["84", "11"],
    department=["69", "75"],
    phase=["scaling", "rnd"],
    need=["food", "employment"],
    qpv=True,
    rural=True,
    year_from=2023,
    year_to=2025,
    search="Épicerie solidaire",
)


def test_round_trip_is_exact():
    params = FULL.to_query_params()
    assert PortfolioFilter.from_query_params(params) == FULL
    assert (
        PortfolioFilter.from_query_params(PortfolioFilter().to_query_params()) == PortfolioFilter()
    )
    assert PortfolioFilter().to_query_params() == {}


def test_url_shape():
    params = FULL.to_query_params()
    assert params["phase"] == ["rnd", "scaling"]  # reference order
    assert params["region"] == ["11", "84"]
    assert params["qpv"] == "1"
    assert params["year_from"] == "2023"
    assert params["investor"] == "INV01"
    assert params["search"] == "Épicerie solidaire"


def test_unknown_keys_and_invalid_values_are_dropped():
    flt = PortfolioFilter.from_query_params(
        {
            "phase": ["rnd", "mystery"],
            "need": "food,nonsense",
            "region": "99",
            "department": ["75", "20", "2A"],
            "year_from": "two thousand",
            "year_to": "1800",
            "qpv": "yes please",
            "colour": "blue",
            "investor": "   ",
            "search": "  x  ",
        }
    )
    assert flt == PortfolioFilter(
        phase=("rnd",), need=("food",), department=("2A", "75"), search="x"
    )


def test_reversed_period_drops_the_end():
    flt = PortfolioFilter.from_query_params({"year_from": "2025", "year_to": "2023"})
    assert (flt.year_from, flt.year_to) == (2025, None)


@pytest.mark.parametrize(
    "evil",
    [
        "'; DROP TABLE project; --",
        "x' OR '1'='1",
        "$1 ; SELECT 1",
        "%_%",
        "<script>alert(1)</script>",
    ],
)
def test_user_values_never_become_sql(evil):
    flt = PortfolioFilter.create(investor=evil, support_body=[evil], cohort=[evil], search=evil)
    sql, params = flt.project_scope()
    assert evil not in sql
    assert fold(evil) not in sql
    assert params["f_investor"] == evil
    assert params["f_search"] == fold(evil)


def test_injection_strings_run_as_plain_values(portfolio_con):
    from coinvest import metrics

    for evil in ("'; DROP TABLE project; --", "x' OR '1'='1", "%"):
        flt = PortfolioFilter.create(search=evil, investor=evil)
        assert metrics.portfolio_kpis(portfolio_con, flt).projects == 0
    assert portfolio_con.execute("SELECT count(*) FROM project").fetchone()[0] == 3


def test_fold_removes_case_and_accents():
    assert fold("ÉPICERIE Œuvre Ça") == "epicerie ouvre ca"
    assert fold("Garçon naïve") == "garcon naive"


def test_with_changes_one_field_and_validates():
    flt = PortfolioFilter().with_(phase=["rnd", "bad"], year_from="2024")
    assert flt.phase == ("rnd",)
    assert flt.year_from == 2024
    assert not flt.is_empty
    assert PortfolioFilter().is_empty
