"""The derived tables (docs/data.md "Derived tables"): per-round scores and per-project
summaries kept at write time, so that no page aggregates raw answers or every euro.

- `formulas`: the shared formulas — equal mean, leverage ratio, need, priority, achievement,
  phase weights — used by the fills and by the metric layer alike;
- `fills`: today's INSERT … SELECT of every derived table;
- `refresh`: which derived table follows which base table, and the refills.
"""

from __future__ import annotations

from coinvest.derived.fills import DERIVED_TABLES, SUMMARY_TABLES
from coinvest.derived.refresh import (
    FOLLOWS,
    refresh,
    refresh_diversity,
    refresh_lever_rounds,
    refresh_money,
    refresh_needs,
    refresh_summaries,
    refresh_utility,
)

__all__ = [
    "DERIVED_TABLES",
    "FOLLOWS",
    "SUMMARY_TABLES",
    "refresh",
    "refresh_diversity",
    "refresh_lever_rounds",
    "refresh_money",
    "refresh_needs",
    "refresh_summaries",
    "refresh_utility",
]
