"""The query builder of the metric layer: weights, hypothetical investments, and `Query`, which
adds common table expressions in dependency order with their bound parameters."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coinvest import reference as ref
from coinvest.db import Connection, query
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter

DEFAULT_BLIND_SPOT_THRESHOLD = 25.0

ACHIEVEMENT_CAP = ref.ACHIEVEMENT_CAP

MAX_WEIGHT = 100.0

INLINE = "inline"  # a table expression PostgreSQL reads afresh for each reader (`Query.add`)

KEYED_PICK = 50  # up to this many picked projects, a query reads them through the keys


def check_weight(code: str, raw: Any) -> float:
    """A weight as a number from 0 to MAX_WEIGHT; CoinvestError (naming `code`) otherwise."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise CoinvestError("weights.invalid", code=code, value=raw) from None
    if not math.isfinite(value) or value < 0 or value > MAX_WEIGHT:
        raise CoinvestError("weights.invalid", code=code, value=raw)
    return value


@dataclass(frozen=True)
class Weights:
    """Lever and viewpoint weights, in the reference model's order; equal by default."""

    levers: tuple[float, ...] = (1.0,) * len(ref.LEVER_CODES)
    viewpoints: tuple[float, ...] = (1.0,) * len(ref.VIEWPOINT_CODES)

    @classmethod
    def create(
        cls,
        levers: Mapping[str, float] | None = None,
        viewpoints: Mapping[str, float] | None = None,
    ) -> Weights:
        """Weights from code → weight maps (missing codes weigh 1).

        Raises CoinvestError for a negative, non-finite or absurd weight, or a set that is all zero.
        """

        def build(codes: tuple[str, ...], given: Mapping[str, float] | None, key: str):
            values = [check_weight(code, (given or {}).get(code, 1.0)) for code in codes]
            if not any(values):
                raise CoinvestError(key)
            return tuple(values)

        return cls(
            levers=build(ref.LEVER_CODES, levers, "weights.levers_all_zero"),
            viewpoints=build(ref.VIEWPOINT_CODES, viewpoints, "weights.viewpoints_all_zero"),
        )

    def lever_map(self) -> dict[str, float]:
        return dict(zip(ref.LEVER_CODES, self.levers, strict=True))

    def viewpoint_map(self) -> dict[str, float]:
        return dict(zip(ref.VIEWPOINT_CODES, self.viewpoints, strict=True))

    @property
    def is_default(self) -> bool:
        return self == Weights()


EQUAL = Weights()


def check_threshold(threshold: float) -> float:
    """A need threshold on 0–100 (a priority lever reaches it); CoinvestError otherwise."""
    if not (math.isfinite(threshold) and 0 < threshold <= 100):
        raise CoinvestError("threshold.invalid", value=threshold)
    return float(threshold)


@dataclass(frozen=True)
class Hypothetical:
    """An investment that does not exist (what-if): counted in the period, never written."""

    investor_org_id: str
    project_id: str
    amount_eur: float
    instrument: str = "grant"


