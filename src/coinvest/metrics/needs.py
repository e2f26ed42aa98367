"""Needs and the seven thematic paths (docs/figures.md "Needs"): from the assessments to the support each
project needs, and what a portfolio or a cohort needs per lever and per question.

- need(project, lever) = (100 − consolidated latest score) × w(phase, lever) / 3, on 0–100; missing
  where the lever has no score;
- a lever is a priority when its need reaches the threshold (40 by default); priorities rank by
  need, ties by lever order; the first is the project's recommended path;
- a question is one to work on when its consolidated score (per viewpoint the latest round, the
  assessors of one date averaged, then the mean over viewpoints) is at most 1 on 0–4.
"""

from __future__ import annotations

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.exact import weighted_mean
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    EPSILON,
    with_needs,
    with_question_scores,
)
from coinvest.metrics.query import Query, check_threshold, with_weights

DEFAULT_NEED_THRESHOLD = ref.DEFAULT_NEED_THRESHOLD
ALL_INVITEES = 2**62  # no limit: an invitation list as a file holds every invitee


def _query(flt: PortfolioFilter, threshold: float, project_ids: list[str] | None = None) -> Query:
    q = Query(flt, projects=project_ids)
    q.params["need_threshold"] = check_threshold(threshold)
    return q


def project_needs(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    project_ids: list[str] | None = None,
) -> pd.DataFrame:
    """Per assessed project and lever (all seven, in order): the consolidated latest score, the
    phase weight, the need, whether it is a priority and its rank among the priorities (the
    exact columns of `project_needs.csv`, docs/import.md "Command line"). A lever never assessed has no score, no
    need and no priority (missing, docs/figures.md "Settled points").

    Columns: project_id, lever, score, weight, need, priority, rank.
    """
    q = _query(flt, threshold, project_ids)
    with_needs(q)
    frame = q.run(
        con,
        """SELECT a.project_id, w.lever, n.score, w.weight, n.need,
               n.priority, n.rank
        FROM (SELECT DISTINCT project_id FROM need_latest) a
        JOIN project p ON p.project_id = a.project_id
        JOIN phase_weight w ON w.phase = p.phase
        LEFT JOIN ranked_need_latest n ON n.project_id = a.project_id AND n.lever = w.lever
        ORDER BY a.project_id, w.position""",
    )
    # a lever never assessed has no need, so no priority either: empty, not false (§4.1)
    return frame.astype({"rank": "Int64", "weight": "int64", "priority": "boolean"})


