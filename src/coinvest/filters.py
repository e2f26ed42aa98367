"""The global portfolio filter (DESIGN §5): one value object, to SQL and to and from the URL.

Like datasette's filter templates, each field maps to a fixed SQL fragment with bound
parameters; nothing the user typed ever becomes SQL text. Unknown keys and invalid values are
dropped, never an error, and `from_query_params(f.to_query_params()) == f` for every filter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from coinvest import reference as ref
from coinvest.territory import department_codes, region_codes

MAX_ID_LENGTH = 100
MAX_SEARCH_LENGTH = 200
MAX_VALUES = 200
YEAR_MIN, YEAR_MAX = 1900, 2100

# Accent folding both DuckDB and PostgreSQL can run (`translate`), matched in Python below.
ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoa"


def fold(text: str) -> str:
    """Lower-case, accents removed: the form `search` is matched in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("œ", "o").replace("æ", "a")


def fold_sql(expr: str) -> str:
    """SQL that folds a column the way `fold` folds the search text."""
    return f"translate(lower({expr}), '{ACCENTED}', '{PLAIN}')"


@dataclass(frozen=True)
class PortfolioFilter:
    investor: str | None = None
    support_body: tuple[str, ...] = ()
    cohort: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    need: tuple[str, ...] = ()
    qpv: bool = False
    rural: bool = False
    year_from: int | None = None
    year_to: int | None = None
    search: str = ""

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any]) -> PortfolioFilter:
        """Build from URL query parameters (values: a string or a list of strings)."""

        def values(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            items = raw if isinstance(raw, list | tuple) else [raw]
            # a list is a repeated key (`?need=food&need=health`); a comma is part of a value
            # (a search for "a,b", a cohort id `C,1`), never a separator
            return [item for item in items if isinstance(item, str) and item.strip()]

        def first(key: str) -> str | None:
            got = values(key)
            return got[0] if got else None

        return cls.create(
            investor=first("investor"),
            support_body=values("support_body"),
            cohort=values("cohort"),
            region=values("region"),
            department=values("department"),
            phase=values("phase"),
            need=values("need"),
            qpv=first("qpv") in ("1", "true"),
            rural=first("rural") in ("1", "true"),
            year_from=first("year_from"),
            year_to=first("year_to"),
            search=first("search") or "",
        )

    @classmethod
    def create(cls, **raw: Any) -> PortfolioFilter:
        """A filter from loose values: invalid ones dropped, lists de-duplicated and sorted."""
        year_from = _year(raw.get("year_from"))
        year_to = _year(raw.get("year_to"))
        if year_from is not None and year_to is not None and year_to < year_from:
            year_to = None
        return cls(
            investor=_ident(raw.get("investor")),
            support_body=_idents(raw.get("support_body")),
            cohort=_idents(raw.get("cohort")),
            region=_codes(raw.get("region"), region_codes()),
            department=_codes(raw.get("department"), department_codes()),
            phase=_codes(raw.get("phase"), ref.PHASE_CODES),
            need=_codes(raw.get("need"), ref.NEED_CODES),
            qpv=bool(raw.get("qpv")),
            rural=bool(raw.get("rural")),
            year_from=year_from,
            year_to=year_to,
            search=str(raw.get("search") or "").strip()[:MAX_SEARCH_LENGTH].strip(),
        )

    def with_(self, **changes: Any) -> PortfolioFilter:
        """A copy with some fields changed, validated like `create`."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return PortfolioFilter.create(**current)

    # --- to the URL ---------------------------------------------------------------------------

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Only the fields that are set; lists stay lists (repeated URL keys)."""
        out: dict[str, str | list[str]] = {}
        if self.investor:
            out["investor"] = self.investor
        for name in ("support_body", "cohort", "region", "department", "phase", "need"):
            value = getattr(self, name)
            if value:
                out[name] = list(value)
        if self.qpv:
            out["qpv"] = "1"
        if self.rural:
            out["rural"] = "1"
        if self.year_from is not None:
            out["year_from"] = str(self.year_from)
        if self.year_to is not None:
            out["year_to"] = str(self.year_to)
        if self.search:
            out["search"] = self.search
        return out

    @property
    def is_empty(self) -> bool:
        return self == PortfolioFilter()

    # --- to SQL -------------------------------------------------------------------------------

    def project_scope(self) -> tuple[str, dict[str, Any]]:
        """`SELECT project_id FROM project p …` for the filtered projects, with its parameters.

        Every fragment is a fixed template; user values only ever travel as parameters.
        """
        where: list[str] = []
        params: dict[str, Any] = {}
        if self.investor:
            # the investor's portfolio as of the end of the period: projects it funded at any
            # date up to then (DESIGN §4.1); money figures count the period's flows only
            period, period_params = self.until_condition("i.date", prefix="inv")
            where.append(
                "p.project_id IN (SELECT i.project_id FROM investment i "
                f"WHERE i.investor_org_id = $f_investor{period})"
            )
            params["f_investor"] = self.investor
            params.update(period_params)
        if self.support_body:
            where.append(
                "p.project_id IN (SELECT cm.project_id FROM cohort_member cm "
                "JOIN cohort c ON c.cohort_id = cm.cohort_id "
                "WHERE c.support_body_org_id = ANY($f_support_body))"
            )
            params["f_support_body"] = list(self.support_body)
        if self.cohort:
            where.append(
                "p.project_id IN (SELECT cm.project_id FROM cohort_member cm "
                "WHERE cm.cohort_id = ANY($f_cohort))"
            )
            params["f_cohort"] = list(self.cohort)
        for name, column in (
            ("region", "d.region_code"),
            ("department", "p.department_code"),
            ("phase", "p.phase"),
            ("need", "p.need"),
        ):
            value = getattr(self, name)
            if value:
                where.append(f"{column} = ANY($f_{name})")
                params[f"f_{name}"] = list(value)
        if self.qpv and self.rural:
            where.append("(p.qpv OR p.rural_revitalisation)")
        elif self.qpv:
            where.append("p.qpv")
        elif self.rural:
            where.append("p.rural_revitalisation")
        if self.search:
            where.append(
                f"(strpos({fold_sql('p.name')}, $f_search) > 0 "
                f"OR strpos({fold_sql('h.name')}, $f_search) > 0)"
            )
            params["f_search"] = fold(self.search)
        sql = "SELECT p.project_id FROM project p"
        if self.region:
            sql += " JOIN department d ON d.code = p.department_code"
        if self.search:
            sql += " JOIN organisation h ON h.org_id = p.holder_org_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql, params

    def period_condition(self, date_expr: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
        """` AND …` keeping rows dated inside the period (empty when no period is set).

        `date_expr` is a column name from the metric layer's own SQL, never user input.
        """
        return self._year_condition(f"EXTRACT(YEAR FROM {date_expr})", prefix)

    def year_condition(self, year_expr: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
        """The same for an integer year column (measurements)."""
        return self._year_condition(year_expr, prefix)

    def until_condition(self, date_expr: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
        """` AND …` keeping rows dated up to the end of `year_to` (assessments)."""
        if self.year_to is None:
            return "", {}
        name = f"{prefix}_until" if prefix else "until"
        return f" AND EXTRACT(YEAR FROM {date_expr}) <= ${name}", {name: self.year_to}

    def _year_condition(self, expr: str, prefix: str) -> tuple[str, dict[str, Any]]:
        sql, params = "", {}
        tag = f"{prefix}_" if prefix else ""
        if self.year_from is not None:
            sql += f" AND {expr} >= ${tag}year_from"
            params[f"{tag}year_from"] = self.year_from
        if self.year_to is not None:
            sql += f" AND {expr} <= ${tag}year_to"
            params[f"{tag}year_to"] = self.year_to
        return sql, params


def _ident(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= MAX_ID_LENGTH and value.isprintable() else None


def _idents(values: Any) -> tuple[str, ...]:
    if values is None or isinstance(values, str):
        values = [values] if values else []
    kept = {v for v in (_ident(x) for x in values) if v is not None}
    return tuple(sorted(kept))[:MAX_VALUES]


def _codes(values: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if values is None or isinstance(values, str):
        values = [values] if values else []
    kept = {v.strip() for v in values if isinstance(v, str) and v.strip() in allowed}
    return tuple(c for c in allowed if c in kept)


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        year = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else None
