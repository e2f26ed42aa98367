"""The two database engines behind one small interface (docs/data.md "Two engines").

Every function of the package takes a `Connection` and runs each query on its own `Cursor`:
`execute(sql, params).fetchall()`, `arrow(sql, params)` for a result as an Arrow table,
`register(name, table)` to read an Arrow table from SQL (bulk load: a view on DuckDB, a temporary
table filled with `COPY` on PostgreSQL), `lock_writes()` to serialise writers. The SQL is the one
both engines share; values are bound parameters written `$name` (or `?`), which the PostgreSQL
side turns into its own placeholders. Engine errors become `EngineError` here, at the boundary.

- DuckDB (a file path): one connection per process; a cursor is a connection of its own
  sharing the database, since a DuckDB connection refuses concurrent calls from threads.
- PostgreSQL (a `postgresql://` URL): a pool of connections (psycopg 3); a cursor borrows one
  for its lifetime, in autocommit mode so that `BEGIN` … `COMMIT` are plain statements.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from coinvest.errors import CoinvestError

Params = Sequence[Any] | Mapping[str, Any] | None

# Extensions are never downloaded; the ones built into the wheel (core_functions, json, parquet,
# icu) load on demand, which replaying a write-ahead log after a crash needs (`trim` in a CHECK).
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}
# The keys of PostgreSQL's advisory locks: one for migrations, one for every write transaction.
MIGRATION_LOCK = 0x636F696E  # "coin"
WRITE_LOCK_KEY = 0x636F696E + 1
POOL_SIZE = 8  # connections per app process (Streamlit runs each session in a thread)
C_COLLATIONS = ("C", "POSIX", "C.UTF-8", "C.utf8")


class EngineError(Exception):
    """An error of the database engine (a constraint, a lock, a lost server…), with its first
    line as the message."""

    def __init__(self, message: str, constraint: bool = False) -> None:
        super().__init__(message)
        self.constraint = constraint


def is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """A PostgreSQL URL without its password, for messages and logs."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", url)


class Cursor(ABC):
    """One query, or one transaction, at a time."""

    engine: ClassVar[str]  # "duckdb" or "postgres", for the few statements only one engine has

    @abstractmethod
    def execute(self, sql: str, params: Params = None) -> Cursor: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def fetchall(self) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def written(self) -> int:
        """The rows the INSERT, UPDATE or DELETE just executed wrote."""

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    @abstractmethod
    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        """The result of a query as an Arrow table (exact decimals as Arrow decimals on DuckDB,
        floats on PostgreSQL: `db.query` makes both floats)."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable as `name` until `unregister` or the cursor closes."""

    @abstractmethod
    def unregister(self, name: str) -> None: ...

    def lock_writes(self) -> None:  # noqa: B027 (DuckDB: one writer per file already)
        """Inside a transaction: wait for other writers (of every process) to finish."""

    def keyed(self) -> None:  # noqa: B027 (DuckDB plans each query from its own statistics)
        """The next queries read a few rows through keys (one project's sheet): PostgreSQL may
        then join row by row through its indexes, which the whole-portfolio queries may not."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Connection(ABC):
    """The database of one coinvest instance."""

    engine: ClassVar[str]
    read_only: bool
    target: str  # the file, or the URL without its password

    @abstractmethod
    def cursor(self) -> Cursor: ...

    @abstractmethod
    def execute(self, sql: str, params: Params = None) -> Cursor:
        """A statement on the connection's own cursor (scripts and tests)."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def checkpoint(self) -> None:
        """After a bulk write: DuckDB writes its log into the file itself; PostgreSQL refreshes
        the planner's statistics."""

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        """Held while the schema is brought up to date (several instances may start at once)."""
        yield


# --- DuckDB -------------------------------------------------------------------------------


def _duck_error(exc: duckdb.Error) -> EngineError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return EngineError(text, constraint=isinstance(exc, duckdb.ConstraintException))


class DuckCursor(Cursor):
    engine = "duckdb"

    def __init__(self, raw: duckdb.DuckDBPyConnection, own: bool = True) -> None:
        self._raw = raw
        self._own = own

    def execute(self, sql: str, params: Params = None) -> DuckCursor:
        try:
            self._raw.execute(sql, params)
        except duckdb.Error as exc:
            raise _duck_error(exc) from exc
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._raw.executemany(sql, list(rows))
        except duckdb.Error as exc:
            raise _duck_error(exc) from exc

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._raw.fetchall()

    def written(self) -> int:
        return int(self._raw.fetchall()[0][0])  # DuckDB answers a write with its count

    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        try:
            relation = self._raw.sql(sql, params=params or None)
            if relation is None:
                raise EngineError("not a query")
            return relation.to_arrow_table()
        except duckdb.Error as exc:
            raise _duck_error(exc) from exc

    def register(self, name: str, table: pa.Table) -> None:
        self._raw.register(name, table)

    def unregister(self, name: str) -> None:
        self._raw.unregister(name)

    def close(self) -> None:
        if self._own:
            self._raw.close()


