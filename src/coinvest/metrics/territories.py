"""Territories short of support (docs/figures.md "Territories"): per department, the projects,
their needs, the support they get and the money, the under-served index U, its rank, the white
zones and the recommended path, beside the public reference layers.

For department d, over the filtered projects:
- P projects; PN those with at least one priority lever (threshold θ); the projects never
  assessed are counted apart; S those with an active cohort membership (entered by the period's
  end, not left before its start; every membership without a period); UN = PN not in S;
  C cohort places (active memberships: a project in two cohorts counts twice); B distinct
  support bodies of those cohorts; E euros invested in the period (the chosen investor's, else
  every investor's); F the fragile share (QPV or rural revitalisation);
- rates, missing when the denominator is 0 or missing: projects per 100,000 inhabitants, euros
  per inhabitant, support capacity = C per 10,000 inhabitants, coverage S / P, unmet share
  UN / PN;
- U, 0–100, only where P ≥ n_min and the population is known: 100 × the weighted mean of the
  components present, u1 = unmet share, u2 = min(1, max(0, 1 − capacity / M)) with M the median
  capacity of the indexed departments (missing when M = 0), u3 = F; missing when u1 is. Ranked
  by U desc, then UN desc, then code;
- a white zone has PN ≥ 1 and C = 0 (flagged even when not indexed); its recommended path is the
  most frequent first priority among its UN projects, ties by lever order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from coinvest.db import Connection
from coinvest.errors import CoinvestError
from coinvest.exact import EXACT_WIDE, exact_units, float_ratio
from coinvest.filters import PortfolioFilter
from coinvest.metrics.ctes import with_money, with_needs
from coinvest.metrics.needs import DEFAULT_NEED_THRESHOLD
from coinvest.metrics.query import Query, check_threshold, check_weight
from coinvest.territory import department_codes, department_reference, populations

DEFAULT_N_MIN = 3
N_MIN_RANGE = (1, 50)
COMPONENTS = ("unmet", "capacity", "fragile")  # u1, u2, u3: the URL's w_unmet, w_capacity…
DEFAULT_COMPONENT_WEIGHTS = (1.0, 1.0, 1.0)

# the columns of territory_support.csv, in order (docs/import.md "Command line")
EXPORT_COLUMNS = (
    "department_code",
    "department_name",
    "population",
    "projects",
    "projects_priority_need",
    "projects_supported",
    "unmet_priority",
    "support_bodies",
    "cohort_places",
    "committed_eur",
    "projects_per_100k",
    "eur_per_inhabitant",
    "places_per_10k",
    "coverage",
    "unmet_share",
    "fragile_share",
    "capacity_deficit",
    "underserved_index",
    "rank",
    "white_zone",
    "recommended_path",
    "ref_posts_per_10k_qpv",
    "ref_qpv_share",
    "ref_te_entries",
)
# the rates a map can be coloured by, beside U
RATES = (
    "unmet_share",
    "places_per_10k",
    "coverage",
    "projects_per_100k",
    "eur_per_inhabitant",
    "fragile_share",
    "capacity_deficit",
    "ref_posts_per_10k_qpv",
    "ref_qpv_share",
)


def _weights(weights: Sequence[float]) -> tuple[float, float, float]:
    if len(weights) != len(COMPONENTS):
        raise CoinvestError("territory.weights_invalid", value=weights)
    values = [check_weight(code, raw) for code, raw in zip(COMPONENTS, weights, strict=True)]
    if not any(values):
        raise CoinvestError("territory.weights_invalid", value=weights)
    return values[0], values[1], values[2]


def _n_min(n_min: int) -> int:
    low, high = N_MIN_RANGE
    if isinstance(n_min, bool) or not isinstance(n_min, int) or not low <= n_min <= high:
        raise CoinvestError("territory.n_min_invalid", value=n_min, low=low, high=high)
    return n_min


def _population_table(population: Mapping[str, float | None]) -> tuple[str, dict[str, Any]]:
    """A VALUES table of the departments (codes of the fixed list) with bound populations."""
    codes = department_codes()
    rows = ", ".join(
        f"('{code}', CAST($pop_{i} AS DOUBLE PRECISION))" for i, code in enumerate(codes)
    )
    params: dict[str, Any] = {}
    for i, code in enumerate(codes):
        value = population.get(code)
        params[f"pop_{i}"] = None if value is None else float(value)
    return f"SELECT * FROM (VALUES {rows}) AS t (code, population)", params


def _active(q: Query) -> None:
    """`t_active`: the active cohort memberships of the filtered projects, with the cohort's
    support body."""
    active, params = q.flt.active_condition("cm")
    q.add(
        "t_active",
        f"""SELECT cm.project_id, cm.cohort_id, c.support_body_org_id
        FROM cohort_member cm
        JOIN cohort c ON c.cohort_id = cm.cohort_id {q.join_selected("cm")}
        WHERE 1 = 1{active}""",
        materialized=True,
        **params,
    )


def territory_support(
    con: Connection,
    flt: PortfolioFilter,
    threshold: float = DEFAULT_NEED_THRESHOLD,
    n_min: int = DEFAULT_N_MIN,
    weights: Sequence[float] = DEFAULT_COMPONENT_WEIGHTS,
    population: Mapping[str, float | None] | None = None,
) -> pd.DataFrame:
    """Every department (the 101, zeros included) with every input and figure of the index,
    ranked (indexed departments by rank, then the others by code), and the reference layers.

    `population` replaces the INSEE populations (the tests give their own). Columns: those of
    `EXPORT_COLUMNS`, and region_code, region_name, not_assessed, capacity_deficit's
    companions unmet_component and fragile_component (u1, u3), indexed.
    """
    w_unmet, w_capacity, w_fragile = _weights(weights)
    q = Query(flt)
    q.params["need_threshold"] = check_threshold(threshold)
    with_needs(q)
    with_money(q)
    _active(q)
    sql, params = _population_table(populations() if population is None else population)
    q.add("t_population", sql, **params)
    q.params.update(
        n_min=_n_min(n_min), w_unmet=w_unmet, w_capacity=w_capacity, w_fragile=w_fragile
    )
    q.add(
        "t_assessed",
        """SELECT project_id, max(CASE WHEN priority THEN 1 ELSE 0 END) AS flagged
        FROM need_latest GROUP BY project_id""",
    )
    q.add(
        "t_project",
        f"""SELECT p.project_id, p.department_code,
               CASE WHEN p.qpv OR p.rural_revitalisation THEN 1 ELSE 0 END AS fragile,
               a.project_id IS NOT NULL AS assessed,
               coalesce(a.flagged, 0) = 1 AS priority_need,
               p.project_id IN (SELECT project_id FROM t_active) AS supported
        FROM project p {q.join_selected("p")}
        LEFT JOIN t_assessed a ON a.project_id = p.project_id""",
        materialized=True,
    )
    q.add(
        "t_counts",
        """SELECT department_code, count(*) AS projects,
               count(*) FILTER (WHERE NOT assessed) AS not_assessed,
               count(*) FILTER (WHERE priority_need) AS priority_need,
               count(*) FILTER (WHERE supported) AS supported,
               count(*) FILTER (WHERE priority_need AND NOT supported) AS unmet,
               avg(CAST(fragile AS DOUBLE PRECISION)) AS fragile_share
        FROM t_project GROUP BY department_code""",
    )
    q.add(
        "t_places",
        """SELECT p.department_code, count(*) AS places,
               count(DISTINCT a.support_body_org_id) AS bodies
        FROM t_active a JOIN project p ON p.project_id = a.project_id
        GROUP BY p.department_code""",
    )
    euros = "own_eur" if flt.investor else "invested_eur"
    q.add(
        "t_euros",
        f"""SELECT p.department_code, sum(pm.{euros}) AS eur
        FROM project_money pm JOIN project p ON p.project_id = pm.project_id
        GROUP BY p.department_code""",
    )
    q.add(
        "t_path",
        """SELECT t.department_code, n.lever,
               row_number() OVER (PARTITION BY t.department_code
                                  ORDER BY count(*) DESC, min(n.position)) AS k
        FROM ranked_need_latest n JOIN t_project t ON t.project_id = n.project_id
        WHERE n.rank = 1 AND t.priority_need AND NOT t.supported
        GROUP BY t.department_code, n.lever""",
    )
    q.add(
        "t_base",
        f"""SELECT d.code, d.name, d.region_code, r.name AS region_name, tp.population,
               coalesce(c.projects, 0) AS projects, coalesce(c.not_assessed, 0) AS not_assessed,
               coalesce(c.priority_need, 0) AS priority_need,
               coalesce(c.supported, 0) AS supported, coalesce(c.unmet, 0) AS unmet,
               coalesce(pl.bodies, 0) AS bodies, coalesce(pl.places, 0) AS places,
               coalesce(e.eur, 0) AS eur, c.fragile_share,
               {float_ratio("coalesce(c.projects, 0) * 100000", "tp.population")}
                   AS projects_per_100k,
               {float_ratio("coalesce(e.eur, 0)", "tp.population")} AS eur_per_inhabitant,
               {float_ratio("coalesce(pl.places, 0) * 10000", "tp.population")}
                   AS places_per_10k,
               {float_ratio("c.supported", "c.projects")} AS coverage,
               {float_ratio("c.unmet", "c.priority_need")} AS unmet_share,
               coalesce(c.projects, 0) >= $n_min AND tp.population IS NOT NULL AS indexed,
               coalesce(c.priority_need, 0) >= 1 AND coalesce(pl.places, 0) = 0 AS white_zone,
               path.lever AS recommended_path
        FROM department d
        JOIN region r ON r.code = d.region_code
        LEFT JOIN t_population tp ON tp.code = d.code
        LEFT JOIN t_counts c ON c.department_code = d.code
        LEFT JOIN t_places pl ON pl.department_code = d.code
        LEFT JOIN t_euros e ON e.department_code = d.code
        LEFT JOIN t_path path ON path.department_code = d.code AND path.k = 1""",
    )
    q.add(
        "t_median",
        """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY places_per_10k) AS m
        FROM t_base WHERE indexed""",
    )
    q.add(
        "t_components",
        """SELECT b.*,
               CASE WHEN b.indexed THEN b.unmet_share END AS u1,
               CASE WHEN b.places_per_10k IS NOT NULL AND m.m > 0
                    THEN least(1.0, greatest(0.0, 1.0 - b.places_per_10k / m.m)) END
                   AS capacity_deficit,
               CASE WHEN b.indexed THEN b.fragile_share END AS u3
        FROM t_base b CROSS JOIN t_median m""",
    )
    q.add(
        "t_index",
        """SELECT c.*,
               CASE WHEN c.u1 IS NOT NULL THEN
                   100 * ($w_unmet * c.u1
                          + CASE WHEN c.indexed AND c.capacity_deficit IS NOT NULL
                                 THEN $w_capacity * c.capacity_deficit ELSE 0 END
                          + CASE WHEN c.u3 IS NOT NULL THEN $w_fragile * c.u3 ELSE 0 END)
                   / nullif($w_unmet
                            + CASE WHEN c.indexed AND c.capacity_deficit IS NOT NULL
                                   THEN $w_capacity ELSE 0 END
                            + CASE WHEN c.u3 IS NOT NULL THEN $w_fragile ELSE 0 END, 0)
               END AS underserved_index
        FROM t_components c""",
    )
    # ranked to the micro-point (equal indexes computed along different paths stay equal)
    order = f"{exact_units('underserved_index', EXACT_WIDE)} DESC, unmet DESC, code"
    frame = q.run(
        con,
        f"""SELECT code AS department_code, name AS department_name, region_code, region_name,
               population, projects, not_assessed, priority_need AS projects_priority_need,
               supported AS projects_supported, unmet AS unmet_priority,
               bodies AS support_bodies, places AS cohort_places, eur AS committed_eur,
               projects_per_100k, eur_per_inhabitant, places_per_10k, coverage, unmet_share,
               fragile_share, capacity_deficit, u1 AS unmet_component,
               u3 AS fragile_component, underserved_index,
               CASE WHEN underserved_index IS NOT NULL THEN row_number() OVER (
                   ORDER BY CASE WHEN underserved_index IS NULL THEN 1 ELSE 0 END, {order})
               END AS rank,
               white_zone, recommended_path, indexed
        FROM t_index""",
    )
    frame = frame.astype(
        {
            "projects": "int64",
            "not_assessed": "int64",
            "projects_priority_need": "int64",
            "projects_supported": "int64",
            "unmet_priority": "int64",
            "support_bodies": "int64",
            "cohort_places": "int64",
            "committed_eur": "float64",
            "population": "float64",
            "rank": "Int64",
            "white_zone": "bool",
            "indexed": "bool",
        }
    )
    frame["population"] = frame["population"].round().astype("Int64")
    layers = pd.DataFrame(
        [
            (r.code, r.posts_per_10k_qpv, r.qpv_share, r.te_entries)
            for r in department_reference().values()
        ],
        columns=["department_code", "ref_posts_per_10k_qpv", "ref_qpv_share", "ref_te_entries"],
    ).astype({"ref_posts_per_10k_qpv": "float64", "ref_qpv_share": "float64"})
    frame = frame.merge(layers, on="department_code", how="left", validate="one_to_one")
    frame["ref_te_entries"] = frame["ref_te_entries"].fillna(0).astype("int64")
    frame["recommended_path"] = frame["recommended_path"].astype("object")
    return frame.sort_values(["rank", "department_code"], na_position="last").reset_index(drop=True)


def territory_bodies(con: Connection, flt: PortfolioFilter) -> pd.DataFrame:
    """Per department, the support bodies with active memberships of the filtered projects in
    the other departments of its region and none in it: those "Où agir" names as active
    elsewhere in the region, most places first.

    Columns: department_code, support_body_org_id, name, places (in the region's other
    departments).
    """
    q = Query(flt)
    _active(q)
    q.add(
        "t_body_department",
        """SELECT d.region_code, p.department_code, a.support_body_org_id, count(*) AS places
        FROM t_active a
        JOIN project p ON p.project_id = a.project_id
        JOIN department d ON d.code = p.department_code
        GROUP BY d.region_code, p.department_code, a.support_body_org_id""",
    )
    return q.run(
        con,
        """SELECT d.code AS department_code, b.support_body_org_id, o.name,
               sum(b.places) AS places
        FROM department d
        JOIN t_body_department b ON b.region_code = d.region_code AND b.department_code <> d.code
        JOIN organisation o ON o.org_id = b.support_body_org_id
        LEFT JOIN t_body_department here
          ON here.department_code = d.code AND here.support_body_org_id = b.support_body_org_id
        WHERE here.department_code IS NULL
        GROUP BY d.code, b.support_body_org_id, o.name
        ORDER BY d.code, places DESC, o.name, b.support_body_org_id""",
    ).astype({"places": "int64"})
