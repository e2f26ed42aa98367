"""Portfolio figures: the Overview's KPIs, the per-project summary of the exports, and projects
by department, phase and need."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.derived.formulas import leverage_ratio
from coinvest.exact import (
    exact_sum,
)
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    with_achievements,
    with_blind_spots,
    with_gaps,
    with_maturity,
    with_money,
)
from coinvest.metrics.query import (
    DEFAULT_BLIND_SPOT_THRESHOLD,
    EQUAL,
    Hypothetical,
    Query,
    Weights,
)


def project_count(con: Connection, flt: PortfolioFilter) -> int:
    """How many projects the filter keeps."""
    return int(Query(flt).run(con, "SELECT count(*) AS n FROM selected")["n"].iloc[0])


@dataclass(frozen=True)
class PortfolioKpis:
    """The portfolio figures of the Overview. Leverage figures exist only for a chosen investor."""

    projects: int
    invested_eur: float  # all investments in the period (every investor)
    committed_eur: float  # the chosen investor's euros, else all investments
    resources_eur: float  # investments + contributions in the period
    # over the investor's portfolio as of the period's end (docs/figures.md "Settled points"): resources − committed,
    # whether or not it put euros in during the period
    levered_eur: float | None
    leverage: float | None  # levered / committed; missing when committed is 0
    leverage_financial: float | None  # the same without non-financial resources
    beneficiaries: float | None
    fragile_share: float | None
    investor: str | None


def portfolio_kpis(
    con, flt: PortfolioFilter, hypothetical: tuple[Hypothetical, ...] = ()
) -> PortfolioKpis:
    q = Query(flt, hypothetical=tuple(hypothetical))
    with_money(q)
    with_achievements(q)
    frame = q.run(
        con,
        f"""SELECT
            (SELECT count(*) FROM selected) AS projects,
            (SELECT coalesce(sum(invested_eur), 0) FROM project_money) AS invested_eur,
            (SELECT coalesce(sum(own_eur), 0) FROM project_money) AS own_eur,
            (SELECT coalesce(sum(resources_eur), 0) FROM project_money) AS resources_eur,
            (SELECT coalesce(sum(resources_eur - own_eur), 0) FROM project_money)
                AS levered_eur,
            (SELECT {leverage_ratio("sum(resources_eur - own_eur)", "sum(own_eur)")}
               FROM project_money) AS leverage,
            (SELECT {leverage_ratio("sum(resources_fin_eur - own_fin_eur)", "sum(own_fin_eur)")}
               FROM project_money) AS leverage_financial,
            (SELECT {exact_sum("beneficiaries", wide=True)} FROM beneficiaries) AS beneficiaries,
            (SELECT avg(CASE WHEN p.qpv OR p.rural_revitalisation THEN 1.0 ELSE 0.0 END)
               FROM project p {q.join_selected("p")}) AS fragile_share""",
    )
    row = frame.iloc[0]

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


def portfolio_summary(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """The portfolio figures as (metric, value) rows, as `portfolio.csv` writes them."""
    k = portfolio_kpis(con, flt)
    rows: list[tuple[str, float | None]] = [
        ("projects", k.projects),
        ("committed_eur", k.committed_eur),
        ("resources_eur", k.resources_eur),
    ]
    if k.investor:
        rows += [
            ("levered_eur", k.levered_eur),
            ("leverage", k.leverage),
            ("leverage_financial", k.leverage_financial),
        ]
    rows += [("beneficiaries", k.beneficiaries), ("fragile_share", k.fragile_share)]
    # object dtype keeps counts as integers next to unrounded euros and ratios
    return pd.DataFrame(rows, columns=["metric", "value"], dtype=object)


def project_summary(
    con: Connection,
    flt: PortfolioFilter,
    weights: Weights = EQUAL,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
) -> pd.DataFrame:
    """One row per filtered project with its headline figures (`project_summary.csv`)."""
    q = Query(flt, weights)
    with_maturity(q)
    with_gaps(q)
    with_blind_spots(q, threshold)
    with_achievements(q)
    with_money(q)
    pivots = ",\n".join(
        f"max(m.maturity) FILTER (WHERE m.viewpoint = '{vp}') AS maturity_{vp}"
        for vp in ref.VIEWPOINT_CODES
    )
    q.add(
        "summary_maturity",
        f"SELECT m.project_id, {pivots} FROM latest_maturity m GROUP BY m.project_id",
    )
    q.add("summary_gap", "SELECT project_id, max(gap) AS max_gap FROM gap GROUP BY project_id")
    # a project without both the self-assessment and another viewpoint on some lever has no
    # blind-spot count at all (missing, not 0: docs/figures.md "Settled points")
    q.add(
        "summary_blind",
        """SELECT project_id,
               count(*) FILTER (WHERE abs(difference) >= $threshold - $epsilon) AS blind_spots
        FROM self_vs_others GROUP BY project_id""",
    )
    money = (
        f", pm.own_eur, {leverage_ratio('pm.resources_eur - pm.own_eur', 'pm.own_eur')} AS leverage"
        if flt.investor
        else ""
    )
    columns = ", ".join(f"sm.maturity_{vp}" for vp in ref.VIEWPOINT_CODES)
    return q.run(
        con,
        f"""SELECT s.project_id, p.name, {columns},
               c.maturity AS maturity_consolidated, sg.max_gap, sb.blind_spots,
               u.utility_index, b.beneficiaries, pm.resources_eur{money}
        FROM selected s
        JOIN project p ON p.project_id = s.project_id
        LEFT JOIN summary_maturity sm ON sm.project_id = s.project_id
        LEFT JOIN latest_cmaturity c ON c.project_id = s.project_id
        LEFT JOIN summary_gap sg ON sg.project_id = s.project_id
        LEFT JOIN summary_blind sb ON sb.project_id = s.project_id
        LEFT JOIN utility_latest u ON u.project_id = s.project_id
        LEFT JOIN beneficiaries b ON b.project_id = s.project_id
        LEFT JOIN project_money pm ON pm.project_id = s.project_id
        ORDER BY s.project_id""",
    ).astype({"blind_spots": "Int64"})


def projects_by_department(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Every department (zeros included): projects and euros invested in the period."""
    q = Query(flt)
    with_money(q)
    return q.run(
        con,
        """SELECT d.code AS department_code, d.name AS department_name, d.region_code,
               r.name AS region_name,
               count(pm.project_id) AS projects,
               coalesce(sum(pm.invested_eur), 0) AS committed_eur
        FROM department d
        JOIN region r ON r.code = d.region_code
        LEFT JOIN project p ON p.department_code = d.code
        LEFT JOIN project_money pm ON pm.project_id = p.project_id
        GROUP BY d.code, d.name, d.region_code, r.name
        ORDER BY d.code""",
    )


_GROUPABLE = {"phase": ref.PHASE_CODES, "need": ref.NEED_CODES}


def projects_by(con: Connection, flt: PortfolioFilter, column: str) -> pd.DataFrame:
    """Projects per phase or per need, every code of the reference list included, in order."""
    codes = _GROUPABLE[column]  # KeyError for anything but a fixed column name
    q = Query(flt)
    found = q.run(
        con,
        f"""SELECT p.{column} AS code, count(*) AS projects
        FROM project p {q.join_selected("p")}
        GROUP BY p.{column}""",
    ).set_index("code")["projects"]
    frame = pd.DataFrame({"code": list(codes)})
    frame["projects"] = [int(found.get(code, 0)) for code in codes]
    total = frame["projects"].sum()
    frame["share"] = frame["projects"] / total if total else 0.0
    return frame