class DuckConnection(Connection):
    engine = "duckdb"

    def __init__(self, raw: duckdb.DuckDBPyConnection, target: str, read_only: bool) -> None:
        self.raw = raw
        self.target = target
        self.read_only = read_only
        self._default = DuckCursor(raw, own=False)

    def cursor(self) -> DuckCursor:
        return DuckCursor(self.raw.cursor())

    def execute(self, sql: str, params: Params = None) -> Cursor:
        return self._default.execute(sql, params)

    def close(self) -> None:
        self.raw.close()

    def checkpoint(self) -> None:
        self.raw.execute("CHECKPOINT")


# --- PostgreSQL ---------------------------------------------------------------------------

# The tokens of a statement that matter to placeholders: string literals, quoted names and comments
# keep their `$` and `?` (only their `%` is doubled).
_TOKEN = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$([A-Za-z_][A-Za-z0-9_]*)|\?|%",
)


_SWAPS = {"?": "%s", "%": "%%"}


@functools.lru_cache(maxsize=4096)
def pg_placeholders(sql: str) -> str:
    """`$name` → `%(name)s`, `?` → `%s`, and every `%` → `%%` (psycopg's parameter style; it
    reads `%` inside string literals too). Literals and comments keep their `$` and `?`."""

    def swap(m: re.Match[str]) -> str:
        if m.group(1):
            return f"%({m.group(1)})s"
        token = m.group(0)  # a literal or a comment keeps its `$` and `?`, never a bare `%`
        return _SWAPS.get(token, token.replace("%", "%%"))

    return _TOKEN.sub(swap, sql)


# PostgreSQL type ids → Arrow types for query results (others come back as text).
_PG_ARROW: dict[int, pa.DataType] = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),  # numeric: exact in SQL, one rounding to the nearest float here
    25: pa.string(),
    1043: pa.string(),
    1042: pa.string(),
    19: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}
# Arrow types → PostgreSQL column types, for registered tables.
_ARROW_PG = (
    (pa.types.is_boolean, lambda t: "BOOLEAN"),
    (pa.types.is_int16, lambda t: "SMALLINT"),
    (pa.types.is_int8, lambda t: "SMALLINT"),
    (pa.types.is_int32, lambda t: "INTEGER"),
    (pa.types.is_integer, lambda t: "BIGINT"),
    (pa.types.is_floating, lambda t: "DOUBLE PRECISION"),
    (pa.types.is_decimal, lambda t: f"DECIMAL({t.precision}, {t.scale})"),
    (pa.types.is_date, lambda t: "DATE"),
    (pa.types.is_timestamp, lambda t: "TIMESTAMP"),
    (pa.types.is_string, lambda t: "VARCHAR"),
    (pa.types.is_large_string, lambda t: "VARCHAR"),
    (pa.types.is_dictionary, lambda t: _pg_type(t.value_type)),  # as its values (COPY decodes)
)
_TEMP = re.compile(r"\bTEMP(ORARY)?\s+TABLE\b", re.IGNORECASE)


def _pg_type(arrow_type: pa.DataType) -> str:
    for test, name in _ARROW_PG:
        if test(arrow_type):
            return name(arrow_type)
    raise TypeError(f"no PostgreSQL type for {arrow_type}")


