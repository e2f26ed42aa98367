"""The shared common table expressions every metric is built from (docs/figures.md): rounds, maturity,
gaps and blind spots, progress, achievements, money, diversity, cohorts and re-weighting."""

from __future__ import annotations

from typing import Any

from coinvest import reference as ref
from coinvest.derived.formulas import (
    achievement_expression,
    diversity_select,
    need_expression,
    need_order,
    phase_weight_values,
    priority_condition,
)
from coinvest.exact import (
    exact_mean,
    weighted_mean,
)
from coinvest.metrics.query import (
    ACHIEVEMENT_CAP,
    EQUAL,
    Query,
    Weights,
    with_weights,
)


def with_rounds(q: Query) -> None:
    """Lever scores per round, flagged first and latest per project and viewpoint.

    "Latest" is as of the end of the period: with an end year, it is recomputed over the rounds
    dated up to then; without one, the stored flag serves. A campaign's filter keeps the rounds
    dated up to its reference date, and its round, dated at it, is the latest
    (docs/campaigns.md "Its round on the pages").
    """
    if q.flt.rounds_stored:
        q.add(
            "round_lever",
            f"""SELECT l.project_id, l.viewpoint, l.assessed_on, l.lever, l.score,
                   l.is_first, l.is_latest
            FROM lever_round l {q.join_selected("l")}""",
            materialized=True,
        )
    else:
        until, params = q.flt.until_condition("l.assessed_on", "a")
        latest = "max(l.assessed_on) OVER (PARTITION BY l.project_id, l.viewpoint, l.lever)"
        if q.flt.campaign is not None:  # its round is the latest: the rounds up to its date
            latest, campaign_params = q.flt.campaign_date()
            until += f" AND l.assessed_on <= {latest}"
            params.update(campaign_params)
        q.add(
            "round_lever",
            f"""SELECT l.project_id, l.viewpoint, l.assessed_on, l.lever, l.score, l.is_first,
                   l.assessed_on = {latest} AS is_latest
            FROM lever_round l {q.join_selected("l")}
            WHERE 1 = 1{until}""",
            materialized=True,
            **params,
        )
    for which in ("latest", "first"):
        if q.flt.rounds_stored:
            # the per-project summary serves (schema v7): one row per viewpoint and lever
            q.add(
                f"{which}_lever",
                f"""SELECT l.project_id, l.viewpoint, l.lever, l.{which}_score AS score,
                       l.{which}_on AS assessed_on
                FROM lever_summary l {q.join_selected("l")}
                WHERE l.{which}_score IS NOT NULL""",
                inline=True,
            )
        else:
            q.add(
                f"{which}_lever",
                f"""SELECT project_id, viewpoint, lever, score, assessed_on
                FROM round_lever WHERE is_{which}""",
                materialized=True,
            )


def with_maturity(
    q: Query, which: str = "latest", weights: Weights | None = None, tag: str = ""
) -> None:
    """Maturity per viewpoint, consolidated lever scores and consolidated maturity.

    `weights` and `tag` add a second, differently weighted set of the same tables.
    """
    with_rounds(q)
    with_weights(q, weights, tag)
    if q.flt.rounds_stored and (weights or q.weights) == EQUAL:
        # equal weights and no period end: the summaries kept at write time are these tables
        selected = q.join_selected("m")
        q.add(
            f"{which}_maturity{tag}",
            f"""SELECT m.project_id, m.viewpoint, m.{which}_maturity AS maturity
            FROM viewpoint_maturity m {selected} WHERE m.{which}_maturity IS NOT NULL""",
            inline=True,
        )
        q.add(
            f"{which}_clever{tag}",
            f"""SELECT m.project_id, m.lever, m.{which}_score AS score
            FROM clever_summary m {selected} WHERE m.{which}_score IS NOT NULL""",
            inline=True,
        )
        q.add(
            f"{which}_cmaturity{tag}",
            f"""SELECT m.project_id, m.{which}_maturity AS maturity
            FROM project_maturity m {selected} WHERE m.{which}_maturity IS NOT NULL""",
            inline=True,
        )
        return
    q.add(
        f"{which}_maturity{tag}",
        f"""SELECT l.project_id, l.viewpoint, {weighted_mean("l.score", "w.weight")} AS maturity
        FROM {which}_lever l JOIN lever_weight{tag} w ON w.lever = l.lever
        GROUP BY l.project_id, l.viewpoint""",
    )
    q.add(
        f"{which}_clever{tag}",
        f"""SELECT l.project_id, l.lever, {weighted_mean("l.score", "v.weight")} AS score
        FROM {which}_lever l JOIN viewpoint_weight{tag} v ON v.viewpoint = l.viewpoint
        GROUP BY l.project_id, l.lever""",
    )
    q.add(
        f"{which}_cmaturity{tag}",
        f"""SELECT c.project_id, {weighted_mean("c.score", "w.weight")} AS maturity
        FROM {which}_clever{tag} c JOIN lever_weight{tag} w ON w.lever = c.lever
        WHERE c.score IS NOT NULL
        GROUP BY c.project_id""",
    )


