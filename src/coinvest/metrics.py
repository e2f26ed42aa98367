"""The metric layer (DESIGN §4): every figure the pages and exports show is computed here.

Each function takes the connection and a PortfolioFilter, runs one parameterised SQL query
(aggregated in the database, written in the subset DuckDB and PostgreSQL share) and returns a
small frame or a small dataclass. Nothing else in the project computes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from coinvest import reference as ref
from coinvest.db import query
from coinvest.filters import PortfolioFilter


def _scope(flt: PortfolioFilter) -> tuple[str, dict[str, Any]]:
    """The `scope` CTE (filtered project ids) and its parameters."""
    sql, params = flt.project_scope()
    return f"scope AS ({sql})", params


@dataclass(frozen=True)
class PortfolioKpis:
    """The Overview tiles. Leverage figures exist only for a chosen investor."""

    projects: int
    invested_eur: float  # all investments in the period (every investor)
    committed_eur: float  # the chosen investor's euros, else all investments
    resources_eur: float  # investments + contributions in the period
    levered_eur: float | None  # resources − the investor's own euros, in the projects it funds
    leverage: float | None  # levered / own
    leverage_financial: float | None  # the same without non-financial resources
    beneficiaries: float | None
    fragile_share: float | None
    investor: str | None


def portfolio_kpis(con, flt: PortfolioFilter) -> PortfolioKpis:
    scope, params = _scope(flt)
    inv_period, p1 = flt.period_condition("i.date", "i")
    con_period, p2 = flt.period_condition("c.date", "c")
    ben_period, p3 = flt.year_condition("m.year", "m")
    params = {
        **params,
        **p1,
        **p2,
        **p3,
        "investor": flt.investor or "",
        "beneficiaries": ref.BENEFICIARIES,
        "nf_instruments": list(ref.NON_FINANCIAL_INSTRUMENTS),
        "nf_contributions": list(ref.NON_FINANCIAL_CONTRIBUTIONS),
    }
    sql = f"""
    WITH {scope},
    money AS (
        SELECT i.project_id,
               i.amount_eur AS eur,
               CASE WHEN i.instrument = ANY($nf_instruments) THEN 0 ELSE i.amount_eur END AS fin_eur,
               CASE WHEN i.investor_org_id = $investor THEN i.amount_eur ELSE 0 END AS own_eur,
               CASE WHEN i.investor_org_id = $investor AND NOT i.instrument = ANY($nf_instruments)
                    THEN i.amount_eur ELSE 0 END AS own_fin_eur,
               1 AS is_investment
        FROM investment i JOIN scope s ON s.project_id = i.project_id
        WHERE 1 = 1{inv_period}
        UNION ALL
        SELECT c.project_id, c.value_eur,
               CASE WHEN c.kind = ANY($nf_contributions) THEN 0 ELSE c.value_eur END,
               0, 0, 0
        FROM contribution c JOIN scope s ON s.project_id = c.project_id
        WHERE 1 = 1{con_period}
    ),
    per_project AS (
        SELECT project_id,
               sum(eur) AS resources, sum(fin_eur) AS resources_fin,
               sum(own_eur) AS own, sum(own_fin_eur) AS own_fin,
               sum(CASE WHEN is_investment = 1 THEN eur ELSE 0 END) AS invested
        FROM money GROUP BY project_id
    ),
    ben AS (
        SELECT project_id, value FROM (
            SELECT m.project_id, m.value,
                   row_number() OVER (PARTITION BY m.project_id ORDER BY m.year DESC) AS rn
            FROM measurement m JOIN scope s ON s.project_id = m.project_id
            WHERE m.indicator_code = $beneficiaries{ben_period}
        ) latest WHERE rn = 1
    )
    SELECT
        (SELECT count(*) FROM scope) AS projects,
        (SELECT coalesce(sum(invested), 0) FROM per_project) AS invested_eur,
        (SELECT coalesce(sum(own), 0) FROM per_project) AS own_eur,
        (SELECT coalesce(sum(resources), 0) FROM per_project) AS resources_eur,
        (SELECT sum(resources - own) FROM per_project WHERE own > 0) AS levered_eur,
        (SELECT sum(resources - own) / nullif(sum(own), 0) FROM per_project WHERE own > 0)
            AS leverage,
        (SELECT sum(resources_fin - own_fin) / nullif(sum(own_fin), 0)
           FROM per_project WHERE own_fin > 0) AS leverage_financial,
        (SELECT sum(value) FROM ben) AS beneficiaries,
        (SELECT avg(CASE WHEN p.qpv OR p.rural_revitalisation THEN 1.0 ELSE 0.0 END)
           FROM project p JOIN scope s ON s.project_id = p.project_id) AS fragile_share
    """
    row = query(con, sql, params).iloc[0]

    def num(name: str) -> float | None:
        value = row[name]
        return None if pd.isna(value) else float(value)

    chosen = bool(flt.investor)
    return PortfolioKpis(
        projects=int(row["projects"]),
        invested_eur=float(row["invested_eur"]),
        committed_eur=float(row["own_eur"] if chosen else row["invested_eur"]),
        resources_eur=float(row["resources_eur"]),
        levered_eur=num("levered_eur") if chosen else None,
        leverage=num("leverage") if chosen else None,
        leverage_financial=num("leverage_financial") if chosen else None,
        beneficiaries=num("beneficiaries"),
        fragile_share=num("fragile_share"),
        investor=flt.investor,
    )


def projects_by_department(con, flt: PortfolioFilter) -> pd.DataFrame:
    """Every department (zeros included): projects and euros invested in the period."""
    scope, params = _scope(flt)
    period, p1 = flt.period_condition("i.date", "i")
    sql = f"""
    WITH {scope},
    counts AS (
        SELECT p.department_code, count(*) AS projects
        FROM project p JOIN scope s ON s.project_id = p.project_id
        GROUP BY p.department_code
    ),
    money AS (
        SELECT p.department_code, sum(i.amount_eur) AS committed_eur
        FROM investment i
        JOIN scope s ON s.project_id = i.project_id
        JOIN project p ON p.project_id = i.project_id
        WHERE 1 = 1{period}
        GROUP BY p.department_code
    )
    SELECT d.code AS department_code, d.name AS department_name, d.region_code,
           r.name AS region_name,
           coalesce(c.projects, 0) AS projects,
           coalesce(m.committed_eur, 0) AS committed_eur
    FROM department d
    JOIN region r ON r.code = d.region_code
    LEFT JOIN counts c ON c.department_code = d.code
    LEFT JOIN money m ON m.department_code = d.code
    ORDER BY d.code
    """
    return query(con, sql, {**params, **p1})


_GROUPABLE = {"phase": ref.PHASE_CODES, "need": ref.NEED_CODES}


def projects_by(con, flt: PortfolioFilter, column: str) -> pd.DataFrame:
    """Projects per phase or per need, every code of the reference list included, in order."""
    codes = _GROUPABLE[column]  # KeyError for anything but a fixed column name
    scope, params = _scope(flt)
    sql = f"""
    WITH {scope}
    SELECT p.{column} AS code, count(*) AS projects
    FROM project p JOIN scope s ON s.project_id = p.project_id
    GROUP BY p.{column}
    """
    found = query(con, sql, params).set_index("code")["projects"]
    frame = pd.DataFrame({"code": list(codes)})
    frame["projects"] = [int(found.get(code, 0)) for code in codes]
    total = frame["projects"].sum()
    frame["share"] = frame["projects"] / total if total else 0.0
    return frame
