"""Small lists the filter and pickers offer: investors, support bodies, cohorts, years."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from coinvest.db import Connection, query
from coinvest.filters import PortfolioFilter
from coinvest.folding import fold, fold_sql


def investors(con: Connection) -> pd.DataFrame:
    """Organisations that made at least one investment. Columns: org_id, name, kind."""
    return query(
        con,
        """SELECT o.org_id, o.name, o.kind FROM organisation o
           WHERE o.org_id IN (SELECT DISTINCT investor_org_id FROM investment)
           ORDER BY o.name""",
    )


def support_bodies(con: Connection) -> pd.DataFrame:
    """Organisations that run at least one cohort. Columns: org_id, name."""
    return query(
        con,
        """SELECT o.org_id, o.name FROM organisation o
           WHERE o.org_id IN (SELECT DISTINCT support_body_org_id FROM cohort)
           ORDER BY o.name""",
    )


def cohorts(con: Connection) -> pd.DataFrame:
    """Columns: cohort_id, name, year, support_body_org_id, support_body_name."""
    return query(
        con,
        """SELECT c.cohort_id, c.name, c.year, c.support_body_org_id, o.name AS support_body_name
           FROM cohort c JOIN organisation o ON o.org_id = c.support_body_org_id
           ORDER BY c.year, c.cohort_id""",
    )


def year_span(con: Connection) -> tuple[int, int] | None:
    """The first and last year with an investment, contribution, measurement or assessment."""
    row = query(
        con,
        """SELECT min(y), max(y) FROM (
               SELECT EXTRACT(YEAR FROM date) AS y FROM investment
               UNION ALL SELECT EXTRACT(YEAR FROM date) FROM contribution
               UNION ALL SELECT year FROM measurement
               UNION ALL SELECT EXTRACT(YEAR FROM assessed_on) FROM assessment
           ) years""",
    ).iloc[0]
    if pd.isna(row.iloc[0]):
        return None
    return int(row.iloc[0]), int(row.iloc[1])


def project_names(con: Connection, project_ids: list[str]) -> dict[str, str]:
    frame = query(
        con,
        "SELECT project_id, name FROM project WHERE project_id = ANY($ids)",
        {"ids": list(project_ids)},
    )
    return dict(zip(frame["project_id"], frame["name"], strict=True))


def search_projects(
    con: Connection, flt: PortfolioFilter, text: str, limit: int = 50
) -> pd.DataFrame:
    """Filtered projects whose id or name contains the text (accents and case ignored)."""
    scope, params = flt.project_scope()
    return query(
        con,
        f"""WITH scope AS ({scope})
            SELECT p.project_id, p.name FROM project p JOIN scope s ON s.project_id = p.project_id
            WHERE strpos({fold_sql("p.name")}, $q) > 0 OR strpos(lower(p.project_id), $q) > 0
            ORDER BY p.name, p.project_id LIMIT $limit""",
        {**params, "q": fold(text.strip()), "limit": int(limit)},
    )


def project_card(con: Connection, project_id: str) -> dict | None:
    """A project's own record with its holder, department and region names."""
    frame = query(
        con,
        """SELECT p.*, h.name AS holder_name, h.kind AS holder_kind, d.name AS department_name,
                  r.name AS region_name
           FROM project p
           JOIN organisation h ON h.org_id = p.holder_org_id
           JOIN department d ON d.code = p.department_code
           JOIN region r ON r.code = d.region_code
           WHERE p.project_id = $id""",
        {"id": project_id},
    )
    return None if frame.empty else frame.iloc[0].to_dict()


def project_money_rows(con: Connection, project_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A project's investments and contributions, with the organisations' names."""
    investments = query(
        con,
        """SELECT i.date, o.name AS investor, o.kind, i.instrument, i.amount_eur, i.investor_lever
           FROM investment i JOIN organisation o ON o.org_id = i.investor_org_id
           WHERE i.project_id = $id ORDER BY i.date, i.investment_id""",
        {"id": project_id},
    )
    contributions = query(
        con,
        """SELECT c.date, o.name AS partner, o.kind AS partner_kind, c.kind, c.value_eur,
                  c.partnership_type
           FROM contribution c JOIN organisation o ON o.org_id = c.partner_org_id
           WHERE c.project_id = $id ORDER BY c.date, c.contribution_id""",
        {"id": project_id},
    )
    return investments, contributions


def project_assessments(con: Connection, project_id: str) -> pd.DataFrame:
    """A project's assessments, newest first, with the assessor's name, the comment and the
    comments left on single answers. Columns: assessment_id, assessed_on, viewpoint, assessor,
    comment, answer_comments (`question: comment` lines), answers."""
    return query(
        con,
        """SELECT a.assessment_id, a.assessed_on, a.viewpoint, o.name AS assessor, a.comment,
                  string_agg(CASE WHEN x.comment IS NOT NULL AND trim(x.comment) <> ''
                                  THEN x.question || ' : ' || x.comment END, ' · '
                             ORDER BY x.question) AS answer_comments,
                  count(x.question) AS answers
           FROM assessment a
           JOIN organisation o ON o.org_id = a.assessor_org_id
           LEFT JOIN assessment_answer x ON x.assessment_id = a.assessment_id
           WHERE a.project_id = $id
           GROUP BY a.assessment_id, a.assessed_on, a.viewpoint, o.name, a.comment
           ORDER BY a.assessed_on DESC, a.assessment_id""",
        {"id": project_id},
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


def filter_value_names(con: Connection, flt: PortfolioFilter) -> dict[str, Callable[[str], str]]:
    """Names for the ids a filter holds (investor, support bodies, cohorts), for describing it in
    words (`filters.describe`): `Fondation X (INV02)`."""
    orgs = [o for o in (flt.investor, *flt.support_body) if o]
    org_names = (
        dict(
            query(
                con, "SELECT org_id, name FROM organisation WHERE org_id = ANY($ids)", {"ids": orgs}
            ).itertuples(index=False, name=None)
        )
        if orgs
        else {}
    )
    cohort_names = (
        dict(
            query(
                con,
                "SELECT cohort_id, name FROM cohort WHERE cohort_id = ANY($ids)",
                {"ids": list(flt.cohort)},
            ).itertuples(index=False, name=None)
        )
        if flt.cohort
        else {}
    )

    def named(names: dict[str, str]) -> Callable[[str], str]:
        return lambda value: f"{names[value]} ({value})" if value in names else value

    return {
        "investor": named(org_names),
        "support_body": named(org_names),
        "cohort": named(cohort_names),
    }
