"""Who changed what, and undo (DESIGN §11).

Every write appends to `change_log` in its own transaction, through an `Audit`: the rows a write
may touch are copied before it, and compared with what is there after it — one change row per
column of a row added or removed, and per changed column of a row updated (a changed answer of
an assessment is one row per question). Values are stored as text and cast back on revert, which
restores them exactly. Nothing updates or deletes `change_log`.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from coinvest.db import Connection, Cursor, query, transaction
from coinvest.errors import CoinvestError
from coinvest.interchange import SHEETS
from coinvest.lever_rounds import refresh_lever_rounds
from coinvest.schema import BUMP_DATA_VERSION, DATA_TABLES
from coinvest.summaries import refresh_money, refresh_needs, refresh_utility

# Every table a write may touch, with its key, parents before children.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    **{sheet.table: sheet.key for sheet in SHEETS},
    "assessment_answer": ("assessment_id", "question"),
    "scenario": ("scenario_id",),
    "scenario_investment": ("scenario_id", "line"),
    "saved_view": ("view_id",),
}
ORDER = (*DATA_TABLES, "membership", "scenario", "scenario_investment", "saved_view")
# the import sheet a table's rows come from (answers are columns of the assessments sheet)
TABLE_SHEET = {
    **{sheet.table: sheet.name for sheet in SHEETS},
    "assessment_answer": "assessments",
}
SEPARATOR = "chr(31)"  # between the values of a composite key (ids are printable: never in one)


def cli_author() -> str:
    """`cli:<os user>`, the author of a change made from the command line."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def author(member: object | None) -> str:
    """Who made a change from the app: the signed-in member's e-mail, else `app:<os user>` (local
    mode)."""
    email = getattr(member, "email", None)
    return str(email) if email else cli_author().replace("cli:", "app:", 1)


def row_key(table: str, alias: str) -> str:
    """The SQL of a row's key as one text (`alias` is a fixed alias of the caller's SQL)."""
    parts = [f"CAST({alias}.{k} AS VARCHAR)" for k in TABLE_KEYS[table]]
    return parts[0] if len(parts) == 1 else f"concat_ws({SEPARATOR}, {', '.join(parts)})"


def _columns(cur: Cursor, table: str) -> list[tuple[str, str]]:
    """(column, type) of a table, in order."""
    rows = cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = $t AND table_schema = current_schema() ORDER BY ordinal_position",
        {"t": table},
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def _project(table: str, alias: str, cur_columns: list[str]) -> str:
    """The SQL of the project a row belongs to (for a project's history), or NULL. Only the
    portfolio's own tables belong to a project: a scenario line names one, but it is its
    organisation's what-if work, shown in no project's history (DESIGN §10)."""
    if table not in DATA_TABLES:
        return "CAST(NULL AS VARCHAR)"
    if "project_id" in cur_columns:
        return f"{alias}.project_id"
    if table == "assessment_answer":
        return (
            f"(SELECT x.project_id FROM assessment x WHERE x.assessment_id = {alias}.assessment_id)"
        )
    return "CAST(NULL AS VARCHAR)"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class _Watch:
    table: str
    condition: str
    params: dict[str, Any]
    snapshot: str


