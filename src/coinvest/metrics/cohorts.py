"""Cohort figures (docs/figures.md): size, median maturity at the first and latest rounds, median
progress per lever, phases, utility and leverage."""

from __future__ import annotations

import pandas as pd

from coinvest.db import Connection
from coinvest.derived.formulas import leverage_ratio
from coinvest.exact import float_ratio
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    with_achievements,
    with_cohorts,
    with_maturity,
    with_money,
    with_progress,
)
from coinvest.metrics.query import (
    EQUAL,
    Query,
    Weights,
)


def cohort_figures(con: Connection, flt: PortfolioFilter, weights: Weights = EQUAL) -> pd.DataFrame:
    """Per cohort: size, median consolidated maturity at the first and latest rounds, median
    utility index, and median leverage of the chosen investor (empty when none is chosen).
    """
    q = Query(flt, weights, in_cohorts=True)
    with_maturity(q, "latest")
    with_maturity(q, "first")
    with_achievements(q)
    with_money(q)
    with_cohorts(q)
    return q.run(
        con,
        f"""SELECT cs.cohort_id, cs.name, cs.year, cs.support_body_org_id,
               count(*) AS size,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.maturity) AS median_maturity_first,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY l.maturity) AS median_maturity_latest,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY u.utility_index) AS median_utility,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY {leverage_ratio("pm.resources_eur - pm.own_eur", "pm.own_eur")}
               ) AS median_leverage
        FROM cohort_projects cs
        LEFT JOIN first_cmaturity f ON f.project_id = cs.project_id
        LEFT JOIN latest_cmaturity l ON l.project_id = cs.project_id
        LEFT JOIN utility_latest u ON u.project_id = cs.project_id
        LEFT JOIN project_money pm ON pm.project_id = cs.project_id
        GROUP BY cs.cohort_id, cs.name, cs.year, cs.support_body_org_id
        ORDER BY cs.year, cs.cohort_id""",
    )


def cohort_progress(
    con: Connection, flt: PortfolioFilter, weights: Weights = EQUAL
) -> pd.DataFrame:
    """Median consolidated progress per cohort and lever (projects with two rounds or more)."""
    q = Query(flt, weights, in_cohorts=True)
    with_progress(q)
    with_cohorts(q)
    return q.run(
        con,
        """SELECT cs.cohort_id, cp.lever,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY cp.progress) AS median_progress,
               count(*) AS projects
        FROM cohort_projects cs
        JOIN consolidated_progress cp ON cp.project_id = cs.project_id
        WHERE cp.progress IS NOT NULL
        GROUP BY cs.cohort_id, cp.lever
        ORDER BY cs.cohort_id, cp.lever""",
    )


def cohort_phases(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Share of each cohort's projects in each phase."""
    q = Query(flt, in_cohorts=True)
    with_cohorts(q)
    return q.run(
        con,
        f"""SELECT cs.cohort_id, p.phase, count(*) AS projects,
               {float_ratio("count(*)", "sum(count(*)) OVER (PARTITION BY cs.cohort_id)")} AS share
        FROM cohort_projects cs JOIN project p ON p.project_id = cs.project_id
        GROUP BY cs.cohort_id, p.phase
        ORDER BY cs.cohort_id, p.phase""",
    )


def cohort_maturity_spread(
    con: Connection, flt: PortfolioFilter, weights: Weights = EQUAL
) -> pd.DataFrame:
    """Quartiles of consolidated maturity per cohort, at the first and the latest round (box plots).

    Columns: cohort_id, round (first | latest), projects, min, q1, median, q3, max.
    """
    q = Query(flt, weights, in_cohorts=True)
    with_maturity(q, "latest")
    with_maturity(q, "first")
    with_cohorts(q)
    parts = []
    for which in ("first", "latest"):
        parts.append(
            f"""SELECT cs.cohort_id, '{which}' AS round, count(m.maturity) AS projects,
                   min(m.maturity) AS min,
                   percentile_cont(0.25) WITHIN GROUP (ORDER BY m.maturity) AS q1,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY m.maturity) AS median,
                   percentile_cont(0.75) WITHIN GROUP (ORDER BY m.maturity) AS q3,
                   max(m.maturity) AS max
            FROM cohort_projects cs JOIN {which}_cmaturity m ON m.project_id = cs.project_id
            GROUP BY cs.cohort_id"""
        )
    return q.run(con, " UNION ALL ".join(parts) + " ORDER BY cohort_id, round")
