"""Assessment campaigns (docs/campaigns.md): one round of the three viewpoints, collected from
the people who hold them.

A campaign names its projects and a reference date. Who is expected to answer, per project and
viewpoint, is read from the data when asked: the holder (`project`), every investor that funded
the project by the reference date (`investment`), the support body of every cohort the project
was in on it (`ecosystem`). Each expected organisation has one questionnaire per campaign,
saved as a draft and then sent; a sent questionnaire is an assessment dated at the reference
date, so a campaign's answers form one round. Every write goes through the one write path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd

from coinvest import reference as ref
from coinvest.access import Member
from coinvest.audit import Audit, author, utc_now
from coinvest.db import Connection, Cursor, query
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter
from coinvest.lookups import in_scope
from coinvest.scope import Scope
from coinvest.writing import writing

DRAFT = "draft"
SENT = "sent"
NOT_STARTED = "not_started"  # an expected questionnaire nobody saved yet (no row)
STATES = (NOT_STARTED, DRAFT, SENT)

# The role whose members answer for an organisation from each viewpoint (ref.ROLE_VIEWPOINT
# turned round).
VIEWPOINT_ROLE = {viewpoint: role for role, viewpoint in ref.ROLE_VIEWPOINT.items()}
NAME_LENGTH = 120
COMMENT_LENGTH = 2000


@dataclass(frozen=True)
class Campaign:
    campaign_id: int
    name: str
    reference_date: date
    deadline: date
    owner_org_id: str | None  # the support body that made it; None: an admin's
    created_at: datetime
    closed_at: datetime | None

    def is_open(self, today: date) -> bool:
        """Open until someone closes it, and until its deadline has passed."""
        return self.closed_at is None and today <= self.deadline


@dataclass(frozen=True)
class Questionnaire:
    """One organisation's questionnaire of a campaign, as it opens."""

    campaign_id: int
    project_id: str
    viewpoint: str
    org_id: str
    state: str  # NOT_STARTED, DRAFT or SENT
    scores: dict[str, int] = field(default_factory=dict)  # question → 0–4 (unanswered: absent)
    comment: str | None = None
    prefilled_from: str | None = None  # the previous round's assessment, when not started
    saved_by: str | None = None


def utc_today() -> date:
    """Today in UTC, the day against which deadlines are read."""
    return utc_now().date()


# --- reading -------------------------------------------------------------------------------------


def _campaign_row(row: Mapping | pd.Series) -> Campaign:
    return Campaign(
        int(row["campaign_id"]),
        str(row["name"]),
        pd.Timestamp(row["reference_date"]).date(),
        pd.Timestamp(row["deadline"]).date(),
        None if pd.isna(row["owner_org_id"]) else str(row["owner_org_id"]),
        pd.Timestamp(row["created_at"]).to_pydatetime(),
        None if pd.isna(row["closed_at"]) else pd.Timestamp(row["closed_at"]).to_pydatetime(),
    )


def get_campaign(con: Connection, campaign_id: int, scope: Scope | None = None) -> Campaign:
    """The campaign, when it exists and, for a scoped reader, holds a project of their scope;
    else CoinvestError `campaign.unknown` (a campaign out of scope is not told apart)."""
    within, params = in_scope(scope, "cp.project_id")
    frame = query(
        con,
        f"""SELECT c.campaign_id, c.name, c.reference_date, c.deadline, c.owner_org_id,
                   c.created_at, c.closed_at
            FROM campaign c
            WHERE c.campaign_id = $id
              AND EXISTS (SELECT 1 FROM campaign_project cp
                          WHERE cp.campaign_id = c.campaign_id{within})""",
        {"id": int(campaign_id), **params},
    )
    if frame.empty:
        raise CoinvestError("campaign.unknown", id=campaign_id)
    return _campaign_row(frame.iloc[0])