def needs_overview(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    matrix_limit: int = 40,
    invitee_limit: int = 200,
) -> dict[str, pd.DataFrame]:
    """The needs of a portfolio or a cohort in one pass (the page's figures):

    - `by_lever`: per lever, the projects assessed on it, those for which it is a priority (and
      their share), those for which it is the recommended path, the median need, and the
      assessed projects with no score on it (shown apart). Columns: lever, assessed, priority,
      share, path, median_need, not_assessed.
    - `matrix`: the heatmap's cells for the `matrix_limit` projects with the highest need (a
      national portfolio cannot be drawn whole). Columns: project_id, name, lever, need,
      priority, top (the project's highest need, for its order).
    - `invitees`: per path, the invitees of its collective workshop: every project for which
      that lever is a priority (first or not), the `invitee_limit` with the highest need.
      Columns: lever, project_id, name, rank (of that lever among the project's priorities),
      holder, phase, department_code, score, need, priorities (how many priority levers the
      project has).
    """
    q = _query(flt, threshold)
    with_needs(q)
    q.params.update(matrix_limit=int(matrix_limit), invitee_limit=int(invitee_limit))
    q.add(
        "shown",
        """SELECT project_id, max(need) AS top FROM need_latest GROUP BY project_id
        ORDER BY top DESC, project_id LIMIT $matrix_limit""",
    )
    # per lever, the invitees with the highest need: the first of each lever's priorities
    # (a top-N each), then numbered; numbering all 320,000 priorities of L took 0.3 s
    firsts = " UNION ALL ".join(
        f"""(SELECT n.project_id, n.lever, n.score, n.need, n.rank
            FROM ranked_need_latest n WHERE n.rank IS NOT NULL AND n.lever = $invited_{i}
            ORDER BY n.need DESC, n.project_id LIMIT $invitee_limit)"""
        for i in range(len(ref.LEVER_CODES))
    )
    q.params.update({f"invited_{i}": code for i, code in enumerate(ref.LEVER_CODES)})
    q.add(
        "invited",
        f"""SELECT f.*,
               row_number() OVER (PARTITION BY f.lever ORDER BY f.need DESC, f.project_id) AS k
        FROM ({firsts}) f""",
    )
    q.add(  # counted for the invitees alone, not for every project of the portfolio
        "priorities",
        """SELECT project_id, count(*) AS priorities FROM need_latest
        WHERE priority AND project_id IN (SELECT project_id FROM invited)
        GROUP BY project_id""",
    )
    # one statement, three parts; typed NULLs keep the columns of the parts alike
    text, number, integer = (
        "CAST(NULL AS VARCHAR)",
        "CAST(NULL AS DOUBLE PRECISION)",
        "CAST(NULL AS BIGINT)",
    )
    frame = q.run(
        con,
        f"""SELECT 'lever' AS part, w.lever, w.position, {text} AS project_id, {text} AS name,
               {text} AS holder, {text} AS phase, {text} AS department_code,
               coalesce(n.assessed, 0) AS assessed, coalesce(n.priority, 0) AS priority,
               coalesce(n.path, 0) AS path,
               -- the assessed projects: each has one lever of rank 1
               (SELECT count(*) FROM need_latest WHERE need_rank = 1) - coalesce(n.assessed, 0)
                   AS not_assessed,
               n.need, {number} AS score, {number} AS top, CAST(NULL AS BOOLEAN) AS flag
        FROM (SELECT DISTINCT lever, position FROM phase_weight) w
        LEFT JOIN (SELECT lever, count(*) AS assessed,
                          count(*) FILTER (WHERE priority) AS priority,
                          count(*) FILTER (WHERE rank = 1) AS path,
                          percentile_cont(0.5) WITHIN GROUP (ORDER BY need) AS need
                   FROM ranked_need_latest GROUP BY lever) n ON n.lever = w.lever
        UNION ALL
        SELECT 'matrix', n.lever, n.position, s.project_id, p.name, {text}, {text}, {text},
               {integer}, {integer}, {integer}, {integer}, n.need, n.score, s.top, n.priority
        FROM shown s JOIN need_latest n ON n.project_id = s.project_id
        JOIN project p ON p.project_id = s.project_id
        UNION ALL
        SELECT 'invitee', i.lever, i.k, i.project_id, p.name, o.name, p.phase,
               p.department_code, i.rank, c.priorities, {integer}, {integer}, i.need, i.score,
               {number}, CAST(NULL AS BOOLEAN)
        FROM invited i
        JOIN project p ON p.project_id = i.project_id
        JOIN organisation o ON o.org_id = p.holder_org_id
        JOIN priorities c ON c.project_id = i.project_id
        WHERE i.k <= $invitee_limit""",
    )
    by_lever = frame[frame["part"] == "lever"].sort_values("position")
    by_lever = by_lever.rename(columns={"need": "median_need"}).astype(
        {"assessed": "int64", "priority": "int64", "path": "int64", "not_assessed": "int64"}
    )
    by_lever["share"] = by_lever["priority"] / by_lever["assessed"].where(by_lever["assessed"] > 0)
    matrix = frame[frame["part"] == "matrix"].sort_values(
        ["top", "project_id", "position"], ascending=[False, True, True]
    )
    invitees = frame[frame["part"] == "invitee"].sort_values(["lever", "position"])
    invitees = invitees.rename(columns={"priority": "priorities", "assessed": "rank"}).astype(
        {"priorities": "int64", "rank": "int64"}
    )
    return {
        "by_lever": by_lever[
            ["lever", "assessed", "priority", "share", "path", "median_need", "not_assessed"]
        ].reset_index(drop=True),
        "matrix": matrix[["project_id", "name", "lever", "need", "flag", "top"]]
        .rename(columns={"flag": "priority"})
        .astype({"priority": "bool"})
        .reset_index(drop=True),
        "invitees": invitees[
            [
                "lever",
                "project_id",
                "name",
                "rank",
                "holder",
                "phase",
                "department_code",
                "score",
                "need",
                "priorities",
            ]
        ].reset_index(drop=True),
    }


