"""Today's fills of the derived tables (docs/data.md "Derived tables"): INSERT … SELECT texts,
each computed from the table before it. `{where}` narrows a refill to some projects
(` AND project_id …`, code of `coinvest.derived.refresh`); the migrations that first filled these
tables keep frozen copies of their own (`coinvest.schema.released`)."""

from __future__ import annotations

from coinvest.derived.formulas import (
    achievement_expression,
    diversity_select,
    equal_mean,
    lever_position,
)
from coinvest.exact import exact_mean
from coinvest.reference import SELF_VIEWPOINT, VIEWPOINT_CODES

SUMMARY_TABLES = (
    "lever_summary",
    "viewpoint_maturity",
    "clever_summary",
    "project_maturity",
    "pair_summary",
)
# Every table derived from the user's data, in the order it is refilled.
DERIVED_TABLES = (
    "lever_round",
    "question_round",
    "question_latest",
    *SUMMARY_TABLES,
    "need_summary",
    "money_summary",
    "project_money_summary",
    "project_diversity",
    "utility_summary",
)

# The rounds are refilled in three steps, each reading the one before: the per-question scores
# of each round, kept in a temporary table for the write (`ROUND_QUESTIONS`); the lever scores
# from them; the question scores with their lever's latest round. (Each step joining the answers
# itself, and a window over every question row for its latest, took half as long again.)
ROUND_QUESTIONS = "round_question"  # the temporary table, private to the write's cursor

# Several assessors of one viewpoint on one date are first averaged per question.
ROUND_QUESTION_FILL = f"""
CREATE TEMP TABLE {ROUND_QUESTIONS} AS
SELECT a.project_id, a.viewpoint, a.assessed_on, x.question,
       avg(CAST(x.score AS DOUBLE PRECISION)) AS score
FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
{{where}}
GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
"""

# Lever scores per round (docs/figures.md "Lever scores"): the answered questions of each lever
# are averaged and scaled to 0–100. The first round is the project's earliest from the
# viewpoint; a lever's latest is the most recent round that answered it.
LEVER_ROUND_FILL = f"""
INSERT INTO lever_round (project_id, viewpoint, assessed_on, lever, score, is_first, is_latest)
SELECT project_id, viewpoint, assessed_on, lever, score,
       assessed_on = min(assessed_on) OVER (PARTITION BY project_id, viewpoint),
       assessed_on = max(assessed_on) OVER (PARTITION BY project_id, viewpoint, lever)
FROM (
    SELECT project_id, viewpoint, assessed_on, split_part(question, '.', 1) AS lever,
           {exact_mean("score")} * $score_scale AS score
    FROM {ROUND_QUESTIONS}
    GROUP BY project_id, viewpoint, assessed_on, split_part(question, '.', 1)
) per_lever
"""

# A question's latest round is its lever's (the most recent round that answered the lever), so
# the questions to work on and the lever's score read the same round. Every question row has
# its lever's row: the same answers grouped.
QUESTION_ROUND_FILL = f"""
INSERT INTO question_round (project_id, viewpoint, assessed_on, question, score, is_latest)
SELECT q.project_id, q.viewpoint, q.assessed_on, q.question, q.score, l.is_latest
FROM {ROUND_QUESTIONS} q
JOIN lever_round l
  ON l.project_id = q.project_id AND l.viewpoint = q.viewpoint
 AND l.assessed_on = q.assessed_on AND l.lever = split_part(q.question, '.', 1)
{{where}}
"""

# The consolidated latest score of each question (the mean over the viewpoints of their latest
# round), kept per project: the portfolio's weakest questions read 2 million rows at L, not 13.
# An order-free mean, as the metric layer's own (`with_question_scores`; schema v19: a plain
# average of doubles changed in its last digit with the order the rows were read in).
QUESTION_LATEST_FILL = f"""
INSERT INTO question_latest (project_id, question, score, viewpoints)
SELECT project_id, question, {exact_mean("score")}, count(*)
FROM question_round
WHERE is_latest{{where}}
GROUP BY project_id, question
"""

# The per-project summaries, each filled from the table before it by the metric layer's own
# arithmetic at equal weights, so that reading a summary gives the very figures computing it
# in the query would.
LEVER_SUMMARY_FILL = """
INSERT INTO lever_summary (project_id, viewpoint, lever, first_score, latest_score, first_on,
                           latest_on)
SELECT project_id, viewpoint, lever,
       max(score) FILTER (WHERE is_first), max(score) FILTER (WHERE is_latest),
       max(assessed_on) FILTER (WHERE is_first), max(assessed_on) FILTER (WHERE is_latest)
FROM lever_round
WHERE (is_first OR is_latest){where}
GROUP BY project_id, viewpoint, lever
"""