def with_lever_stats(q: Query) -> None:
    """Per project and lever, over the viewpoints' latest scores: the spread, the team's own
    score and the others' mean — one pass, for both gaps and blind spots."""
    with_rounds(q)
    if q.flt.rounds_stored:  # kept at write time, with the consolidated scores
        q.add(
            "lever_stats",
            f"""SELECT m.project_id, m.lever, m.latest_gap AS gap, m.latest_viewpoints AS viewpoints,
                   m.self_score, m.others_score
            FROM clever_summary m {q.join_selected("m")}
            WHERE m.latest_viewpoints > 0""",
            inline=True,
        )
        return
    q.add(
        "lever_stats",
        """SELECT project_id, lever, max(score) - min(score) AS gap, count(*) AS viewpoints,
               max(score) FILTER (WHERE viewpoint = $self_viewpoint) AS self_score,
               avg(score) FILTER (WHERE viewpoint <> $self_viewpoint) AS others_score
        FROM latest_lever GROUP BY project_id, lever""",
        materialized=True,
        self_viewpoint=ref.SELF_VIEWPOINT,  # as in the stored summary
    )


def with_gaps(q: Query) -> None:
    with_lever_stats(q)
    q.add(
        "gap",
        "SELECT project_id, lever, gap, viewpoints FROM lever_stats WHERE viewpoints >= 2",
    )


def with_blind_spots(q: Query, threshold: float) -> None:
    with_lever_stats(q)
    q.add(
        "self_vs_others",
        """SELECT project_id, lever, self_score, others_score,
               self_score - others_score AS difference
        FROM lever_stats
        WHERE self_score IS NOT NULL AND others_score IS NOT NULL""",
    )
    q.add(
        "blind_spot",
        f"""SELECT project_id, lever, self_score, others_score, difference,
               {blind_spot_kind("difference")} AS kind
        FROM self_vs_others
        WHERE {blind_spot_condition("difference")}""",
        **blind_spot_params(threshold),
    )


def blind_spot_condition(difference: str) -> str:
    """A blind spot: the team's own score differs from the others' mean by the threshold (SQL
    text over `difference`, self − others, with `blind_spot_params` bound)."""
    return f"abs({difference}) >= $threshold - $epsilon"


def blind_spot_kind(difference: str) -> str:
    return f"CASE WHEN {difference} > 0 THEN 'over_confident' ELSE 'under_rated' END"


def blind_spot_params(threshold: float) -> dict[str, Any]:
    # a difference of exactly the threshold counts, float noise aside
    return {"threshold": float(threshold), "epsilon": 1e-9}


