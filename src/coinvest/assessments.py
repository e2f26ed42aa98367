"""Recording one assessment (the questionnaire of the Data page), in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from coinvest import reference as ref
from coinvest.access import Member
from coinvest.audit import author
from coinvest.db import Connection, Cursor, query
from coinvest.errors import CoinvestError
from coinvest.folding import fold, fold_sql
from coinvest.lookups import in_scope
from coinvest.scope import Scope
from coinvest.writing import writing


@dataclass
class AssessmentInput:
    project_id: str
    viewpoint: str
    assessor_org_id: str
    assessed_on: date
    scores: dict[str, int | None] = field(default_factory=dict)  # question code → 0–4 or None
    comment: str | None = None


def _exists(cur: Cursor, sql: str, value: str) -> bool:
    return bool(cur.execute(sql, {"v": value}).fetchall())


def save_assessment(
    con: Connection, item: AssessmentInput, member: Member | None = None, who: str | None = None
) -> str:
    """Validate and write an assessment with its answers; returns its new id.

    A signed-in `member` who is not an admin answers for their own organisation, from the
    viewpoint of their role, on a project of their scope (docs/rules.md "Sign-in and scope").

    Raises CoinvestError (nothing written) for an unknown project or assessor, an unknown
    viewpoint, a score outside 0–4, a date out of range, no score at all, or an assessment the
    member may not record.
    """
    if (
        member is not None
        and not member.is_admin
        and (item.viewpoint != member.viewpoint or item.assessor_org_id != member.org_id)
    ):
        raise CoinvestError("questionnaire.not_yours", organisation=member.org_name)
    if item.viewpoint not in ref.VIEWPOINT_CODES:
        raise CoinvestError("questionnaire.bad_viewpoint", value=item.viewpoint)
    if not isinstance(item.assessed_on, date) or not 1900 <= item.assessed_on.year <= 2100:
        raise CoinvestError("questionnaire.bad_date", value=item.assessed_on)
    answers = {q: s for q, s in item.scores.items() if s is not None}
    for question, score in answers.items():
        if question not in ref.QUESTION_CODES:
            raise CoinvestError("questionnaire.bad_question", value=question)
        if not isinstance(score, int) or not ref.SCORE_MIN <= score <= ref.SCORE_MAX:
            raise CoinvestError("questionnaire.bad_score", question=question, value=score)
    if not answers:
        raise CoinvestError("questionnaire.no_score")
    comment = (item.comment or "").strip()[:2000] or None
    with writing(con, who or author(member), "questionnaire") as audit:
        cur = audit.cur
        scope = member.scope if member is not None else None
        within, params = in_scope(scope, "project_id")
        found = cur.execute(
            f"SELECT 1 FROM project WHERE project_id = $v{within}",
            {"v": item.project_id, **params},
        ).fetchall()
        if not found:
            raise CoinvestError("questionnaire.unknown_project", value=item.project_id)
        if not _exists(cur, "SELECT 1 FROM organisation WHERE org_id = $v", item.assessor_org_id):
            raise CoinvestError("questionnaire.unknown_assessor", value=item.assessor_org_id)
        stem = f"Q-{item.assessed_on:%Y%m%d}-{item.project_id}-{item.viewpoint}"
        taken = {
            row[0]
            for row in cur.execute(
                "SELECT assessment_id FROM assessment WHERE starts_with(assessment_id, $stem)",
                {"stem": stem},
            ).fetchall()
        }
        assessment_id = stem
        number = 1
        while assessment_id in taken:
            number += 1
            assessment_id = f"{stem}-{number}"
        audit.watch("assessment", "assessment_id = $audit_id", audit_id=assessment_id)
        audit.watch("assessment_answer", "assessment_id = $audit_id", audit_id=assessment_id)
        cur.execute(
            "INSERT INTO assessment VALUES ($id, $project, $viewpoint, $assessor, $on, $comment)",
            {
                "id": assessment_id,
                "project": item.project_id,
                "viewpoint": item.viewpoint,
                "assessor": item.assessor_org_id,
                "on": item.assessed_on,
                "comment": comment,
            },
        )
        cur.executemany(
            "INSERT INTO assessment_answer (assessment_id, question, score) VALUES (?, ?, ?)",
            [(assessment_id, q, s) for q, s in answers.items()],
        )
        audit.finish()  # and the project's lever scores, summaries and needs
    return assessment_id


def find_projects(
    con: Connection, text: str, *, scope: Scope | None, limit: int = 50
) -> pd.DataFrame:
    """Projects (of the scope) whose id or name contains the text (accents and case ignored),
    for pickers."""
    within, params = in_scope(scope, "project_id")
    folded = fold(text.strip())
    # no text: the first names, without folding every name of a national portfolio
    matching = (
        f"(strpos({fold_sql('name')}, $q) > 0 OR strpos(lower(project_id), $q) > 0)"
        if folded
        else "TRUE"
    )
    return query(
        con,
        f"""SELECT project_id, name FROM project
            WHERE {matching}{within}
            ORDER BY name, project_id LIMIT $limit""",
        {**({"q": folded} if folded else {}), "limit": limit, **params},
    )


def related_organisations(con: Connection, project_id: str, scope: Scope | None) -> pd.DataFrame:
    """The organisations around a project: its holder, investors, partners and support bodies
    (none for a project outside the scope)."""
    within, params = in_scope(scope, "$p")
    return query(
        con,
        f"""SELECT DISTINCT o.org_id, o.name, o.kind FROM organisation o
           WHERE o.org_id IN (
               SELECT holder_org_id FROM project WHERE project_id = $p
               UNION SELECT investor_org_id FROM investment WHERE project_id = $p
               UNION SELECT partner_org_id FROM contribution WHERE project_id = $p
               UNION SELECT c.support_body_org_id FROM cohort c
                     JOIN cohort_member m ON m.cohort_id = c.cohort_id WHERE m.project_id = $p
           ){within}
           ORDER BY o.name""",
        {"p": project_id, **params},
    )
