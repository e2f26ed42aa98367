"""Figures to read a project's or an investor's own figures against (docs/pages.md): the medians of
a portfolio per lever, every investor's leverage over the same projects, and two viewpoints of
one lever side by side ("my officers' view against the project's own")."""

from __future__ import annotations

import math

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.derived.formulas import leverage_ratio
from coinvest.errors import CoinvestError
from coinvest.exact import exact_mean
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import with_maturity, with_money, with_phase_weights, with_rounds
from coinvest.metrics.query import DEFAULT_BLIND_SPOT_THRESHOLD, Query
from coinvest.reference import SCORE_SCALE

MATURITY = "maturity"  # the row of `lever_medians` that holds the consolidated maturity
PAIR_BIN = 10  # the score bands of the viewpoint-pair density (0–10, 10–20, … 90–100)


def lever_medians(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Median latest consolidated score per lever over the filtered projects, and the median
    consolidated maturity (lever `maturity`). Columns: lever, median_score, projects.

    A project's sheet sets its own scores beside these, for its portfolio and for its peers
    (the same filter narrowed to the project's phase).
    """
    q = Query(flt)
    with_maturity(q)
    frame = q.run(
        con,
        f"""SELECT lever, percentile_cont(0.5) WITHIN GROUP (ORDER BY score) AS median_score,
               count(*) AS projects
        FROM latest_clever WHERE score IS NOT NULL GROUP BY lever
        UNION ALL
        SELECT '{MATURITY}', percentile_cont(0.5) WITHIN GROUP (ORDER BY maturity), count(*)
        FROM latest_cmaturity""",
    )
    order = {code: i for i, code in enumerate((*ref.LEVER_CODES, MATURITY))}
    frame = frame[frame["projects"] > 0]
    return frame.sort_values("lever", key=lambda s: s.map(order)).reset_index(drop=True)


def investor_benchmark(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Every investor's partnership leverage over the filter's projects (its investor left out),
    exactly as `portfolio_kpis` gives it when that investor is chosen, with the median of the
    investors. Columns: org_id, name, projects, own_eur, leverage, leverage_financial,
    median_leverage; the highest leverage first.
    """
    q = Query(flt.with_(investor=None))
    with_money(q)
    # each investor's portfolio as of the period's end (docs/figures.md "Settled points"): the projects it funded
    # up to then, whether or not it put euros in during the period
    until, until_params = q.flt.until_condition("i.date", "bench")
    q.add(
        "investor_project",
        f"""SELECT DISTINCT i.investor_org_id AS org_id, i.project_id
        FROM investment i {q.join_selected("i")}
        WHERE 1 = 1{until}""",
        **until_params,
    )
    q.add(
        "own",
        """SELECT project_id, org_id, sum(eur) AS own_eur,
               coalesce(sum(eur) FILTER (WHERE financial), 0) AS own_fin_eur
        FROM money WHERE is_investment GROUP BY project_id, org_id""",
    )
    leverage = leverage_ratio("sum(pm.resources_eur - coalesce(o.own_eur, 0))", "sum(o.own_eur)")
    financial = leverage_ratio(
        "sum(pm.resources_fin_eur - coalesce(o.own_fin_eur, 0))", "sum(o.own_fin_eur)"
    )
    q.add(
        "per_investor",
        f"""SELECT ip.org_id, count(*) AS projects, coalesce(sum(o.own_eur), 0) AS own_eur,
               {leverage} AS leverage, {financial} AS leverage_financial
        FROM investor_project ip
        JOIN project_money pm ON pm.project_id = ip.project_id
        LEFT JOIN own o ON o.project_id = ip.project_id AND o.org_id = ip.org_id
        GROUP BY ip.org_id""",
    )
    return q.run(
        con,
        """SELECT i.org_id, org.name, i.projects, i.own_eur, i.leverage, i.leverage_financial,
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY leverage) FROM per_investor)
                   AS median_leverage
        FROM per_investor i JOIN organisation org ON org.org_id = i.org_id
        ORDER BY i.leverage DESC NULLS LAST, i.org_id""",
    )


def viewpoint_pair(
    con: Connection,
    flt: PortfolioFilter,
    first: str,
    second: str,
    lever: str,
    own_assessors: bool = False,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
    limit: int = 20,
) -> dict[str, pd.DataFrame]:
    """Two viewpoints of one lever, for the projects assessed from both (latest rounds as of the
    end of the period).

    With `own_assessors` and an investor in the filter, the investment viewpoint is that
    investor's own assessors only (its latest round on each project, scored as `lever_round`
    scores: answers averaged per question, questions averaged, scaled to 0–100).

    Returns `summary` (one row: projects, mean_first, mean_second, mean_difference as first −
    second, first_higher, second_higher, large as |difference| ≥ threshold), `density` (projects
    per band of 10 points of each viewpoint: band_first, band_second, projects) and `largest`
    (the `limit` projects with the largest |difference|: project_id, name, first_score,
    second_score, difference).
    """
    if lever not in ref.LEVER_CODES:
        raise KeyError(lever)
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    q = Query(flt)
    _pair(q, first, second, lever, own_assessors)
    q.params.update(pair_threshold=float(threshold), pair_limit=int(limit))
    band = f"least(floor(%s / {PAIR_BIN}), {100 // PAIR_BIN - 1}) * {PAIR_BIN}"
    frame = q.run(
        con,
        f"""SELECT 'summary' AS part, NULL AS project_id, NULL AS name, count(*) AS n,
               {exact_mean("first_score")} AS x, {exact_mean("second_score")} AS y,
               {exact_mean("difference")} AS d,
               count(*) FILTER (WHERE difference > 0) AS up,
               count(*) FILTER (WHERE difference < 0) AS down,
               count(*) FILTER (WHERE abs(difference) >= $pair_threshold - 1e-9) AS large
        FROM pair
        UNION ALL
        SELECT 'density', NULL, NULL, count(*), {band % "first_score"}, {band % "second_score"},
               NULL, NULL, NULL, NULL
        FROM pair GROUP BY {band % "first_score"}, {band % "second_score"}
        UNION ALL
        SELECT 'largest', r.project_id, p.name, NULL, r.first_score, r.second_score,
               r.difference, NULL, NULL, NULL
        FROM (SELECT *, row_number() OVER (ORDER BY abs(difference) DESC, project_id) AS k
              FROM pair) r
        JOIN project p ON p.project_id = r.project_id
        WHERE r.k <= $pair_limit""",
    )
    summary_row = frame[frame["part"] == "summary"].iloc[0]
    summary = pd.DataFrame(
        [
            {
                "projects": int(summary_row["n"]),
                "mean_first": summary_row["x"],
                "mean_second": summary_row["y"],
                "mean_difference": summary_row["d"],
                "first_higher": int(summary_row["up"] or 0),
                "second_higher": int(summary_row["down"] or 0),
                "large": int(summary_row["large"] or 0),
            }
        ]
    )
    density = (
        frame[frame["part"] == "density"]
        .rename(columns={"x": "band_first", "y": "band_second", "n": "projects"})[
            ["band_first", "band_second", "projects"]
        ]
        .astype({"band_first": "int64", "band_second": "int64", "projects": "int64"})
        .sort_values(["band_first", "band_second"])
        .reset_index(drop=True)
    )
    largest = frame[frame["part"] == "largest"].rename(
        columns={"x": "first_score", "y": "second_score", "d": "difference"}
    )
    largest = largest[["project_id", "name", "first_score", "second_score", "difference"]]
    largest = largest.assign(abs_difference=largest["difference"].abs())
    largest = (
        largest.sort_values(["abs_difference", "project_id"], ascending=[False, True])
        .drop(columns="abs_difference")
        .reset_index(drop=True)
    )
    return {"summary": summary, "density": density, "largest": largest}


def _check_pair(first: str, second: str) -> None:
    """Two viewpoints of the reference model, and not the same one."""
    for code in (first, second):
        if code not in ref.VIEWPOINT_CODES:
            raise KeyError(code)
    if first == second:
        raise CoinvestError("viewpoints.pair_same")


def _pair(q: Query, first: str, second: str, lever: str | None, own_assessors: bool) -> None:
    """`pair`: per project (and lever) assessed from both viewpoints, their latest scores as of
    the end of the period and first − second — on one lever, or on every lever (`lever` None).

    With `own_assessors` and an investor in the filter, the investment viewpoint is that
    investor's own assessors only (its latest round on each project and lever, scored as
    `lever_round` scores: answers averaged per question, questions averaged, scaled to 0–100).
    """
    _check_pair(first, second)
    flt = q.flt
    own = own_assessors and flt.investor is not None
    one_lever = "" if lever is None else " AND lever = $pair_lever"
    if flt.rounds_stored and not own:
        # each viewpoint's latest score side by side in the consolidated lever summary (schema
        # v14): a row per project and lever, no join of two viewpoints' rows
        if lever is not None:
            q.params["pair_lever"] = lever
        a, b = f"m.latest_{first}", f"m.latest_{second}"  # columns of the checked codes
        of_lever = "" if lever is None else " AND m.lever = $pair_lever"
        q.add(
            "pair",
            f"""SELECT m.project_id, m.lever, {a} AS first_score, {b} AS second_score,
                   {a} - {b} AS difference
            FROM clever_summary m {q.join_selected("m")}
            WHERE {a} IS NOT NULL AND {b} IS NOT NULL{of_lever}""",
            materialized=True,
        )
        return
    with_rounds(q)
    one_answer_lever = "" if lever is None else " AND split_part(x.question, '.', 1) = $pair_lever"
    if lever is not None:
        q.params["pair_lever"] = lever
    sources = {}
    for tag, code in (("a", first), ("b", second)):
        if own and code == "investment":
            until, params = flt.until_condition("a.assessed_on", "own")
            q.add(
                "own_round",
                f"""SELECT a.project_id, split_part(x.question, '.', 1) AS lever, a.assessed_on,
                       x.question, avg(x.score) AS score
                FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
                {q.join_selected("a")}
                WHERE a.viewpoint = $own_viewpoint AND a.assessor_org_id = $own_investor
                  {one_answer_lever}{until}
                GROUP BY a.project_id, a.assessed_on, x.question""",
                own_viewpoint="investment",
                own_investor=flt.investor,
                **params,
            )
            q.add(
                "own_lever",
                f"""SELECT project_id, lever, score FROM (
                    SELECT project_id, lever, assessed_on,
                           {exact_mean("score")} * $score_scale AS score,
                           max(assessed_on) OVER (PARTITION BY project_id, lever) AS last_on
                    FROM own_round
                    GROUP BY project_id, lever, assessed_on) r
                WHERE assessed_on = last_on""",
                score_scale=SCORE_SCALE,
            )
            sources[tag] = "own_lever"
        else:
            q.add(
                f"pair_{tag}",
                f"""SELECT project_id, lever, score FROM latest_lever
                WHERE viewpoint = $pair_viewpoint_{tag}{one_lever}""",
            )
            q.params[f"pair_viewpoint_{tag}"] = code
            sources[tag] = f"pair_{tag}"
    q.add(
        "pair",
        f"""SELECT a.project_id, a.lever, a.score AS first_score, b.score AS second_score,
               a.score - b.score AS difference
        FROM {sources["a"]} a
        JOIN {sources["b"]} b ON b.project_id = a.project_id AND b.lever = a.lever""",
        materialized=True,
    )


def viewpoint_gap_ranking(
    con: Connection,
    flt: PortfolioFilter,
    first: str,
    second: str,
    own_assessors: bool = False,
    limit: int = 20,
) -> dict[str, pd.DataFrame]:
    """The projects ranked by how far two viewpoints lie apart over all the levers assessed from
    both (latest rounds as of the end of the period; `own_assessors` as in `viewpoint_pair`).

    Per project: `levers` (assessed from both), `mean_gap` (mean of |first − second| over those
    levers), `mean_difference` (mean of first − second: its sign says which viewpoint rates the
    project higher), `largest_gap` (the largest |first − second|) with its lever
    (`largest_lever`, ties by lever order) and its signed `largest_difference`.

    Returns `summary` (one row: projects) and `ranking` (the `limit` projects with the largest
    mean gap, ties by largest gap, then project id: project_id, name and the figures above).
    """
    q = Query(flt)
    q.params["gap_limit"] = int(limit)
    if flt.rounds_stored and not (own_assessors and flt.investor is not None):
        _ranking_from_summary(q, first, second)
    else:
        _ranking_from_rounds(q, first, second, own_assessors)
    frame = q.run(
        con,
        """SELECT r.project_id, p.name, r.levers, r.mean_gap, r.mean_difference,
               r.largest_gap, r.largest_lever, r.largest_difference,
               (SELECT count(*) FROM per_project) AS projects
        FROM ranked r
        JOIN project p ON p.project_id = r.project_id
        ORDER BY r.mean_gap DESC, r.largest_gap DESC, r.project_id""",
    )
    projects = int(frame["projects"].iloc[0]) if len(frame) else 0
    ranking = frame.drop(columns="projects").astype({"levers": "int64"}).reset_index(drop=True)
    return {"summary": pd.DataFrame([{"projects": projects}]), "ranking": ranking}


_RANKED = """SELECT * FROM per_project
ORDER BY mean_gap DESC, largest_gap DESC, project_id LIMIT $gap_limit"""


def _ranking_from_summary(q: Query, first: str, second: str) -> None:
    """`per_project` and the `ranked` first of them, read from the pair summary kept at write
    time (latest rounds, no period end): each pair is kept once, its viewpoints' codes in
    alphabetical order; the other way round, the differences are the reverse ones."""
    _check_pair(first, second)
    low, high = sorted((first, second))
    reverse = (first, second) != (low, high)
    # b − a is computed, not negated: 0 − 0 is 0 where −0 would show "−0"
    largest = "g.largest_difference"
    if reverse:
        largest = f"CAST(0 AS DOUBLE PRECISION) - {largest}"
    q.add(
        "per_project",
        f"""SELECT g.project_id, g.levers, g.mean_gap,
               g.{"mean_reverse_difference" if reverse else "mean_difference"} AS mean_difference,
               g.largest_gap, g.largest_lever, {largest} AS largest_difference
        FROM pair_summary g {q.join_selected("g")}
        WHERE g.viewpoint_a = $pair_low AND g.viewpoint_b = $pair_high""",
        pair_low=low,
        pair_high=high,
    )
    q.add("ranked", _RANKED)


def _ranking_from_rounds(q: Query, first: str, second: str, own_assessors: bool) -> None:
    """`per_project` and the `ranked` first of them, from the latest rounds as of the period's
    end (or the investor's own assessors)."""
    _pair(q, first, second, None, own_assessors)
    with_phase_weights(q)  # the levers' order
    q.add(
        "per_project",
        f"""SELECT project_id, count(*) AS levers, {exact_mean("abs(difference)")} AS mean_gap,
               {exact_mean("difference")} AS mean_difference,
               max(abs(difference)) AS largest_gap
        FROM pair GROUP BY project_id""",
    )
    # the ranked projects first: the largest gap's lever is then looked for in those alone
    q.add("top", _RANKED)
    q.add(
        "largest",
        """SELECT project_id, lever AS largest_lever, difference AS largest_difference
        FROM (SELECT r.project_id, r.lever, r.difference,
                     row_number() OVER (PARTITION BY r.project_id
                                        ORDER BY abs(r.difference) DESC, w.position) AS k
              FROM pair r
              JOIN (SELECT DISTINCT lever, position FROM phase_weight) w ON w.lever = r.lever
              WHERE r.project_id IN (SELECT project_id FROM top)) r
        WHERE k = 1""",
    )
    q.add(
        "ranked",
        """SELECT t.*, l.largest_lever, l.largest_difference
        FROM top t JOIN largest l ON l.project_id = t.project_id""",
    )
