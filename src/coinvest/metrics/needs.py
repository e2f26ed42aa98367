"""Needs and the seven thematic paths (DESIGN §9): from the assessments to the support each
project needs, and what a portfolio or a cohort needs per lever and per question.

- need(project, lever) = (100 − consolidated latest score) × w(phase, lever) / 3, on 0–100; missing
  where the lever has no score;
- a lever is a priority when its need reaches the threshold (40 by default); priorities rank by
  need, ties by lever order; the first is the project's recommended path;
- a question is one to work on when its consolidated score (per viewpoint the latest round, the
  assessors of one date averaged, then the mean over viewpoints) is at most 1 on 0–4.
"""

from __future__ import annotations

import math

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.errors import CoinvestError
from coinvest.exact import exact_mean
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import with_maturity, with_progress, with_rounds
from coinvest.metrics.query import Query

DEFAULT_NEED_THRESHOLD = ref.DEFAULT_NEED_THRESHOLD
EPSILON = 1e-9  # a need of exactly the threshold is a priority, float noise aside


def _check(threshold: float) -> float:
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    return float(threshold)


def with_phase_weights(q: Query) -> None:
    """The phase weight matrix (§9) and the levers' order, as bound values."""
    rows, params = [], {}
    for i, (phase, weights) in enumerate(
        (phase, ref.PHASE_WEIGHTS[phase]) for phase in ref.PHASE_CODES
    ):
        for j, lever in enumerate(ref.LEVER_CODES):
            key = f"pw_{i}_{j}"
            rows.append(
                f"(CAST(${key}_p AS VARCHAR), CAST(${key}_l AS VARCHAR), "
                f"CAST(${key}_o AS INTEGER), CAST(${key}_w AS INTEGER))"
            )
            params.update(
                {f"{key}_p": phase, f"{key}_l": lever, f"{key}_o": j, f"{key}_w": weights[lever]}
            )
    q.add(
        "phase_weight",
        f"SELECT * FROM (VALUES {', '.join(rows)}) AS w (phase, lever, position, weight)",
        **params,
    )


def with_needs(q: Query, which: str = "latest") -> None:
    """`need_<which>`: need per project and assessed lever, from the latest (or first) rounds,
    with the lever's weight and position; `rank` among the project's priorities."""
    with_maturity(q, which)
    with_phase_weights(q)
    q.params.setdefault("need_max_weight", float(ref.PHASE_WEIGHT_MAX))
    q.add(
        f"need_{which}",
        f"""SELECT c.project_id, c.lever, c.score, w.weight, w.position,
               (100 - c.score) * w.weight / $need_max_weight AS need,
               (100 - c.score) * w.weight / $need_max_weight >= $need_threshold - {EPSILON}
                   AS priority
        FROM {which}_clever c
        JOIN project p ON p.project_id = c.project_id
        JOIN phase_weight w ON w.phase = p.phase AND w.lever = c.lever
        WHERE c.score IS NOT NULL""",
        materialized=True,
    )
    q.add(
        f"ranked_need_{which}",
        # needs equal to the micro-point tie (a consolidated score is an exact mean to 1e-9, so
        # two equal needs can differ in their last digits): the lever order decides
        f"""SELECT n.*, CASE WHEN n.priority THEN row_number() OVER (
                   PARTITION BY n.project_id, n.priority
                   ORDER BY CAST(n.need AS DECIMAL(18, 6)) DESC, n.position)
               END AS rank
        FROM need_{which} n""",
    )


def _query(flt: PortfolioFilter, threshold: float, project_ids: list[str] | None = None) -> Query:
    q = Query(flt, projects=project_ids)
    q.params["need_threshold"] = _check(threshold)
    return q


