"""Helpers of the demo generator: random draws, ids, the writer and the state the sections share."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa

from coinvest.db import Cursor

Progress = Callable[[str], None]


def stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def gumbel_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One draw per row of a (rows × options) weight matrix, vectorised (Gumbel-max)."""
    with np.errstate(divide="ignore"):
        logits = np.log(weights)
    return np.argmax(logits + rng.gumbel(size=weights.shape), axis=1)


def draw_dates(rng: np.random.Generator, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """A uniform date between start and end (datetime64[D] arrays), inclusive."""
    span = (end - start).astype(np.int64)
    offset = np.floor(rng.random(len(start)) * (np.maximum(span, 0) + 1)).astype(np.int64)
    return start + offset.astype("timedelta64[D]")


def make_ids(prefix: str, n: int, width: int, first: int = 1) -> np.ndarray:
    """Ids numbered from `first`, zero-padded to `width` digits or more: they sort as numbered."""
    width = max(width, len(str(first + n - 1)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(first, first + n)], dtype=object)


class Writer:
    """Inserts frames in bulk through one cursor and reports each stage."""

    def __init__(self, cur: Cursor, progress: Progress) -> None:
        self.cur = cur
        self.progress = progress
        self.counts: dict[str, int] = {}
        self.started = time.perf_counter()
        self.committed = False

    def commit(self) -> None:
        """Commit what is written so far and go on in a new transaction (a large demo's blocks:
        DuckDB holds a transaction's rows in memory until it commits)."""
        self.cur.execute("COMMIT")
        self.cur.execute("BEGIN")
        self.cur.lock_writes()
        self.committed = True

    def insert(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        arrow = (
            frame
            if isinstance(frame, pa.Table)
            else pa.Table.from_pandas(frame, preserve_index=False)
        )
        self.cur.register("demo_src", arrow)
        columns = ", ".join(arrow.column_names)  # the generator's own fixed column names
        self.cur.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM demo_src")
        self.cur.unregister("demo_src")
        self.report(table, arrow.num_rows)

    def report(self, table: str, rows: int) -> None:
        self.counts[table] = self.counts.get(table, 0) + rows
        elapsed = time.perf_counter() - self.started
        self.progress(f"  {table:<20} {rows:>12,} rows   {elapsed:7.1f} s")


class State(SimpleNamespace):
    """What one section of the demo hands on to the next ones."""
