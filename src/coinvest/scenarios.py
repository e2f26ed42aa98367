"""What-if work kept apart from real data: hypothetical investments, named scenarios, saved views.

Scenarios and views live in their own tables (`scenario`, `scenario_investment`, `saved_view`);
nothing here ever writes a portfolio table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coinvest import reference as ref
from coinvest.access import Member
from coinvest.audit import author
from coinvest.db import Connection, query
from coinvest.errors import CoinvestError
from coinvest.filters import PortfolioFilter, projects_of
from coinvest.lookups import in_scope, organisations_in_scope
from coinvest.metrics import DEFAULT_BLIND_SPOT_THRESHOLD, Hypothetical, Weights
from coinvest.scope import Scope
from coinvest.writing import writing

MAX_LINES = 50
MAX_AMOUNT = 1e9  # a single hypothetical investment above a billion euros is taken for a typo
MAX_NAME = 100


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based, as the table shows it
    column: str
    key: str
    value: Any = None


@dataclass
class Scenario:
    name: str
    weights: Weights = field(default_factory=Weights)
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD
    lines: tuple[Hypothetical, ...] = ()
    # the filter its figures were made with (its fields only: the scope is never saved, and a
    # scenario opens inside the scope of whoever opens it)
    filter: PortfolioFilter = field(default_factory=lambda: PortfolioFilter(scope=None))


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or str(value).strip() == ""
    )


def validate_lines(
    con, rows: list[dict[str, Any]], scope: Scope | None
) -> tuple[tuple[Hypothetical, ...], list[LineProblem]]:
    """Check the rows of the hypothetical-investment table; blank rows are skipped. A member's
    lines name organisations and projects of their scope only.

    Returns the valid lines and every problem. When there is any problem the caller computes
    nothing from the table and saves nothing.
    """
    problems: list[LineProblem] = []
    kept = []
    filled = [
        (number, row)
        for number, row in enumerate(rows, start=1)
        if not all(_blank(row.get(c)) for c in ("investor_org_id", "project_id", "amount_eur"))
    ]
    if len(filled) > MAX_LINES:
        problems.append(LineProblem(MAX_LINES + 1, "", "whatif.too_many", MAX_LINES))
        filled = filled[:MAX_LINES]
    investors = {
        str(r.get("investor_org_id")).strip()
        for _, r in filled
        if not _blank(r.get("investor_org_id"))
    }
    projects = {
        str(r.get("project_id")).strip() for _, r in filled if not _blank(r.get("project_id"))
    }
    orgs_within, org_params = organisations_in_scope(scope)
    known_orgs = set(
        query(
            con,
            f"SELECT o.org_id FROM organisation o WHERE o.org_id = ANY($ids){orgs_within}",
            {"ids": sorted(investors), **org_params},
        )["org_id"]
    )
    projects_within, project_params = in_scope(scope, "project_id")
    known_projects = set(
        query(
            con,
            f"SELECT project_id FROM project WHERE project_id = ANY($ids){projects_within}",
            {"ids": sorted(projects), **project_params},
        )["project_id"]
    )
    for number, row in filled:
        investor = "" if _blank(row.get("investor_org_id")) else str(row["investor_org_id"]).strip()
        project = "" if _blank(row.get("project_id")) else str(row["project_id"]).strip()
        instrument = "grant" if _blank(row.get("instrument")) else str(row["instrument"]).strip()
        raw_amount = row.get("amount_eur")
        ok = True
        if investor not in known_orgs:
            problems.append(
                LineProblem(number, "investor_org_id", "whatif.unknown_investor", investor)
            )
            ok = False
        if project not in known_projects:
            problems.append(LineProblem(number, "project_id", "whatif.unknown_project", project))
            ok = False
        try:
            amount = math.nan if raw_amount is None else float(raw_amount)
        except (TypeError, ValueError):
            amount = math.nan
        if not math.isfinite(amount) or amount <= 0 or amount > MAX_AMOUNT:
            problems.append(LineProblem(number, "amount_eur", "whatif.bad_amount", raw_amount))
            ok = False
        if instrument not in ref.INSTRUMENT_CODES:
            problems.append(LineProblem(number, "instrument", "whatif.bad_instrument", instrument))
            ok = False
        if ok:
            kept.append(Hypothetical(investor, project, amount, instrument))
    return tuple(kept), problems


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise CoinvestError("whatif.bad_name", limit=MAX_NAME)
    return name


def _settings(scenario: Scenario) -> str:
    return json.dumps(
        {
            "levers": scenario.weights.lever_map(),
            "viewpoints": scenario.weights.viewpoint_map(),
            "threshold": scenario.threshold,
            "filter": scenario.filter.to_query_params(),
        },
        sort_keys=True,
        ensure_ascii=False,
    )


def _visible(member: Member | None, column: str = "org_id") -> tuple[str, dict]:
    """` AND org_id = …`: a member who is not an admin sees their organisation's scenarios and
    views only (docs/rules.md "Sign-in and scope"); in local mode and for an admin, every one."""
    if member is None or member.owner is None:
        return "", {}
    return f" AND {column} = $owner", {"owner": member.owner}


def _scope(member: Member | None) -> Scope | None:
    """The member's scope (None in local mode and for an admin): a saved filter opens inside
    it."""
    return None if member is None else member.scope


def _lines_in_scope(member: Member | None, alias: str) -> tuple[str, dict]:
    """` AND …`: a scenario reaches a member only when every line of it names a project of
    their scope (a narrower member of the same organisation never sees the others' lines);
    nothing in local mode and for an admin. `alias` is the caller's fixed alias of `scenario`."""
    scope = _scope(member)
    if scope is None:
        return "", {}
    projects, params = projects_of(scope)
    return (
        f""" AND NOT EXISTS (SELECT 1 FROM scenario_investment x
                    WHERE x.scenario_id = {alias}.scenario_id
                      AND x.project_id NOT IN ({projects}))""",
        params,
    )


def _owner(member: Member | None) -> str | None:
    """The organisation a scenario or view is saved for (None in local mode)."""
    return member.org_id if member is not None else None


def _existing(cur, table: str, key: str, name: str, member: Member | None, overwrite: bool):
    """The id of the member's organisation's row of that name, or None for a new one.

    Names are unique per organisation (docs/rules.md "Sign-in and scope"): another organisation's name is neither
    refused nor revealed — it is simply not this organisation's."""
    rows = cur.execute(
        f"SELECT {key} FROM {table} WHERE name = $n AND org_id IS NOT DISTINCT FROM $org",
        {"n": name, "org": _owner(member)},
    ).fetchall()
    if not rows:
        return None
    if not overwrite:
        raise CoinvestError("whatif.name_taken", name=name)
    return rows[0][0]


def _pick(member: Member | None) -> tuple[str, dict]:
    """` ORDER BY …`: where an admin sees several organisations' rows of one name, their own
    organisation's first (then the oldest)."""
    return (
        " ORDER BY CASE WHEN org_id IS NOT DISTINCT FROM $mine THEN 0 ELSE 1 END, created_at",
        {"mine": _owner(member)},
    )


def save_scenario(
    con: Connection, scenario: Scenario, overwrite: bool = False, member: Member | None = None
) -> None:
    """Save a scenario under its name (refused if the name is taken, unless `overwrite`), as
    the member's organisation's."""
    name = _check_name(scenario.name)
    if len(scenario.lines) > MAX_LINES:
        raise CoinvestError("whatif.too_many", value=MAX_LINES)
    org = _owner(member)
    with writing(con, author(member), "scenario") as audit:
        cur = audit.cur
        existing = _existing(cur, "scenario", "scenario_id", name, member, overwrite)
        audit.watch("scenario", "name = $audit_name", audit_name=name)
        audit.watch(
            "scenario_investment",
            "scenario_id IN (SELECT scenario_id FROM scenario WHERE name = $audit_name)",
            audit_name=name,
        )
        if existing is not None:
            cur.execute("DELETE FROM scenario_investment WHERE scenario_id = $id", {"id": existing})
            cur.execute(
                "UPDATE scenario SET settings = $s, org_id = $org, created_at = current_timestamp "
                "WHERE scenario_id = $id",
                {"s": _settings(scenario), "org": org, "id": existing},
            )
            scenario_id = existing
        else:
            scenario_id = cur.execute(
                "INSERT INTO scenario (name, settings, org_id) VALUES ($n, $s, $org) "
                "RETURNING scenario_id",
                {"n": name, "s": _settings(scenario), "org": org},
            ).fetchall()[0][0]
        if scenario.lines:
            cur.executemany(
                "INSERT INTO scenario_investment VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        scenario_id,
                        i,
                        line.investor_org_id,
                        line.project_id,
                        line.amount_eur,
                        line.instrument,
                    )
                    for i, line in enumerate(scenario.lines, start=1)
                ],
            )
        audit.finish()


