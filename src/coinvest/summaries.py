"""Per-project summaries of money, needs and utility, kept at write time (schema v8, #19 [perf]).

- `money_summary`: per project, organisation, year and nature (investment or contribution,
  financial or not), the euros and how many entries they sum. Every writer of investments or
  contributions (demo, import, revert) refills it whole: a few rows per project, rebuilt in
  about a second at 1,000,000 projects.
- `need_summary`: per project and assessed lever, the consolidated latest score at equal weights,
  the lever's weight in the project's phase, the need (DESIGN §9) and its rank among the
  project's assessed levers. It follows the consolidated scores (`clever_summary`, refreshed by
  every writer of assessments through coinvest.lever_rounds) and the project's phase (refreshed
  by the writers of projects).
- `utility_summary`: per project and year with a measurement, the utility index (100 × the mean
  achievement of its targeted indicators), how many indicators it averages, and the year's
  beneficiaries. Every writer of measurements or indicators (demo, import, revert) refills it
  whole.

The arithmetic is the metric layer's own (coinvest.metrics.ctes reads these tables when their
figures are the ones asked for), so reading a summary gives the very numbers computing it would.
"""

from __future__ import annotations

from typing import Any

from coinvest import reference as ref
from coinvest.db import Cursor
from coinvest.exact import EXACT_WIDE, exact_mean, exact_units

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


def money_params() -> dict[str, Any]:
    """What makes an instrument or a contribution non-financial (bound values)."""
    return {
        "nf_instruments": list(ref.NON_FINANCIAL_INSTRUMENTS),
        "nf_contributions": list(ref.NON_FINANCIAL_CONTRIBUTIONS),
    }


def refresh_money(cur: Cursor) -> None:
    """Refill the money summary from the investments and contributions as they stand. Call it
    inside the transaction that wrote them."""
    cur.execute("DELETE FROM money_summary")
    cur.execute(MONEY_FILL, money_params())


def phase_weight_values() -> tuple[str, dict[str, Any]]:
    """The phase weight matrix (DESIGN §9) and the levers' order as a VALUES table
    `(phase, lever, position, weight)` of bound values."""
    rows: list[str] = []
    params: dict[str, Any] = {}
    for i, phase in enumerate(ref.PHASE_CODES):
        weights = ref.PHASE_WEIGHTS[phase]
        for j, lever in enumerate(ref.LEVER_CODES):
            key = f"pw_{i}_{j}"
            rows.append(
                f"(CAST(${key}_p AS VARCHAR), CAST(${key}_l AS VARCHAR), "
                f"CAST(${key}_o AS INTEGER), CAST(${key}_w AS INTEGER))"
            )
            params.update(
                {f"{key}_p": phase, f"{key}_l": lever, f"{key}_o": j, f"{key}_w": weights[lever]}
            )
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS w (phase, lever, position, weight)", params


def need_expression(score: str, weight: str) -> str:
    """need = (100 − score) × phase weight / the highest weight (SQL text, with
    `$need_max_weight` bound)."""
    return f"(100 - {score}) * {weight} / $need_max_weight"


def need_order(need: str) -> str:
    """The order of needs, highest first: to the micro-point (a consolidated score is an exact
    mean to 1e-9, so two equal needs can differ in their last digits); the lever order breaks
    ties."""
    return f"{exact_units(need, EXACT_WIDE)} DESC, position"


def priority_condition(need: str, threshold: str) -> str:
    """A lever is a priority when its need reaches the threshold, both to the micro-point: the
    priorities are then exactly the first levers of `need_order`."""
    return f"{exact_units(need, EXACT_WIDE)} >= {exact_units(threshold, EXACT_WIDE)}"


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


def refresh_needs(
    cur: Cursor,
    project_ids: list[str] | None = None,
    *,
    where: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """Refill the needs of some projects (all without `project_ids` or `where`) from their
    consolidated scores and phases. `where` is a condition ` AND project_id …` of the caller's
    own code, with its `params` (coinvest.lever_rounds' blocks)."""
    bound: dict[str, Any] = dict(params or {})
    if project_ids is not None:
        ids = sorted(set(project_ids))
        if not ids:
            return
        where, bound = " AND project_id = ANY($need_ids)", {"need_ids": ids}
    weights, weight_params = phase_weight_values()
    cur.execute(f"DELETE FROM need_summary WHERE 1 = 1{where}", bound)  # the caller's fixed SQL
    cur.execute(
        NEED_FILL.format(
            order=need_order("need"),
            need=need_expression("c.latest_score", "w.weight"),
            where=where,
            weights=weights,
        ),
        {**bound, **weight_params, "need_max_weight": float(ref.PHASE_WEIGHT_MAX)},
    )


def achievement_expression(measurement: str, indicator: str) -> str:
    """A measurement's achievement against its target, capped at `$cap` (DESIGN §4): value /
    target, or target / value for an indicator where lower is better; none without a target."""
    m, i = measurement, indicator
    return f"""CASE WHEN {m}.target IS NULL OR {m}.target = 0 THEN NULL
                    WHEN {i}.higher_is_better THEN least({m}.value / {m}.target, $cap)
                    WHEN {m}.value = 0 THEN $cap
                    ELSE least({m}.target / {m}.value, $cap)
               END"""


UTILITY_FILL = f"""
INSERT INTO utility_summary (project_id, year, utility_index, indicators, beneficiaries)
SELECT project_id, year, 100 * {exact_mean("achievement")}, count(achievement),
       max(value) FILTER (WHERE indicator_code = $beneficiaries)
FROM (
    SELECT m.project_id, m.year, m.indicator_code, m.value,
           {achievement_expression("m", "i")} AS achievement
    FROM measurement m JOIN indicator i ON i.indicator_code = m.indicator_code
) a
GROUP BY project_id, year
"""


def refresh_utility(cur: Cursor) -> None:
    """Refill the utility summary from the measurements and indicators as they stand. Call it
    inside the transaction that wrote them."""
    cur.execute("DELETE FROM utility_summary")
    cur.execute(UTILITY_FILL, {"cap": ref.ACHIEVEMENT_CAP, "beneficiaries": ref.BENEFICIARIES})
