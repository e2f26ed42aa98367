"""The fills of the derived tables as the released migrations wrote them: frozen copies.

A released migration never changes. The migrations that fill derived tables (versions 3, 7, 8,
9, 13, 14, 15, 16 and 19) therefore read these texts, never `coinvest.derived`: a later change to a formula gets a
migration of its own that refills with the new formula, and never rewrites an old one. Each text
is the one of its day, with the values it bound written in (the codes and weights of the
reference model as they were then), and with a frozen copy of the exact-sum helpers of
`coinvest.exact` (docs/figures.md "Order-free sums"). None takes user input.
"""

from __future__ import annotations

_D = "DOUBLE PRECISION"


def _units(expr: str, unit: int) -> str:
    return f"floor(CAST({expr} AS {_D}) * CAST({unit} AS {_D}) + CAST(0.5 AS {_D}))"


def _ratio(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS {_D}) / nullif(CAST({denominator} AS {_D}), 0)"


def _sum(expr: str) -> str:
    unit = 1_000_000_000
    return f"CAST(sum(CAST({_units(expr, unit)} AS BIGINT)) AS {_D}) / CAST({unit} AS {_D})"


def _mean(expr: str) -> str:
    return _ratio(_sum(expr), f"count({expr})")


def _equal_mean(column: str) -> str:
    weight = f"CASE WHEN {column} IS NOT NULL THEN CAST(1 AS {_D}) END"
    return _ratio(_sum(f"{column} * {weight}"), _sum(weight))


# Version 3: the consolidated latest score of each question.
V3_QUESTION_LATEST = """
INSERT INTO question_latest (project_id, question, score, viewpoints)
SELECT project_id, question, avg(score), count(*)
FROM question_round
WHERE is_latest
GROUP BY project_id, question
"""

# Version 7: the per-project summaries, at equal weights; the team's own viewpoint is 'project'.
V7_SUMMARIES = (
    """INSERT INTO lever_summary (project_id, viewpoint, lever, first_score, latest_score,
                               first_on, latest_on)
    SELECT project_id, viewpoint, lever,
           max(score) FILTER (WHERE is_first), max(score) FILTER (WHERE is_latest),
           max(assessed_on) FILTER (WHERE is_first), max(assessed_on) FILTER (WHERE is_latest)
    FROM lever_round
    WHERE (is_first OR is_latest)
    GROUP BY project_id, viewpoint, lever""",
    f"""INSERT INTO viewpoint_maturity (project_id, viewpoint, first_maturity, latest_maturity)
    SELECT project_id, viewpoint, {_equal_mean("first_score")}, {_equal_mean("latest_score")}
    FROM lever_summary
    GROUP BY project_id, viewpoint""",
    f"""INSERT INTO clever_summary (project_id, lever, first_score, latest_score, latest_gap,
                                latest_viewpoints, self_score, others_score)
    SELECT project_id, lever, {_equal_mean("first_score")}, {_equal_mean("latest_score")},
           max(latest_score) - min(latest_score), count(latest_score),
           max(latest_score) FILTER (WHERE viewpoint = 'project'),
           avg(latest_score) FILTER (WHERE viewpoint <> 'project')
    FROM lever_summary
    GROUP BY project_id, lever""",
    f"""INSERT INTO project_maturity (project_id, first_maturity, latest_maturity)
    SELECT project_id, {_equal_mean("first_score")}, {_equal_mean("latest_score")}
    FROM clever_summary
    GROUP BY project_id""",
)

# Version 8: money per project, organisation, year and nature.
V8_MONEY = """
INSERT INTO money_summary (project_id, org_id, year, is_investment, financial, eur, entries)
SELECT project_id, org_id, year, is_investment, financial, sum(eur), count(*)
FROM (
    SELECT i.project_id, i.investor_org_id AS org_id,
           CAST(EXTRACT(YEAR FROM i.date) AS INTEGER) AS year, i.amount_eur AS eur,
           TRUE AS is_investment,
           NOT (i.instrument IN ('skills_sponsorship', 'in_kind')) AS financial
    FROM investment i
    UNION ALL
    SELECT c.project_id, c.partner_org_id, CAST(EXTRACT(YEAR FROM c.date) AS INTEGER),
           c.value_eur, FALSE, NOT (c.kind IN ('skills', 'in_kind', 'network'))
    FROM contribution c
) m
GROUP BY project_id, org_id, year, is_investment, financial
"""