def list_scenarios(con: Connection, member: Member | None) -> pd.DataFrame:
    """The scenarios the member may open. Columns: name, created_at, lines."""
    mine, params = _visible(member, "s.org_id")
    lines, line_params = _lines_in_scope(member, "s")
    return query(
        con,
        f"""SELECT s.name, s.created_at, count(i.line) AS lines
           FROM scenario s LEFT JOIN scenario_investment i ON i.scenario_id = s.scenario_id
           WHERE 1 = 1{mine}{lines}
           GROUP BY s.scenario_id, s.name, s.created_at ORDER BY s.name, s.created_at""",
        {**params, **line_params},
    )


def load_scenario(con: Connection, name: str, member: Member | None) -> Scenario | None:
    """A scenario by name, or None when there is none the member may open."""
    mine, params = _visible(member, "s.org_id")
    in_scope, line_params = _lines_in_scope(member, "s")
    order, order_params = _pick(member)
    found = query(
        con,
        f"SELECT scenario_id, settings FROM scenario s WHERE name = $n{mine}{in_scope}{order} "
        "LIMIT 1",
        {"n": name, **params, **line_params, **order_params},
    )
    if found.empty:
        return None
    settings = json.loads(found["settings"].iloc[0])
    lines = query(
        con,
        """SELECT investor_org_id, project_id, amount_eur, instrument FROM scenario_investment
           WHERE scenario_id = $id ORDER BY line""",
        {"id": int(found["scenario_id"].iloc[0])},
    )
    return Scenario(
        name=name,
        weights=Weights.create(settings.get("levers"), settings.get("viewpoints")),
        threshold=float(settings.get("threshold", DEFAULT_BLIND_SPOT_THRESHOLD)),
        lines=tuple(Hypothetical(*row) for row in lines.itertuples(index=False)),
        filter=PortfolioFilter.from_query_params(settings.get("filter", {}), _scope(member)),
    )


