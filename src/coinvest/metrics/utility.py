"""Societal utility: achievement against targets, utility index, beneficiaries and cost per
beneficiary."""

from __future__ import annotations

import pandas as pd

from coinvest.db import Connection
from coinvest.exact import (
    exact_sum,
    exact_units,
    float_ratio,
    from_units,
    unit_sum,
)
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    with_achievements,
    with_money,
)
from coinvest.metrics.query import (
    Hypothetical,
    Query,
)


def achievements(
    con: Connection, flt: PortfolioFilter, project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Achievement of each measurement against its target (capped), inside the period."""
    q = Query(flt, projects=project_ids)
    with_achievements(q)
    return q.run(
        con,
        """SELECT project_id, indicator_code, year, value, target, higher_is_better, achievement
        FROM achievement ORDER BY project_id, indicator_code, year""",
    )


def utility(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Each project's utility index and beneficiaries, of its latest year with a value."""
    q = Query(flt)
    with_achievements(q)
    return q.run(
        con,
        """SELECT s.project_id, u.year AS utility_year, u.utility_index,
               b.year AS beneficiaries_year, b.beneficiaries
        FROM selected s
        LEFT JOIN utility_latest u ON u.project_id = s.project_id
        LEFT JOIN beneficiaries b ON b.project_id = s.project_id
        ORDER BY s.project_id""",
    )


def utility_by_year(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Utility index per project and year (100 × mean achievement over targeted indicators)."""
    q = Query(flt)
    with_achievements(q)
    return q.run(
        con,
        "SELECT project_id, year, utility_index, indicators FROM utility_year "
        "ORDER BY project_id, year",
    )


def cost_per_beneficiary(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """The chosen investor's euros (all investments when none is chosen) per beneficiary.

    Columns: project_id, eur, beneficiaries, cost_per_beneficiary (empty with no beneficiary).
    """
    q = Query(flt)
    with_money(q)
    with_achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    return q.run(
        con,
        f"""SELECT pm.project_id, {eur} AS eur, b.beneficiaries,
               {eur} / nullif(b.beneficiaries, 0) AS cost_per_beneficiary
        FROM project_money pm
        LEFT JOIN beneficiaries b ON b.project_id = pm.project_id
        ORDER BY pm.project_id""",
    )


def indicator_summary(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Per indicator, over the measurements of the period: projects, measurements, those with a
    target, mean achievement and the share that met its target.
    """
    q = Query(flt)
    with_achievements(q)
    # per indicator and project first, then per indicator: projects are counted as groups,
    # not as distinct values (PostgreSQL sorted the 850,000 measurements of L for that, 2 s);
    # the achievements are summed as whole units, so the two-step sum is the same exact sum
    q.add(
        "indicator_project",
        f"""SELECT indicator_code, project_id, count(*) AS measurements,
               count(achievement) AS with_target,
               {unit_sum(exact_units("achievement"))} AS achieved_units,
               count(*) FILTER (WHERE achievement >= 1) AS met
        FROM achievement GROUP BY indicator_code, project_id""",
    )
    return q.run(
        con,
        f"""SELECT a.indicator_code, i.name_fr, i.name_en, i.unit, i.higher_is_better,
               count(*) AS projects, CAST(sum(a.measurements) AS BIGINT) AS measurements,
               CAST(sum(a.with_target) AS BIGINT) AS with_target,
               {float_ratio(from_units("sum(a.achieved_units)"), "sum(a.with_target)")}
                   AS mean_achievement,
               {float_ratio("sum(a.met)", "sum(a.with_target)")} AS share_met
        FROM indicator_project a JOIN indicator i ON i.indicator_code = a.indicator_code
        GROUP BY a.indicator_code, i.name_fr, i.name_en, i.unit, i.higher_is_better
        ORDER BY count(*) DESC, a.indicator_code""",
    )


def utility_histogram(con: Connection, flt: PortfolioFilter, width: float = 20.0) -> pd.DataFrame:
    """Projects per band of utility index (latest year). Columns: band_start, projects."""
    q = Query(flt)
    with_achievements(q)
    q.params["band"] = float(width)
    return q.run(
        con,
        """SELECT floor(utility_index / $band) * $band AS band_start, count(*) AS projects
        FROM utility_latest GROUP BY floor(utility_index / $band) ORDER BY band_start""",
    )


def utility_overview(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> dict[str, float | None]:
    """Median utility index, median cost per beneficiary, beneficiaries and projects measured."""
    q = Query(flt, hypothetical=tuple(hypothetical))
    with_money(q)
    with_achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    row = q.run(
        con,
        f"""SELECT
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY utility_index) FROM utility_latest)
                AS median_utility,
            (SELECT count(*) FROM utility_latest) AS projects_with_index,
            (SELECT {exact_sum("beneficiaries", wide=True)} FROM beneficiaries) AS beneficiaries,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {eur} / b.beneficiaries)
               FROM project_money pm JOIN beneficiaries b ON b.project_id = pm.project_id
               WHERE b.beneficiaries > 0 AND {eur} > 0) AS median_cost_per_beneficiary""",
    ).iloc[0]
    return {str(k): (None if pd.isna(v) else float(v)) for k, v in row.items()}


def cost_extremes(
    con: Connection, flt: PortfolioFilter, limit: int = 15
) -> dict[str, pd.DataFrame]:
    """The projects with the highest and with the lowest cost per beneficiary, in one pass over
    the portfolio (`highest`, `lowest`). Columns: project_id, name, eur, beneficiaries,
    cost_per_beneficiary."""
    q = Query(flt)
    with_money(q)
    with_achievements(q)
    eur = "pm.own_eur" if flt.investor else "pm.invested_eur"
    q.params["limit"] = int(limit)
    q.add(
        "cost",
        f"""SELECT pm.project_id, {eur} AS eur, b.beneficiaries,
               {eur} / b.beneficiaries AS cost_per_beneficiary
        FROM project_money pm
        JOIN beneficiaries b ON b.project_id = pm.project_id
        WHERE b.beneficiaries > 0 AND {eur} > 0""",
        materialized=True,
    )
    parts = [
        f"""SELECT * FROM (
            SELECT '{side}' AS side, c.project_id, c.eur, c.beneficiaries,
                   c.cost_per_beneficiary,
                   row_number() OVER (ORDER BY c.cost_per_beneficiary {order} NULLS LAST,
                                      c.project_id) AS k
            FROM cost c ORDER BY k LIMIT $limit) {side}"""
        for side, order in (("highest", "DESC"), ("lowest", "ASC"))
    ]
    frame = q.run(
        con,
        f"""SELECT x.side, x.k, x.project_id, p.name, x.eur, x.beneficiaries,
               x.cost_per_beneficiary
        FROM ({" UNION ALL ".join(parts)}) x
        JOIN project p ON p.project_id = x.project_id""",
    )
    columns = ["project_id", "name", "eur", "beneficiaries", "cost_per_beneficiary"]
    return {
        side: frame[frame["side"] == side].sort_values("k")[columns].reset_index(drop=True)
        for side in ("highest", "lowest")
    }


def cost_ranking(
    con: Connection, flt: PortfolioFilter, limit: int = 15, highest: bool = True
) -> pd.DataFrame:
    """Projects with the highest (or lowest) cost per beneficiary, as `cost_extremes`."""
    return cost_extremes(con, flt, limit)["highest" if highest else "lowest"]
