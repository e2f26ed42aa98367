"""The one write path (docs/rules.md "One write path"), beside the connection.

Every writer — import, revert, questionnaire, scenario, saved view, members, the demo — writes
through `writing` (or, for the demo's bulk rows and the tests, `transaction`): one transaction
under the write lock of the process and of the database; the change rows of the audit log; the
refresh of the derived tables that follow what changed (`coinvest.derived`); and an engine
error turned into a message in the user's language, with nothing written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from coinvest.audit import Audit, next_import_id
from coinvest.backend import Connection, Cursor, EngineError
from coinvest.derived import refresh
from coinvest.errors import CoinvestError


class WriteFailed(CoinvestError):
    """A write the engine refused, rolled back whole; `detail` is the engine's first line."""

    def __init__(self, detail: str) -> None:
        super().__init__("db.write_failed", detail=detail)
        self.detail = detail


# One writer at a time in a process (docs/rules.md "One write path"): the app's sessions share one
# connection, and two DuckDB transactions writing the same tables at once would fail with
# "Conflict on update". Across processes, DuckDB lets one process open the file; on PostgreSQL
# every write transaction also waits for the others (an advisory lock, `lock_writes`).
# Re-entrant, so that a thread holding it never deadlocks on itself.
WRITE_LOCK = threading.RLock()


@contextmanager
def transaction(con: Connection) -> Iterator[Cursor]:
    """A cursor inside BEGIN … COMMIT, holding the write lock of the process and of the
    database; any exception rolls everything back, and an engine error becomes `WriteFailed`,
    a message in the user's language."""
    with WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("BEGIN")
            try:
                cur.lock_writes()
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                with suppress(EngineError):  # the transaction is gone already (a lost server)
                    cur.execute("ROLLBACK")
                raise
        except EngineError as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise WriteFailed(detail) from exc
        finally:
            cur.close()


@contextmanager
def writing(con: Connection, who: str, source: str, numbered: bool = False) -> Iterator[Audit]:
    """The one write path: every writer — import, questionnaire, scenario, members, revert —
    runs inside it. It holds the write lock of the process and of the database, runs one
    transaction, logs what changed, refreshes the derived tables of every project whose rows
    changed (before and after the change), and turns an engine error into a message in the
    user's language (`WriteFailed`), with nothing written.

    The writer `watch`es each table before writing it, on `audit.cur`; `finish` runs when the
    block ends (a writer that must log before its last step may call it itself, once).
    `numbered`: an import or a revert, which gets the next import number (`audit.import_id`).
    """
    with transaction(con) as cur:
        number = next_import_id(cur) if numbered else None
        # the derived tables that follow what changed, for the projects the change rows name
        audit = Audit(cur, who, source, number, after=refresh)
        yield audit
        if audit.watches and not audit.finished:
            audit.finish()
