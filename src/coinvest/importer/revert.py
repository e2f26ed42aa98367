"""Undo an import (docs/rules.md "Undo"): every row it added, changed or removed put back as it
was, through the one write path; refused, naming the rows, when a later change touched one of
them. A revert is an import of its own, which can be reverted in turn."""

from __future__ import annotations

import json
from dataclasses import dataclass

from coinvest.audit import ORDER, SEPARATOR, TABLE_KEYS, Audit, row_key, table_columns
from coinvest.backend import Connection, Cursor
from coinvest.errors import CoinvestError
from coinvest.importer.write import dangling_references
from coinvest.writing import writing


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
        columns = table_columns(cur, table)
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
        for name, kind in table_columns(cur, table):
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
