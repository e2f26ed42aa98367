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


def utility_figures(
    con: Connection,
    flt: PortfolioFilter,
    limit: int = 15,
    hypothetical: tuple[Hypothetical, ...] = (),
) -> dict:
    """The Utility page's figures in one pass over the portfolio's money and beneficiaries:
    `overview` (as `utility_overview`) and the `limit` projects with the `highest` and the
    `lowest` cost per beneficiary (as `cost_extremes`)."""
    q = Query(flt, hypothetical=tuple(hypothetical))
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
    # each end a top-N of its own (numbering every project to keep ten sorted them all)
    ends = " UNION ALL ".join(
        f"""(SELECT '{side}' AS side, c.project_id, c.eur, c.beneficiaries,
                    c.cost_per_beneficiary
             FROM cost c ORDER BY c.cost_per_beneficiary {order}, c.project_id LIMIT $limit)"""
        for side, order in (("highest", "DESC"), ("lowest", "ASC"))
    )
    # the overview's figures on every line (one line when no project has a cost)
    frame = q.run(
        con,
        f"""SELECT o.*, x.side, x.project_id, p.name, x.eur, x.beneficiaries,
               x.cost_per_beneficiary
        FROM (SELECT
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY utility_index)
               FROM utility_latest) AS median_utility,
            (SELECT count(*) FROM utility_latest) AS projects_with_index,
            (SELECT {exact_sum("beneficiaries", wide=True)} FROM beneficiaries) AS beneficiaries_all,
            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY cost_per_beneficiary) FROM cost)
                AS median_cost_per_beneficiary) o
        LEFT JOIN ({ends}) x ON TRUE
        LEFT JOIN project p ON p.project_id = x.project_id""",
    )
    first = frame.iloc[0]
    overview = {
        name: (None if pd.isna(first[column]) else float(first[column]))
        for name, column in (
            ("median_utility", "median_utility"),
            ("projects_with_index", "projects_with_index"),
            ("beneficiaries", "beneficiaries_all"),
            ("median_cost_per_beneficiary", "median_cost_per_beneficiary"),
        )
    }
    columns = ["project_id", "name", "eur", "beneficiaries", "cost_per_beneficiary"]
    out: dict = {"overview": overview}
    for side, descending in (("highest", True), ("lowest", False)):
        rows = frame[frame["side"] == side]
        out[side] = rows.sort_values(
            ["cost_per_beneficiary", "project_id"], ascending=[not descending, True]
        )[columns].reset_index(drop=True)
    return out


def utility_overview(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> dict[str, float | None]:
    """Median utility index, median cost per beneficiary, beneficiaries and projects measured."""
    overview: dict[str, float | None] = utility_figures(con, flt, 0, hypothetical)["overview"]
    return overview


def cost_extremes(
    con: Connection, flt: PortfolioFilter, limit: int = 15
) -> dict[str, pd.DataFrame]:
    """The projects with the highest and with the lowest cost per beneficiary, in one pass over
    the portfolio (`highest`, `lowest`). Columns: project_id, name, eur, beneficiaries,
    cost_per_beneficiary."""
    figures = utility_figures(con, flt, limit)
    return {side: figures[side] for side in ("highest", "lowest")}


def cost_ranking(
    con: Connection, flt: PortfolioFilter, limit: int = 15, highest: bool = True
) -> pd.DataFrame:
    """Projects with the highest (or lowest) cost per beneficiary, as `cost_extremes`."""
    return cost_extremes(con, flt, limit)["highest" if highest else "lowest"]
