"""Time every metric query of the metric layer at the M and L scale tiers (docs/rules.md "Quality bar").

    python bench/bench_metrics.py                 # M (10,000 projects) and L (100,000)
    python bench/bench_metrics.py --tiers M --runs 3

The tier databases are demo portfolios (seed 42) written once into bench/.data/ (git-ignored)
and reused. Each query runs once to warm up, then --runs times; the table gives the median and
the maximum in milliseconds, for the whole portfolio and for one investor's portfolio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from coinvest import metrics
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter

TIERS = {"S": 300, "M": 10_000, "L": 100_000, "XL": 1_000_000}
DATA = Path(__file__).resolve().parent / ".data"

QUERIES = {
    "portfolio_kpis": metrics.portfolio_kpis,
    "projects_by_department": metrics.projects_by_department,
    "projects_by(need)": lambda con, f: metrics.projects_by(con, f, "need"),
    "lever_scores(latest)": metrics.lever_scores,
    "maturity": metrics.maturity,
    "consolidated_levers": metrics.consolidated_levers,
    "viewpoint_gaps": metrics.viewpoint_gaps,
    "blind_spots": metrics.blind_spots,
    "progress": metrics.progress,
    "achievements": metrics.achievements,
    "utility": metrics.utility,
    "cost_per_beneficiary": metrics.cost_per_beneficiary,
    "leverage": metrics.leverage,
    "resource_mix": metrics.resource_mix,
    "partner_diversity": metrics.partner_diversity,
    "co_investment": metrics.co_investment,
    "cohort_figures": metrics.cohort_figures,
    "cohort_progress": metrics.cohort_progress,
    "cohort_phases": metrics.cohort_phases,
    "project_summary": metrics.project_summary,
    "lever_medians": metrics.lever_medians,
    "investor_benchmark": metrics.investor_benchmark,
    "viewpoint_pair": lambda con, f: metrics.viewpoint_pair(
        con, f, "project", "investment", "ecosystem"
    ),
    "needs_overview": metrics.needs_overview,
    "needs_by_question": metrics.needs_by_question,
    "did_it_help": metrics.did_it_help,
    "project_needs (export)": metrics.project_needs,
    "territory_support": metrics.territory_support,
    "territory_bodies": metrics.territory_bodies,
}
FILTERS = {
    "all": PortfolioFilter(scope=None),
    "investor": PortfolioFilter.create(investor="INV02", scope=None),
}


def tier_database(tier: str) -> Path:
    """The tier's demo database, written once by `coinvest demo` (seed 42) with its time and
    peak memory recorded next to it (`<tier>.demo.json`); an older file is migrated, one
    without a record (an older generator) written again."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{tier}.duckdb"
    if path.exists() and demo_record(tier):
        open_database(path).close()  # brought up to the latest schema, if it is older
        return path
    for old in DATA.glob(f"{tier}.duckdb*"):
        old.unlink()
    print(f"  tier {tier}: coinvest demo --projects {TIERS[tier]:,}", file=sys.stderr)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coinvest",
            "demo",
            "--db",
            str(path),
            "--projects",
            str(TIERS[tier]),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"coinvest demo failed for {tier}: {errors[-2000:]}")
    record = {"projects": TIERS[tier], "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}
    (DATA / f"{tier}.demo.json").write_text(json.dumps(record), encoding="utf-8")
    return path


def demo_record(tier: str) -> dict | None:
    """How long the tier's demo took to write and its peak memory, if it was measured."""
    found = DATA / f"{tier}.demo.json"
    return json.loads(found.read_text(encoding="utf-8")) if found.exists() else None


def time_query(fn, con, flt, runs: int) -> tuple[float, float]:
    fn(con, flt)  # warm-up: file pages in the buffer pool
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn(con, flt)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="M,L")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    tiers = [t.strip().upper() for t in args.tiers.split(",") if t.strip()]
    results: dict[tuple[str, str, str], tuple[float, float]] = {}
    for tier in tiers:
        con = open_database(tier_database(tier), read_only=True)
        for fname, flt in FILTERS.items():
            for qname, fn in QUERIES.items():
                results[(tier, fname, qname)] = time_query(fn, con, flt, args.runs)
                print(
                    f"  {tier} {fname:<8} {qname:<24} {results[(tier, fname, qname)][0]:8.1f} ms",
                    file=sys.stderr,
                )
        con.close()
    print(
        f"\nMachine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}; median / max of {args.runs} warm runs, in ms.\n"
    )
    header = "| query | " + " | ".join(f"{t} {f}" for t in tiers for f in FILTERS) + " |"
    print(header)
    print("|" + "---|" * (1 + len(tiers) * len(FILTERS)))
    for qname in QUERIES:
        cells = ["{:.0f} / {:.0f}".format(*results[(t, f, qname)]) for t in tiers for f in FILTERS]
        print(f"| {qname} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
