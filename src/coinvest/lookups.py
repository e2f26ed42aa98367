"""Small lists the filter and pickers offer (investors, support bodies, cohorts, years) and a
project's own rows.

Every function takes the member's scope (docs/rules.md "Sign-in and scope"; None: every project) and lists only what
lies inside it: a picker offers only in-scope investors, cohorts and projects, and a project
outside the scope has no card, money or assessments.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from coinvest.db import Connection, query
from coinvest.filters import FIELDS, PortfolioFilter, projects_of
from coinvest.folding import fold, fold_sql
from coinvest.scope import Scope


def in_scope(scope: Scope | None, column: str) -> tuple[str, dict]:
    """` AND column IN (the scope's projects)`, or nothing without a scope. `column` is a fixed
    column name of the caller's SQL."""
    if scope is None:
        return "", {}
    sql, params = projects_of(scope)
    return f" AND {column} IN ({sql})", params


def _cohorts_in_scope(scope: Scope | None) -> tuple[str, dict]:
    """` AND c.cohort_id IN (cohorts with an in-scope member)`, or nothing without a scope."""
    if scope is None:
        return "", {}
    members, params = in_scope(scope, "m.project_id")
    return (
        f" AND c.cohort_id IN (SELECT m.cohort_id FROM cohort_member m WHERE 1 = 1{members})",
        params,
    )


def investors(con: Connection, scope: Scope | None) -> pd.DataFrame:
    """Organisations that made at least one investment (in a project of the scope).
    Columns: org_id, name, kind."""
    within, params = in_scope(scope, "i.project_id")
    return query(
        con,
        f"""SELECT o.org_id, o.name, o.kind FROM organisation o
           WHERE o.org_id IN (SELECT DISTINCT i.investor_org_id FROM investment i
                              WHERE 1 = 1{within})
           ORDER BY o.name""",
        params,
    )


def support_bodies(con: Connection, scope: Scope | None) -> pd.DataFrame:
    """Organisations that run at least one cohort (holding a project of the scope).
    Columns: org_id, name."""
    within, params = _cohorts_in_scope(scope)
    return query(
        con,
        f"""SELECT o.org_id, o.name FROM organisation o
           WHERE o.org_id IN (SELECT DISTINCT c.support_body_org_id FROM cohort c
                              WHERE 1 = 1{within})
           ORDER BY o.name""",
        params,
    )


def cohorts(con: Connection, scope: Scope | None) -> pd.DataFrame:
    """Cohorts (holding a project of the scope).
    Columns: cohort_id, name, year, support_body_org_id, support_body_name."""
    within, params = _cohorts_in_scope(scope)
    return query(
        con,
        f"""SELECT c.cohort_id, c.name, c.year, c.support_body_org_id, o.name AS support_body_name
           FROM cohort c JOIN organisation o ON o.org_id = c.support_body_org_id
           WHERE 1 = 1{within}
           ORDER BY c.year, c.cohort_id""",
        params,
    )


def organisation_names(con: Connection) -> dict[str, str]:
    """Every organisation, id → name, by name (an admin's member form)."""
    frame = query(con, "SELECT org_id, name FROM organisation ORDER BY name, org_id")
    return dict(zip(frame["org_id"], frame["name"], strict=True))


def year_span(con: Connection, scope: Scope | None) -> tuple[int, int] | None:
    """The first and last year with an investment, contribution, measurement or assessment
    (of the scope's projects)."""
    parts: list[str] = []
    params: dict = {}
    for expr, table in (
        ("EXTRACT(YEAR FROM date)", "investment"),
        ("EXTRACT(YEAR FROM date)", "contribution"),
        ("year", "measurement"),
        ("EXTRACT(YEAR FROM assessed_on)", "assessment"),
    ):
        within, params = in_scope(scope, "project_id")
        parts.append(f"SELECT {expr} AS y FROM {table} WHERE 1 = 1{within}")
    row = query(
        con,
        f"SELECT min(y), max(y) FROM ({' UNION ALL '.join(parts)}) years",
        params,
    ).iloc[0]
    if pd.isna(row.iloc[0]):
        return None
    return int(row.iloc[0]), int(row.iloc[1])