def with_progress(q: Query) -> None:
    with_rounds(q)
    with_weights(q)
    if q.flt.rounds_stored:  # the first and latest scores side by side in the summary
        q.add(
            "progress",
            f"""SELECT l.project_id, l.viewpoint, l.lever, l.first_score, l.latest_score,
                   l.latest_score - l.first_score AS progress, l.first_on, l.latest_on
            FROM lever_summary l {q.join_selected("l")}
            WHERE l.first_on < l.latest_on
              AND l.first_score IS NOT NULL AND l.latest_score IS NOT NULL""",
        )
    else:
        q.add(
            "progress",
            """SELECT l.project_id, l.viewpoint, l.lever, f.score AS first_score,
                   l.score AS latest_score, l.score - f.score AS progress,
                   f.assessed_on AS first_on, l.assessed_on AS latest_on
            FROM latest_lever l
            JOIN first_lever f ON f.project_id = l.project_id AND f.viewpoint = l.viewpoint
                              AND f.lever = l.lever
            WHERE f.assessed_on < l.assessed_on""",
        )
    if q.flt.rounds_stored and q.weights == EQUAL:  # kept per project and lever (schema v14)
        q.add(
            "consolidated_progress",
            f"""SELECT m.project_id, m.lever, m.progress FROM clever_summary m
            {q.join_selected("m")} WHERE m.progress IS NOT NULL""",
            inline=True,
        )
        return
    q.add(
        "consolidated_progress",
        f"""SELECT p.project_id, p.lever, {weighted_mean("p.progress", "v.weight")} AS progress
        FROM progress p JOIN viewpoint_weight v ON v.viewpoint = p.viewpoint
        GROUP BY p.project_id, p.lever""",
    )


def with_achievements(q: Query) -> None:
    """`achievement` per measurement of the period; per project, the utility index per year
    (`utility_year`), of its latest year (`utility_latest`) and its latest beneficiaries — the
    last three from the utility summary kept at write time (schema v8)."""
    period, params = q.flt.year_condition("m.year", "m")
    q.add(
        "achievement",
        f"""SELECT m.project_id, m.indicator_code, m.year, m.value, m.target,
               i.higher_is_better, {achievement_expression("m", "i")} AS achievement
        FROM measurement m
        {q.join_selected("m")}
        JOIN indicator i ON i.indicator_code = m.indicator_code
        WHERE 1 = 1{period}""",
        cap=ACHIEVEMENT_CAP,
        **params,
    )
    q.add(
        "utility_period",
        f"""SELECT m.project_id, m.year, m.utility_index, m.indicators, m.beneficiaries,
               m.latest_index, m.latest_beneficiaries
        FROM utility_summary m {q.join_selected("m")}
        WHERE 1 = 1{period}""",
        inline=True,
    )
    q.add(
        "utility_year",
        """SELECT project_id, year, utility_index, indicators
        FROM utility_period WHERE indicators > 0""",
    )
    if not period:  # every year: the latest ones flagged in the summary (schema v16)
        q.add(
            "utility_latest",
            """SELECT project_id, year, utility_index FROM utility_period
            WHERE latest_index""",
        )
        q.add(
            "beneficiaries",
            """SELECT project_id, year, beneficiaries FROM utility_period
            WHERE latest_beneficiaries""",
        )
        return
    q.add(
        "utility_latest",
        """SELECT project_id, year, utility_index FROM (
            SELECT project_id, year, utility_index,
                   row_number() OVER (PARTITION BY project_id ORDER BY year DESC NULLS LAST) AS rn
            FROM utility_year) u
        WHERE rn = 1""",
    )
    q.add(
        "beneficiaries",
        """SELECT project_id, year, beneficiaries FROM (
            SELECT project_id, year, beneficiaries,
                   row_number() OVER (PARTITION BY project_id ORDER BY year DESC NULLS LAST) AS rn
            FROM utility_period WHERE beneficiaries IS NOT NULL) b
        WHERE rn = 1""",
    )


