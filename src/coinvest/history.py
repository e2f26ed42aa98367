"""Reading the history (docs/rules.md "History"): the change rows and the imports, newest
first. The audit log that writes them is `coinvest.audit`; undo is the importer's
(`coinvest.importer.revert`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from coinvest.db import Connection, query
from coinvest.schema import DATA_TABLES

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
