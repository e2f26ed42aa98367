"""The global portfolio filter (docs/pages.md): one table of fields, one value object.

Like datasette's filter templates, `FIELDS` lists each field once — its kind, its SQL fragment
with bound parameters, its CLI option and its label — and everything else is derived from it:
the URL codec, the project scope in SQL, the `coinvest` options (cli.py), the sidebar widgets
(ui/context.py), the human-readable description of a filter (the committee report) and the
property tests. Nothing the user typed ever becomes SQL text. Unknown keys and invalid values
are dropped, never an error, and `from_query_params(f.to_query_params()) == f` for every filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from dataclasses import field as _field
from typing import Any

from coinvest import reference as ref
from coinvest.folding import fold, fold_sql
from coinvest.i18n import t
from coinvest.scope import Scope
from coinvest.territory import department_codes, departments, region_codes, regions

MAX_ID_LENGTH = 100
MAX_SEARCH_LENGTH = 200
MAX_VALUES = 200
YEAR_MIN, YEAR_MAX = 1900, 2100

# The kinds of field, and how each one travels:
#   id     one organisation or other id       URL `investor=INV01`          CLI `--investor ID`
#   ids    several ids                        URL `cohort=A&cohort=B`       CLI repeatable
#   codes  codes of a fixed list, in order    URL `phase=rnd&phase=scaling` CLI repeatable, checked
#   flag   a yes/no condition                 URL `qpv=1`, `support=none`   CLI `--qpv`, `--unsupported`
#   year   a year of the period               URL `year_from=2024`          CLI `--year-from 2024`
#   text   free text                          URL `search=épicerie`         CLI `--search TEXT`
KINDS = ("id", "ids", "codes", "flag", "year", "text")


@dataclass(frozen=True)
class FilterField:
    name: str  # the attribute, the URL key, and (with dashes) the CLI option
    kind: str
    help: str  # for `coinvest --help`
    codes: Callable[[], tuple[str, ...]] | None = None  # the allowed values of a `codes` field
    where: str | None = None  # condition on `p` (project) with `$f_<name>`; `{until}`: period end
    join: str | None = None  # a join the condition needs
    any_of: str | None = None  # fields of one group are ORed (either kind of fragile territory)
    # How a value reads, for the sidebar, the filter line and the exports alike: the names of
    # a `codes` field's values in a language, or the table an id names (`organisation`,
    # `cohort`: the lookups read the names there, inside the member's scope).
    value_names: Callable[[str], dict[str, str]] | None = None
    named_by: str | None = None
    # a flag's own words: its URL value (`support=none`) and its CLI option (`--unsupported`)
    url_value: str = "1"
    cli_option: str | None = None

    @property
    def option(self) -> str:
        return self.cli_option or "--" + self.name.replace("_", "-")

    @property
    def param(self) -> str:
        return f"f_{self.name}"

    @property
    def is_list(self) -> bool:
        return self.kind in ("ids", "codes")


def _phase_names(lang: str) -> dict[str, str]:
    return ref.labels(ref.PHASES, lang)


def _need_names(lang: str) -> dict[str, str]:
    return ref.labels(ref.NEEDS, lang)


def _region_names(lang: str) -> dict[str, str]:
    return {r.code: r.name for r in regions()}


def _department_names(lang: str) -> dict[str, str]:
    return {d.code: f"{d.code} {d.name}" for d in departments()}


FIELDS: tuple[FilterField, ...] = (
    FilterField(
        "investor",
        "id",
        "organisation id of the investor (leverage is computed for it)",
        # its portfolio as of the end of the period: projects it funded at any date up to then
        # (docs/figures.md "Settled points"); money figures count the period's flows only
        where="p.project_id IN (SELECT i.project_id FROM investment i "
        "WHERE i.investor_org_id = $f_investor{until})",
        named_by="organisation",
    ),
    FilterField(
        "search",
        "text",
        "text in the project or holder name (case and accents ignored)",
        where=f"(strpos({fold_sql('p.name')}, $f_search) > 0 "
        f"OR strpos({fold_sql('h.name')}, $f_search) > 0)",
        join="JOIN organisation h ON h.org_id = p.holder_org_id",
    ),
    FilterField(
        "phase",
        "codes",
        "phase code",
        lambda: ref.PHASE_CODES,
        "p.phase = ANY($f_phase)",
        value_names=_phase_names,
    ),
    FilterField(
        "need",
        "codes",
        "societal need code",
        lambda: ref.NEED_CODES,
        "p.need = ANY($f_need)",
        value_names=_need_names,
    ),
    FilterField(
        "region",
        "codes",
        "region INSEE code",
        region_codes,
        "d.region_code = ANY($f_region)",
        "JOIN department d ON d.code = p.department_code",
        value_names=_region_names,
    ),
    FilterField(
        "department",
        "codes",
        "department INSEE code",
        department_codes,
        "p.department_code = ANY($f_department)",
        value_names=_department_names,
    ),
    FilterField(
        "qpv", "flag", "projects in priority urban districts", where="p.qpv", any_of="fragile"
    ),
    FilterField(
        "rural",
        "flag",
        "projects in rural revitalisation areas",
        where="p.rural_revitalisation",
        any_of="fragile",
    ),
    FilterField(
        "support_body",
        "ids",
        "support body organisation id",
        where="p.project_id IN (SELECT cm.project_id FROM cohort_member cm "
        "JOIN cohort c ON c.cohort_id = cm.cohort_id "
        "WHERE c.support_body_org_id = ANY($f_support_body))",
        named_by="organisation",
    ),
    FilterField(
        "cohort",
        "ids",
        "cohort id",
        where="p.project_id IN (SELECT cm.project_id FROM cohort_member cm "
        "WHERE cm.cohort_id = ANY($f_cohort))",
        named_by="cohort",
    ),
    FilterField(
        "support",
        "flag",
        "projects with no active cohort membership in the period (no support)",
        # an active membership: entered by the period's end, not left before its start
        # (docs/figures.md "Territories"); every membership when no period is set
        where="p.project_id NOT IN (SELECT cm.project_id FROM cohort_member cm WHERE 1 = 1{active})",
        url_value="none",
        cli_option="--unsupported",
    ),
    FilterField("year_from", "year", "first year of the period"),
    FilterField("year_to", "year", "last year of the period"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
FILTER_KEYS = tuple(f.name for f in FIELDS)


# --- each kind: clean a loose value, and to and from the URL ----------------------------------


def _ident(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if 0 < len(value) <= MAX_ID_LENGTH and value.isprintable() else None


def _as_list(values: Any) -> list[Any]:
    if values is None or isinstance(values, str):
        return [values] if values else []
    return list(values)


def _idents(values: Any) -> tuple[str, ...]:
    kept = {v for v in (_ident(x) for x in _as_list(values)) if v is not None}
    return tuple(sorted(kept))[:MAX_VALUES]


def _codes(values: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    kept = {v.strip() for v in _as_list(values) if isinstance(v, str) and v.strip() in allowed}
    return tuple(c for c in allowed if c in kept)


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        year = int(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else None


def _text(value: Any) -> str:
    return str(value or "").strip()[:MAX_SEARCH_LENGTH].strip()


def clean(field: FilterField, value: Any) -> Any:
    """A loose value (from a widget, the CLI, a URL) as the filter holds it; invalid → empty."""
    if field.kind == "id":
        return _ident(value)
    if field.kind == "ids":
        return _idents(value)
    if field.kind == "codes":
        assert field.codes is not None
        return _codes(value, field.codes())
    if field.kind == "flag":
        return bool(value)
    if field.kind == "year":
        return _year(value)
    return _text(value)


def _from_url(field: FilterField, values: list[str]) -> Any:
    """The field's value from its URL values (a list: the key may be repeated)."""
    if field.is_list:
        return values
    first = values[0] if values else None
    if field.kind == "flag":
        return first in ("1", "true", field.url_value)
    return first


