"""Figures from the assessments: lever scores, maturity, gaps, blind spots, progress, and the
page aggregates built on them (Compare, Viewpoints)."""

from __future__ import annotations

import math

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.errors import CoinvestError
from coinvest.exact import (
    exact_mean,
    exact_sum,
    float_ratio,
    weighted_mean,
)
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    blind_spot_condition,
    blind_spot_params,
    with_blind_spots,
    with_gaps,
    with_maturity,
    with_progress,
    with_rounds,
)
from coinvest.metrics.query import (
    DEFAULT_BLIND_SPOT_THRESHOLD,
    EQUAL,
    Query,
    Weights,
    with_weights,
)


def lever_scores(
    con, flt: PortfolioFilter, which: str = "latest", project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Lever score per project, viewpoint and lever: of the latest round, the first, or every one.

    Columns: project_id, viewpoint, lever, score (0–100), assessed_on.
    """
    q = Query(flt, projects=project_ids)
    with_rounds(q)
    source = {"latest": "latest_lever", "first": "first_lever", "all": "round_lever"}[which]
    return q.run(
        con,
        f"""SELECT project_id, viewpoint, lever, score, assessed_on FROM {source}
        ORDER BY project_id, viewpoint, assessed_on, lever""",
    )


def maturity(
    con, flt: PortfolioFilter, weights: Weights = EQUAL, project_ids: list[str] | None = None
) -> pd.DataFrame:
    """Maturity per project: one column per viewpoint and the consolidated one (0–100).

    Columns: project_id, name, maturity_ecosystem, maturity_project, maturity_investment,
    maturity_consolidated. `project_ids` narrows the filter to a pick of projects.
    """
    q = Query(flt, weights, projects=project_ids)
    with_maturity(q)
    pivots = ",\n".join(
        f"max(m.maturity) FILTER (WHERE m.viewpoint = '{vp}') AS maturity_{vp}"
        for vp in ref.VIEWPOINT_CODES
    )
    return q.run(
        con,
        f"""SELECT s.project_id, p.name, {pivots},
               max(c.maturity) AS maturity_consolidated
        FROM selected s
        JOIN project p ON p.project_id = s.project_id
        LEFT JOIN latest_maturity m ON m.project_id = s.project_id
        LEFT JOIN latest_cmaturity c ON c.project_id = s.project_id
        GROUP BY s.project_id, p.name
        ORDER BY s.project_id""",
    )


def consolidated_levers(
    con: Connection, flt: PortfolioFilter, weights: Weights = EQUAL
) -> pd.DataFrame:
    """Consolidated lever score per project and lever (weighted over the viewpoints present)."""
    q = Query(flt, weights)
    with_maturity(q)
    return q.run(
        con,
        "SELECT project_id, lever, score FROM latest_clever ORDER BY project_id, lever",
    )


def viewpoint_gaps(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Max − min of the latest lever scores over the viewpoints present (two at least).

    Columns: project_id, lever, gap, viewpoints.
    """
    q = Query(flt)
    with_gaps(q)
    return q.run(
        con, "SELECT project_id, lever, gap, viewpoints FROM gap ORDER BY project_id, lever"
    )


def blind_spots(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
    limit: int | None = None,
) -> pd.DataFrame:
    """Levers where the self-assessment differs from the other viewpoints' mean by the threshold.

    Columns: project_id, name, lever, self_score, others_score, difference, kind
    (`over_confident` or `under_rated`).
    """
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = Query(flt)
    with_blind_spots(q, threshold)
    order = "ORDER BY abs(b.difference) DESC NULLS LAST, b.project_id, b.lever"
    source = "blind_spot"
    if limit is not None:  # the listed ones first, then their names (not every spot's)
        q.params["limit"] = int(limit)
        source = f"(SELECT * FROM blind_spot b {order} LIMIT $limit)"
    return q.run(
        con,
        f"""SELECT b.project_id, p.name, b.lever, b.self_score, b.others_score, b.difference,
               b.kind
        FROM {source} b JOIN project p ON p.project_id = b.project_id
        {order}""",
    )


def progress(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Latest − first lever score per project, viewpoint and lever (needs two rounds)."""
    q = Query(flt)
    with_progress(q)
    return q.run(
        con,
        """SELECT project_id, viewpoint, lever, first_score, latest_score, progress,
               first_on, latest_on
        FROM progress ORDER BY project_id, viewpoint, lever""",
    )


def lever_profiles(
    con: Connection,
    flt: PortfolioFilter,
    project_ids: list[str],
    viewpoint: str = "consolidated",
    weights: Weights = EQUAL,
) -> pd.DataFrame:
    """Latest lever scores of some projects, from one viewpoint or consolidated (Compare page).

    Columns: project_id, name, lever, score.
    """
    if viewpoint != "consolidated" and viewpoint not in ref.VIEWPOINT_CODES:
        raise KeyError(viewpoint)
    q = Query(flt, weights, projects=list(project_ids))
    with_maturity(q)
    if viewpoint == "consolidated":
        source, params = "latest_clever l", {}
        where = "l.score IS NOT NULL"
    else:
        source, params = "latest_lever l", {"profile_viewpoint": viewpoint}
        where = "l.viewpoint = $profile_viewpoint"
    q.params.update(params)
    return q.run(
        con,
        f"""SELECT l.project_id, p.name, l.lever, l.score
        FROM {source} JOIN project p ON p.project_id = l.project_id
        WHERE {where}
        ORDER BY l.project_id, l.lever""",
    )


def round_maturity(
    con, flt: PortfolioFilter, project_ids: list[str], weights: Weights = EQUAL
) -> pd.DataFrame:
    """Maturity of every round of some projects, per viewpoint (weighted mean of that round's
    lever scores, missing levers left out). Columns: project_id, viewpoint, assessed_on, maturity.
    """
    q = Query(flt, weights, projects=list(project_ids))
    with_rounds(q)
    with_weights(q)
    return q.run(
        con,
        f"""SELECT r.project_id, r.viewpoint, r.assessed_on,
               {weighted_mean("r.score", "w.weight")} AS maturity
        FROM round_lever r JOIN lever_weight w ON w.lever = r.lever
        GROUP BY r.project_id, r.viewpoint, r.assessed_on
        ORDER BY r.project_id, r.assessed_on, r.viewpoint""",
    )


def ranked_projects(
    con, flt: PortfolioFilter, weights: Weights = EQUAL, limit: int = 10, best: bool = True
) -> pd.DataFrame:
    """The most (or least) mature filtered projects by consolidated maturity.

    Columns: project_id, name, maturity_consolidated.
    """
    q = Query(flt, weights)
    with_maturity(q)
    q.params["limit"] = int(limit)
    order = "DESC" if best else "ASC"
    return q.run(
        con,
        f"""SELECT c.project_id, p.name, c.maturity AS maturity_consolidated
        FROM latest_cmaturity c JOIN project p ON p.project_id = c.project_id
        ORDER BY c.maturity {order} NULLS LAST, c.project_id
        LIMIT $limit""",
    )


def lever_viewpoint_means(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Mean latest lever score per viewpoint and lever over the filtered projects (heatmap).

    Columns: viewpoint, lever, mean_score, projects.
    """
    q = Query(flt)
    with_rounds(q)
    return q.run(
        con,
        f"""SELECT viewpoint, lever, {exact_mean("score")} AS mean_score, count(*) AS projects
        FROM latest_lever GROUP BY viewpoint, lever ORDER BY viewpoint, lever""",
    )


def gaps_by_lever(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> pd.DataFrame:
    """Per lever: mean viewpoint gap, projects with two viewpoints or more, and how many of them
    have a gap of at least the threshold. Columns: lever, mean_gap, projects, large_gaps.
    """
    q = Query(flt)
    with_gaps(q)
    q.params["gap_threshold"] = float(threshold)
    return q.run(
        con,
        f"""SELECT lever, {exact_mean("gap")} AS mean_gap, count(*) AS projects,
               count(*) FILTER (WHERE gap >= $gap_threshold) AS large_gaps
        FROM gap GROUP BY lever ORDER BY lever""",
    )


def blind_spot_counts(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> pd.DataFrame:
    """Blind spots per lever and direction. Columns: lever, kind, spots."""
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = Query(flt)
    with_blind_spots(q, threshold)
    return q.run(
        con,
        "SELECT lever, kind, count(*) AS spots FROM blind_spot GROUP BY lever, kind ORDER BY lever, kind",
    )


def viewpoint_overview(
    con, flt: PortfolioFilter, threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
) -> dict[str, pd.DataFrame]:
    """The Viewpoints page's three aggregates from one query: `means` (as
    lever_viewpoint_means), `gaps` (as gaps_by_lever) and `blind` (as blind_spot_counts)."""
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = Query(flt)
    q.params["gap_threshold"] = float(threshold)
    if flt.rounds_stored:
        frame = _overview_from_summary(con, q, threshold)
    else:
        with_gaps(q)
        with_blind_spots(q, threshold)
        frame = q.run(
            con,
            f"""SELECT 'means' AS part, viewpoint, lever, NULL AS kind,
                   {exact_mean("score")} AS value, count(*) AS n, NULL AS large
            FROM latest_lever GROUP BY viewpoint, lever
            UNION ALL
            SELECT 'gaps', NULL, lever, NULL, {exact_mean("gap")}, count(*),
                   count(*) FILTER (WHERE gap >= $gap_threshold)
            FROM gap GROUP BY lever
            UNION ALL
            SELECT 'blind', NULL, lever, kind, NULL, count(*), NULL
            FROM blind_spot GROUP BY lever, kind""",
        )
    means = frame[frame["part"] == "means"].rename(columns={"value": "mean_score", "n": "projects"})
    gaps = frame[frame["part"] == "gaps"].rename(
        columns={"value": "mean_gap", "n": "projects", "large": "large_gaps"}
    )
    blind = frame[frame["part"] == "blind"].rename(columns={"n": "spots"})
    return {
        "means": means[["viewpoint", "lever", "mean_score", "projects"]]
        .sort_values(["viewpoint", "lever"])
        .reset_index(drop=True),
        "gaps": gaps[["lever", "mean_gap", "projects", "large_gaps"]]
        .astype({"large_gaps": "int64"})
        .sort_values("lever")
        .reset_index(drop=True),
        "blind": blind[["lever", "kind", "spots"]]
        .sort_values(["lever", "kind"])
        .reset_index(drop=True),
    }


def _overview_from_summary(con: Connection, q: Query, threshold: float) -> pd.DataFrame:
    """The overview's rows (as `viewpoint_overview` computes them from the rounds) in one pass
    over the consolidated lever summary, which keeps each viewpoint's latest score side by side
    (schema v14): per lever, each exact sum and count, the gaps (two viewpoints or more) and the
    blind spots of each direction — the same numbers (tested)."""
    q.params.update(blind_spot_params(threshold))
    two = "m.latest_viewpoints >= 2"
    difference = "m.self_score - m.others_score"
    spot = (
        f"m.self_score IS NOT NULL AND m.others_score IS NOT NULL"
        f" AND {blind_spot_condition(difference)}"
    )
    sums = "".join(
        f"{exact_sum(f'm.latest_{code}')} AS s_{code}, count(m.latest_{code}) AS n_{code}, "
        for code in ref.VIEWPOINT_CODES  # column names of the fixed codes
    )
    q.add(
        "per_lever",
        f"""SELECT m.lever, {sums}
               {exact_sum(f"CASE WHEN {two} THEN m.latest_gap END")} AS s_gap,
               count(*) FILTER (WHERE {two}) AS n_gap,
               count(*) FILTER (WHERE {two} AND m.latest_gap >= $gap_threshold) AS large_gaps,
               count(*) FILTER (WHERE {spot} AND {difference} > 0) AS over_confident,
               count(*) FILTER (WHERE {spot} AND NOT ({difference} > 0)) AS under_rated
        FROM clever_summary m {q.join_selected("m")}
        GROUP BY m.lever""",
        materialized=True,
    )
    means = " UNION ALL ".join(
        f"""SELECT 'means' AS part, '{code}' AS viewpoint, lever, CAST(NULL AS VARCHAR) AS kind,
               {float_ratio(f"s_{code}", f"n_{code}")} AS value, n_{code} AS n,
               CAST(NULL AS BIGINT) AS large
        FROM per_lever WHERE n_{code} > 0"""
        for code in ref.VIEWPOINT_CODES
    )
    blind = " UNION ALL ".join(
        f"""SELECT 'blind', NULL, lever, '{kind}', NULL, {kind}, NULL
        FROM per_lever WHERE {kind} > 0"""
        for kind in ("over_confident", "under_rated")  # as `blind_spot_kind` names them
    )
    return q.run(
        con,
        f"""{means}
        UNION ALL
        SELECT 'gaps', NULL, lever, NULL, {float_ratio("s_gap", "n_gap")}, n_gap, large_gaps
        FROM per_lever WHERE n_gap > 0
        UNION ALL
        {blind}""",
    )