@dataclass
class Query:
    """Common table expressions added in dependency order, with their bound parameters."""

    flt: PortfolioFilter
    weights: Weights = EQUAL
    projects: list[str] | None = None  # a pick of projects inside the filter (Compare page)
    hypothetical: tuple[Hypothetical, ...] = ()  # what-if investments, never written
    in_cohorts: bool = False  # only the filtered projects that are in a (chosen) cohort
    ctes: list[tuple[str, str, bool | str]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.hypothetical:
            rows = ", ".join(
                f"(CAST($h_inv_{i} AS VARCHAR), CAST($h_prj_{i} AS VARCHAR), "
                f"CAST($h_eur_{i} AS DECIMAL(18, 2)), CAST($h_ins_{i} AS VARCHAR))"
                for i in range(len(self.hypothetical))
            )
            params: dict[str, Any] = {}
            for i, line in enumerate(self.hypothetical):
                params.update(
                    {
                        f"h_inv_{i}": line.investor_org_id,
                        f"h_prj_{i}": line.project_id,
                        f"h_eur_{i}": str(round(float(line.amount_eur), 2)),
                        f"h_ins_{i}": line.instrument,
                    }
                )
            self.add(
                "hyp",
                f"SELECT * FROM (VALUES {rows}) AS h (investor_org_id, project_id, amount_eur, "
                "instrument)",
                **params,
            )
        sql, params = self.flt.selected_projects()
        if self.hypothetical and self.flt.investor:
            # a project the investor would fund in the scenario joins its portfolio
            base, base_params = self.flt.with_(investor=None).selected_projects()
            sql = (
                f"SELECT project_id FROM ({sql}) funded UNION "
                f"SELECT h.project_id FROM hyp h JOIN ({base}) eligible "
                "ON eligible.project_id = h.project_id WHERE h.investor_org_id = $f_investor"
            )
            params = {**params, **base_params, "f_investor": self.flt.investor}
        if self.projects is not None:
            sql = f"SELECT project_id FROM ({sql}) picked WHERE project_id = ANY($f_projects)"
            params = {**params, "f_projects": list(self.projects)}
        if self.in_cohorts:
            # cohort figures need only the cohorts' projects: computing every project's
            # maturity first would be wasted on a national portfolio
            chosen = " WHERE cm.cohort_id = ANY($f_cohort)" if self.flt.cohort else ""
            sql = (
                f"SELECT project_id FROM ({sql}) filtered WHERE project_id IN "
                f"(SELECT cm.project_id FROM cohort_member cm{chosen})"
            )
            if self.flt.cohort:
                params = {**params, "f_cohort": list(self.flt.cohort)}
        self.add("selected", sql, materialized=True, **params)

    def has(self, name: str) -> bool:
        return any(n == name for n, _, _ in self.ctes)

    def add(
        self, name: str, sql: str, materialized: bool = False, inline: bool = False, **params: Any
    ) -> None:
        """`materialized`: computed once for its several readers. `inline`: a stored table's
        rows picked by a condition alone, which PostgreSQL reads afresh for each reader (its
        copy of 2 million rows cost more than reading them again, and each reader's own
        conditions then reach the table); DuckDB computes it once, as it does rows joined to
        the filter's projects on both engines (each reader would join them again)."""
        if self.has(name):
            return
        if inline and "JOIN selected" not in sql:
            self.ctes.append((name, sql, INLINE))
        else:
            self.ctes.append((name, sql, materialized or inline))
        self.params.update(params)

    def join_selected(self, alias: str) -> str:
        """`JOIN selected …` restricting `alias` to the filtered projects; nothing when every
        project is kept (the join would only cost time). A member's scope is never skipped."""
        if (
            self.flt.keeps_all
            and self.projects is None
            and not self.hypothetical
            and not self.in_cohorts
        ):
            return ""
        return f"JOIN selected s ON s.project_id = {alias}.project_id"

    def text(self, select: str, engine: str = "duckdb") -> str:
        bodies = [sql for _, sql, _ in self.ctes] + [select]
        parts = []
        for i, (name, sql, mat) in enumerate(self.ctes):
            if mat == INLINE and engine == "postgres":
                how = "NOT MATERIALIZED "
            elif mat and _uses(name, bodies, i) > 1:
                # a table read once is left to the engine to stream into its reader; a name
                # that also occurs as a column's only counts more uses, never fewer
                how = "MATERIALIZED "
            else:
                how = ""
            parts.append(f"{name} AS {how}({sql})")
        return "WITH " + ",\n".join(parts) + "\n" + select

    def run(self, con: Connection, select: str) -> pd.DataFrame:
        # a pick of a few projects (a sheet, Compare) reads their rows through the keys
        keyed = self.projects is not None and len(self.projects) <= KEYED_PICK
        return query(con, self.text(select, con.engine), self.params, keyed=keyed)


def _uses(name: str, bodies: list[str], own: int) -> int:
    """How many times `name` occurs as a word in the other tables' bodies and the query."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    return sum(len(word.findall(body)) for i, body in enumerate(bodies) if i != own)


def _values_table(name: str, codes: tuple[str, ...], column: str, weights: tuple[float, ...]):
    """A VALUES table of fixed codes with bound weights."""
    rows = ", ".join(
        f"('{code}', CAST($w_{name}_{i} AS DOUBLE PRECISION))" for i, code in enumerate(codes)
    )
    sql = f"SELECT * FROM (VALUES {rows}) AS t ({column}, weight)"
    return sql, {f"w_{name}_{i}": w for i, w in enumerate(weights)}


def with_weights(q: Query, weights: Weights | None = None, tag: str = "") -> None:
    """The lever and viewpoint weight tables (`tag` names a second set, for comparisons)."""
    weights = weights or q.weights
    sql, params = _values_table(f"lever{tag}", ref.LEVER_CODES, "lever", weights.levers)
    q.add(f"lever_weight{tag}", sql, **params)
    sql, params = _values_table(f"vp{tag}", ref.VIEWPOINT_CODES, "viewpoint", weights.viewpoints)
    q.add(f"viewpoint_weight{tag}", sql, **params)