def project_names(con: Connection, project_ids: list[str], scope: Scope | None) -> dict[str, str]:
    """Project id → name, for the ids of the scope."""
    within, params = in_scope(scope, "project_id")
    frame = query(
        con,
        f"SELECT project_id, name FROM project WHERE project_id = ANY($ids){within}",
        {"ids": list(project_ids), **params},
        keyed=True,
    )
    return dict(zip(frame["project_id"], frame["name"], strict=True))


def search_projects(
    con: Connection, flt: PortfolioFilter, text: str, limit: int = 50
) -> pd.DataFrame:
    """Filtered projects whose id or name contains the text (accents and case ignored)."""
    selected, params = flt.selected_projects()
    folded = fold(text.strip())
    # no text: the first names, without folding every name of a national portfolio
    where = (
        f"WHERE strpos({fold_sql('p.name')}, $q) > 0 OR strpos(lower(p.project_id), $q) > 0"
        if folded
        else ""
    )
    return query(
        con,
        f"""WITH selected AS ({selected})
            SELECT p.project_id, p.name FROM project p JOIN selected s ON s.project_id = p.project_id
            {where}
            ORDER BY p.name, p.project_id LIMIT $limit""",
        {**params, **({"q": folded} if folded else {}), "limit": int(limit)},
    )