def _to_url(field: FilterField, value: Any) -> str | list[str] | None:
    """The field's URL value, or None when it is not set."""
    if field.is_list:
        return list(value) if value else None
    if field.kind == "flag":
        return field.url_value if value else None
    if field.kind == "year":
        return None if value is None else str(value)
    return value or None


@dataclass(frozen=True)
class PortfolioFilter:
    # in the order of FIELDS (checked below)
    investor: str | None = None
    search: str = ""
    phase: tuple[str, ...] = ()
    need: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    qpv: bool = False
    rural: bool = False
    support_body: tuple[str, ...] = ()
    cohort: tuple[str, ...] = ()
    support: bool = False  # True: only the projects without support (`support=none`)
    year_from: int | None = None
    year_to: int | None = None
    # what the signed-in member may see (docs/rules.md "Sign-in and scope"): not a filter field, never in
    # the URL; ANDed into the selected projects' SQL, so the fields above only narrow it. Always
    # given by name (None: every project, in local mode and for an admin), so no filter is
    # built without deciding it.
    scope: Scope | None = _field(kw_only=True)
    # a campaign's round (docs/campaigns.md): its projects, and its round as their latest — set
    # by the pages that show rounds, not a sidebar field
    campaign: int | None = _field(kw_only=True, default=None)

    # --- construction ------------------------------------------------------------------------

    @classmethod
    def from_query_params(cls, params: Mapping[str, Any], scope: Scope | None) -> PortfolioFilter:
        """Build from URL query parameters (values: a string or a list of strings), inside
        `scope` (never read from the URL). A list is a repeated key (`?need=food&need=health`);
        a comma is part of a value (a search for "a,b", a cohort id `C,1`), never a
        separator."""
        raw = {}
        for field in FIELDS:
            given = params.get(field.name)
            items = given if isinstance(given, list | tuple) else [given]
            raw[field.name] = _from_url(
                field, [i for i in items if isinstance(i, str) and i.strip()]
            )
        return cls.create(scope=scope, **raw)

    @classmethod
    def create(
        cls, *, scope: Scope | None, campaign: int | None = None, **raw: Any
    ) -> PortfolioFilter:
        """A filter from loose values inside `scope`: invalid ones dropped, lists de-duplicated
        and sorted."""
        if scope is not None and not isinstance(scope, Scope):
            raise TypeError("scope must be a Scope")
        unknown = set(raw) - set(FIELD_BY_NAME)
        if unknown:
            raise TypeError(f"unknown filter fields: {sorted(unknown)}")
        values = {f.name: clean(f, raw.get(f.name)) for f in FIELDS}
        if (
            values["year_from"] is not None
            and values["year_to"] is not None
            and values["year_to"] < values["year_from"]
        ):
            values["year_to"] = None  # a reversed period keeps its start
        if campaign is not None and (isinstance(campaign, bool) or not isinstance(campaign, int)):
            raise TypeError("campaign must be a campaign number")
        return cls(**values, scope=scope, campaign=campaign)

    def with_(self, **changes: Any) -> PortfolioFilter:
        """A copy with some fields changed, validated like `create` (the scope stays unless
        changed by name)."""
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return PortfolioFilter.create(**current)  # `scope` is one of the fields

    # --- to the URL ---------------------------------------------------------------------------

    def to_query_params(self) -> dict[str, str | list[str]]:
        """Only the fields that are set; lists stay lists (repeated URL keys)."""
        out: dict[str, str | list[str]] = {}
        for field in FIELDS:
            value = _to_url(field, getattr(self, field.name))
            if value is not None:
                out[field.name] = value
        return out

    def period_only(self) -> PortfolioFilter:
        """The period of this filter, inside its scope (a project's sheet keeps the period and
        the scope, not the filter's choice of projects)."""
        return PortfolioFilter.create(
            year_from=self.year_from, year_to=self.year_to, scope=self.scope
        )

    def within(self, scope: Scope | None) -> PortfolioFilter:
        """This filter inside a member's scope (None: every project)."""
        return (
            self
            if scope == self.scope
            else PortfolioFilter.create(
                **{f.name: getattr(self, f.name) for f in FIELDS},
                scope=scope,
                campaign=self.campaign,
            )
        )

    @property
    def rounds_stored(self) -> bool:
        """The stored latest rounds and the summaries serve: no period end and no campaign
        (else the metric layer computes from the rounds)."""
        return self.year_to is None and self.campaign is None

    def campaign_date(self) -> tuple[str, dict[str, Any]]:
        """The SQL of the campaign's reference date (one value), and its parameter."""
        return (
            "(SELECT c_round.reference_date FROM campaign c_round "
            "WHERE c_round.campaign_id = $f_campaign)",
            {"f_campaign": self.campaign},
        )

    @property
    def is_empty(self) -> bool:
        """No field is set (whatever the scope: the person did not narrow anything)."""
        return not self.set_fields()

    @property
    def keeps_all(self) -> bool:
        """Every project of the database is kept: no field narrows them, no scope and no
        campaign."""
        return (
            self.scope is None
            and self.campaign is None
            and not any(f.where for f in self.set_fields())
        )

    def set_fields(self) -> list[FilterField]:
        """The fields that narrow the portfolio or set the period."""
        return [f for f in FIELDS if _to_url(f, getattr(self, f.name)) is not None]

    # --- to SQL -------------------------------------------------------------------------------

    def selected_projects(self) -> tuple[str, dict[str, Any]]:
        """`SELECT p.project_id FROM project p …`: the selected projects — the member's scope,
        narrowed by the set fields — with its parameters. The one builder of this set: the
        metric queries (their `selected` CTE), the workbook's tables and the lookups use it.

        Every fragment is a fixed template of FIELDS; user values only ever travel as parameters.
        """
        where: list[str] = []
        groups: dict[str, list[str]] = {}
        joins: list[str] = []
        params: dict[str, Any] = {}
        until, until_params = self.until_condition("i.date", prefix="inv")
        active, active_params = self.active_condition("cm")
        for field in self.set_fields():
            if field.where is None:
                continue  # the period: it narrows money and rounds, not the projects
            condition = field.where.format(until=until, active=active)
            if field.any_of:
                groups.setdefault(field.any_of, []).append(condition)
            else:
                where.append(condition)
            if field.join and field.join not in joins:
                joins.append(field.join)
            if "{until}" in field.where:
                params.update(until_params)
            if "{active}" in field.where:
                params.update(active_params)
            if f"${field.param}" in field.where:
                value = getattr(self, field.name)
                params[field.param] = (
                    list(value) if field.is_list else fold(value) if field.kind == "text" else value
                )
        where += [c[0] if len(c) == 1 else "(" + " OR ".join(c) + ")" for c in groups.values()]
        if self.campaign is not None:  # a campaign's projects
            where.append(
                "p.project_id IN (SELECT cp.project_id FROM campaign_project cp "
                "WHERE cp.campaign_id = $f_campaign)"
            )
            params["f_campaign"] = self.campaign
        if self.scope is not None:  # never skipped: the filter only narrows the scope
            condition, scope_params = self.scope.condition()
            where.insert(0, condition)
            params.update(scope_params)
        sql = " ".join(["SELECT p.project_id FROM project p", *joins])
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
        """` AND …` keeping rows dated up to the end of `year_to` (assessments, portfolios)."""
        if self.year_to is None:
            return "", {}
        name = f"{prefix}_until" if prefix else "until"
        return f" AND EXTRACT(YEAR FROM {date_expr}) <= ${name}", {name: self.year_to}

    def active_condition(self, member: str) -> tuple[str, dict[str, Any]]:
        """` AND …` keeping the cohort memberships (`member`: a cohort_member alias of the
        metric layer's SQL) active in the period: entered by its end and not left before its
        start; empty when no period is set (every membership counts)."""
        sql, params = "", {}
        if self.year_to is not None:
            sql += f" AND EXTRACT(YEAR FROM {member}.entry_date) <= $act_year_to"
            params["act_year_to"] = self.year_to
        if self.year_from is not None:
            sql += (
                f" AND ({member}.exit_date IS NULL"
                f" OR EXTRACT(YEAR FROM {member}.exit_date) >= $act_year_from)"
            )
            params["act_year_from"] = self.year_from
        return sql, params

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