class Audit:
    """The change rows of one write, inside its transaction: `watch` each table before writing
    it (the rows matching `condition`, SQL on the bare table name), `finish` after.

    A row added or removed logs each of its other columns that has a value (its key is the
    change's `row_key`; every table has a required column besides its key, so every such row
    logs one at least); a row changed, each column that changed."""

    def __init__(self, cur: Cursor, who: str, source: str, import_id: int | None = None) -> None:
        self.cur = cur
        self.who = who
        self.source = source
        self.import_id = import_id
        self.at = utc_now()
        self.watches: dict[str, _Watch] = {}
        self.finished = False

    def watch(self, table: str, condition: str = "TRUE", **params: Any) -> None:
        if table not in TABLE_KEYS:
            raise KeyError(table)
        if table in self.watches:
            return
        snapshot = f"audit_before_{table}"
        self.cur.execute(f"DROP TABLE IF EXISTS {snapshot}")
        self.cur.execute(
            f"CREATE TEMP TABLE {snapshot} AS SELECT * FROM {table} WHERE {condition}", params
        )
        self.watches[table] = _Watch(table, condition, params, snapshot)

    def finish(self) -> int:
        """Write the change rows of every watched table, then refresh the tables derived from
        the rows that changed (DESIGN §11 "One write path"); returns how many change rows."""
        self.finished = True
        last = self._last_change()
        written = 0
        for watch in self.watches.values():
            written += self._log(watch)
            self.cur.execute(f"DROP TABLE IF EXISTS {watch.snapshot}")
        if written:
            self._refresh_derived(last)
        self.cur.execute(BUMP_DATA_VERSION)  # every write is audited: the other instances see it
        return written

    def _last_change(self) -> int:
        return int(
            self.cur.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchall()[0][0]
        )

    def _refresh_derived(self, last: int) -> None:
        """Refill the derived tables of every project a change row names — the project of the
        row after the change, and, for a row moved to another project, the one before it too
        (an assessment moved from P03 to P07 refreshes both)."""
        rows = self.cur.execute(
            """SELECT DISTINCT table_name, project_id,
                   CASE WHEN column_name = 'project_id' THEN old_value END,
                   CASE WHEN column_name = 'project_id' THEN new_value END
            FROM change_log WHERE change_id > $last""",
            {"last": last},
        ).fetchall()
        tables = {str(row[0]) for row in rows}
        projects = {str(p) for row in rows for p in row[1:] if p is not None}
        if {"assessment", "assessment_answer"} & tables:
            refresh_lever_rounds(self.cur, sorted(projects))  # and the needs that follow
        elif "project" in tables:
            refresh_needs(self.cur, sorted(projects))  # a phase weighs the needs
        if {"investment", "contribution"} & tables:
            refresh_money(self.cur)  # every project's money, in about a second at XL
        if {"measurement", "indicator"} & tables:
            refresh_utility(self.cur)  # an indicator's direction changes every achievement

    def _log(self, watch: _Watch) -> int:
        table, snapshot = watch.table, watch.snapshot
        columns = [name for name, _ in _columns(self.cur, table)]
        keys = TABLE_KEYS[table]
        same_key = " AND ".join(f"a.{k} = b.{k}" for k in keys)
        after = f"(SELECT * FROM {table} WHERE {watch.condition})"
        head = (
            "INSERT INTO change_log (changed_at, who, source, import_id, table_name, row_key, "
            "project_id, column_name, action, old_value, new_value) "
        )
        params = {
            "log_at": self.at,
            "log_who": self.who,
            "log_source": self.source,
            "log_import": self.import_id,
            "log_table": table,
        }
        common = "$log_at, $log_who, $log_source, $log_import, $log_table"
        before = self.count()
        for column in columns:
            if column in keys:
                continue  # the key is the row's `row_key`
            params["log_column"] = column
            watched = {**params, **watch.params}  # for the statements that read `after`
            # a row added: each of its values, from nothing
            self.cur.execute(
                f"""{head}SELECT {common}, {row_key(table, "a")}, {_project(table, "a", columns)},
                       $log_column, 'insert', NULL, CAST(a.{column} AS VARCHAR)
                FROM {after} a WHERE a.{column} IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {snapshot} b WHERE {same_key})""",
                watched,
            )
            # a row removed: each of its values, to nothing
            self.cur.execute(
                f"""{head}SELECT {common}, {row_key(table, "b")}, {_project(table, "b", columns)},
                       $log_column, 'delete', CAST(b.{column} AS VARCHAR), NULL
                FROM {snapshot} b WHERE b.{column} IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM {table} a WHERE {same_key})""",
                params,
            )
            # a row changed: the columns that changed
            self.cur.execute(
                f"""{head}SELECT {common}, {row_key(table, "a")}, {_project(table, "a", columns)},
                       $log_column, 'update', CAST(b.{column} AS VARCHAR),
                       CAST(a.{column} AS VARCHAR)
                FROM {snapshot} b JOIN {after} a ON {same_key}
                WHERE a.{column} IS DISTINCT FROM b.{column}""",
                watched,
            )
        return self.count() - before

    def count(self) -> int:
        return int(self.cur.execute("SELECT count(*) FROM change_log").fetchall()[0][0])


def next_import_id(cur: Cursor) -> int:
    """The number of the next import or revert, taken under the write lock: one refused or
    rolled back consumes none, on either engine (DESIGN §11; a sequence would, on PostgreSQL)."""
    found = cur.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchall()
    return int(found[0][0])