# The phase weights of version 8 (emergence, R&D, modelling, scaling), in the levers' order.
_V8_LEVERS = ("ecosystem", "innovation", "strategy", "model", "alliances", "digital", "evaluation")
_V8_WEIGHTS = {
    "emergence": (3, 3, 2, 1, 2, 1, 1),
    "rnd": (2, 3, 2, 2, 2, 2, 2),
    "modelling": (1, 2, 3, 3, 2, 2, 3),
    "scaling": (2, 1, 2, 3, 3, 3, 3),
}
_V8_WEIGHT_ROWS = ", ".join(
    f"('{phase}', '{lever}', {position}, {weight})"
    for phase, weights in _V8_WEIGHTS.items()
    for position, (lever, weight) in enumerate(zip(_V8_LEVERS, weights, strict=True))
)
V8_NEED = f"""
INSERT INTO need_summary (project_id, lever, score, weight, position, need, need_rank)
SELECT project_id, lever, score, weight, position, need,
       row_number() OVER (PARTITION BY project_id
                          ORDER BY {_units("need", 1_000_000)} DESC, position)
FROM (
    SELECT c.project_id, c.lever, c.latest_score AS score, w.weight, w.position,
           (100 - c.latest_score) * w.weight / CAST(3 AS {_D}) AS need
    FROM (SELECT project_id, lever, latest_score FROM clever_summary
          WHERE latest_score IS NOT NULL) c
    JOIN project p ON p.project_id = c.project_id
    JOIN (SELECT * FROM (VALUES {_V8_WEIGHT_ROWS}) AS v (phase, lever, position, weight)) w
      ON w.phase = p.phase AND w.lever = c.lever
) n
"""

# Version 8: the utility index (an achievement is capped at 2) and the beneficiaries.
_CAP = f"CAST(2 AS {_D})"
V8_UTILITY = f"""
INSERT INTO utility_summary (project_id, year, utility_index, indicators, beneficiaries)
SELECT project_id, year, 100 * {_mean("achievement")}, count(achievement),
       max(value) FILTER (WHERE indicator_code = 'beneficiaries')
FROM (
    SELECT m.project_id, m.year, m.indicator_code, m.value,
           CASE WHEN m.target IS NULL OR m.target = 0 THEN NULL
                WHEN i.higher_is_better THEN least(m.value / m.target, {_CAP})
                WHEN m.value = 0 THEN {_CAP}
                ELSE least(m.target / m.value, {_CAP})
           END AS achievement
    FROM measurement m JOIN indicator i ON i.indicator_code = m.indicator_code
) a
GROUP BY project_id, year
"""

# Version 9: a lever's latest round is the most recent round that answered it (scores 0–4,
# scaled by 25 to 0–100).
V9_LEVER_ROUND = f"""
INSERT INTO lever_round (project_id, viewpoint, assessed_on, lever, score, is_first, is_latest)
SELECT project_id, viewpoint, assessed_on, lever, score,
       assessed_on = min(assessed_on) OVER (PARTITION BY project_id, viewpoint),
       assessed_on = max(assessed_on) OVER (PARTITION BY project_id, viewpoint, lever)
FROM (
    SELECT project_id, viewpoint, assessed_on, split_part(question, '.', 1) AS lever,
           {_mean("score")} * CAST(25 AS {_D}) AS score
    FROM (
        SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(x.score) AS score
        FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
        GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
    ) per_question
    GROUP BY project_id, viewpoint, assessed_on, split_part(question, '.', 1)
) per_lever
"""

# Version 9: a question's latest round is its lever's.
V9_QUESTION_ROUND = """
INSERT INTO question_round (project_id, viewpoint, assessed_on, question, score, is_latest)
SELECT project_id, viewpoint, assessed_on, question, score,
       assessed_on = max(assessed_on)
           OVER (PARTITION BY project_id, viewpoint, split_part(question, '.', 1))
FROM (
    SELECT a.project_id, a.viewpoint, a.assessed_on, x.question,
           avg(CAST(x.score AS DOUBLE PRECISION)) AS score
    FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
    GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
) per_question
"""

# Version 9 refills every derived table from the answers, in this order.
V9_REFILL = (
    ("lever_round", V9_LEVER_ROUND),
    ("question_round", V9_QUESTION_ROUND),
    ("question_latest", V3_QUESTION_LATEST),
    ("lever_summary", V7_SUMMARIES[0]),
    ("viewpoint_maturity", V7_SUMMARIES[1]),
    ("clever_summary", V7_SUMMARIES[2]),
    ("project_maturity", V7_SUMMARIES[3]),
    ("need_summary", V8_NEED),
)

# Version 13: per project and pair of viewpoints (their codes in alphabetical order), the gaps
# over the levers both scored; the largest gap's lever, ties by the levers' order.
_V13_POSITION = " ".join(f"WHEN '{lever}' THEN {i}" for i, lever in enumerate(_V8_LEVERS))
V13_PAIR = f"""
INSERT INTO pair_summary (project_id, viewpoint_a, viewpoint_b, levers, mean_gap,
                          mean_difference, mean_reverse_difference, largest_gap, largest_lever,
                          largest_difference)
SELECT project_id, viewpoint_a, viewpoint_b, count(*), {_mean("abs(difference)")},
       {_mean("difference")}, {_mean("reverse_difference")}, max(abs(difference)),
       max(lever) FILTER (WHERE k = 1), max(difference) FILTER (WHERE k = 1)
FROM (
    SELECT a.project_id, a.viewpoint AS viewpoint_a, b.viewpoint AS viewpoint_b, a.lever,
           a.latest_score - b.latest_score AS difference,
           b.latest_score - a.latest_score AS reverse_difference,
           row_number() OVER (PARTITION BY a.project_id, a.viewpoint, b.viewpoint
                              ORDER BY abs(a.latest_score - b.latest_score) DESC,
                                       CASE a.lever {_V13_POSITION} END) AS k
    FROM (SELECT project_id, viewpoint, lever, latest_score FROM lever_summary
          WHERE latest_score IS NOT NULL) a
    JOIN (SELECT project_id, viewpoint, lever, latest_score FROM lever_summary
          WHERE latest_score IS NOT NULL) b
      ON b.project_id = a.project_id AND b.lever = a.lever AND a.viewpoint < b.viewpoint
) d
GROUP BY project_id, viewpoint_a, viewpoint_b
"""

