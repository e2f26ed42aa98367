"""The audit log (docs/rules.md "History"): who changed what, written by every write.

Every write appends to `change_log` in its own transaction, through an `Audit`: the rows a write
may touch are copied before it, and compared with what is there after it — one change row per
column of a row added or removed, and per changed column of a row updated (a changed answer of
an assessment is one row per question). Values are stored as text and cast back on revert, which
restores them exactly. Nothing updates or deletes `change_log`. The audit numbers the change rows
itself, after the last one, under the write lock that every write holds (schema v18: a sequence
drew one number at a time, 0.7 s of the 2.1 million rows of an import of 100,000 assessments).
This module writes the log and nothing else: the write path (`coinvest.writing`) runs it, and
refreshes the derived tables of what it reports changed.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from coinvest.backend import Cursor
from coinvest.interchange import SHEETS
from coinvest.schema import BUMP_DATA_VERSION, DATA_TABLES

# Every table a write may touch, with its key, parents before children.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    **{sheet.table: sheet.key for sheet in SHEETS},
    "assessment_answer": ("assessment_id", "question"),
    "scenario": ("scenario_id",),
    "scenario_investment": ("scenario_id", "line"),
    "saved_view": ("view_id",),
    "campaign": ("campaign_id",),
    "campaign_project": ("campaign_id", "project_id"),
    "campaign_response": ("campaign_id", "project_id", "viewpoint", "org_id"),
    "campaign_answer": ("campaign_id", "project_id", "viewpoint", "org_id", "question"),
}
ORDER = (
    *DATA_TABLES,
    "membership",
    "scenario",
    "scenario_investment",
    "saved_view",
    "campaign",
    "campaign_project",
    "campaign_response",
    "campaign_answer",
)
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


def table_columns(cur: Cursor, table: str) -> list[tuple[str, str]]:
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
    organisation's what-if work, shown in no project's history (docs/rules.md "Sign-in and scope")."""
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