# Per project and lever: the consolidated scores (equal weights), the viewpoints' spread, the
# team's own score against the others' mean, each viewpoint's latest score side by side
# (`latest_<viewpoint>`, schema v14), and the consolidated progress: the mean over the viewpoints
# with two rounds of latest − first, spelt as the metric layer's weighted mean at equal weights.
_PROGRESS = """CASE WHEN first_on < latest_on AND first_score IS NOT NULL
                    AND latest_score IS NOT NULL THEN latest_score - first_score END"""
CLEVER_SUMMARY_FILL = f"""
INSERT INTO clever_summary (project_id, lever, first_score, latest_score, latest_gap,
                            latest_viewpoints, self_score, others_score,
                            {", ".join(f"latest_{code}" for code in VIEWPOINT_CODES)}, progress)
SELECT project_id, lever, {equal_mean("first_score")}, {equal_mean("latest_score")},
       max(latest_score) - min(latest_score), count(latest_score),
       max(latest_score) FILTER (WHERE viewpoint = '{SELF_VIEWPOINT}'),
       avg(latest_score) FILTER (WHERE viewpoint <> '{SELF_VIEWPOINT}'),
       {", ".join(f"max(latest_score) FILTER (WHERE viewpoint = '{code}')" for code in VIEWPOINT_CODES)},
       {equal_mean("progress")}
FROM (SELECT project_id, viewpoint, lever, first_score, latest_score, {_PROGRESS} AS progress
      FROM lever_summary WHERE 1 = 1{{where}}) l
GROUP BY project_id, lever
"""


def summary_fills() -> list[str]:
    """The INSERT … SELECT of every summary table, in dependency order (`{where}` left open)."""
    return [
        LEVER_SUMMARY_FILL,
        f"""INSERT INTO viewpoint_maturity (project_id, viewpoint, first_maturity, latest_maturity)
        SELECT project_id, viewpoint, {equal_mean("first_score")}, {equal_mean("latest_score")}
        FROM lever_summary WHERE 1 = 1{{where}}
        GROUP BY project_id, viewpoint""",
        CLEVER_SUMMARY_FILL,
        f"""INSERT INTO project_maturity (project_id, first_maturity, latest_maturity)
        SELECT project_id, {equal_mean("first_score")}, {equal_mean("latest_score")}
        FROM clever_summary WHERE 1 = 1{{where}}
        GROUP BY project_id""",
        PAIR_SUMMARY_FILL,
    ]


# Per project and pair of viewpoints (their codes in alphabetical order), over the levers with
# a latest score from both: the figures of the Viewpoints page's ranking
# (`metrics.viewpoint_gap_ranking`), spelt as it spells them. The mean of b − a is kept beside
# that of a − b: each term is rounded on its own (`coinvest.exact`), so one is not exactly the
# other's opposite. The largest gap's lever: ties by the levers' order.
PAIR_SUMMARY_FILL = f"""
INSERT INTO pair_summary (project_id, viewpoint_a, viewpoint_b, levers, mean_gap,
                          mean_difference, mean_reverse_difference, largest_gap, largest_lever,
                          largest_difference)
SELECT project_id, viewpoint_a, viewpoint_b, count(*), {exact_mean("abs(difference)")},
       {exact_mean("difference")}, {exact_mean("reverse_difference")}, max(abs(difference)),
       max(lever) FILTER (WHERE k = 1), max(difference) FILTER (WHERE k = 1)
FROM (
    SELECT a.project_id, a.viewpoint AS viewpoint_a, b.viewpoint AS viewpoint_b, a.lever,
           a.latest_score - b.latest_score AS difference,
           b.latest_score - a.latest_score AS reverse_difference,
           row_number() OVER (PARTITION BY a.project_id, a.viewpoint, b.viewpoint
                              ORDER BY abs(a.latest_score - b.latest_score) DESC,
                                       {lever_position("a.lever")}) AS k
    FROM (SELECT project_id, viewpoint, lever, latest_score FROM lever_summary
          WHERE latest_score IS NOT NULL{{where}}) a
    JOIN (SELECT project_id, viewpoint, lever, latest_score FROM lever_summary
          WHERE latest_score IS NOT NULL{{where}}) b
      ON b.project_id = a.project_id AND b.lever = a.lever AND a.viewpoint < b.viewpoint
) d
GROUP BY project_id, viewpoint_a, viewpoint_b
"""