def project_card(con: Connection, project_id: str, scope: Scope | None) -> dict | None:
    """A project's own record with its holder, department and region names; None when there is
    no such project in the scope."""
    within, params = in_scope(scope, "p.project_id")
    frame = query(
        con,
        f"""SELECT p.*, h.name AS holder_name, h.kind AS holder_kind, d.name AS department_name,
                  r.name AS region_name
           FROM project p
           JOIN organisation h ON h.org_id = p.holder_org_id
           JOIN department d ON d.code = p.department_code
           JOIN region r ON r.code = d.region_code
           WHERE p.project_id = $id{within}""",
        {"id": project_id, **params},
        keyed=True,
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def project_money_rows(
    con: Connection, project_id: str, scope: Scope | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A project's investments and contributions, with the organisations' names (none for a
    project outside the scope)."""
    within, params = in_scope(scope, "$id")
    investments = query(
        con,
        f"""SELECT i.date, o.name AS investor, o.kind, i.instrument, i.amount_eur, i.investor_lever
           FROM investment i JOIN organisation o ON o.org_id = i.investor_org_id
           WHERE i.project_id = $id{within} ORDER BY i.date, i.investment_id""",
        {"id": project_id, **params},
        keyed=True,
    )
    contributions = query(
        con,
        f"""SELECT c.date, o.name AS partner, o.kind AS partner_kind, c.kind, c.value_eur,
                  c.partnership_type
           FROM contribution c JOIN organisation o ON o.org_id = c.partner_org_id
           WHERE c.project_id = $id{within} ORDER BY c.date, c.contribution_id""",
        {"id": project_id, **params},
        keyed=True,
    )
    return investments, contributions


def project_assessments(con: Connection, project_id: str, scope: Scope | None) -> pd.DataFrame:
    """A project's assessments, newest first, with the assessor's name, the comment and the
    comments left on single answers. Columns: assessment_id, assessed_on, viewpoint, assessor,
    comment, answer_comments (`question: comment` lines), answers. None outside the scope."""
    within, params = in_scope(scope, "a.project_id")
    return query(
        con,
        f"""SELECT a.assessment_id, a.assessed_on, a.viewpoint, o.name AS assessor, a.comment,
                  string_agg(CASE WHEN x.comment IS NOT NULL AND trim(x.comment) <> ''
                                  THEN x.question || ' : ' || x.comment END, ' · '
                             ORDER BY x.question) AS answer_comments,
                  count(x.question) AS answers
           FROM assessment a
           JOIN organisation o ON o.org_id = a.assessor_org_id
           LEFT JOIN assessment_answer x ON x.assessment_id = a.assessment_id
           WHERE a.project_id = $id{within}
           GROUP BY a.assessment_id, a.assessed_on, a.viewpoint, o.name, a.comment
           ORDER BY a.assessed_on DESC, a.assessment_id""",
        {"id": project_id, **params},
        keyed=True,
    )


def indicator_names(con: Connection, lang: str) -> dict[str, str]:
    """Indicator code → its name in the language (the French one when no English is given)."""
    frame = query(
        con, "SELECT indicator_code, name_fr, name_en FROM indicator ORDER BY indicator_code"
    )
    column = "name_en" if lang == "en" else "name_fr"
    names: dict[str, str] = {}
    for code, name_fr, name in zip(
        frame["indicator_code"], frame["name_fr"], frame[column], strict=True
    ):
        names[str(code)] = str(name if isinstance(name, str) and name else name_fr)
    return names


def indicator_units(con: Connection) -> dict[str, str]:
    """Indicator code → its unit (`personnes`, `€`)."""
    frame = query(con, "SELECT indicator_code, unit FROM indicator ORDER BY indicator_code")
    return {str(c): str(u) for c, u in zip(frame["indicator_code"], frame["unit"], strict=True)}


def organisations_around(column: str, projects: str) -> str:
    """`column IN (…)`: the organisations around some projects (holders, investors, partners,
    assessors, support bodies of their cohorts); `column` and `projects` (a `SELECT project_id
    …`) are fixed SQL of the caller."""
    return f"""{column} IN (
            SELECT holder_org_id FROM project WHERE project_id IN ({projects})
            UNION SELECT investor_org_id FROM investment WHERE project_id IN ({projects})
            UNION SELECT partner_org_id FROM contribution WHERE project_id IN ({projects})
            UNION SELECT assessor_org_id FROM assessment WHERE project_id IN ({projects})
            UNION SELECT c.support_body_org_id FROM cohort c
                  JOIN cohort_member m ON m.cohort_id = c.cohort_id
                  WHERE m.project_id IN ({projects}))"""


def organisations_in_scope(scope: Scope | None) -> tuple[str, dict]:
    """` AND o.org_id IN (…)`: the organisations around the scope's projects; nothing without a
    scope."""
    if scope is None:
        return "", {}
    projects, params = projects_of(scope)
    return f" AND {organisations_around('o.org_id', projects)}", params


def filter_value_names(con: Connection, flt: PortfolioFilter) -> dict[str, Callable[[str], str]]:
    """Names for the ids a filter holds, for describing it in words (`filters.describe`):
    `Fondation X (INV02)`. Each field says which table names its values (`FilterField.named_by`);
    only the names inside the filter's scope are read."""
    held: dict[str, list[str]] = {}
    for field in FIELDS:
        if field.named_by is not None:
            value = getattr(flt, field.name)
            held.setdefault(field.named_by, []).extend(
                v for v in (value if field.is_list else [value]) if v
            )
    names: dict[str, dict[str, str]] = {}
    for table, ids in held.items():
        if not ids:
            continue
        within, params = (
            organisations_in_scope(flt.scope)
            if table == "organisation"
            else _cohorts_in_scope(flt.scope)
        )
        sql = _NAMES[table]
        names[table] = dict(
            query(con, f"{sql}{within}", {"ids": sorted(set(ids)), **params}).itertuples(
                index=False, name=None
            )
        )

    def named(table: str) -> Callable[[str], str]:
        found = names.get(table, {})
        return lambda value: f"{found[value]} ({value})" if value in found else value

    return {f.name: named(f.named_by) for f in FIELDS if f.named_by is not None}


# The names of the ids of one table (a fixed list: `FilterField.named_by` picks one).
_NAMES = {
    "organisation": "SELECT o.org_id, o.name FROM organisation o WHERE o.org_id = ANY($ids)",
    "cohort": "SELECT c.cohort_id, c.name FROM cohort c WHERE c.cohort_id = ANY($ids)",
}