# What a write changed, told to the write path: (cursor, tables, projects).
Changed = Callable[[Cursor, set[str], set[str]], None]


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

    def __init__(
        self,
        cur: Cursor,
        who: str,
        source: str,
        import_id: int | None = None,
        after: Changed | None = None,
    ) -> None:
        self.cur = cur
        self.after = after
        self.who = who
        self.source = source
        self.import_id = import_id
        self.at = utc_now()
        self.watches: dict[str, _Watch] = {}
        self.finished = False
        self._number = 0

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

    def unchanged(self, table: str) -> None:
        """The writer counted no row of `table` added, changed or removed (an import of a file
        already there): its rows are not compared again, which at L is seconds of scans."""
        watch = self.watches.pop(table, None)
        if watch is not None:
            self.cur.execute(f"DROP TABLE IF EXISTS {watch.snapshot}")

    def finish(self) -> int:
        """Write the change rows of every watched table, then tell `after` which tables and
        projects changed (the write path refreshes their derived tables); returns how many
        change rows."""
        self.finished = True
        last = self._last_change()
        self._number = last  # the last change row's number: the next ones follow it
        written = 0
        for watch in self.watches.values():
            written += self._log(watch)
            self.cur.execute(f"DROP TABLE IF EXISTS {watch.snapshot}")
        if written:
            tables, projects = self._changed(last)
            if self.after is not None:
                self.after(self.cur, tables, projects)
        self.cur.execute(BUMP_DATA_VERSION)  # every write is audited: the other instances see it
        return written

    def _last_change(self) -> int:
        return int(
            self.cur.execute("SELECT coalesce(max(change_id), 0) FROM change_log").fetchall()[0][0]
        )

    def _changed(self, last: int) -> tuple[set[str], set[str]]:
        """The tables of the change rows, and every project they name — the project of the row
        after the change, and, for a row moved to another project, the one before it too (an
        assessment moved from P03 to P07 names both)."""
        rows = self.cur.execute(
            """SELECT DISTINCT table_name, project_id,
                   CASE WHEN column_name = 'project_id' THEN old_value END,
                   CASE WHEN column_name = 'project_id' THEN new_value END
            FROM change_log WHERE change_id > $last""",
            {"last": last},
        ).fetchall()
        tables = {str(row[0]) for row in rows}
        projects = {str(p) for row in rows for p in row[1:] if p is not None}
        return tables, projects

    def _log(self, watch: _Watch) -> int:
        table, snapshot = watch.table, watch.snapshot
        columns = [name for name, _ in table_columns(self.cur, table)]
        keys = TABLE_KEYS[table]
        same_key = " AND ".join(f"a.{k} = b.{k}" for k in keys)
        after = f"(SELECT * FROM {table} WHERE {watch.condition})"
        head = (
            "INSERT INTO change_log (change_id, changed_at, who, source, import_id, table_name, "
            "row_key, project_id, column_name, action, old_value, new_value) "
        )
        params: dict[str, Any] = {
            "log_at": self.at,
            "log_who": self.who,
            "log_source": self.source,
            "log_import": self.import_id,
            "log_table": table,
        }
        common = (
            "$log_number + row_number() OVER (), $log_at, $log_who, $log_source, $log_import, "
            "$log_table"
        )
        watched = {**params, **watch.params}  # for the statements that read `after`
        # the key is the row's `row_key`; a row that is all key (a campaign's project) logs its
        # last key column, so that its coming and going are in the history too
        logged = [c for c in columns if c not in keys] or [keys[-1]]
        # one statement per kind of change, each column of a row one change row (a lateral
        # list of (column, …) pairs): three scans of the table, whatever its width (docs/rules.md
        # "Speed")

        def values(alias: str) -> str:  # (column, its value as text), for each logged column
            return ", ".join(f"('{c}', CAST({alias}.{c} AS VARCHAR))" for c in logged)

        # a row added: each of its values, from nothing
        written = self._numbered(
            watched,
            f"""{head}SELECT {common}, {row_key(table, "a")}, {_project(table, "a", columns)},
                   v.name, 'insert', NULL, v.value
            FROM {after} a CROSS JOIN LATERAL (VALUES {values("a")}) v(name, value)
            WHERE v.value IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {snapshot} b WHERE {same_key})""",
        )
        had = self.cur.execute(f"SELECT count(*) FROM (SELECT 1 FROM {snapshot} LIMIT 1) s")
        if not had.fetchall()[0][0]:  # only rows added (an engine scans the table even so)
            return written
        # a row removed: each of its values, to nothing
        written += self._numbered(
            params,
            f"""{head}SELECT {common}, {row_key(table, "b")}, {_project(table, "b", columns)},
                   v.name, 'delete', v.value, NULL
            FROM {snapshot} b CROSS JOIN LATERAL (VALUES {values("b")}) v(name, value)
            WHERE v.value IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {table} a WHERE {same_key})""",
        )
        # a row changed: the columns that changed
        pairs = ", ".join(
            f"('{c}', a.{c} IS DISTINCT FROM b.{c}, CAST(b.{c} AS VARCHAR), CAST(a.{c} AS VARCHAR))"
            for c in logged
        )
        written += self._numbered(
            watched,
            f"""{head}SELECT {common}, {row_key(table, "a")}, {_project(table, "a", columns)},
                   v.name, 'update', v.old, v.new
            FROM {snapshot} b JOIN {after} a ON {same_key}
            CROSS JOIN LATERAL (VALUES {pairs}) v(name, changed, old, new)
            WHERE v.changed""",
        )
        return written

    def _numbered(self, params: dict[str, Any], sql: str) -> int:
        """Run one INSERT of change rows, numbered after the last; returns how many."""
        written = self.cur.execute(sql, {**params, "log_number": self._number}).written()
        self._number += written
        return written


def next_import_id(cur: Cursor) -> int:
    """The number of the next import or revert, taken under the write lock: one refused or
    rolled back consumes none, on either engine (docs/rules.md "History"; a sequence would, on PostgreSQL)."""
    found = cur.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchall()
    return int(found[0][0])
