"""Time every metric query of the metric layer at the M and L scale tiers (DESIGN §8).

    python bench/bench_metrics.py                 # M (10,000 projects) and L (100,000)
    python bench/bench_metrics.py --tiers M --runs 3

The tier databases are demo portfolios (seed 42) written once into bench/.data/ (git-ignored)
and reused. Each query runs once to warm up, then --runs times; the table gives the median and
the maximum in milliseconds, for the whole portfolio and for one investor's portfolio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import duckdb

from coinvest import metrics
from coinvest.db import open_database
from coinvest.demo import generate
from coinvest.filters import PortfolioFilter

TIERS = {"S": 300, "M": 10_000, "L": 100_000}
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
}
FILTERS = {"all": PortfolioFilter(), "investor": PortfolioFilter.create(investor="INV02")}


def tier_database(tier: str) -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{tier}.duckdb"
    if path.exists():
        open_database(path).close()  # brought up to the latest schema, if it is older
    else:
        con = open_database(path)
        generate(con, n_projects=TIERS[tier], seed=42)
        con.checkpoint()
        con.close()
    return path


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