def needs_by_lever(
    con: Connection, flt: PortfolioFilter, threshold: float = DEFAULT_NEED_THRESHOLD
) -> pd.DataFrame:
    """Per lever, as `needs_overview`'s `by_lever`."""
    return needs_overview(con, flt, threshold, matrix_limit=0, invitee_limit=0)["by_lever"]


def needs_matrix(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    limit: int = 40,
) -> pd.DataFrame:
    """The heatmap's cells, as `needs_overview`'s `matrix`."""
    return needs_overview(con, flt, threshold, matrix_limit=limit, invitee_limit=0)["matrix"]


def path_projects(
    con: Connection,
    flt: PortfolioFilter,
    lever: str,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    limit: int = 200,
) -> pd.DataFrame:
    """The invitees of one path, as `needs_overview`'s `invitees`."""
    if lever not in ref.LEVER_CODES:
        raise KeyError(lever)
    invitees = needs_overview(con, flt, threshold, matrix_limit=0, invitee_limit=limit)["invitees"]
    return invitees[invitees["lever"] == lever].drop(columns="lever").reset_index(drop=True)


INVITATION_COLUMNS = ("lever", "project_id", "rank", "need", "holder", "department_code")


def path_invitations(
    con: Connection, flt: PortfolioFilter, threshold: float = DEFAULT_NEED_THRESHOLD
) -> pd.DataFrame:
    """Every path's whole invitation list (`path_invitations.csv`, docs/import.md "Command
    line"): per lever in the method's order, every project for which it is a priority, by need
    (highest first), with the lever's rank among the project's priorities, the holder's name and
    the department. Columns: `INVITATION_COLUMNS`."""
    invitees = needs_overview(con, flt, threshold, matrix_limit=0, invitee_limit=ALL_INVITEES)[
        "invitees"
    ]
    order = {code: i for i, code in enumerate(ref.LEVER_CODES)}
    invitees = invitees.sort_values(
        ["lever", "need", "project_id"],
        ascending=[True, False, True],
        key=lambda s: s.map(order) if s.name == "lever" else s,
    )
    return invitees[list(INVITATION_COLUMNS)].reset_index(drop=True)