def projects_of(scope: Scope) -> tuple[str, dict[str, Any]]:
    """A scope's projects, with its parameters: the selected projects of a filter that narrows
    nothing (the one builder, `PortfolioFilter.selected_projects`)."""
    return PortfolioFilter.create(scope=scope).selected_projects()


if tuple(f.name for f in fields(PortfolioFilter)) != (
    *FILTER_KEYS,
    "scope",
    "campaign",
):  # pragma: no cover
    raise RuntimeError("PortfolioFilter's fields must be those of FIELDS, in that order")


# --- in words ---------------------------------------------------------------------------------


def describe(
    flt: PortfolioFilter, lang: str, value_names: Mapping[str, Callable[[str], str]]
) -> list[str]:
    """The filter as a reader would say it, one item per set field (`Investisseur : Fondation
    X`, `Phase : R&D, expérimentation`, `QPV`), in the reader's language.

    `value_names[name](value)` names a field's value (the lookups give organisation and cohort
    names); codes of the reference model are named by their labels; anything else shows as is.
    """
    items = []
    for field in flt.set_fields():
        label = t(f"filter.{field.name}", lang)
        if field.kind == "year":
            if field.name == "year_from" or flt.year_from is None:  # one item for the period
                items.append(_period(flt, lang))
            continue
        if field.kind == "flag":
            if field.any_of:  # `qpv` and `rural` together keep either: "QPV ou rural"
                group = [f for f in flt.set_fields() if f.any_of == field.any_of]
                if group[0] is field:
                    names = [t(f"filter.{f.name}", lang) for f in group]
                    items.append(
                        t(
                            "filter.either",
                            lang,
                            first=names[0],
                            rest=", ".join(n.lower() for n in names[1:]),
                        )
                        if len(names) > 1
                        else names[0]
                    )
                continue
            items.append(label)
            continue
        value = getattr(flt, field.name)
        name = value_names.get(field.name) or _code_names(field, lang)
        shown: Iterable[Any] = value if field.is_list else [value]
        items.append(
            t("filter.item", lang, label=label, values=", ".join(name(str(v)) for v in shown))
        )
    return items


def _period(flt: PortfolioFilter, lang: str) -> str:
    """`Période : 2023–2025`, `Période : depuis 2023`, `Période : jusqu'en 2025`."""
    if flt.year_from is not None and flt.year_to is not None:
        key = "filter.period.same" if flt.year_from == flt.year_to else "filter.period.both"
    else:
        key = "filter.period.from" if flt.year_from is not None else "filter.period.to"
    values = t(key, lang, start=flt.year_from, end=flt.year_to)
    return t("filter.item", lang, label=t("filter.period", lang), values=values)


def _code_names(field: FilterField, lang: str) -> Callable[[str], str]:
    """The field's own names of its values (labels of the reference model's codes, territories'
    names), else the value as it is."""
    labels = field.value_names(lang) if field.value_names else {}
    return lambda code: labels.get(code, code)