def list_campaigns(con: Connection, scope: Scope | None = None) -> pd.DataFrame:
    """The campaigns a reader may see (those with a project of their scope), newest first, with
    how many of their projects are in that scope. Columns: campaign_id, name, reference_date,
    deadline, owner_org_id, created_at, closed_at, projects."""
    within, params = in_scope(scope, "cp.project_id")
    return query(
        con,
        f"""SELECT c.campaign_id, c.name, c.reference_date, c.deadline, c.owner_org_id,
                   c.created_at, c.closed_at, count(*) AS projects
            FROM campaign c JOIN campaign_project cp ON cp.campaign_id = c.campaign_id
            WHERE 1 = 1{within}
            GROUP BY c.campaign_id, c.name, c.reference_date, c.deadline, c.owner_org_id,
                     c.created_at, c.closed_at
            ORDER BY c.campaign_id DESC""",
        params,
    )


# The expected questionnaires of a campaign: (project, viewpoint, organisation), from the data.
_EXPECTED = """
    SELECT p.project_id, 'project' AS viewpoint, p.holder_org_id AS org_id
    FROM campaign_project cp JOIN project p ON p.project_id = cp.project_id
    WHERE cp.campaign_id = $campaign
    UNION
    SELECT i.project_id, 'investment' AS viewpoint, i.investor_org_id AS org_id
    FROM campaign_project cp JOIN investment i ON i.project_id = cp.project_id
    WHERE cp.campaign_id = $campaign AND i.date <= $reference
    UNION
    SELECT m.project_id, 'ecosystem' AS viewpoint, c.support_body_org_id AS org_id
    FROM campaign_project cp
    JOIN cohort_member m ON m.project_id = cp.project_id
    JOIN cohort c ON c.cohort_id = m.cohort_id
    WHERE cp.campaign_id = $campaign AND m.entry_date <= $reference
      AND (m.exit_date IS NULL OR m.exit_date >= $reference)
"""

# Members of each organisation who answer from a viewpoint: the role that gives it.
_ANSWERERS = """
    SELECT org_id, CASE role WHEN 'project' THEN 'project' WHEN 'investor' THEN 'investment'
                             WHEN 'support_body' THEN 'ecosystem' END AS viewpoint,
           count(*) AS members
    FROM membership WHERE role IN ('project', 'investor', 'support_body')
    GROUP BY org_id, role
"""


# the viewpoints in the method's order, for an ORDER BY (fixed codes)
_VIEWPOINT_ORDER = (
    "CASE x.viewpoint "
    + " ".join(f"WHEN '{code}' THEN {i}" for i, code in enumerate(ref.VIEWPOINT_CODES))
    + " END"
)
_KEY = ("project_id", "viewpoint", "org_id")


def _expected_sql(
    campaign: Campaign, scope: Scope | None, only: Mapping[str, str] | None = None
) -> tuple[str, dict]:
    """`WITH … x AS (…)`: the expected questionnaires of the campaign (of the scope; `only`
    narrows them by project, viewpoint or organisation), each with its state and how many
    members may answer it."""
    within, params = in_scope(scope, "e.project_id")
    narrow = "".join(f" AND e.{name} = $only_{name}" for name in _KEY if name in (only or {}))
    params.update({f"only_{name}": value for name, value in (only or {}).items()})
    params.update({"campaign": campaign.campaign_id, "reference": campaign.reference_date})
    return (
        f"""WITH e AS ({_EXPECTED}), answerers AS ({_ANSWERERS}),
            x AS (
                SELECT e.project_id, p.name AS project_name, e.viewpoint, e.org_id,
                       coalesce(o.name, e.org_id) AS org_name,
                       coalesce(a.members, 0) AS members,
                       coalesce(r.status, '{NOT_STARTED}') AS state, r.saved_by, r.sent_at
                FROM e
                JOIN project p ON p.project_id = e.project_id
                LEFT JOIN organisation o ON o.org_id = e.org_id
                LEFT JOIN answerers a ON a.org_id = e.org_id AND a.viewpoint = e.viewpoint
                LEFT JOIN campaign_response r
                  ON r.campaign_id = $campaign AND r.project_id = e.project_id
                 AND r.viewpoint = e.viewpoint AND r.org_id = e.org_id
                WHERE 1 = 1{within}{narrow})""",
        params,
    )