def with_money(q: Query, investor: str | None = None) -> None:
    """Investments and contributions of the filtered projects inside the period, per
    organisation, year and nature (the money summary kept at write time, schema v8)."""
    period, params = q.flt.year_condition("m.year", "m")
    hypothetical = ""
    if q.hypothetical:  # the scenario's investments, as the summary would hold them
        hypothetical = f"""
        UNION ALL
        SELECT h.project_id, h.investor_org_id, h.amount_eur, TRUE,
               NOT (h.instrument = ANY($nf_instruments))
        FROM hyp h {q.join_selected("h")}"""
        params["nf_instruments"] = list(ref.NON_FINANCIAL_INSTRUMENTS)
    q.add(
        "money",
        f"""SELECT m.project_id, m.org_id, m.eur, m.is_investment, m.financial
        FROM money_summary m {q.join_selected("m")}
        WHERE 1 = 1{period}{hypothetical}""",
        materialized=True,
        inline=not hypothetical,  # the summary's rows alone: each reader reads them afresh
        **params,
    )
    investor = investor or q.flt.investor or ""
    if not period and not hypothetical:
        # every year, no scenario: the totals kept at write time (schema v13), and the chosen
        # investor's own money from its rows alone
        q.add(
            "project_money",
            """SELECT s.project_id,
                   coalesce(t.resources_eur, 0) AS resources_eur,
                   coalesce(t.resources_fin_eur, 0) AS resources_fin_eur,
                   coalesce(t.invested_eur, 0) AS invested_eur,
                   coalesce(o.own_eur, 0) AS own_eur,
                   coalesce(o.own_fin_eur, 0) AS own_fin_eur
            FROM selected s
            LEFT JOIN project_money_summary t ON t.project_id = s.project_id
            LEFT JOIN (SELECT project_id, sum(eur) AS own_eur,
                              sum(eur) FILTER (WHERE financial) AS own_fin_eur
                       FROM money_summary WHERE is_investment AND org_id = $investor
                       GROUP BY project_id) o ON o.project_id = s.project_id""",
            investor=investor,
        )
        return
    q.add(
        "project_money",
        """SELECT s.project_id,
               coalesce(sum(m.eur), 0) AS resources_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.financial), 0) AS resources_fin_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment), 0) AS invested_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment AND m.org_id = $investor), 0)
                   AS own_eur,
               coalesce(sum(m.eur) FILTER (WHERE m.is_investment AND m.org_id = $investor
                                           AND m.financial), 0) AS own_fin_eur
        FROM selected s LEFT JOIN money m ON m.project_id = s.project_id
        GROUP BY s.project_id""",
        investor=investor,
    )


def with_diversity(q: Query) -> None:
    period, _ = q.flt.year_condition("m.year", "m")
    if not period and not q.hypothetical:
        # every year, no scenario: kept per project at write time (schema v15), no money read
        q.add(
            "diversity",
            f"""SELECT d.project_id, d.kinds, d.evenness
            FROM project_diversity d {q.join_selected("d")}""",
            inline=True,
        )
        return
    with_money(q)
    q.add(
        "kind_money",
        """SELECT m.project_id, o.kind, sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY m.project_id, o.kind""",
    )
    q.add("diversity", diversity_select("kind_money"))


def with_cohorts(q: Query) -> None:
    """The filtered projects' cohorts: the chosen ones, else those of the chosen support bodies
    (a body compares its own cohorts, not another body's that holds the same projects), else
    all."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if q.flt.cohort:
        conditions.append("c.cohort_id = ANY($cohort_ids)")
        params["cohort_ids"] = list(q.flt.cohort)
    if q.flt.support_body:
        conditions.append("c.support_body_org_id = ANY($cohort_bodies)")
        params["cohort_bodies"] = list(q.flt.support_body)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    q.add(
        "cohort_projects",
        f"""SELECT c.cohort_id, c.name, c.year, c.support_body_org_id, cm.project_id
        FROM cohort c
        JOIN cohort_member cm ON cm.cohort_id = c.cohort_id
        {q.join_selected("cm")}{where}""",
        **params,
    )


def with_reweighted(q: Query, weights: Weights) -> None:
    """Both rankings: equal weights and `weights` (computed once when they are the same)."""
    with_maturity(q)
    if weights == EQUAL:
        q.add("latest_cmaturity_w", "SELECT project_id, maturity FROM latest_cmaturity")
    else:
        with_maturity(q, weights=weights, tag="_w")
    q.add(
        "ranked",
        materialized=True,
        sql="""SELECT e.project_id, e.maturity AS maturity_equal, w.maturity AS maturity_weighted,
               row_number() OVER (ORDER BY e.maturity DESC NULLS LAST, e.project_id) AS rank_equal,
               row_number() OVER (ORDER BY w.maturity DESC NULLS LAST, e.project_id)
                   AS rank_weighted
        FROM latest_cmaturity e LEFT JOIN latest_cmaturity_w w ON w.project_id = e.project_id""",
    )


# --- needs and the seven thematic paths (docs/figures.md "Needs") ------------------------------------------

EPSILON = 1e-9  # a score of exactly a bound counts, float noise aside


def with_phase_weights(q: Query) -> None:
    """The phase weight matrix (§9) and the levers' order, as bound values."""
    sql, params = phase_weight_values()
    q.add("phase_weight", sql, **params)