# Version 13: per project, every year's money added up.
V13_PROJECT_MONEY = """
INSERT INTO project_money_summary (project_id, resources_eur, resources_fin_eur, invested_eur)
SELECT project_id, sum(eur), coalesce(sum(eur) FILTER (WHERE financial), 0),
       coalesce(sum(eur) FILTER (WHERE is_investment), 0)
FROM money_summary
GROUP BY project_id
"""

# Version 14: the consolidated lever summary again, with each viewpoint's latest score side by
# side and the consolidated progress (the mean over the viewpoints with two rounds of latest −
# first, at equal weights).
V14_CLEVER = f"""
INSERT INTO clever_summary (project_id, lever, first_score, latest_score, latest_gap,
                            latest_viewpoints, self_score, others_score, latest_ecosystem,
                            latest_project, latest_investment, progress)
SELECT project_id, lever, {_equal_mean("first_score")}, {_equal_mean("latest_score")},
       max(latest_score) - min(latest_score), count(latest_score),
       max(latest_score) FILTER (WHERE viewpoint = 'project'),
       avg(latest_score) FILTER (WHERE viewpoint <> 'project'),
       max(latest_score) FILTER (WHERE viewpoint = 'ecosystem'),
       max(latest_score) FILTER (WHERE viewpoint = 'project'),
       max(latest_score) FILTER (WHERE viewpoint = 'investment'),
       {_equal_mean("progress")}
FROM (SELECT project_id, viewpoint, lever, first_score, latest_score,
             CASE WHEN first_on < latest_on AND first_score IS NOT NULL
                       AND latest_score IS NOT NULL THEN latest_score - first_score END AS progress
      FROM lever_summary) l
GROUP BY project_id, lever
"""

# Version 15: per project, the partner kinds of every year's money and their evenness (Shannon's
# H / ln(K) over the kinds' shares of the resources, 0 with one kind).
_V15_TERM = "CASE WHEN eur > 0 THEN share * ln(share) ELSE 0 END"
V15_DIVERSITY = f"""
INSERT INTO project_diversity (project_id, kinds, evenness)
SELECT project_id, count(*) AS kinds,
       CASE WHEN count(*) > 1 AND sum(eur) > 0
            THEN -CAST({_sum(_V15_TERM)} AS {_D}) / ln(count(*))
            ELSE 0 END AS evenness
FROM (SELECT project_id, kind, eur,
             CAST(eur AS {_D}) / CAST(sum(eur) OVER (PARTITION BY project_id) AS {_D}) AS share
      FROM (SELECT m.project_id, o.kind, sum(m.eur) AS eur FROM money_summary m
            JOIN organisation o ON o.org_id = m.org_id GROUP BY m.project_id, o.kind) km) k
GROUP BY project_id
"""

# Version 16: the utility summary again, each project's latest year with an index and its latest
# year with beneficiaries flagged.
V16_UTILITY = f"""
INSERT INTO utility_summary (project_id, year, utility_index, indicators, beneficiaries,
                             latest_index, latest_beneficiaries)
SELECT project_id, year, utility_index, indicators, beneficiaries,
       coalesce(indicators > 0 AND year = max(CASE WHEN indicators > 0 THEN year END)
                                              OVER (PARTITION BY project_id), FALSE),
       coalesce(beneficiaries IS NOT NULL
                AND year = max(CASE WHEN beneficiaries IS NOT NULL THEN year END)
                               OVER (PARTITION BY project_id), FALSE)
FROM (
    SELECT project_id, year, 100 * {_mean("achievement")} AS utility_index,
           count(achievement) AS indicators,
           max(value) FILTER (WHERE indicator_code = 'beneficiaries') AS beneficiaries
    FROM (
        SELECT m.project_id, m.year, m.indicator_code, m.value,
               CASE WHEN m.target IS NULL OR m.target = 0 THEN NULL
                    WHEN i.higher_is_better THEN least(m.value / m.target, {_CAP})
                    WHEN m.value = 0 THEN {_CAP}
                    ELSE least(m.target / m.value, {_CAP})
               END AS achievement
        FROM measurement m JOIN indicator i ON i.indicator_code = m.indicator_code
    ) a
    GROUP BY project_id, year
) u
"""

# Version 19: the consolidated latest score of each question, an order-free mean.
V19_QUESTION_LATEST = f"""
INSERT INTO question_latest (project_id, question, score, viewpoints)
SELECT project_id, question, {_mean("score")}, count(*)
FROM question_round
WHERE is_latest
GROUP BY project_id, question
"""
