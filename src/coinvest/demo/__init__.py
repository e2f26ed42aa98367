"""The deterministic demo portfolio (`coinvest demo`).

A realistic, fictitious portfolio: projects spread over the real departments (more around big
cities, some in priority urban districts or rural revitalisation areas), 4 public and 8 private
investors, 3 support bodies running cohorts over three years, 1–3 assessment rounds per project
and viewpoint (self-assessments on average optimistic, viewpoints disagreeing on some levers,
most projects improving between rounds), investments of every instrument, contributions from
partners of every kind and yearly indicator values with targets.

Everything is drawn from one seeded NumPy generator and written in bulk (Arrow tables inserted
by SQL, never row by row): the same seed gives the same database. A portfolio of more than one
block of assessments (coinvest.demo.follow_up.ASSESSMENT_BLOCK projects) commits block by block,
so that memory stays flat; if anything fails, the rows already committed are deleted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from coinvest.demo.draws import (
    Progress,
    State,
    Writer,
    stderr,
)
from coinvest.demo.flows import (
    add_contributions,
    add_investments,
)
from coinvest.demo.follow_up import (
    add_assessments,
    add_cohorts,
    add_measurements,
)
from coinvest.demo.population import (
    add_geography,
    add_partners,
    add_projects,
)
from coinvest.derived import DERIVED_TABLES
from coinvest.errors import CoinvestError
from coinvest.reference import BENEFICIARIES
from coinvest.schema import BUMP_DATA_VERSION, DATA_TABLES
from coinvest.writing import transaction


def generate(
    con, n_projects: int = 300, seed: int = 42, progress: Progress = stderr
) -> dict[str, int]:
    """Write the demo portfolio into an empty coinvest database; returns rows per table."""
    if n_projects < 1:
        raise ValueError("n_projects must be positive")
    cur = con.cursor()
    try:
        if cur.execute("SELECT count(*) FROM organisation").fetchall()[0][0]:
            raise CoinvestError("demo.not_empty")
    finally:
        cur.close()
    rng = np.random.default_rng(seed)
    progress(f"coinvest demo: {n_projects:,} projects, seed {seed}")
    writers: list[Writer] = []
    try:
        with _bounded_memory(con), transaction(con) as tx:
            writers.append(Writer(tx, progress))
            _build(rng, n_projects, writers[0])
            tx.execute(BUMP_DATA_VERSION)
    except BaseException:
        if writers and writers[0].committed:
            # a large demo commits block by block: none of it stays (if the database still
            # answers; the first error is the one to report)
            with contextlib.suppress(Exception):
                _wipe(con)
        raise
    return writers[0].counts


def _wipe(con) -> None:
    """Every row a failed demo had committed: the database is empty again."""
    with transaction(con) as cur:
        for table in (*DERIVED_TABLES, *reversed(DATA_TABLES)):
            if table == "indicator":  # the built-in indicator was there before the demo
                cur.execute(
                    "DELETE FROM indicator WHERE indicator_code <> $b", {"b": BENEFICIARIES}
                )
            else:
                cur.execute(f"DELETE FROM {table}")  # fixed table names


# DuckDB's own memory while it loads a national demo (it spills to disk beyond it): with the
# generator's blocks, the process stays under 4 GB at 1,000,000 projects.
DEMO_MEMORY_LIMIT = "2GB"


@contextlib.contextmanager
def _bounded_memory(con) -> Iterator[None]:
    if con.engine != "duckdb":
        yield
        return
    cur = con.cursor()
    try:
        before = cur.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        cur.execute(f"SET memory_limit = '{DEMO_MEMORY_LIMIT}'")  # a constant of this module
        try:
            yield
        finally:
            cur.execute("SET memory_limit = $limit", {"limit": before})
    finally:
        cur.close()


def _build(rng: np.random.Generator, n: int, w: Writer) -> None:
    """The demo portfolio, section by section; the draws happen in the same order whatever the
    layout of the code, so the same seed always gives the same database."""
    s = State()
    for section in (
        add_geography,
        add_projects,
        add_partners,
        add_investments,
        add_contributions,
        add_cohorts,
        add_assessments,
        add_measurements,
    ):
        section(rng, n, w, s)
