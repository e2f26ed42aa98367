"""Opening the database: target rules, safety checks, migrations, a cursor per query.

`--db` / COINVEST_DB holding a path opens a DuckDB file (the default); a `postgresql://` URL
opens a PostgreSQL database through a connection pool (docs/data.md "Two engines"). The engines differ only in
`coinvest.backend`. One connection per process (the app caches it); every query runs on its own
cursor. Extensions are never downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from coinvest import settings
from coinvest.backend import (
    DUCKDB_CONFIG,
    Connection,
    Cursor,
    DuckConnection,
    EngineError,
    PgConnection,
    is_url,
    redact,
)
from coinvest.errors import CoinvestError
from coinvest.schema import LATEST_VERSION, current_version, migrate, user_table_count

__all__ = [
    "Connection",
    "Cursor",
    "EngineError",
    "data_version",
    "describe",
    "open_database",
    "query",
    "resolve_db",
]

ENV_DB = "COINVEST_DB"
_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB database file


def resolve_db(cli_value: str | os.PathLike | None = None) -> str:
    """`--db`, else the COINVEST_DB environment variable, else data/coinvest.duckdb: a file
    path, or a `postgresql://` URL."""
    if cli_value:
        return str(cli_value)
    return str(settings.get(ENV_DB))


def describe(target: str) -> str:
    """The database as messages name it (a URL without its password)."""
    return redact(target) if is_url(target) else target


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise CoinvestError("db.is_directory", path=path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CoinvestError("db.folder_missing", folder=folder)
    if path.exists():
        with open(path, "rb") as f:
            head = f.read(12)
        if head[8:12] != _MAGIC:
            raise CoinvestError("db.not_duckdb", path=path)


def _connect(target: str, read_only: bool) -> Connection:
    if is_url(target):
        try:
            return PgConnection(target, read_only=read_only)
        except EngineError as exc:
            raise CoinvestError("db.cannot_open", path=redact(target), detail=str(exc)) from exc
    path = Path(target)
    _check_path(path)
    if read_only and not path.exists():
        raise CoinvestError("db.read_only_missing", path=path)
    try:
        raw = duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise CoinvestError("db.locked", path=path) from exc
        raise CoinvestError("db.cannot_open", path=path, detail=text.splitlines()[0]) from exc
    except duckdb.Error as exc:
        raise CoinvestError("db.cannot_open", path=path, detail=str(exc).splitlines()[0]) from exc
    return DuckConnection(raw, str(path), read_only)


def open_database(
    target: str | os.PathLike | None = None,
    read_only: bool = False,
    memory_limit: str | None = None,
) -> Connection:
    """Open (or create) a coinvest database and bring its schema up to date.

    Raises CoinvestError, having changed nothing, for a missing folder, a file of another
    program, a database locked by another process, a server that cannot be reached or a schema
    newer than this code. (Opening a DuckDB file and closing it without a write leaves its bytes
    as they were.) Several instances may open one PostgreSQL database at once: the migrations
    run under an advisory lock, by the first one. `memory_limit` (DuckDB: "1GB", "512MB")
    bounds the connection's buffers; a value DuckDB does not read is refused with a message.
    """
    target = resolve_db(target)
    con = _connect(target, read_only=read_only)
    name = describe(target)
    try:
        with con.migration_lock():
            cur = con.cursor()
            try:
                version = current_version(cur)
                if version is None and user_table_count(cur) > 0:
                    raise CoinvestError("db.not_coinvest", path=name)
            finally:
                cur.close()
            if version is not None and version > LATEST_VERSION:
                raise CoinvestError(
                    "db.newer_schema", path=name, found=version, known=LATEST_VERSION
                )
            if read_only:
                if version != LATEST_VERSION:
                    raise CoinvestError("db.needs_migration", path=name)
            else:
                migrate(con)
        if memory_limit and con.engine == "duckdb":
            try:
                con.execute("SET memory_limit = $limit", {"limit": memory_limit})
            except EngineError as exc:
                raise CoinvestError("db.memory_limit", value=memory_limit) from exc
    except EngineError as exc:
        con.close()
        raise CoinvestError("db.cannot_open", path=name, detail=str(exc)) from exc
    except BaseException:
        con.close()
        raise
    return con


def query(
    con: Connection, sql: str, params: Sequence | dict | None = None, keyed: bool = False
) -> pd.DataFrame:
    """Run one read query on its own cursor; values always as bound parameters. `keyed`: the
    query reads a few projects' rows through their keys (`Cursor.keyed`)."""
    cur = con.cursor()
    try:
        if keyed:
            cur.keyed()
        table = cur.arrow(sql, params or None)
    finally:
        cur.close()
    return floats_for_decimals(table).to_pandas()


def data_version(con: Connection) -> int:
    """A number every write raises (docs/data.md "Two engines"): the app's caches are keyed by it, so an
    import in one instance shows in the others at their next rerun."""
    cur = con.cursor()
    try:
        return int(cur.execute("SELECT version FROM data_version").fetchall()[0][0])
    finally:
        cur.close()


def floats_for_decimals(table: pa.Table) -> pa.Table:
    """Exact decimals (euros, exact sums) as floats for pandas and charts.

    The SQL adds them exactly; each result is then rounded once to the nearest float, so the
    same database always gives the same figures, whatever the order rows were read in. The
    decimal goes through its text, whose parse is correctly rounded: Arrow's cast of a decimal
    to float64 is not (165000.30 became 165000.30000000002 on DuckDB and 165000.3 on
    PostgreSQL, docs/figures.md "Settled points").
    """
    for index, column in enumerate(table.schema):
        if pa.types.is_decimal(column.type):
            text = pc.cast(table.column(index), pa.string())
            table = table.set_column(index, column.name, pc.cast(text, pa.float64()))
    return table