def with_needs(q: Query, which: str = "latest") -> None:
    """`need_<which>`: need per project and assessed lever, from the latest (or first) rounds,
    with the lever's weight and position; `rank` among the project's priorities.

    The priorities are the first levers in the order of needs (both taken to the micro-point),
    so a priority's rank among the priorities is its rank among all the assessed levers.
    """
    with_phase_weights(q)
    priority = priority_condition("n.need", "$need_threshold")
    if which == "latest" and q.flt.rounds_stored and q.weights == EQUAL:
        # equal weights and no period end: the needs kept at write time (schema v8)
        q.add(
            "need_latest",
            f"""SELECT n.project_id, n.lever, n.score, n.weight, n.position, n.need,
                   n.need_rank, {priority} AS priority
            FROM need_summary n {q.join_selected("n")}""",
            inline=True,
        )
    else:
        with_maturity(q, which)
        q.params.setdefault("need_max_weight", float(ref.PHASE_WEIGHT_MAX))
        q.add(
            f"need_{which}",
            f"""SELECT n.*, {priority} AS priority
            FROM (SELECT n.*, row_number() OVER (PARTITION BY n.project_id
                                                 ORDER BY {need_order("n.need")}) AS need_rank
                  FROM (SELECT c.project_id, c.lever, c.score, w.weight, w.position,
                               {need_expression("c.score", "w.weight")} AS need
                        FROM {which}_clever c
                        JOIN project p ON p.project_id = c.project_id
                        JOIN phase_weight w ON w.phase = p.phase AND w.lever = c.lever
                        WHERE c.score IS NOT NULL) n) n""",
            materialized=True,
        )
    q.add(
        f"ranked_need_{which}",
        f"""SELECT n.*, CASE WHEN n.priority THEN n.need_rank END AS rank
        FROM need_{which} n""",
        inline=True,  # a column more on the needs' rows
    )


def with_question_scores(q: Query) -> None:
    """`question_score`: per project and question, the consolidated score on 0–4 (per viewpoint
    the latest round as of the period's end, the assessors of one date averaged, then the mean
    over the viewpoints)."""
    if q.flt.rounds_stored:  # the stored flag serves, as for lever_round
        q.add(
            "question_viewpoint",
            f"""SELECT r.project_id, r.viewpoint, r.question, r.score
            FROM question_round r {q.join_selected("r")}
            WHERE r.is_latest""",
            materialized=True,
        )
    else:  # latest as of the end of the period: the date of the question's lever's latest round
        with_rounds(q)
        q.add(
            "question_viewpoint",
            """SELECT r.project_id, r.viewpoint, r.question, r.score
            FROM question_round r
            JOIN latest_lever l
              ON l.project_id = r.project_id AND l.viewpoint = r.viewpoint
             AND l.lever = split_part(r.question, '.', 1) AND l.assessed_on = r.assessed_on""",
            materialized=True,
        )
    q.add(
        "question_score",
        f"""SELECT project_id, question, {exact_mean("score")} AS score
        FROM question_viewpoint GROUP BY project_id, question""",
    )
