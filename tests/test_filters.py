"""The portfolio filter: URL round trip, invalid values dropped, SQL with bound values only."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coinvest import reference as ref
from coinvest.filters import PortfolioFilter, fold
from coinvest.territory import department_codes, region_codes

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
            "need": ["food", "nonsense"],
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


def test_a_comma_is_part_of_a_value_not_a_separator():
    flt = PortfolioFilter.create(search="a,b", cohort=["C,1", "C2"], support_body=["SB,X"])
    back = PortfolioFilter.from_query_params(flt.to_query_params())
    assert back == flt
    assert back.search == "a,b"
    assert back.cohort == ("C,1", "C2")


_ids = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=120)


@example(
    investor=None,
    support_body=[],
    cohort=[],
    region=[],
    department=[],
    phase=[],
    need=[],
    qpv=False,
    rural=False,
    year_from=None,
    year_to=None,
    search="x" * 199 + " y",
)
@settings(max_examples=300, deadline=None)
@given(
    investor=st.one_of(st.none(), _ids),
    support_body=st.lists(_ids, max_size=4),
    cohort=st.lists(_ids, max_size=4),
    region=st.lists(st.sampled_from((*region_codes(), "99", "x")), max_size=4),
    department=st.lists(st.sampled_from((*department_codes(), "20", "")), max_size=4),
    phase=st.lists(st.sampled_from((*ref.PHASE_CODES, "mystery")), max_size=4),
    need=st.lists(st.sampled_from((*ref.NEED_CODES, "food,health")), max_size=4),
    qpv=st.booleans(),
    rural=st.booleans(),
    year_from=st.one_of(st.none(), st.integers(1850, 2150), st.text(max_size=6)),
    year_to=st.one_of(st.none(), st.integers(1850, 2150), st.text(max_size=6)),
    search=st.text(max_size=260),
)
def test_every_filter_survives_the_url(**raw):
    """`from_query_params(to_query_params(f)) == f` for every filter the app can hold."""
    flt = PortfolioFilter.create(**raw)
    assert PortfolioFilter.from_query_params(flt.to_query_params()) == flt
