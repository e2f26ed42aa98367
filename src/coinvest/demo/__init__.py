"""The deterministic demo portfolio (`coinvest demo`).

A realistic, fictitious portfolio: projects spread over the real departments (more around big
cities, some in priority urban districts or rural revitalisation areas), 4 public and 8 private
investors, 3 support bodies running cohorts over three years, 1–3 assessment rounds per project
and viewpoint (self-assessments on average optimistic, viewpoints disagreeing on some levers,
most projects improving between rounds), investments of every instrument, contributions from
partners of every kind and yearly indicator values with targets.

Everything is drawn from one seeded NumPy generator and written in bulk (Arrow tables inserted
by SQL, never row by row) in a single transaction: the same seed gives the same database.
"""

from __future__ import annotations

import numpy as np

from coinvest.db import transaction
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
from coinvest.errors import CoinvestError
from coinvest.schema import BUMP_DATA_VERSION


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
    with transaction(con) as tx:
        writer = Writer(tx, progress)
        _build(rng, n_projects, writer)
        tx.execute(BUMP_DATA_VERSION)
    return writer.counts


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
