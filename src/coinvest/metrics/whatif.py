"""What-if: re-weighted rankings and the headline figures with hypothetical investments."""

from __future__ import annotations

import pandas as pd

from coinvest.db import Connection
from coinvest.exact import (
    exact_mean,
)
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    with_reweighted,
)
from coinvest.metrics.money import (
    resource_mix,
)
from coinvest.metrics.portfolio import (
    portfolio_kpis,
)
from coinvest.metrics.query import (
    Hypothetical,
    Query,
    Weights,
)
from coinvest.metrics.utility import (
    utility_overview,
)


def reweighting_overview(
    con, flt: PortfolioFilter, weights: Weights, limit: int = 20
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float | None]]:
    """The top `limit` projects under `weights`, the `limit` largest rank moves (only projects
    whose rank changes: none under equal weights), and the
    portfolio maturity (mean consolidated maturity) with equal weights and with `weights`,
    with how many projects change rank — from one query.

    Frames: project_id, name, maturity_equal, rank_equal, maturity_weighted, rank_weighted,
    rank_change (positive: moved up); ranks break ties by project id.
    """
    q = Query(flt)
    with_reweighted(q, weights)
    q.params["limit"] = int(limit)
    q.add(
        "ranked_totals",
        f"""SELECT {exact_mean("maturity_equal")} AS portfolio_equal,
               {exact_mean("maturity_weighted")} AS portfolio_weighted,
               count(*) FILTER (WHERE rank_equal <> rank_weighted) AS moved,
               count(*) AS projects
        FROM ranked""",
    )
    frame = q.run(
        con,
        """SELECT r.project_id, p.name, r.maturity_equal, r.rank_equal, r.maturity_weighted,
               r.rank_weighted, r.rank_equal - r.rank_weighted AS rank_change, r.mover_rank,
               totals.portfolio_equal, totals.portfolio_weighted, totals.moved, totals.projects
        FROM (
            SELECT ranked.*,
                   row_number() OVER (ORDER BY abs(rank_equal - rank_weighted) DESC NULLS LAST,
                                               rank_weighted, project_id) AS mover_rank
            FROM ranked
        ) r
        JOIN project p ON p.project_id = r.project_id
        CROSS JOIN ranked_totals totals
        WHERE r.rank_weighted <= $limit OR r.mover_rank <= $limit""",
    )
    columns = [
        "project_id",
        "name",
        "maturity_equal",
        "rank_equal",
        "maturity_weighted",
        "rank_weighted",
        "rank_change",
    ]
    top = frame[frame["rank_weighted"] <= limit].sort_values("rank_weighted")[columns]
    # a project whose rank does not change is no move, however few projects moved
    moved = (frame["mover_rank"] <= limit) & (frame["rank_change"] != 0)
    moves = frame[moved].sort_values("mover_rank")[columns]
    if frame.empty:
        summary = {"maturity_equal": None, "maturity_weighted": None, "projects": 0.0, "moved": 0.0}
    else:
        first = frame.iloc[0]
        summary = {
            "maturity_equal": None
            if pd.isna(first["portfolio_equal"])
            else float(first["portfolio_equal"]),
            "maturity_weighted": None
            if pd.isna(first["portfolio_weighted"])
            else float(first["portfolio_weighted"]),
            "projects": float(first["projects"]),
            "moved": float(first["moved"]),
        }
    return top.reset_index(drop=True), moves.reset_index(drop=True), summary


def reweighting(
    con, flt: PortfolioFilter, weights: Weights, limit: int = 20, movers: bool = False
) -> pd.DataFrame:
    """The top `limit` projects under `weights` (or, with `movers`, the largest moves)."""
    top, moves, _ = reweighting_overview(con, flt, weights, limit)
    return moves if movers else top


def reweighting_summary(
    con: Connection, flt: PortfolioFilter, weights: Weights
) -> dict[str, float | None]:
    """Portfolio maturity with equal weights and with `weights`, and projects changing rank."""
    return reweighting_overview(con, flt, weights, limit=1)[2]


def scenario_figures(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> dict[str, float | None]:
    """The headline figures with some hypothetical investments (none: the real baseline)."""
    kpis = portfolio_kpis(con, flt, hypothetical)
    utility_ = utility_overview(con, flt, hypothetical)
    mix = resource_mix(con, flt, hypothetical=hypothetical).set_index("sector")["share"]
    return {
        "projects": kpis.projects,
        "committed_eur": kpis.committed_eur,
        "resources_eur": kpis.resources_eur,
        "levered_eur": kpis.levered_eur,
        "leverage": kpis.leverage,
        "leverage_financial": kpis.leverage_financial,
        "beneficiaries": kpis.beneficiaries,
        "median_cost_per_beneficiary": utility_["median_cost_per_beneficiary"],
        "public_share": float(mix["public"])
        if "public" in mix.index
        else 0.0
        if len(mix)
        else None,
        "fragile_share": kpis.fragile_share,
    }
