"""Refilling the derived tables after a write (docs/data.md "Derived tables").

`FOLLOWS` is the one table of which derived tables follow which base table; `refresh` refills
what follows the tables a write changed, for the projects it changed. The write path
(`coinvest.writing`) calls it inside the write's transaction; the demo and the tests call it
after writing rows of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coinvest import reference as ref
from coinvest.backend import Cursor
from coinvest.derived.fills import (
    DIVERSITY_FILL,
    LEVER_ROUND_FILL,
    MONEY_FILL,
    NEED_FILL,
    PROJECT_MONEY_FILL,
    QUESTION_LATEST_FILL,
    QUESTION_ROUND_FILL,
    ROUND_QUESTION_FILL,
    ROUND_QUESTIONS,
    SUMMARY_TABLES,
    UTILITY_FILL,
    summary_fills,
)
from coinvest.derived.formulas import (
    money_params,
    need_expression,
    need_order,
    phase_weight_values,
)

# The four refills, each with what it rewrites.
ROUNDS = ("lever_round", "question_round", "question_latest", *SUMMARY_TABLES, "need_summary")
NEEDS = ("need_summary",)
MONEY = ("money_summary", "project_money_summary", "project_diversity")
DIVERSITY = ("project_diversity",)
UTILITY = ("utility_summary",)

# Which derived tables follow which base table: a change to the left rewrites the right.
FOLLOWS: dict[str, tuple[str, ...]] = {
    "assessment": ROUNDS,
    "assessment_answer": ROUNDS,
    "project": NEEDS,  # a project's phase weighs its needs
    "investment": MONEY,
    "contribution": MONEY,
    "organisation": DIVERSITY,  # an organisation's kind changes the partner kinds
    "measurement": UTILITY,
    "indicator": UTILITY,  # an indicator's direction changes every achievement
}


def refresh(
    cur: Cursor,
    tables: Iterable[str] | None = None,
    projects: Iterable[str] | None = None,
    *,
    between: tuple[str, str] | None = None,
) -> None:
    """Refill the derived tables that follow `tables` (every base table when None): those kept
    per project for `projects`, or the projects whose ids lie `between` two ids (the demo's
    blocks), or all; money and utility whole (a few rows a project, a second at 1,000,000
    projects; an indicator's change touches every project). Call it inside the transaction that
    wrote the rows."""
    changed = set(FOLLOWS) if tables is None else set(tables)
    following = {derived for table in changed for derived in FOLLOWS.get(table, ())}
    ids = None if projects is None else sorted(set(projects))
    if set(ROUNDS) <= following:
        refresh_lever_rounds(cur, ids, between=between)  # and the needs that follow
    elif set(NEEDS) <= following:
        refresh_needs(cur, ids)
    if set(MONEY) <= following:
        refresh_money(cur)  # and the diversity that follows
    elif set(DIVERSITY) <= following:
        refresh_diversity(cur)
    if set(UTILITY) <= following:
        refresh_utility(cur)


def refresh_lever_rounds(
    cur: Cursor,
    project_ids: list[str] | None = None,
    *,
    between: tuple[str, str] | None = None,
) -> None:
    """Recompute the lever scores per round, the question scores per round, the consolidated
    latest question scores and the per-project summaries with the needs that follow from them:
    for some projects, for the projects whose ids lie `between` two ids, or for all."""
    params: dict[str, object]
    if between is not None:
        condition, params = "BETWEEN $lo AND $hi", {"lo": between[0], "hi": between[1]}
    elif project_ids is not None:
        ids = sorted(set(project_ids))
        if not ids:
            return
        condition, params = "= ANY($ids)", {"ids": ids}
    else:
        condition, params = "", {}
    where = f"WHERE a.project_id {condition}" if condition else ""
    also = f" AND project_id {condition}" if condition else ""
    delete = f" WHERE project_id {condition}" if condition else ""
    for table in ("lever_round", "question_round", "question_latest"):
        cur.execute(f"DELETE FROM {table}{delete}", params)  # fixed table names
    cur.execute(f"DROP TABLE IF EXISTS {ROUND_QUESTIONS}")
    cur.execute(ROUND_QUESTION_FILL.format(where=where), params)
    cur.execute(LEVER_ROUND_FILL, {"score_scale": ref.SCORE_SCALE})
    cur.execute(
        QUESTION_ROUND_FILL.format(where=f"WHERE l.project_id {condition}" if condition else ""),
        params,
    )
    cur.execute(f"DROP TABLE {ROUND_QUESTIONS}")
    cur.execute(QUESTION_LATEST_FILL.format(where=also), params)
    _refill_summaries(cur, also, delete, params)


def refresh_summaries(cur: Cursor) -> None:
    """Refill the per-project summaries and needs from `lever_round` as it stands (all
    projects)."""
    _refill_summaries(cur, "", "", {})


def _refill_summaries(cur: Cursor, also: str, delete: str, params: dict) -> None:
    for table, fill in zip(SUMMARY_TABLES, summary_fills(), strict=True):
        cur.execute(f"DELETE FROM {table}{delete}", params)  # fixed table names
        cur.execute(fill.format(where=also), params)
    refresh_needs(cur, where=also, params=params)


def refresh_needs(
    cur: Cursor,
    project_ids: list[str] | None = None,
    *,
    where: str = "",
    params: dict[str, Any] | None = None,
) -> None:
    """Refill the needs of some projects (all without `project_ids` or `where`) from their
    consolidated scores and phases. `where` is a condition ` AND project_id …` of this module's
    own code, with its `params`."""
    bound: dict[str, Any] = dict(params or {})
    if project_ids is not None:
        ids = sorted(set(project_ids))
        if not ids:
            return
        where, bound = " AND project_id = ANY($need_ids)", {"need_ids": ids}
    weights, weight_params = phase_weight_values()
    cur.execute(f"DELETE FROM need_summary WHERE 1 = 1{where}", bound)  # this module's SQL
    cur.execute(
        NEED_FILL.format(
            order=need_order("need"),
            need=need_expression("c.latest_score", "w.weight"),
            where=where,
            weights=weights,
        ),
        {**bound, **weight_params, "need_max_weight": float(ref.PHASE_WEIGHT_MAX)},
    )


# The money summaries, each filled from the rows before it.
MONEY_FILLS = (
    ("money_summary", MONEY_FILL),
    ("project_money_summary", PROJECT_MONEY_FILL),
    ("project_diversity", DIVERSITY_FILL),
)


def refresh_money(cur: Cursor) -> None:
    """Refill the money summaries from the investments and contributions as they stand."""
    for table, fill in MONEY_FILLS:
        cur.execute(f"DELETE FROM {table}")  # fixed table names
        cur.execute(fill, money_params() if table == "money_summary" else None)


def refresh_diversity(cur: Cursor) -> None:
    """Refill the partner kinds per project from the money summary and the organisations."""
    cur.execute("DELETE FROM project_diversity")
    cur.execute(DIVERSITY_FILL)


def refresh_utility(cur: Cursor) -> None:
    """Refill the utility summary from the measurements and indicators as they stand."""
    cur.execute("DELETE FROM utility_summary")
    cur.execute(UTILITY_FILL, {"cap": ref.ACHIEVEMENT_CAP, "beneficiaries": ref.BENEFICIARIES})
