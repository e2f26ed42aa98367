"""Money and partnerships: resources, partnership leverage, public/private mix, partner
diversity and co-investment."""

from __future__ import annotations

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection
from coinvest.derived.formulas import leverage_ratio
from coinvest.exact import (
    exact_mean,
    float_ratio,
)
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import (
    with_diversity,
    with_money,
)
from coinvest.metrics.query import (
    Hypothetical,
    Query,
)


def leverage(
    con: Connection,
    flt: PortfolioFilter,
    investor: str | None = None,
    project_ids: list[str] | None = None,
    hypothetical: tuple[Hypothetical, ...] = (),
) -> pd.DataFrame:
    """Resources per project and, for the chosen investor, its partnership leverage.

    `investor` computes the leverage of another investor than the filter's, over the filter's
    projects. Columns: project_id, resources_eur, resources_fin_eur, own_eur, own_fin_eur,
    leverage, leverage_financial; the leverage is empty where the investor put nothing (or
    none is chosen).
    """
    q = Query(flt, projects=project_ids, hypothetical=tuple(hypothetical))
    with_money(q, investor)
    return q.run(
        con,
        f"""SELECT project_id, resources_eur, resources_fin_eur, own_eur, own_fin_eur,
               {leverage_ratio("resources_eur - own_eur", "own_eur")} AS leverage,
               {leverage_ratio("resources_fin_eur - own_fin_eur", "own_fin_eur")} AS leverage_financial
        FROM project_money ORDER BY project_id""",
    )


def resource_mix(
    con, flt: PortfolioFilter, by_project: bool = False, hypothetical: tuple[Hypothetical, ...] = ()
) -> pd.DataFrame:
    """Euros by the sector (public or private) of the organisation that brought them.

    Columns: [project_id,] sector, eur, share (of the portfolio, or of each project).
    """
    q = Query(flt, hypothetical=tuple(hypothetical))
    with_money(q)
    keys = "m.project_id, " if by_project else ""
    partition = "PARTITION BY project_id" if by_project else ""
    q.add(
        "sector_money",
        f"""SELECT {keys}CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END
                   AS sector,
               sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY {keys}CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END""",
        public_kinds=list(ref.PUBLIC_KINDS),
    )
    columns = "project_id, " if by_project else ""
    return q.run(
        con,
        f"""SELECT {columns}sector, eur,
               {float_ratio("eur", f"sum(eur) OVER ({partition})")} AS share
        FROM sector_money ORDER BY {columns}sector""",
    )


def partner_diversity(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Distinct organisation kinds among each project's funders and partners, and the Shannon
    evenness of its resources over those kinds (0 with a single kind, 1 when perfectly even).
    """
    q = Query(flt)
    with_diversity(q)
    return q.run(con, "SELECT project_id, kinds, evenness FROM diversity ORDER BY project_id")


def co_investment(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Pairs of investors funding the same filtered projects, with each one's euros in them.

    Columns: investor_a, name_a, investor_b, name_b, projects, eur_a, eur_b (a < b).
    """
    q = Query(flt)
    with_money(q)
    q.add(
        "investor_project",
        """SELECT org_id AS investor, project_id, sum(eur) AS eur
        FROM money WHERE is_investment GROUP BY org_id, project_id""",
    )
    return q.run(
        con,
        """SELECT a.investor AS investor_a, oa.name AS name_a,
               b.investor AS investor_b, ob.name AS name_b,
               count(*) AS projects, sum(a.eur) AS eur_a, sum(b.eur) AS eur_b
        FROM investor_project a
        JOIN investor_project b ON b.project_id = a.project_id AND a.investor < b.investor
        JOIN organisation oa ON oa.org_id = a.investor
        JOIN organisation ob ON ob.org_id = b.investor
        GROUP BY a.investor, oa.name, b.investor, ob.name
        ORDER BY count(*) DESC NULLS LAST, a.investor, b.investor""",
    )


def leverage_ranking(con: Connection, flt: PortfolioFilter, limit: int = 15) -> pd.DataFrame:
    """The chosen investor's projects with the highest leverage. Columns: project_id, name,
    own_eur, resources_eur, leverage, leverage_financial."""
    q = Query(flt)
    with_money(q)
    q.params["limit"] = int(limit)
    return q.run(
        con,
        f"""SELECT pm.project_id, p.name, pm.own_eur, pm.resources_eur,
               {leverage_ratio("pm.resources_eur - pm.own_eur", "pm.own_eur")} AS leverage,
               {leverage_ratio("pm.resources_fin_eur - pm.own_fin_eur", "pm.own_fin_eur")}
                   AS leverage_financial
        FROM project_money pm JOIN project p ON p.project_id = pm.project_id
        WHERE pm.own_eur > 0
        ORDER BY leverage DESC NULLS LAST, pm.project_id
        LIMIT $limit""",
    )


def resources_by_kind(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Euros by the kind of organisation that brought them, and whether financial.
    Columns: kind, sector, financial, eur."""
    q = Query(flt)
    with_money(q)
    q.params["public_kinds"] = list(ref.PUBLIC_KINDS)
    return q.run(
        con,
        """SELECT o.kind, CASE WHEN o.kind = ANY($public_kinds) THEN 'public' ELSE 'private' END
                   AS sector,
               m.financial, sum(m.eur) AS eur
        FROM money m JOIN organisation o ON o.org_id = m.org_id
        GROUP BY o.kind, m.financial ORDER BY o.kind, m.financial""",
    )


def diversity_summary(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Projects by number of distinct partner kinds, with their mean evenness."""
    q = Query(flt)
    with_diversity(q)
    return q.run(
        con,
        f"""SELECT kinds, count(*) AS projects, {exact_mean("evenness")} AS mean_evenness
        FROM diversity GROUP BY kinds ORDER BY kinds""",
    )
