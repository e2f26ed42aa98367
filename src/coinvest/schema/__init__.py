"""The database schema (docs/data.md) and its forward migrations.

`MIGRATIONS` lists them, append only; `schema_version` records the ones a database has had.
`early` holds versions 1 to 6, `later` 7 to 11, `released` the frozen fills of the derived
tables they wrote. The schema knows the engines' types only (`coinvest.backend`): it never opens
a connection and never imports the derived tables' code, whose formulas may change.
"""

from __future__ import annotations

from collections.abc import Callable

from coinvest.backend import Connection, Cursor
from coinvest.schema.early import (
    MONEY,
    V1_BENEFICIARIES,
    V1_CODES,
    V1_SCORES,
    V4_ROLES,
    sql_in_list,
    v1_data,
    v1_statements,
    v2_statements,
    v3_statements,
    v4_statements,
    v5_statements,
    v6_statements,
)
from coinvest.schema.later import (
    v7_statements,
    v8_data,
    v8_statements,
    v9_data,
    v9_statements,
    v10_data,
    v10_statements,
    v11_data,
    v11_statements,
    v12_data,
    v12_statements,
    v13_data,
    v13_statements,
    v14_data,
    v14_statements,
    v15_data,
    v15_statements,
    v16_data,
    v16_statements,
    v17_data,
    v17_statements,
    v18_statements,
    v19_data,
    v19_statements,
    v20_data,
    v20_statements,
    v21_statements,
    v22_statements,
)

__all__ = [
    "BUMP_DATA_VERSION",
    "DATA_TABLES",
    "LATEST_VERSION",
    "MIGRATIONS",
    "MONEY",
    "V1_BENEFICIARIES",
    "V1_CODES",
    "V1_SCORES",
    "V4_ROLES",
    "current_version",
    "migrate",
    "sql_in_list",
    "user_table_count",
]

BUMP_DATA_VERSION = "UPDATE data_version SET version = version + 1"

# (version, statements, data step). Append only: a released migration never changes (version 6
# spelt DOUBLE as DOUBLE PRECISION in all of them, the same type in DuckDB, the one PostgreSQL
# knows).
MIGRATIONS: list[tuple[int, Callable[[], list[str]], Callable | None]] = [
    (1, v1_statements, v1_data),
    (2, v2_statements, None),
    (3, v3_statements, None),
    (4, v4_statements, None),
    (5, v5_statements, None),
    (6, v6_statements, None),
    (7, v7_statements, None),
    (8, v8_statements, v8_data),
    (9, v9_statements, v9_data),
    (10, v10_statements, v10_data),
    (11, v11_statements, v11_data),
    (12, v12_statements, v12_data),
    (13, v13_statements, v13_data),
    (14, v14_statements, v14_data),
    (15, v15_statements, v15_data),
    (16, v16_statements, v16_data),
    (17, v17_statements, v17_data),
    (18, v18_statements, None),
    (19, v19_statements, v19_data),
    (20, v20_statements, v20_data),
    (21, v21_statements, None),
    (22, v22_statements, None),
]
LATEST_VERSION = MIGRATIONS[-1][0]

# Tables that hold the user's portfolio, in an order that respects references.
DATA_TABLES = (
    "organisation",
    "project",
    "cohort",
    "cohort_member",
    "assessment",
    "assessment_answer",
    "investment",
    "contribution",
    "indicator",
    "measurement",
)


def current_version(cur: Cursor) -> int | None:
    """The schema version recorded in the database, or None when there is no such table."""
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'schema_version' AND table_schema = current_schema()"
    ).fetchall()[0][0]
    if not exists:
        return None
    return cur.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]


def user_table_count(cur: Cursor) -> int:
    return cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()[0][0]


def migrate(con: Connection) -> int:
    """Apply the migrations the database lacks, each in its own transaction."""
    cur = con.cursor()
    applied = False
    try:
        version = current_version(cur)
        if version is None:
            cur.execute("BEGIN")
            cur.execute(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
            )
            cur.execute("COMMIT")
            version = 0
        for number, statements, data in MIGRATIONS:
            if number <= version:
                continue
            cur.execute("BEGIN")
            try:
                for statement in statements():
                    cur.execute(statement)
                if data is not None:
                    data(cur)
                cur.execute("INSERT INTO schema_version (version) VALUES (?)", [number])
                cur.execute("COMMIT")
            except Exception:
                cur.execute("ROLLBACK")
                raise
            version = number
            applied = True
        if applied:
            con.checkpoint()  # DuckDB: the new schema in the file itself, not only in the log
        return version
    finally:
        cur.close()