# Money per project, organisation, year and nature (investment or contribution, financial or
# not): the euros, exact, and how many entries they sum.
MONEY_FILL = """
INSERT INTO money_summary (project_id, org_id, year, is_investment, financial, eur, entries)
SELECT project_id, org_id, year, is_investment, financial, sum(eur), count(*)
FROM (
    SELECT i.project_id, i.investor_org_id AS org_id,
           CAST(EXTRACT(YEAR FROM i.date) AS INTEGER) AS year, i.amount_eur AS eur,
           TRUE AS is_investment, NOT (i.instrument = ANY($nf_instruments)) AS financial
    FROM investment i
    UNION ALL
    SELECT c.project_id, c.partner_org_id, CAST(EXTRACT(YEAR FROM c.date) AS INTEGER),
           c.value_eur, FALSE, NOT (c.kind = ANY($nf_contributions))
    FROM contribution c
) m
GROUP BY project_id, org_id, year, is_investment, financial
"""

# Per project, every year's money added up (what the metric layer's `project_money` gives with no
# period and no investor chosen): the resources, the financial ones, the investments.
PROJECT_MONEY_FILL = """
INSERT INTO project_money_summary (project_id, resources_eur, resources_fin_eur, invested_eur)
SELECT project_id, sum(eur), coalesce(sum(eur) FILTER (WHERE financial), 0),
       coalesce(sum(eur) FILTER (WHERE is_investment), 0)
FROM money_summary
GROUP BY project_id
"""

# Per project, the partner kinds of every year's money and their evenness (what the metric layer's
# `diversity` gives with no period and no scenario), from the money summary and the
# organisations' kinds.
DIVERSITY_FILL = f"""
INSERT INTO project_diversity (project_id, kinds, evenness)
{
    diversity_select(
        "(SELECT m.project_id, o.kind, sum(m.eur) AS eur FROM money_summary m "
        "JOIN organisation o ON o.org_id = m.org_id GROUP BY m.project_id, o.kind)"
    )
}
"""

# Per project and assessed lever: the consolidated latest score at equal weights, the lever's
# weight in the project's phase, the need and its rank among the project's assessed levers.
NEED_FILL = """
INSERT INTO need_summary (project_id, lever, score, weight, position, need, need_rank)
SELECT project_id, lever, score, weight, position, need,
       row_number() OVER (PARTITION BY project_id ORDER BY {order})
FROM (
    SELECT c.project_id, c.lever, c.latest_score AS score, w.weight, w.position,
           {need} AS need
    FROM (SELECT project_id, lever, latest_score FROM clever_summary
          WHERE latest_score IS NOT NULL{where}) c
    JOIN project p ON p.project_id = c.project_id
    JOIN ({weights}) w ON w.phase = p.phase AND w.lever = c.lever
) n
"""

# Per project and year with a measurement: the utility index (100 × the mean achievement of its
# targeted indicators), how many indicators it averages, and the year's beneficiaries; flagged,
# the project's latest year with an index and its latest year with beneficiaries (schema v16).
UTILITY_FILL = f"""
INSERT INTO utility_summary (project_id, year, utility_index, indicators, beneficiaries,
                             latest_index, latest_beneficiaries)
SELECT project_id, year, utility_index, indicators, beneficiaries,
       coalesce(indicators > 0 AND year = max(CASE WHEN indicators > 0 THEN year END)
                                              OVER (PARTITION BY project_id), FALSE),
       coalesce(beneficiaries IS NOT NULL
                AND year = max(CASE WHEN beneficiaries IS NOT NULL THEN year END)
                               OVER (PARTITION BY project_id), FALSE)
FROM (
    SELECT project_id, year, 100 * {exact_mean("achievement")} AS utility_index,
           count(achievement) AS indicators,
           max(value) FILTER (WHERE indicator_code = $beneficiaries) AS beneficiaries
    FROM (
        SELECT m.project_id, m.year, m.indicator_code, m.value,
               {achievement_expression("m", "i")} AS achievement
        FROM measurement m JOIN indicator i ON i.indicator_code = m.indicator_code
    ) a
    GROUP BY project_id, year
) u
"""