def delete_scenario(con: Connection, name: str, member: Member | None = None) -> bool:
    """Delete a scenario the member may open; False when there is none."""
    mine, params = _visible(member, "s.org_id")
    lines, line_params = _lines_in_scope(member, "s")
    order, order_params = _pick(member)
    with writing(con, author(member), "scenario") as audit:
        cur = audit.cur
        found = cur.execute(
            f"SELECT scenario_id FROM scenario s WHERE name = $n{mine}{lines}{order} LIMIT 1",
            {"n": name, **params, **line_params, **order_params},
        ).fetchall()
        if not found:
            return False
        audit.watch("scenario", "scenario_id = $audit_id", audit_id=found[0][0])
        audit.watch("scenario_investment", "scenario_id = $audit_id", audit_id=found[0][0])
        cur.execute("DELETE FROM scenario_investment WHERE scenario_id = $id", {"id": found[0][0]})
        cur.execute("DELETE FROM scenario WHERE scenario_id = $id", {"id": found[0][0]})
        audit.finish()
    return True


# --- saved views: a filter and weights under a name ------------------------------------------


def save_view(
    con: Connection,
    name: str,
    flt: PortfolioFilter,
    weights: Weights | None = None,
    threshold: float = DEFAULT_BLIND_SPOT_THRESHOLD,
    overwrite: bool = False,
    member: Member | None = None,
) -> None:
    """Save a filter and weights under a name, as the member's organisation's."""
    name = _check_name(name)
    body = json.dumps(
        {
            "filter": flt.to_query_params(),
            "levers": (weights or Weights()).lever_map(),
            "viewpoints": (weights or Weights()).viewpoint_map(),
            "threshold": threshold,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    org = _owner(member)
    with writing(con, author(member), "view") as audit:
        cur = audit.cur
        existing = _existing(cur, "saved_view", "view_id", name, member, overwrite)
        audit.watch("saved_view", "name = $audit_name", audit_name=name)
        if existing is not None:
            cur.execute(
                "UPDATE saved_view SET query = $q, org_id = $org WHERE view_id = $id",
                {"q": body, "org": org, "id": existing},
            )
        else:
            cur.execute(
                "INSERT INTO saved_view (name, query, org_id) VALUES ($n, $q, $org)",
                {"n": name, "q": body, "org": org},
            )
        audit.finish()


def list_views(con: Connection, member: Member | None) -> pd.DataFrame:
    """The saved views the member may open. Columns: name, created_at."""
    mine, params = _visible(member)
    return query(
        con, f"SELECT name, created_at FROM saved_view WHERE 1 = 1{mine} ORDER BY name", params
    )


def load_view(con: Connection, name: str, member: Member | None) -> Scenario | None:
    """A saved view as a scenario without investments (filter, weights, threshold), or None
    when there is none the member may open."""
    mine, params = _visible(member)
    order, order_params = _pick(member)
    found = query(
        con,
        f"SELECT query FROM saved_view WHERE name = $n{mine}{order} LIMIT 1",
        {"n": name, **params, **order_params},
    )
    if found.empty:
        return None
    body = json.loads(found["query"].iloc[0])
    return Scenario(
        name=name,
        weights=Weights.create(body.get("levers"), body.get("viewpoints")),
        threshold=float(body.get("threshold", DEFAULT_BLIND_SPOT_THRESHOLD)),
        filter=PortfolioFilter.from_query_params(body.get("filter", {}), _scope(member)),
    )


def delete_view(con: Connection, name: str, member: Member | None = None) -> bool:
    """Delete a saved view the member may open; False when there is none."""
    mine, params = _visible(member)
    with writing(con, author(member), "view") as audit:
        cur = audit.cur
        found = cur.execute(
            f"SELECT view_id FROM saved_view WHERE name = $n{mine}{_pick(member)[0]} LIMIT 1",
            {"n": name, **params, **_pick(member)[1]},
        ).fetchall()
        if not found:
            return False
        audit.watch("saved_view", "view_id = $audit_id", audit_id=found[0][0])
        cur.execute("DELETE FROM saved_view WHERE view_id = $id", {"id": found[0][0]})
        audit.finish()
    return True