def needs_by_question(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Per question: the projects scored on it and the share of them at most 1 on 0–4 (the
    portfolio's weakest questions). Columns: question, lever, projects, weak, share."""
    q = Query(flt)
    if flt.rounds_stored:  # the consolidated latest scores kept at write time serve
        q.add(
            "question_score",
            f"SELECT r.project_id, r.question, r.score FROM question_latest r {q.join_selected('r')}",
        )
    else:
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
    q = Query(flt.period_only(), projects=[project_id])
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


HELPED_GROUPS = ("supported", "unsupported")


def did_it_help(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    minimum: int = 0,
) -> pd.DataFrame:
    """Per path (lever) and group: the projects whose first round made the lever a priority and
    that have been assessed again since, and their median progress on it (latest − first
    consolidated score, over the viewpoints assessed twice, as `progress` counts it).

    Two groups side by side (docs/figures.md "Needs"): `supported`, the projects in a support
    cohort between their two rounds (a membership that starts before the latest round and has
    no exit or one after the first round, on that lever), and `unsupported`, the others. A
    comparison, not proof of cause. A median over fewer than `minimum` projects is left empty
    (the page and `did_it_help.csv` hide those under `PEER_MIN`, docs/rules.md "Sign-in and
    scope").

    Columns: lever, group, projects, median_progress (a row per lever and group, in order).
    """
    q = _query(flt, threshold)
    with_needs(q, "first")
    with_weights(q)
    # the progress of the first round's priorities only (a quarter of the levers, not all)
    q.add(
        "helped",
        f"""SELECT f.lever, f.project_id,
               {weighted_mean("l.score - o.score", "v.weight")} AS progress,
               min(o.assessed_on) AS first_on, max(l.assessed_on) AS last_on
        FROM need_first f
        JOIN first_lever o ON o.project_id = f.project_id AND o.lever = f.lever
        JOIN latest_lever l ON l.project_id = o.project_id AND l.viewpoint = o.viewpoint
                           AND l.lever = o.lever
        JOIN viewpoint_weight v ON v.viewpoint = o.viewpoint
        WHERE f.priority AND o.assessed_on < l.assessed_on
        GROUP BY f.lever, f.project_id""",
    )
    q.add(
        "helped_group",
        """SELECT h.lever, h.project_id, h.progress,
               CASE WHEN count(m.project_id) > 0 THEN $group_supported
                    ELSE $group_unsupported END AS grp
        FROM helped h
        LEFT JOIN cohort_member m
          ON m.project_id = h.project_id AND m.entry_date < h.last_on
         AND (m.exit_date IS NULL OR m.exit_date > h.first_on)
        GROUP BY h.lever, h.project_id, h.progress""",
        group_supported=HELPED_GROUPS[0],
        group_unsupported=HELPED_GROUPS[1],
    )
    frame = q.run(
        con,
        """SELECT w.lever, g.grp, count(h.project_id) AS projects,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY h.progress) AS median_progress
        FROM (SELECT DISTINCT lever, position FROM phase_weight) w
        CROSS JOIN (SELECT $group_supported AS grp, 0 AS k
                    UNION ALL SELECT $group_unsupported, 1) g
        LEFT JOIN helped_group h ON h.lever = w.lever AND h.grp = g.grp
        GROUP BY w.lever, w.position, g.grp, g.k
        ORDER BY w.position, g.k""",
    )
    frame = frame.rename(columns={"grp": "group"}).astype({"projects": "int64"})
    frame["median_progress"] = frame["median_progress"].where(frame["projects"] >= minimum)
    return frame


def did_it_help_compared(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    minimum: int = ref.PEER_MIN,
) -> pd.DataFrame:
    """`did_it_help` side by side, as the page and the report show it: per lever, each group's
    projects and median progress (hidden over fewer than `minimum` projects) and the
    difference supported − unsupported, only when both groups have at least `minimum`
    projects.

    Columns: lever, supported_projects, supported_median, unsupported_projects,
    unsupported_median, difference.
    """
    return _side_by_side(did_it_help(con, flt, threshold, minimum), minimum)


def _side_by_side(helped: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """`did_it_help`'s rows (medians already hidden) as `did_it_help_compared`'s columns."""
    wide = helped.pivot(index="lever", columns="group", values=["projects", "median_progress"])
    order = list(dict.fromkeys(helped["lever"]))
    out = pd.DataFrame({"lever": order})
    for group in HELPED_GROUPS:
        out[f"{group}_projects"] = [int(wide.loc[lever, ("projects", group)]) for lever in order]
        out[f"{group}_median"] = [wide.loc[lever, ("median_progress", group)] for lever in order]
    both = (out["supported_projects"] >= minimum) & (out["unsupported_projects"] >= minimum)
    out["difference"] = (out["supported_median"] - out["unsupported_median"]).where(both)
    return out.astype({"supported_median": "float64", "unsupported_median": "float64"})
