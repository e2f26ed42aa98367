"""Order-free sums in SQL (DESIGN §4.1: the same database gives byte-identical figures).

Floating-point addition is not associative, and both engines add in whatever order their threads
finish: a plain sum or avg of doubles changes in its last digits from run to run. Every sum of
doubles is therefore taken over exact decimals — each term rounded once, to 1e-9, which is
order-free — and divided as doubles at the end. Euros are stored as exact decimals already.
The helpers return SQL text built from the code's own expressions, never from user input.
"""

from __future__ import annotations

EXACT = "DECIMAL(18, 9)"  # scores × weights stay under 10^5, achievements under 2
EXACT_WIDE = "DECIMAL(38, 6)"  # measurement values (beneficiaries) summed over a portfolio


def exact_sum(expr: str, wide: bool = False) -> str:
    """An exact sum of a double expression (SQL text from this module, never user input)."""
    return f"sum(CAST({expr} AS {EXACT_WIDE if wide else EXACT}))"


def float_ratio(numerator: str, denominator: str) -> str:
    """numerator / denominator as doubles; missing when the denominator is 0 or missing."""
    return (
        f"CAST({numerator} AS DOUBLE PRECISION) / "
        f"nullif(CAST({denominator} AS DOUBLE PRECISION), 0)"
    )


def exact_mean(expr: str) -> str:
    """The mean of the non-missing values of a double expression, order-free."""
    return float_ratio(exact_sum(expr), f"count({expr})")


def weighted_mean(value: str, weight: str) -> str:
    """Σ value × weight / Σ weight, order-free."""
    return float_ratio(exact_sum(f"{value} * {weight}"), exact_sum(weight))
