"""Import a workbook or CSV files (docs/import.md): read, validate everything, then write or nothing.

The Data page and `coinvest import` both call `import_files`. Every problem is reported with its
file, sheet, row, column, value and the rule broken; a file set with any error writes nothing;
a good one is written in one transaction as an idempotent upsert keyed by the user's own ids,
and the report counts the rows added, updated and unchanged per table.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from coinvest.audit import cli_author
from coinvest.db import Connection
from coinvest.importer.problems import (
    ImportReport,
    Problem,
    Progress,
    _quiet,
    max_import_bytes,
)
from coinvest.importer.read import read_files
from coinvest.importer.validate import validate
from coinvest.importer.write import _write, count_missing, dangling_references

__all__ = [
    "ImportReport",
    "Problem",
    "dangling_references",
    "deletion_preview",
    "import_files",
    "max_import_bytes",
    "read_files",
    "validate",
]


def import_files(
    con: Connection,
    files: list[tuple[str, bytes]],
    progress: Progress = _quiet,
    delete_missing: bool = False,
    who: str | None = None,
) -> ImportReport:
    """Validate a set of files and, when nothing is wrong, load them in one transaction.

    Rows of the database that the file's tables do not mention stay, counted in the report
    (`not_in_file`, ids in `missing`); with `delete_missing` — the explicit deletion step of
    docs/import.md "Rules" — they are deleted in the same transaction, unless a remaining row still
    refers to one of them, which refuses the whole import and names the rows.

    Every change is logged with the import's id (`report.import_id`) and `who` (the signed-in
    person; `cli:<os user>` by default), in the same transaction (docs/rules.md "History").
    """
    with _no_cycle_collection():
        return _import_files(con, files, progress, delete_missing, who)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while an import builds millions of cells, rows and
    records (none of them in a cycle: freed as they go all the same): with it, every few
    thousand allocations it walked every object alive, a quarter of reading a large workbook
    (docs/rules.md "Speed"). Set back as it was found, so imports running at once leave it on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_files(
    con: Connection,
    files: list[tuple[str, bytes]],
    progress: Progress,
    delete_missing: bool,
    who: str | None,
) -> ImportReport:
    report = ImportReport(files=[name for name, _ in files])
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    report.sha256 = digest.hexdigest()
    progress("reading", f"{len(files)} file(s), {sum(len(d) for _, d in files):,} bytes")
    tables, problems = read_files(files)
    report.problems.extend(problems)
    if report.errors or not tables:
        if not report.errors:
            report.problems.append(
                Problem(", ".join(report.files), "", None, None, None, "rule.nothing_to_import")
            )
        return report
    progress("validating", f"{sum(len(table.rows) for table in tables):,} rows")
    parsed = validate(con, tables, report.problems)
    if report.errors:
        return report
    for table in tables:  # the cells as read: the parsed records are what is written
        table.rows = []
    _write(con, parsed, report, progress, delete_missing, who or cli_author())
    report.loaded = not report.errors
    return report


def deletion_preview(con: Connection, files: list[tuple[str, bytes]]) -> dict[str, int] | None:
    """Per table, the rows an import with `delete_missing` would delete, counted without
    writing; None when the files would be refused anyway (the import then says why)."""
    tables, problems = read_files(files)
    if not tables or any(p.severity == "error" for p in problems):
        return None
    parsed = validate(con, tables, problems)
    if any(p.severity == "error" for p in problems):
        return None
    return count_missing(con, parsed)