@contextmanager
def writing(con: Connection, who: str, source: str, numbered: bool = False) -> Iterator[Audit]:
    """The one write path (DESIGN §11): every writer — import, questionnaire, scenario, members,
    revert — runs inside it. It holds the write lock of the process and of the database, runs
    one transaction, logs what changed, refreshes the derived tables of every project whose rows
    changed (before and after the change), and turns an engine error into a message in the
    user's language (`db.WriteFailed`), with nothing written.

    The writer `watch`es each table before writing it, on `audit.cur`; `finish` runs when the
    block ends (a writer that must log before its last step may call it itself, once).
    `numbered`: an import or a revert, which gets the next import number (`audit.import_id`).
    """
    with transaction(con) as cur:
        audit = Audit(cur, who, source, next_import_id(cur) if numbered else None)
        yield audit
        if audit.watches and not audit.finished:
            audit.finish()


# --- reading the history ------------------------------------------------------------------------

HISTORY_COLUMNS = (
    "changed_at",
    "who",
    "source",
    "import_id",
    "table_name",
    "row_key",
    "project_id",
    "column_name",
    "action",
    "old_value",
    "new_value",
)


def history(
    con: Connection,
    project_id: str | None = None,
    since: datetime | None = None,
    table: str | None = None,
    who: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The change rows, newest first, narrowed to a project, a date, a table or an author.
    Columns: HISTORY_COLUMNS (a composite row key's values separated by " / ")."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if project_id is not None:
        # the portfolio's tables only (rows logged before version 10 named a scenario line's
        # project too)
        conditions.append("project_id = $project AND table_name = ANY($project_tables)")
        params["project"] = project_id
        params["project_tables"] = list(DATA_TABLES)
    if since is not None:
        conditions.append("changed_at >= $since")
        params["since"] = since
    if table is not None:
        conditions.append("table_name = $table")
        params["table"] = table
    if who is not None:
        conditions.append("who = $who")
        params["who"] = who
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    bound = ""
    if limit is not None:
        bound = " LIMIT $limit"
        params["limit"] = int(limit)
    frame = query(
        con,
        f"""SELECT {", ".join(HISTORY_COLUMNS)} FROM change_log {where}
            ORDER BY change_id DESC{bound}""",
        params,
    )
    frame["row_key"] = frame["row_key"].str.replace(chr(31), " / ", regex=False)
    for column in ("project_id", "old_value", "new_value"):  # no value: None, not NaN
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def imports(con: Connection, limit: int | None = None) -> pd.DataFrame:
    """The imports and reverts, newest first. Columns: import_id, imported_at, who, file_name,
    sha256, counts (JSON: per table, rows added, updated, unchanged, deleted), reverts."""
    bound, params = ("", {}) if limit is None else (" LIMIT $limit", {"limit": int(limit)})
    return query(
        con,
        f"""SELECT import_id, imported_at, who, file_name, sha256, counts, reverts
            FROM import_log WHERE status = 'loaded' ORDER BY import_id DESC{bound}""",
        params,
    )


# --- undo an import -----------------------------------------------------------------------------


@dataclass
class Reverted:
    import_id: int  # the revert's own id (itself revertable)
    counts: dict[str, dict[str, int]]


def _undone(cur: Cursor) -> dict[int, int]:
    """Imports whose effect is undone → the revert that undid them (itself standing): a revert
    that was reverted in turn leaves its import standing again."""
    pairs = cur.execute(
        "SELECT import_id, reverts FROM import_log WHERE reverts IS NOT NULL "
        "ORDER BY import_id DESC"
    ).fetchall()
    undone: dict[int, int] = {}
    cancelled: set[int] = set()
    for revert_id, target in pairs:  # newest first: a later revert decides
        if revert_id in cancelled:
            continue
        undone[int(target)] = int(revert_id)
        cancelled |= {int(target), int(revert_id)}
    return undone


def _refuse_conflicts(cur: Cursor, import_id: int) -> None:
    """Refused when the import is already undone, and, naming the rows, when a later change
    touched a row the import touched (changes undone since, and their undo, do not count)."""
    undone = _undone(cur)
    if import_id in undone:
        raise CoinvestError("revert.already", id=import_id, revert=undone[import_id])
    settled = sorted({*undone, *undone.values()})
    rows = cur.execute(
        """SELECT DISTINCT later.table_name, later.row_key
           FROM change_log later
           JOIN (SELECT DISTINCT table_name, row_key FROM change_log WHERE import_id = $n) mine
             ON mine.table_name = later.table_name AND mine.row_key = later.row_key
           WHERE later.change_id > (SELECT max(change_id) FROM change_log WHERE import_id = $n)
             AND (later.import_id IS NULL OR NOT later.import_id = ANY($settled))
           ORDER BY 1, 2 LIMIT 20""",
        {"n": import_id, "settled": settled},
    ).fetchall()
    if rows:
        named = ", ".join(f"{t} {k.replace(chr(31), ' / ')}" for t, k in rows)
        raise CoinvestError("revert.conflict", id=import_id, rows=named)


def revert_import(audit: Audit, import_id: int) -> Reverted:
    """Put back every row the import added, changed or removed, inside the write of `audit` (a
    numbered one of `writing`: any error rolls everything back). The revert is logged as an
    import of its own, which can be reverted in turn."""
    from coinvest.importer.write import dangling_references

    cur, new_id, who = audit.cur, int(audit.import_id or 0), audit.who
    found = cur.execute(
        "SELECT count(*) FROM import_log WHERE import_id = $n AND status = 'loaded'",
        {"n": import_id},
    ).fetchall()[0][0]
    if not found:
        raise CoinvestError("revert.unknown", id=import_id)
    changed = cur.execute(
        "SELECT DISTINCT table_name FROM change_log WHERE import_id = $n", {"n": import_id}
    ).fetchall()
    tables = [t for t in ORDER if (t,) in changed]
    if not tables:
        raise CoinvestError("revert.nothing", id=import_id)
    _refuse_conflicts(cur, import_id)
    mine = "SELECT row_key FROM change_log WHERE import_id = $n AND table_name = $t"
    for table in tables:
        audit.watch(table, f"{row_key(table, table)} IN ({mine})", n=import_id, t=table)
    # rows the import added go, children first
    for table in reversed(tables):
        cur.execute(
            f"DELETE FROM {table} WHERE {row_key(table, table)} IN ({mine} AND action = 'insert')",
            {"n": import_id, "t": table},
        )
    # rows it removed come back, parents first (their key from `row_key`)
    for table in tables:
        columns = _columns(cur, table)
        keys = TABLE_KEYS[table]
        values = ", ".join(
            (
                f"CAST(row_key AS {kind})"
                if len(keys) == 1
                else f"CAST(split_part(row_key, {SEPARATOR}, {keys.index(name) + 1}) AS {kind})"
            )
            if name in keys
            else f"CAST(max(old_value) FILTER (WHERE column_name = '{name}') AS {kind})"
            for name, kind in columns
        )
        cur.execute(
            f"""INSERT INTO {table} ({", ".join(name for name, _ in columns)})
                SELECT {values} FROM change_log
                WHERE import_id = $n AND table_name = $t AND action = 'delete'
                GROUP BY row_key""",
            {"n": import_id, "t": table},
        )
    # values it changed take their old value again
    for table in tables:
        for name, kind in _columns(cur, table):
            if name in TABLE_KEYS[table]:
                continue
            cur.execute(
                f"""UPDATE {table} SET {name} = CAST(x.old_value AS {kind})
                    FROM (SELECT row_key, old_value FROM change_log
                          WHERE import_id = $n AND table_name = $t AND action = 'update'
                            AND column_name = $c) x
                    WHERE {row_key(table, table)} = x.row_key""",
                {"n": import_id, "t": table, "c": name},
            )
    audit.finish()  # the history, and the derived tables of the projects before and after
    dangling = dangling_references(cur)
    if dangling:
        rows = ", ".join(f"{p.sheet} {p.value}" for p in dangling[:20])
        raise CoinvestError("revert.still_referenced", id=import_id, rows=rows)
    counts = _counts(cur, new_id)
    cur.execute(
        """INSERT INTO import_log (import_id, file_name, sha256, status, counts, who, reverts)
           VALUES ($id, $name, '', 'loaded', $counts, $who, $n)""",
        {
            "id": new_id,
            "name": f"revert {import_id}",
            "counts": json.dumps(counts, sort_keys=True),
            "who": who,
            "n": import_id,
        },
    )
    return Reverted(new_id, counts)


def _counts(cur: Cursor, import_id: int) -> dict[str, dict[str, int]]:
    """Rows added, updated and deleted per table by one import (or revert)."""
    rows = cur.execute(
        """SELECT table_name, action, count(DISTINCT row_key) FROM change_log
           WHERE import_id = $n GROUP BY table_name, action""",
        {"n": import_id},
    ).fetchall()
    counts: dict[str, dict[str, int]] = {}
    names = {"insert": "added", "update": "updated", "delete": "deleted"}
    for table, action, n in rows:
        counts.setdefault(table, {})[names[action]] = int(n)
    return counts


def revert(con: Connection, import_id: int, who: str) -> Reverted:
    """Undo an import through the one write path: everything as it was before it, or, on any
    refusal or failure, nothing changed."""
    with writing(con, who, "revert", numbered=True) as audit:
        return revert_import(audit, import_id)