def expected(
    con: Connection,
    campaign: Campaign,
    scope: Scope | None = None,
    only: Mapping[str, str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The expected questionnaires of the campaign (of the reader's scope; `only` narrows them
    by project_id, viewpoint or org_id; `limit`: the first ones), with their state and how
    many members may answer each (0: the organisation is missing a membership). Columns:
    project_id, project_name, viewpoint, org_id, org_name, members, state, saved_by, sent_at;
    in the order of projects, viewpoints and organisations."""
    sql, params = _expected_sql(campaign, scope, only)
    rows = f" LIMIT {int(limit)}" if limit is not None else ""
    frame = query(
        con,
        f"""{sql}
            SELECT x.* FROM x ORDER BY x.project_id, {_VIEWPOINT_ORDER}, x.org_id{rows}""",
        params,
    )
    frame["members"] = frame["members"].astype(int)
    return frame


BOARD_COLUMNS = ["project_id", "project_name", "viewpoint", "expected", "draft", "sent"]


def board(
    con: Connection, campaign: Campaign, scope: Scope | None = None, limit: int | None = None
) -> pd.DataFrame:
    """The progress board: per project and viewpoint, the questionnaires expected, in draft and
    sent, and how many expected organisations have no member to answer; the projects with
    the most left to send first (`limit`: that many rows). Columns: project_id, project_name,
    viewpoint, expected, draft, sent, missing_membership."""
    sql, params = _expected_sql(campaign, scope)
    rows = f" LIMIT {int(limit)}" if limit is not None else ""
    return query(
        con,
        f"""{sql}
            SELECT x.project_id, x.project_name, x.viewpoint, count(*) AS expected,
                   count(*) FILTER (WHERE x.state = '{DRAFT}') AS draft,
                   count(*) FILTER (WHERE x.state = '{SENT}') AS sent,
                   count(*) FILTER (WHERE x.members = 0) AS missing_membership
            FROM x GROUP BY x.project_id, x.project_name, x.viewpoint
            ORDER BY count(*) - count(*) FILTER (WHERE x.state = '{SENT}') DESC,
                     x.project_id, {_VIEWPOINT_ORDER}{rows}""",
        params,
    )


def shares_of(con: Connection, campaign: Campaign, scope: Scope | None = None) -> pd.DataFrame:
    """Per viewpoint (in the method's order): questionnaires expected and sent, and the share
    sent (0–1; None when none is expected). Columns: viewpoint, expected, sent, share."""
    sql, params = _expected_sql(campaign, scope)
    counts = query(
        con,
        f"""{sql}
            SELECT x.viewpoint, count(*) AS expected,
                   count(*) FILTER (WHERE x.state = '{SENT}') AS sent
            FROM x GROUP BY x.viewpoint""",
        params,
    )
    return shares(counts)


def missing_memberships(
    con: Connection, campaign: Campaign, scope: Scope | None = None
) -> pd.DataFrame:
    """The expected organisations nobody may answer for (no member with the viewpoint's role).
    Columns: org_id, org_name, viewpoint, projects."""
    sql, params = _expected_sql(campaign, scope)
    return query(
        con,
        f"""{sql}
            SELECT x.org_id, x.org_name, x.viewpoint, count(*) AS projects
            FROM x WHERE x.members = 0
            GROUP BY x.org_id, x.org_name, x.viewpoint ORDER BY x.org_name, x.org_id""",
        params,
    )


def shares(counts: pd.DataFrame) -> pd.DataFrame:
    """Per viewpoint (in the method's order), from rows of viewpoint, expected and sent (a
    board's, or their totals): questionnaires expected and sent, and the share sent (0–1; None
    when none is expected). Columns: viewpoint, expected, sent, share."""
    out = []
    for viewpoint in ref.VIEWPOINT_CODES:
        part = counts[counts["viewpoint"] == viewpoint]
        wanted, sent = int(part["expected"].sum()), int(part["sent"].sum())
        out.append((viewpoint, wanted, sent, sent / wanted if wanted else None))
    return pd.DataFrame(out, columns=["viewpoint", "expected", "sent", "share"])


def reminders(con: Connection, campaign: Campaign, scope: Scope | None = None) -> pd.DataFrame:
    """The people still to answer: every member of an expected organisation, answering from
    that viewpoint, whose questionnaire is not sent. Columns: name (the person's, None when
    unknown), email, org_id, org_name, project_id, project_name, viewpoint, state; by e-mail,
    project and viewpoint."""
    within, params = in_scope(scope, "e.project_id")
    return query(
        con,
        f"""WITH e AS ({_EXPECTED})
            SELECT m.name, m.email, e.org_id, coalesce(o.name, e.org_id) AS org_name,
                   e.project_id, p.name AS project_name, e.viewpoint,
                   coalesce(r.status, '{NOT_STARTED}') AS state
            FROM e
            JOIN project p ON p.project_id = e.project_id
            JOIN membership m ON m.org_id = e.org_id
             AND m.role = CASE e.viewpoint WHEN 'project' THEN 'project'
                                           WHEN 'investment' THEN 'investor'
                                           ELSE 'support_body' END
            LEFT JOIN organisation o ON o.org_id = e.org_id
            LEFT JOIN campaign_response r
              ON r.campaign_id = $campaign AND r.project_id = e.project_id
             AND r.viewpoint = e.viewpoint AND r.org_id = e.org_id
            WHERE (r.status IS NULL OR r.status <> '{SENT}'){within}
            ORDER BY m.email, e.project_id, e.viewpoint""",
        {"campaign": campaign.campaign_id, "reference": campaign.reference_date, **params},
    )


# Why a reminder list is empty (`nobody_to_remind`); the last: questionnaires are still to
# send, all of them of organisations with no member to answer
NOTHING_EXPECTED = "nothing_expected"
ALL_SENT = "all_sent"
NO_MEMBER_LEFT = "no_member_left"


def nobody_to_remind(totals: pd.DataFrame) -> str:
    """Why nobody is on an empty reminder list, from the totals per viewpoint (`shares_of`):
    nothing is expected, everything was sent, or what is left to send belongs to organisations
    with no member to answer (the missing memberships) — never "everyone sent" then."""
    expected, sent = int(totals["expected"].sum()), int(totals["sent"].sum())
    if expected == 0:
        return NOTHING_EXPECTED
    return ALL_SENT if sent == expected else NO_MEMBER_LEFT


def to_answer(
    con: Connection, member: Member | None, today: date | None = None, limit: int | None = None
) -> pd.DataFrame:
    """ "À remplir": the questionnaires of open campaigns a person answers — a member's own
    organisation's, from their role's viewpoint; every one for an admin and in local mode
    (`limit`: the first ones of each campaign). Columns: campaign_id, campaign_name,
    reference_date, deadline, project_id, project_name, viewpoint, org_id, org_name, state."""
    today = today or utc_today()
    open_ = [
        _campaign_row(row)
        for _, row in list_campaigns(con, None if member is None else member.scope).iterrows()
    ]
    frames = []
    for campaign in (c for c in open_ if c.is_open(today)):
        own = (
            {"org_id": member.org_id, "viewpoint": str(member.viewpoint)}
            if member is not None and not member.is_admin
            else None
        )
        rows = expected(con, campaign, None if member is None else member.scope, own, limit)
        if rows.empty:
            continue
        frames.append(
            rows.assign(
                campaign_id=campaign.campaign_id,
                campaign_name=campaign.name,
                reference_date=campaign.reference_date,
                deadline=campaign.deadline,
            )
        )
    columns = [
        "campaign_id",
        "campaign_name",
        "reference_date",
        "deadline",
        "project_id",
        "project_name",
        "viewpoint",
        "org_id",
        "org_name",
        "state",
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def assessment_id(campaign_id: int, project_id: str, viewpoint: str, org_id: str) -> str:
    """The id of the assessment a sent questionnaire writes."""
    return f"C{campaign_id}-{project_id}-{viewpoint}-{org_id}"


def questionnaire(
    con: Connection, campaign: Campaign, project_id: str, viewpoint: str, org_id: str
) -> Questionnaire:
    """A questionnaire as it opens: its saved answers, or, not started yet, the answers of the
    organisation's previous round for that project and viewpoint (its latest assessment dated
    before the reference date)."""
    key = {"c": campaign.campaign_id, "p": project_id, "v": viewpoint, "o": org_id}
    saved = query(
        con,
        """SELECT status, comment, saved_by FROM campaign_response
           WHERE campaign_id = $c AND project_id = $p AND viewpoint = $v AND org_id = $o""",
        key,
    )
    if not saved.empty:
        answers = query(
            con,
            """SELECT question, score FROM campaign_answer
               WHERE campaign_id = $c AND project_id = $p AND viewpoint = $v AND org_id = $o""",
            key,
        )
        row = saved.iloc[0]
        return Questionnaire(
            campaign.campaign_id,
            project_id,
            viewpoint,
            org_id,
            str(row["status"]),
            {str(q): int(s) for q, s in zip(answers["question"], answers["score"], strict=True)},
            None if pd.isna(row["comment"]) else str(row["comment"]),
            None,
            str(row["saved_by"]),
        )
    previous = query(
        con,
        """SELECT a.assessment_id FROM assessment a
           WHERE a.project_id = $p AND a.viewpoint = $v AND a.assessor_org_id = $o
             AND a.assessed_on < $reference
           ORDER BY a.assessed_on DESC, a.assessment_id DESC LIMIT 1""",
        {"p": project_id, "v": viewpoint, "o": org_id, "reference": campaign.reference_date},
    )
    if previous.empty:
        return Questionnaire(campaign.campaign_id, project_id, viewpoint, org_id, NOT_STARTED)
    source = str(previous["assessment_id"].iloc[0])
    answers = query(
        con,
        "SELECT question, score FROM assessment_answer WHERE assessment_id = $a",
        {"a": source},
    )
    return Questionnaire(
        campaign.campaign_id,
        project_id,
        viewpoint,
        org_id,
        NOT_STARTED,
        {str(q): int(s) for q, s in zip(answers["question"], answers["score"], strict=True)},
        None,
        source,
    )


# --- writing -------------------------------------------------------------------------------------


def filter_projects(con: Connection, flt: PortfolioFilter) -> list[str]:
    """The projects a filter selects (within its scope): a campaign over "the current filter"."""
    sql, params = flt.selected_projects()
    return [str(p) for p in query(con, f"SELECT project_id FROM ({sql}) s", params)["project_id"]]


def _projects_in(cur: Cursor, ids: list[str], scope: Scope | None) -> list[str]:
    within, params = in_scope(scope, "project_id")
    found = cur.execute(
        f"SELECT project_id FROM project WHERE project_id = ANY($ids){within} ORDER BY 1",
        {"ids": ids, **params},
    ).fetchall()
    return [str(row[0]) for row in found]


def create_campaign(
    con: Connection,
    name: str,
    reference_date: date,
    deadline: date,
    *,
    cohort_id: str | None = None,
    project_ids: list[str] | None = None,
    member: Member | None = None,
    who: str | None = None,
) -> Campaign:
    """A new campaign over a cohort's members on the reference date, or over given projects
    (the current filter's). An admin (or anyone in local mode and on the command line) may
    choose any projects; a support-body member only projects of its own cohorts, and the
    campaign is its organisation's. Raises CoinvestError, nothing written, otherwise."""
    name = " ".join(str(name or "").split())
    if not name:
        raise CoinvestError("campaign.no_name")
    if len(name) > NAME_LENGTH:
        raise CoinvestError("campaign.long_name", limit=NAME_LENGTH)
    for value in (reference_date, deadline):
        if not isinstance(value, date) or not 1900 <= value.year <= 2100:
            raise CoinvestError("campaign.bad_date", value=value)
    if (cohort_id is None) == (project_ids is None):
        raise CoinvestError("campaign.cohort_or_projects")
    owner: str | None = None
    scope: Scope | None = None
    if member is not None and not member.is_admin:
        if member.role != "support_body":
            raise CoinvestError("campaign.not_allowed")
        owner, scope = member.org_id, member.scope
    with writing(con, who or author(member), "campaign") as audit:
        cur = audit.cur
        if cohort_id is not None:
            cohort = cur.execute(
                "SELECT support_body_org_id FROM cohort WHERE cohort_id = $c", {"c": cohort_id}
            ).fetchall()
            if not cohort or (owner is not None and cohort[0][0] != owner):
                raise CoinvestError("campaign.unknown_cohort", value=cohort_id)
            members = cur.execute(
                """SELECT project_id FROM cohort_member WHERE cohort_id = $c
                   AND entry_date <= $reference
                   AND (exit_date IS NULL OR exit_date >= $reference)""",
                {"c": cohort_id, "reference": reference_date},
            ).fetchall()
            chosen = _projects_in(cur, [str(r[0]) for r in members], scope)
        else:
            wanted = sorted({str(p) for p in project_ids or []})
            chosen = _projects_in(cur, wanted, scope)
            unknown = sorted(set(wanted) - set(chosen))
            if unknown:
                raise CoinvestError("campaign.unknown_projects", values=", ".join(unknown[:10]))
        if not chosen:
            raise CoinvestError("campaign.no_project")
        number = int(
            cur.execute("SELECT coalesce(max(campaign_id), 0) + 1 FROM campaign").fetchall()[0][0]
        )
        audit.watch("campaign", "campaign_id = $audit_c", audit_c=number)
        audit.watch("campaign_project", "campaign_id = $audit_c", audit_c=number)
        created = utc_now()
        cur.execute(
            """INSERT INTO campaign (campaign_id, name, reference_date, deadline, owner_org_id,
                                     created_at)
               VALUES ($id, $name, $reference, $deadline, $owner, $at)""",
            {
                "id": number,
                "name": name,
                "reference": reference_date,
                "deadline": deadline,
                "owner": owner,
                "at": created,
            },
        )
        cur.executemany(
            "INSERT INTO campaign_project (campaign_id, project_id) VALUES (?, ?)",
            [(number, project) for project in chosen],
        )
    return Campaign(number, name, reference_date, deadline, owner, created, None)


def _may_manage(campaign: Campaign, member: Member | None) -> bool:
    """An admin (everyone in local mode), or a member of the support body that made it."""
    return member is None or member.is_admin or member.org_id == campaign.owner_org_id


def close_campaign(
    con: Connection, campaign_id: int, member: Member | None = None, who: str | None = None
) -> Campaign:
    """Close a campaign: what was sent stays, drafts stay drafts, nothing more is saved."""
    campaign = get_campaign(con, campaign_id, None if member is None else member.scope)
    if not _may_manage(campaign, member):
        raise CoinvestError("campaign.not_allowed")
    if campaign.closed_at is not None:
        raise CoinvestError("campaign.already_closed", id=campaign_id)
    closed = utc_now()
    with writing(con, who or author(member), "campaign") as audit:
        audit.watch("campaign", "campaign_id = $audit_c", audit_c=campaign.campaign_id)
        audit.cur.execute(
            "UPDATE campaign SET closed_at = $at WHERE campaign_id = $id AND closed_at IS NULL",
            {"at": closed, "id": campaign.campaign_id},
        )
    return Campaign(
        campaign.campaign_id,
        campaign.name,
        campaign.reference_date,
        campaign.deadline,
        campaign.owner_org_id,
        campaign.created_at,
        closed,
    )


def save_questionnaire(
    con: Connection,
    campaign_id: int,
    project_id: str,
    viewpoint: str,
    org_id: str,
    scores: Mapping[str, int | None],
    comment: str | None = None,
    *,
    send: bool = False,
    member: Member | None = None,
    who: str | None = None,
    today: date | None = None,
) -> str:
    """Save a questionnaire as a draft, or send it: it then writes the assessment of the
    organisation for that project and viewpoint, dated at the campaign's reference date
    (sending again replaces its answers). A member answers only for their organisation, from
    their role's viewpoint. Returns the questionnaire's state. Raises CoinvestError, nothing
    written, for a closed campaign, a questionnaire that is not expected or not the member's,
    a score outside 0–4, or nothing to send."""
    campaign = get_campaign(con, campaign_id, None if member is None else member.scope)
    if not campaign.is_open(today or utc_today()):
        raise CoinvestError("campaign.closed", id=campaign_id)
    if (
        member is not None
        and not member.is_admin
        and (member.org_id != org_id or member.viewpoint != viewpoint)
    ):
        raise CoinvestError("campaign.not_yours", organisation=member.org_name)
    answers: dict[str, int] = {}
    for question, score in scores.items():
        if question not in ref.QUESTION_CODES:
            raise CoinvestError("questionnaire.bad_question", value=question)
        if score is None:
            continue
        if not isinstance(score, int) or not ref.SCORE_MIN <= score <= ref.SCORE_MAX:
            raise CoinvestError("questionnaire.bad_score", question=question, value=score)
        answers[question] = score
    if send and not answers:
        raise CoinvestError("questionnaire.no_score")
    comment = (comment or "").strip()[:COMMENT_LENGTH] or None
    mine = expected(
        con,
        campaign,
        None if member is None else member.scope,
        {"project_id": project_id, "viewpoint": viewpoint, "org_id": org_id},
    )
    if mine.empty:
        raise CoinvestError("campaign.not_expected", project=project_id, organisation=org_id)
    if mine["state"].iloc[0] == SENT and not send:
        raise CoinvestError("campaign.already_sent")
    state = SENT if send else DRAFT
    now = utc_now()
    key = {"c": campaign.campaign_id, "p": project_id, "v": viewpoint, "o": org_id}
    where = "campaign_id = $c AND project_id = $p AND viewpoint = $v AND org_id = $o"
    with writing(con, who or author(member), "campaign") as audit:
        cur = audit.cur
        # closed by someone else since it was read: under the write lock now, read again
        closed = cur.execute(
            "SELECT closed_at FROM campaign WHERE campaign_id = $c", {"c": campaign.campaign_id}
        ).fetchall()
        if closed[0][0] is not None:
            raise CoinvestError("campaign.closed", id=campaign_id)
        audit.watch("campaign_response", where.replace("$", "$audit_"), **_audit(key))
        audit.watch("campaign_answer", where.replace("$", "$audit_"), **_audit(key))
        cur.execute(f"DELETE FROM campaign_answer WHERE {where}", key)
        cur.execute(f"DELETE FROM campaign_response WHERE {where}", key)
        cur.execute(
            """INSERT INTO campaign_response (campaign_id, project_id, viewpoint, org_id, status,
                                              comment, saved_by, saved_at, sent_at)
               VALUES ($c, $p, $v, $o, $state, $comment, $by, $at, $sent)""",
            {
                **key,
                "state": state,
                "comment": comment,
                "by": who or author(member),
                "at": now,
                "sent": now if send else None,
            },
        )
        cur.executemany(
            "INSERT INTO campaign_answer (campaign_id, project_id, viewpoint, org_id, question, "
            "score) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (campaign.campaign_id, project_id, viewpoint, org_id, q, s)
                for q, s in sorted(answers.items())
            ],
        )
        if send:
            _write_assessment(audit, campaign, project_id, viewpoint, org_id, answers, comment)
    return state


def _audit(key: dict[str, object]) -> dict[str, object]:
    return {f"audit_{name}": value for name, value in key.items()}


def _write_assessment(
    audit: Audit,
    campaign: Campaign,
    project_id: str,
    viewpoint: str,
    org_id: str,
    answers: dict[str, int],
    comment: str | None,
) -> None:
    """The sent questionnaire as the organisation's assessment, dated at the reference date:
    the old one's answers removed first, so that each question is answered once."""
    cur = audit.cur
    made = assessment_id(campaign.campaign_id, project_id, viewpoint, org_id)
    audit.watch("assessment", "assessment_id = $audit_a", audit_a=made)
    audit.watch("assessment_answer", "assessment_id = $audit_a", audit_a=made)
    cur.execute("DELETE FROM assessment_answer WHERE assessment_id = $a", {"a": made})
    cur.execute("DELETE FROM assessment WHERE assessment_id = $a", {"a": made})
    cur.execute(
        "INSERT INTO assessment VALUES ($a, $project, $viewpoint, $org, $on, $comment)",
        {
            "a": made,
            "project": project_id,
            "viewpoint": viewpoint,
            "org": org_id,
            "on": campaign.reference_date,
            "comment": comment,
        },
    )
    cur.executemany(
        "INSERT INTO assessment_answer (assessment_id, question, score) VALUES (?, ?, ?)",
        [(made, q, s) for q, s in sorted(answers.items())],
    )