def project_needs(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    project_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Per assessed project and lever (all seven, in order): the consolidated latest score, the
    phase weight, the need, whether it is a priority and its rank among the priorities (the
    exact columns of `project_needs.csv`, DESIGN §6.3). A lever never assessed has no score and
    no need, and is not a priority.

    Columns: project_id, lever, score, weight, need, priority, rank.
    """
    q = _query(flt, threshold, project_ids)
    with_needs(q)
    frame = q.run(
        con,
        """SELECT a.project_id, w.lever, n.score, w.weight, n.need,
               coalesce(n.priority, FALSE) AS priority, n.rank
        FROM (SELECT DISTINCT project_id FROM need_latest) a
        JOIN project p ON p.project_id = a.project_id
        JOIN phase_weight w ON w.phase = p.phase
        LEFT JOIN ranked_need_latest n ON n.project_id = a.project_id AND n.lever = w.lever
        ORDER BY a.project_id, w.position""",
    )
    return frame.astype({"rank": "Int64", "weight": "int64", "priority": "bool"})


def needs_by_lever(
    con: Connection, flt: PortfolioFilter, threshold: float = DEFAULT_NEED_THRESHOLD
) -> pd.DataFrame:
    """For a portfolio or a cohort, per lever: the projects assessed on it, those for which it is
    a priority (and their share), those for which it is the recommended path, the median need,
    and the assessed projects with no score on the lever (shown apart).

    Columns: lever, assessed, priority, share, path, median_need, not_assessed.
    """
    q = _query(flt, threshold)
    with_needs(q)
    frame = q.run(
        con,
        """SELECT w.lever, w.position,
               count(n.project_id) AS assessed,
               count(n.project_id) FILTER (WHERE n.priority) AS priority,
               count(n.project_id) FILTER (WHERE n.rank = 1) AS path,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY n.need) AS median_need,
               (SELECT count(DISTINCT project_id) FROM need_latest) - count(n.project_id)
                   AS not_assessed
        FROM (SELECT DISTINCT lever, position FROM phase_weight) w
        LEFT JOIN ranked_need_latest n ON n.lever = w.lever
        GROUP BY w.lever, w.position
        ORDER BY w.position""",
    )
    frame["share"] = frame["priority"] / frame["assessed"].where(frame["assessed"] > 0)
    return frame[
        ["lever", "assessed", "priority", "share", "path", "median_need", "not_assessed"]
    ].astype({"assessed": "int64", "priority": "int64", "path": "int64", "not_assessed": "int64"})


def path_projects(
    con: Connection,
    flt: PortfolioFilter,
    lever: str,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    limit: int = 200,
) -> pd.DataFrame:
    """The projects whose recommended path is `lever` (the invitees of its collective workshop),
    the highest need first. Columns: project_id, name, holder, phase, department_code, score,
    need, priorities (how many priority levers the project has)."""
    if lever not in ref.LEVER_CODES:
        raise KeyError(lever)
    q = _query(flt, threshold)
    with_needs(q)
    q.params.update(path_lever=lever, path_limit=int(limit))
    return q.run(
        con,
        """SELECT n.project_id, p.name, o.name AS holder, p.phase, p.department_code, n.score,
               n.need, c.priorities
        FROM ranked_need_latest n
        JOIN project p ON p.project_id = n.project_id
        JOIN organisation o ON o.org_id = p.holder_org_id
        JOIN (SELECT project_id, count(*) AS priorities FROM ranked_need_latest
              WHERE priority GROUP BY project_id) c ON c.project_id = n.project_id
        WHERE n.lever = $path_lever AND n.rank = 1
        ORDER BY n.need DESC, n.project_id
        LIMIT $path_limit""",
    )


def needs_matrix(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    limit: int = 40,
) -> pd.DataFrame:
    """The needs heatmap's cells for the `limit` projects with the highest need (projects ×
    levers; a national portfolio cannot be drawn whole). Columns: project_id, name, lever, need,
    priority, top (the project's highest need, for its order)."""
    q = _query(flt, threshold)
    with_needs(q)
    q.params["matrix_limit"] = int(limit)
    q.add(
        "shown",
        """SELECT project_id, max(need) AS top FROM need_latest GROUP BY project_id
        ORDER BY top DESC, project_id LIMIT $matrix_limit""",
    )
    return q.run(
        con,
        """SELECT s.project_id, p.name, n.lever, n.need, n.priority, s.top
        FROM shown s JOIN need_latest n ON n.project_id = s.project_id
        JOIN project p ON p.project_id = s.project_id
        ORDER BY s.top DESC, s.project_id, n.position""",
    )


def with_question_scores(q: Query) -> None:
    """`question_score`: per project and question, the consolidated score on 0–4 (per viewpoint
    the latest round as of the period's end, the assessors of one date averaged, then the mean
    over the viewpoints)."""
    with_rounds(q)
    q.add(
        "question_viewpoint",
        """SELECT r.project_id, r.viewpoint, r.question, r.score
        FROM question_round r
        JOIN (SELECT DISTINCT project_id, viewpoint, assessed_on FROM latest_lever) l
          ON l.project_id = r.project_id AND l.viewpoint = r.viewpoint
         AND l.assessed_on = r.assessed_on""",
        materialized=True,
    )
    q.add(
        "question_score",
        f"""SELECT project_id, question, {exact_mean("score")} AS score
        FROM question_viewpoint GROUP BY project_id, question""",
    )


def needs_by_question(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Per question: the projects scored on it and the share of them at most 1 on 0–4 (the
    portfolio's weakest questions). Columns: question, lever, projects, weak, share."""
    q = Query(flt)
    with_question_scores(q)
    q.params["weak_answer"] = float(ref.WEAK_ANSWER)
    frame = q.run(
        con,
        f"""SELECT question, count(*) AS projects,
               count(*) FILTER (WHERE score <= $weak_answer + {EPSILON}) AS weak
        FROM question_score GROUP BY question""",
    )
    order = {code: i for i, code in enumerate(ref.QUESTION_CODES)}
    frame["lever"] = frame["question"].str.split(".").str[0]
    frame["share"] = frame["weak"] / frame["projects"]
    frame = frame.sort_values("question", key=lambda s: s.map(order)).reset_index(drop=True)
    return frame[["question", "lever", "projects", "weak", "share"]]


def project_questions(con: Connection, flt: PortfolioFilter, project_id: str) -> pd.DataFrame:
    """One project's questions: the latest score from each viewpoint (0–4, assessors of one date
    averaged), the consolidated score and whether it is one to work on. Columns: question,
    lever, ecosystem, project, investment, score, weak (only the questions scored)."""
    q = Query(
        PortfolioFilter.create(year_from=flt.year_from, year_to=flt.year_to), projects=[project_id]
    )
    with_question_scores(q)
    q.params["weak_answer"] = float(ref.WEAK_ANSWER)
    frame = q.run(
        con,
        f"""SELECT v.question, v.viewpoint, v.score AS viewpoint_score, s.score,
               s.score <= $weak_answer + {EPSILON} AS weak
        FROM question_viewpoint v
        JOIN question_score s ON s.project_id = v.project_id AND s.question = v.question""",
    )
    if frame.empty:
        return pd.DataFrame(columns=["question", "lever", *ref.VIEWPOINT_CODES, "score", "weak"])
    wide = frame.pivot_table(
        index=["question", "score", "weak"], columns="viewpoint", values="viewpoint_score"
    ).reset_index()
    for viewpoint in ref.VIEWPOINT_CODES:
        if viewpoint not in wide.columns:
            wide[viewpoint] = float("nan")
    order = {code: i for i, code in enumerate(ref.QUESTION_CODES)}
    wide["lever"] = wide["question"].str.split(".").str[0]
    wide = wide.sort_values("question", key=lambda s: s.map(order)).reset_index(drop=True)
    return wide[["question", "lever", *ref.VIEWPOINT_CODES, "score", "weak"]].astype(
        {"weak": "bool"}
    )


def did_it_help(
    con: Connection, flt: PortfolioFilter, threshold: float = DEFAULT_NEED_THRESHOLD
) -> pd.DataFrame:
    """Per path (lever): the projects whose first round made it a priority and that have been
    assessed again since, and their median progress on it (latest − first consolidated score).

    Columns: lever, projects, median_progress.
    """
    q = _query(flt, threshold)
    with_needs(q, "first")
    with_progress(q)
    with_phase_weights(q)
    return q.run(
        con,
        """SELECT w.lever, count(g.project_id) AS projects,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY g.progress) AS median_progress
        FROM (SELECT DISTINCT lever, position FROM phase_weight) w
        LEFT JOIN (
            SELECT f.lever, f.project_id, c.progress
            FROM need_first f
            JOIN consolidated_progress c ON c.project_id = f.project_id AND c.lever = f.lever
            WHERE f.priority AND c.progress IS NOT NULL
        ) g ON g.lever = w.lever
        GROUP BY w.lever, w.position
        ORDER BY w.position""",
    ).astype({"projects": "int64"})
