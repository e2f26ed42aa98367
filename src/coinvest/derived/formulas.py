"""The shared formulas of the figures (docs/figures.md), as SQL text: the derived tables fill
with them, and the metric layer computes with them when the figure asked for is not the stored
one (other weights, a period end). One spelling each, so a stored figure and a computed one are
the very same number. SQL text from the code's own expressions, never from user input.
"""

from __future__ import annotations

from typing import Any

from coinvest import reference as ref
from coinvest.exact import EXACT_WIDE, exact_sum, exact_units, float_ratio, weighted_mean

_ONE = "CAST(1 AS DOUBLE PRECISION)"


def equal_mean(column: str) -> str:
    """The order-free mean of the non-missing values, spelt as the metric layer's weighted mean
    at equal weights (Σ value × 1 / Σ 1)."""
    return weighted_mean(column, f"CASE WHEN {column} IS NOT NULL THEN {_ONE} END")


def leverage_ratio(levered: str, own: str) -> str:
    """Partnership leverage (docs/figures.md "Leverage"): what the others brought per euro of
    the investor's own — `levered` (resources − own, or a sum of them) / `own`; missing where
    the investor put nothing."""
    return float_ratio(levered, own)


def money_params() -> dict[str, Any]:
    """What makes an instrument or a contribution non-financial (bound values)."""
    return {
        "nf_instruments": list(ref.NON_FINANCIAL_INSTRUMENTS),
        "nf_contributions": list(ref.NON_FINANCIAL_CONTRIBUTIONS),
    }


def phase_weight_values() -> tuple[str, dict[str, Any]]:
    """The phase weight matrix (docs/figures.md "Needs") and the levers' order as a VALUES
    table `(phase, lever, position, weight)` of bound values."""
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


def lever_position(lever: str) -> str:
    """A lever's place in the reference order (0 for the first), as SQL text of the fixed codes:
    what breaks ties between levers, as `position` does in `phase_weight_values`."""
    cases = " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(ref.LEVER_CODES))
    return f"CASE {lever} {cases} END"


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


def achievement_expression(measurement: str, indicator: str) -> str:
    """A measurement's achievement against its target, capped at `$cap` (docs/figures.md
    "Societal utility"): value / target, or target / value for an indicator where lower is
    better; none without a target."""
    m, i = measurement, indicator
    return f"""CASE WHEN {m}.target IS NULL OR {m}.target = 0 THEN NULL
                    WHEN {i}.higher_is_better THEN least({m}.value / {m}.target, $cap)
                    WHEN {m}.value = 0 THEN $cap
                    ELSE least({m}.target / {m}.value, $cap)
               END"""


def diversity_select(kind_money: str) -> str:
    """Per project, the partner kinds of its money and their evenness (docs/figures.md
    "Partnerships"): Shannon's H / ln(K), H = −Σ p ln p over the kinds' shares of the
    resources, 0 with one kind — SQL text over `kind_money` (project_id, kind, eur), a table
    name or a subquery of the code's own."""
    share = "CASE WHEN eur > 0 THEN share * ln(share) ELSE 0 END"
    return f"""SELECT project_id, count(*) AS kinds,
           CASE WHEN count(*) > 1 AND sum(eur) > 0
                THEN -CAST({exact_sum(share)} AS DOUBLE PRECISION) / ln(count(*))
                ELSE 0 END AS evenness
    FROM (SELECT project_id, kind, eur,
                 CAST(eur AS DOUBLE PRECISION) / CAST(sum(eur) OVER (PARTITION BY project_id)
                                                     AS DOUBLE PRECISION) AS share
          FROM {kind_money} km) k
    GROUP BY project_id"""