def _cell(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _pg_error(exc: Exception) -> EngineError:
    import psycopg

    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return EngineError(text, constraint=isinstance(exc, psycopg.errors.IntegrityError))


class PgCursor(Cursor):
    engine = "postgres"

    def __init__(self, connection: PgConnection) -> None:
        self._owner = connection
        conn = connection.pool.getconn()
        self._conn: Any = conn  # None once given back to the pool
        self._cur = conn.cursor()
        self._temporary = False  # temporary tables to drop when the connection goes back
        self._keyed = False  # nested loops allowed until the connection goes back

    def execute(self, sql: str, params: Params = None) -> PgCursor:
        import psycopg

        if _TEMP.search(sql):
            self._temporary = True
        try:
            if params is None or (not isinstance(params, Mapping) and not len(params)):
                self._cur.execute(sql)  # without parameters psycopg leaves `%` alone
            else:
                self._cur.execute(pg_placeholders(sql), params)
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        import psycopg

        try:
            self._cur.executemany(pg_placeholders(sql), list(rows))
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._cur.fetchall())

    def written(self) -> int:
        return int(self._cur.rowcount)

    def arrow(self, sql: str, params: Params = None) -> pa.Table:
        self.execute(sql, params)
        description = self._cur.description
        if description is None:
            raise EngineError("not a query")
        rows = self._cur.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in description]
        arrays = []
        for column, values in zip(description, columns, strict=True):
            arrow_type = _PG_ARROW.get(column.type_code, pa.string())
            if column.type_code == 1700:
                values = tuple(_cell(v) for v in values)
            elif arrow_type == pa.string():
                values = tuple(v if v is None or isinstance(v, str) else str(v) for v in values)
            arrays.append(pa.array(values, type=arrow_type))
        return pa.Table.from_arrays(arrays, names=[c.name for c in description])

    def register(self, name: str, table: pa.Table) -> None:
        """A temporary table filled with COPY (text CSV: exact decimals, dates, NULLs)."""
        import psycopg
        import pyarrow.csv as pa_csv

        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):  # names come from the code only
            raise ValueError(name)
        columns = ", ".join(f"{f.name} {_pg_type(f.type)}" for f in table.schema)
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TEMP TABLE {name} ({columns})")
        buffer = io.BytesIO()
        pa_csv.write_csv(
            table,
            buffer,
            pa_csv.WriteOptions(include_header=False, quoting_style="all_valid"),
        )
        try:
            with self._cur.copy(f"COPY {name} FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
        except psycopg.Error as exc:
            raise _pg_error(exc) from exc

    def unregister(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")

    def lock_writes(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock($key)", {"key": WRITE_LOCK_KEY})

    def keyed(self) -> None:
        # one project's rows through the keys: 1 ms instead of 1 s for its assessments at L,
        # where a hash join reads all 13.7 million answers
        if not self._keyed:
            self.execute("SET enable_nestloop = on")
            self._keyed = True

    def close(self) -> None:
        if self._conn is None:
            return
        import psycopg

        conn, self._conn = self._conn, None
        try:
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                conn.rollback()
            if self._temporary:
                conn.execute("DISCARD TEMP")
            if self._keyed:
                conn.execute("RESET enable_nestloop")  # back to the connection's own setting
        except psycopg.Error:
            conn.close()  # the pool replaces a broken connection
        self._owner.pool.putconn(conn)


class PgConnection(Connection):
    engine = "postgres"

    def __init__(self, url: str, read_only: bool, pool_size: int = POOL_SIZE) -> None:
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout

        self.target = redact(url)
        self.read_only = read_only
        # Every query here is analytic over CTEs, whose row counts PostgreSQL cannot estimate
        # (a filtered CTE scan counts as one row): a nested loop over two of them is quadratic
        # (viewpoint_pair took 169 s at 10,000 projects, 0.12 s with hash joins only); queries of
        # a few projects allow them again (`Cursor.keyed`). The same estimates make PostgreSQL
        # compile those queries to machine code (JIT), ~0.5 s each at L for a run of 1–2 s.
        options = "-c TimeZone=UTC -c client_encoding=UTF8 -c enable_nestloop=off -c jit=off"
        if read_only:  # every transaction read-only: the server refuses writes
            options += " -c default_transaction_read_only=on"
        try:  # one connection first: a wrong URL or a server down is one clear line at once
            psycopg.connect(url, connect_timeout=10, options=options).close()
        except psycopg.Error as exc:
            raise EngineError(redact(str(exc).strip().splitlines()[0])) from exc
        self.pool = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True, "options": options},
            open=False,
            timeout=30,
        )
        try:
            self.pool.open(wait=True, timeout=15)
        except PoolTimeout as exc:
            self.pool.close()
            raise EngineError(str(exc)) from exc
        self._lock = threading.Lock()
        self._default: PgCursor | None = None
        try:
            self._check_locale()
        except BaseException:
            self.close()
            raise

    def _check_locale(self) -> None:
        """Sorting and accent folding must match DuckDB's: a UTF-8 database that sorts text
        by code point (collation C or C.UTF-8)."""
        with self.cursor() as cur:
            encoding, collate, ctype = cur.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchall()[0]
        utf8 = ctype.replace("-", "").lower().endswith(".utf8")
        if encoding != "UTF8" or collate not in C_COLLATIONS or not utf8:
            raise CoinvestError(
                "db.pg_locale", path=self.target, encoding=encoding, collate=collate, ctype=ctype
            )

    def cursor(self) -> PgCursor:
        return PgCursor(self)

    def execute(self, sql: str, params: Params = None) -> Cursor:
        with self._lock:
            if self._default is None:
                self._default = PgCursor(self)
        return self._default.execute(sql, params)

    def close(self) -> None:
        if self._default is not None:
            self._default.close()
            self._default = None
        self.pool.close()

    def checkpoint(self) -> None:
        if not self.read_only:
            with self.cursor() as cur:
                cur.execute("ANALYZE")

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        with self.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock($key)", {"key": MIGRATION_LOCK})
            try:
                yield
            finally:
                cur.execute("SELECT pg_advisory_unlock($key)", {"key": MIGRATION_LOCK})
