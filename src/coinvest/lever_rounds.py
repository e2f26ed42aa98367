"""Lever scores per assessment round (DESIGN §4), kept in `lever_round` at write time, and the
scores per question and round, kept in `question_round` (DESIGN §9: the questions to work on).

Several assessors of one viewpoint on one date are first averaged per question, then the
answered questions of each lever are averaged and scaled to 0–100. The first round is the
project's earliest from the viewpoint (DESIGN §4); a lever's latest is the most recent round that
answered it (DESIGN §4.1: a latest round that leaves a lever blank does not blank its latest
score; an assessment with no score at all is no round). Every writer of assessments
(demo, import, questionnaire, deletion) rewrites the rows of the projects it touched, in its own
transaction, so that pages never aggregate raw answers.
"""

from __future__ import annotations

from coinvest.db import Cursor
from coinvest.exact import exact_mean
from coinvest.reference import SCORE_SCALE
from coinvest.schema import (
    QUESTION_LATEST_FILL,
    QUESTION_ROUND_FILL,
    SUMMARY_TABLES,
    summary_fills,
)
from coinvest.summaries import refresh_needs

_LEVER_ROUND_SQL = """
INSERT INTO lever_round (project_id, viewpoint, assessed_on, lever, score, is_first, is_latest)
SELECT project_id, viewpoint, assessed_on, lever, score,
       assessed_on = min(assessed_on) OVER (PARTITION BY project_id, viewpoint),
       assessed_on = max(assessed_on) OVER (PARTITION BY project_id, viewpoint, lever)
FROM (
    SELECT project_id, viewpoint, assessed_on, split_part(question, '.', 1) AS lever,
           {lever_mean} * $score_scale AS score
    FROM (
        SELECT a.project_id, a.viewpoint, a.assessed_on, x.question, avg(x.score) AS score
        FROM assessment a JOIN assessment_answer x ON x.assessment_id = a.assessment_id
        {where}
        GROUP BY a.project_id, a.viewpoint, a.assessed_on, x.question
    ) per_question
    GROUP BY project_id, viewpoint, assessed_on, split_part(question, '.', 1)
) per_lever
"""


def refresh_lever_rounds(
    cur: Cursor,
    project_ids: list[str] | None = None,
    *,
    between: tuple[str, str] | None = None,
) -> None:
    """Recompute the lever scores per round, the question scores per round, the consolidated
    latest question scores and the per-project summaries (schema v7) with the needs that follow
    from them (schema v8): for some projects, for
    the projects whose ids lie `between` two ids (the demo's blocks), or for all.

    Call it inside the transaction that wrote the assessments.
    """
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
    steps = [
        ("lever_round", _LEVER_ROUND_SQL.format(where=where, lever_mean=exact_mean("score"))),
        ("question_round", QUESTION_ROUND_FILL.format(where=where)),
        ("question_latest", QUESTION_LATEST_FILL.format(where=also)),
    ]
    for table, fill in steps:
        cur.execute(f"DELETE FROM {table}{delete}", params)  # fixed table names
        cur.execute(
            fill, {**params, "score_scale": SCORE_SCALE} if table == "lever_round" else params
        )
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
