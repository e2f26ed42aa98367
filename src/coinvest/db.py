"""Opening the database: path rules, safety checks, migrations, a cursor per query.

One connection per process (the app caches it); every query runs on its own cursor, since a
DuckDB connection refuses concurrent calls from threads. Extensions are never downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from coinvest.errors import CoinvestError
from coinvest.schema import LATEST_VERSION, current_version, migrate, user_table_count

# The connection every function of the package takes, and the cursor each query runs on (DuckDB's
# cursor is a connection of its own, sharing the database).
Connection = duckdb.DuckDBPyConnection
Cursor = duckdb.DuckDBPyConnection

DEFAULT_DB = Path("data") / "coinvest.duckdb"
ENV_DB = "COINVEST_DB"
# Extensions are never downloaded; the ones built into the wheel (core_functions, json, parquet,
# icu) load on demand, which replaying a write-ahead log after a crash needs (`trim` in a CHECK).
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}
_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB database file


def resolve_db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """`--db`, else the COINVEST_DB environment variable, else data/coinvest.duckdb."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else DEFAULT_DB


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


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise CoinvestError("db.locked", path=path) from exc
        raise CoinvestError("db.cannot_open", path=path, detail=text.splitlines()[0]) from exc
    except duckdb.Error as exc:
        raise CoinvestError("db.cannot_open", path=path, detail=str(exc).splitlines()[0]) from exc


def open_database(
    path: str | os.PathLike | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (or create) a coinvest database and bring its schema up to date.

    Raises CoinvestError, having changed nothing, for a missing folder, a file of another
    program, a database locked by another process or a schema newer than this code. (Opening
    a DuckDB file and closing it without a write leaves its bytes as they were.)
    """
    path = resolve_db_path(path)
    _check_path(path)
    if read_only and not path.exists():
        raise CoinvestError("db.read_only_missing", path=path)
    con = _connect(path, read_only=read_only)
    try:
        cur = con.cursor()
        version = current_version(cur)
        if version is None and user_table_count(cur) > 0:
            raise CoinvestError("db.not_coinvest", path=path)
        if version is not None and version > LATEST_VERSION:
            raise CoinvestError("db.newer_schema", path=path, found=version, known=LATEST_VERSION)
        cur.close()
        if read_only:
            if version != LATEST_VERSION:
                raise CoinvestError("db.needs_migration", path=path)
        else:
            migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | dict | None = None
) -> pd.DataFrame:
    """Run one read query on its own cursor; values always as bound parameters."""
    cur = con.cursor()
    try:
        table = cur.sql(sql, params=params or None).to_arrow_table()
    finally:
        cur.close()
    return floats_for_decimals(table).to_pandas()


def floats_for_decimals(table: pa.Table) -> pa.Table:
    """Exact decimals (euros, exact sums) as floats for pandas and charts.

    The SQL adds them exactly; each result is then rounded once to the nearest float, so the
    same database always gives the same figures, whatever the order rows were read in.
    """
    for index, column in enumerate(table.schema):
        if pa.types.is_decimal(column.type):
            table = table.set_column(index, column.name, pc.cast(table.column(index), pa.float64()))
    return table


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor inside BEGIN … COMMIT; any exception rolls everything back."""
    cur = con.cursor()
    cur.execute("BEGIN")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        cur.close()
        raise
    cur.execute("COMMIT")
    cur.close()
