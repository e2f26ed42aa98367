"""Order-free sums in SQL (docs/figures.md "Settled points": the same database gives byte-identical figures).

Floating-point addition is not associative, and both engines add in whatever order their threads
finish: a plain sum or avg of doubles changes in its last digits from run to run. Every sum of
doubles is therefore taken over exact integers — each term rounded once, to 1e-9, which is
order-free — and divided as doubles at the end. Euros are stored as exact decimals already.
The helpers return SQL text built from the code's own expressions, never from user input.
"""

from __future__ import annotations

# Each term is rounded to an integer number of units (1e-9, or 1e-6 for the wide sums), by
# IEEE arithmetic and `floor`, which both engines compute alike: a cast of a double to DECIMAL
# would not do (PostgreSQL first prints the double with 15 significant digits, DuckDB takes its
# exact value, so 83.33333333349999 becomes …334 on one and …333 on the other). The integer sum
# is exact on both; divided once by the unit, as doubles.
EXACT = 1_000_000_000  # scores × weights stay under 10^5, achievements under 2
EXACT_WIDE = 1_000_000  # measurement values (beneficiaries) summed over a portfolio
DOUBLE = "DOUBLE PRECISION"


def exact_units(expr: str, unit: int = EXACT) -> str:
    """A double expression as a whole number of units, rounded half up (SQL text)."""
    return f"floor(CAST({expr} AS {DOUBLE}) * CAST({unit} AS {DOUBLE}) + CAST(0.5 AS {DOUBLE}))"


def unit_sum(units: str) -> str:
    """The exact sum of whole numbers of units (as `exact_units` gives them), SQL text."""
    return f"sum(CAST({units} AS BIGINT))"


def from_units(total: str, unit: int = EXACT) -> str:
    """A whole number of units back to a double, divided once (SQL text)."""
    return f"CAST({total} AS {DOUBLE}) / CAST({unit} AS {DOUBLE})"


def exact_sum(expr: str, wide: bool = False) -> str:
    """An exact sum of a double expression, as a double (SQL text from this module, never user
    input)."""
    unit = EXACT_WIDE if wide else EXACT
    return from_units(unit_sum(exact_units(expr, unit)), unit)


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
