"""`make bench`: coinvest at national scale (DESIGN §8), measured, written to bench/RESULTS.md.

    python bench/bench.py                    # M (10,000 projects) and L (100,000)
    python bench/bench.py --tiers M --runs 3 --skip-browser

For each tier (a demo portfolio, seed 42, written once into bench/.data/):
- every page's script time through AppTest: cold (metric cache empty), warm (same filter again)
  and after a filter change (a new filter, so a cold cache for it);
- every metric query (bench_metrics.py);
- `coinvest import` of a 100,000-row assessments file (into a copy of the tier's database);
- the app process's peak memory while Chromium walks every page;
- the Overview and Compare figures computed the naive way (tables loaded into pandas) against
  the metric layer;
- on PostgreSQL (--postgres, M by default): the same demo loaded by `coinvest demo` into a
  throwaway server (Debian's PostgreSQL, default durability), every page and metric query again,
  as a ratio to DuckDB.
Each measure: median and max of --runs runs, in milliseconds unless said.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_metrics import FILTERS, QUERIES, tier_database
from coinvest import metrics
from coinvest import reference as ref
from coinvest.db import open_database, query
from coinvest.filters import PortfolioFilter
from tests.browser.harness import PAGES
from tests.pgserver import missing as postgres_missing
from tests.pgserver import throwaway_server

RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET_COLD_MS, TARGET_CHANGE_MS, TARGET_IMPORT_S, TARGET_MEMORY_MB, TARGET_SPEEDUP = (
    1000,
    300,
    10,
    1024,
    5,
)


def stats(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), max(samples)


# --- pages through AppTest ---------------------------------------------------------------------


def page_times(db: Path | str, runs: int) -> dict[str, dict[str, tuple[float, float]]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["COINVEST_DB"] = str(db)
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name in PAGES:
        cold, warm, change = [], [], []
        for run in range(runs):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.run()  # app start: connection, sidebar, Overview
            if name != "overview":
                started = time.perf_counter()
                at.switch_page(f"app_pages/{name}.py").run()
            else:
                st.cache_data.clear()
                started = time.perf_counter()
                at.run()
            cold.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            at.run()
            warm.append((time.perf_counter() - started) * 1000)
            # a new filter each run, so that its figures are not in the cache yet
            phases = [list(ref.PHASE_CODES)[run % 4]]
            at.multiselect(key="f_phase.fr").set_value(phases)
            started = time.perf_counter()
            at.run()
            change.append((time.perf_counter() - started) * 1000)
            if at.exception:
                raise RuntimeError(f"{name}: {at.exception[0].value}")
        out[name] = {"cold": stats(cold), "warm": stats(warm), "change": stats(change)}
        print(
            f"  page {name:<13} cold {out[name]['cold'][0]:7.0f}  warm {out[name]['warm'][0]:6.0f}  "
            f"change {out[name]['change'][0]:6.0f} ms",
            file=sys.stderr,
        )
    st.cache_data.clear()
    st.cache_resource.clear()
    return out


# --- metric queries ----------------------------------------------------------------------------------


def query_times(db: Path | str, runs: int) -> dict[tuple[str, str], tuple[float, float]]:
    con = open_database(db, read_only=True)
    out = {}
    for fname, flt in FILTERS.items():
        for qname, fn in QUERIES.items():
            fn(con, flt)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                fn(con, flt)
                samples.append((time.perf_counter() - started) * 1000)
            out[(fname, qname)] = stats(samples)
    con.close()
    return out


# --- import of a 100,000-row assessments file ---------------------------------------------------------


def import_time(db: Path, runs: int, rows: int = 100_000) -> tuple[tuple[float, float], int]:
    from coinvest.workbook import frame_to_csv, table_frame

    con = open_database(db, read_only=True)
    frame = table_frame(con, "assessments").head(rows)
    con.close()
    frame["assessment_id"] = "NEW-" + frame["assessment_id"]  # new assessments: all added
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        csv = Path(tmp) / "assessments.csv"
        csv.write_bytes(frame_to_csv(frame))
        size = csv.stat().st_size
        samples = []
        for _ in range(runs):
            copy = Path(tmp) / "copy.duckdb"
            shutil.copy(db, copy)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "coinvest", "import", str(csv), "--db", str(copy)],
                capture_output=True,
                text=True,
                env={**os.environ, "COINVEST_MAX_IMPORT_MB": "64"},
            )
            samples.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            copy.unlink()
    return stats(samples), size


# --- pages in Chromium: from a click to a settled page ------------------------------------------------

# Installed before any page script: the time of the last change to the page, and whether the
# app's script has run since the mark was set.
WATCH = """
window.__mark = 0; window.__lastChange = 0; window.__ran = false;
new MutationObserver(records => {
    window.__lastChange = performance.now();
    for (const r of records) {
        if (r.attributeName === 'data-test-script-state'
            && (r.oldValue === 'running' || r.target.getAttribute(r.attributeName) === 'running')) {
            window.__ran = true;
        }
    }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true,
                      attributeOldValue: true});
"""

# Settled: the script has run since the mark and is no longer running, every chart has drawn
# its picture, and nothing on the page has changed for 0.5 s.
QUIET = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!window.__ran || !app || app.getAttribute('data-test-script-state') !== 'notRunning') {
        return false;
    }
    if (document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton]')) {
        return false;
    }
    if (![...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('svg, canvas'))) {
        return false;
    }
    return performance.now() - window.__lastChange >= 500;
}"""

CLICK = """name => {
    const link = [...document.querySelectorAll('[data-testid=stSidebarNavLink]')]
        .find(a => (new URL(a.href).pathname.split('/').filter(Boolean).pop() || 'overview') === name);
    if (!link) throw new Error('no sidebar link to ' + name);
    window.__ran = false;
    window.__mark = performance.now();
    link.click();
}"""


def _settled_ms(page, timeout_ms: float) -> float:
    page.wait_for_function(QUIET, timeout=timeout_ms, polling=50)
    return page.evaluate("window.__lastChange - window.__mark")


def browser_times(
    db: Path | str, runs: int, timeout_s: float = 300
) -> tuple[dict[str, tuple[float, float]], float] | None:
    """Each page in Chromium, from a click in the sidebar to a settled page; the first load
    (the address typed, Overview drawn); and the app process's peak memory over the walks.

    Each run starts a fresh app (every cache empty), loads the Method page, then clicks every
    page once in the sidebar's order: each page is drawn for the first time in that process.
    """
    from tests.browser.harness import browser, chromium_missing, page_url, running_app

    if chromium_missing():
        return None
    samples: dict[str, list[float]] = {"first load": [], **{name: [] for name in PAGES}}
    peak = 0.0
    with tempfile.TemporaryDirectory(dir=_scratch(db)) as tmp:
        target = _private_copy(db, Path(tmp))
        with browser() as chrome:
            for _ in range(runs):
                with running_app(target, timeout=timeout_s, log_path=Path(tmp) / "app.log") as base:
                    pid = _server_pid(base)
                    page = chrome.new_page(viewport={"width": 1440, "height": 1800})
                    page.add_init_script(WATCH)
                    page.goto(base)
                    samples["first load"].append(_settled_ms(page, timeout_s * 1000))
                    page.close()
                with running_app(target, timeout=timeout_s, log_path=Path(tmp) / "app.log") as base:
                    pid = _server_pid(base)
                    page = chrome.new_page(viewport={"width": 1440, "height": 1800})
                    page.add_init_script(WATCH)
                    page.goto(page_url(base, "method"))
                    _settled_ms(page, timeout_s * 1000)
                    for name in PAGES:
                        page.evaluate(CLICK, name)
                        samples[name].append(_settled_ms(page, timeout_s * 1000))
                    page.close()
                    peak = max(peak, _vm_hwm_mb(pid))
    times = {name: stats(values) for name, values in samples.items()}
    for name, (median, worst) in times.items():
        print(f"  chromium {name:<13} {median:7.0f} / {worst:7.0f} ms", file=sys.stderr)
    return times, peak


def _scratch(db: Path | str) -> Path | None:
    return Path(db).parent if not str(db).startswith("postgres") else None


def _private_copy(db: Path | str, tmp: Path) -> Path | str:
    """A DuckDB file is copied (the app holds it read-write); a PostgreSQL URL serves as it is."""
    if str(db).startswith("postgres"):
        return db
    copy = tmp / "walk.duckdb"
    shutil.copy(db, copy)
    return copy


# --- memory while a browser walks every page -----------------------------------------------------------


def peak_memory_mb(db: Path) -> float | None:
    from tests.browser.harness import (
        browser,
        chromium_missing,
        page_url,
        running_app,
        wait_for_page,
    )

    if chromium_missing():
        return None
    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        copy = Path(tmp) / "walk.duckdb"
        shutil.copy(db, copy)
        with running_app(copy, timeout=300) as base:
            pid = _server_pid(base)
            with browser() as chrome:
                page = chrome.new_page(viewport={"width": 1440, "height": 1800})
                for query in ("", "?investor=INV02", "?phase=rnd&need=food"):
                    for name in PAGES:
                        page.goto(page_url(base, name, query))
                        wait_for_page(page, timeout=300_000)
            return _vm_hwm_mb(pid)


def _server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    found = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True
    ).stdout
    return int(found.split("pid=")[1].split(",")[0])


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


# --- the naive baseline ----------------------------------------------------------------------------


def naive_versus_sql(db: Path, runs: int) -> dict[str, tuple[float, float, float, float]]:
    """Overview and Compare figures, from whole tables in pandas against the metric layer."""
    con = open_database(db, read_only=True)

    def table(name: str) -> pd.DataFrame:
        return query(con, f"SELECT * FROM {name}")  # the naive way on purpose: a whole table

    def overview_pandas():
        project = table("project")
        investment = table("investment")
        contribution = table("contribution")
        measurement = table("measurement")
        ben = measurement[measurement["indicator_code"] == ref.BENEFICIARIES]
        latest = ben.sort_values("year").groupby("project_id").tail(1)
        return (
            len(project),
            investment["amount_eur"].sum(),
            investment["amount_eur"].sum() + contribution["value_eur"].sum(),
            latest["value"].sum(),
            (project["qpv"] | project["rural_revitalisation"]).mean(),
        )

    picks = ["P000001", "P000002", "P000003"]

    def compare_pandas():
        assessment = table("assessment")
        answers = table("assessment_answer")
        rows = answers.merge(assessment, on="assessment_id")
        rows = rows[rows["project_id"].isin(picks)]
        per_question = (
            rows.groupby(["project_id", "viewpoint", "assessed_on", "question"])["score"]
            .mean()
            .reset_index()
        )
        per_question["lever"] = per_question["question"].str.split(".").str[0]
        levers = (
            per_question.groupby(["project_id", "viewpoint", "assessed_on", "lever"])[
                "score"
            ].mean()
            * 25
        )
        levers = levers.reset_index()
        latest = levers[
            levers["assessed_on"]
            == levers.groupby(["project_id", "viewpoint"])["assessed_on"].transform("max")
        ]
        return latest.groupby(["project_id", "lever"])["score"].mean()

    sql = con

    def overview_sql():
        return metrics.portfolio_kpis(sql, PortfolioFilter())

    def compare_sql():
        return metrics.lever_profiles(sql, PortfolioFilter(), picks)

    out = {}
    for name, naive, fast in (
        ("Overview figures", overview_pandas, overview_sql),
        ("Compare figures", compare_pandas, compare_sql),
    ):
        timings = {}
        for label, fn in (("pandas", naive), ("sql", fast)):
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                fn()
                samples.append((time.perf_counter() - started) * 1000)
            timings[label] = stats(samples)
        out[name] = (*timings["pandas"], *timings["sql"])
    con.close()
    return out


# --- PostgreSQL ------------------------------------------------------------------------------------


def postgres_tier(tier: str, projects: int, runs: int) -> dict:
    """The tier's demo (same seed) on a throwaway PostgreSQL server: load time, pages, queries."""
    with throwaway_server(durable=True) as server:
        url = server.create(f"bench_{tier.lower()}")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "coinvest", "demo", "--db", url, "--projects", str(projects)],
            check=True,
            capture_output=True,
        )
        load = time.perf_counter() - started
        print(f"  postgres {tier}: demo loaded in {load:.0f} s", file=sys.stderr)
        queries = query_times(url, runs)
        pages = page_times(url, runs)
    return {"load": load, "queries": queries, "pages": pages}


def postgres_section(tiers, pages, queries, postgres) -> list[str]:
    lines = [
        "",
        "## PostgreSQL",
        "",
        "The same demo (same seed) loaded by `coinvest demo` into a throwaway PostgreSQL server "
        "(Debian's package, default durability, shared_buffers 1 GB, work_mem 64 MB) on the same "
        "machine; the app and the metric layer unchanged. Each cell: PostgreSQL median in ms, "
        "and × its DuckDB median of the same tier above.",
    ]
    for tier, found in postgres.items():
        lines += [
            "",
            f"### {tier}: demo loaded in {found['load']:.0f} s",
            "",
            "| page | cold | warm | change |",
            "|---|---|---|---|",
        ]
        for name in PAGES:
            cells = []
            for kind in ("cold", "warm", "change"):
                pg_ms, duck_ms = found["pages"][name][kind][0], pages[tier][name][kind][0]
                cells.append(f"{pg_ms:.0f} ({pg_ms / duck_ms:.1f}×)")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "| query | " + " | ".join(FILTERS) + " |", "|---|" + "---|" * len(FILTERS)]
        ratios = []
        for qname in QUERIES:
            cells = []
            for f in FILTERS:
                pg_ms, duck_ms = found["queries"][(f, qname)][0], queries[tier][(f, qname)][0]
                ratios.append((pg_ms / duck_ms, pg_ms, f"{qname} ({f})"))
                cells.append(f"{pg_ms:.0f} ({pg_ms / duck_ms:.1f}×)")
            lines.append(f"| {qname} | " + " | ".join(cells) + " |")
        slowest_page = max(PAGES, key=lambda p: found["pages"][p]["cold"][0])
        worst = sorted(ratios, reverse=True)[:3]
        lines += [
            "",
            f"- Slowest page cold on PostgreSQL at {tier}: {slowest_page}, "
            f"{found['pages'][slowest_page]['cold'][0]:.0f} ms.",
            "- Largest ratios to DuckDB: "
            + "; ".join(f"{name} {ratio:.1f}× ({ms:.0f} ms)" for ratio, ms, name in worst)
            + ".",
        ]
    return lines


# --- the report ----------------------------------------------------------------------------------


def verdict(value: float | None, target: float, lower: bool = True) -> str:
    if value is None:
        return "not measured"
    met = value < target if lower else value >= target
    return "met" if met else "**missed**"


def write_results(tiers, runs, pages, queries, imports, memory, baseline, elapsed, postgres) -> str:
    lines = [
        "# coinvest benchmark",
        "",
        "Written by `make bench` (bench/bench.py); do not edit by hand.",
        "",
        f"- Machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB memory, "
        f"{platform.machine()}, {platform.platform()}",
        f"- Versions: Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"pandas {pd.__version__}, Streamlit {__import__('streamlit').__version__}",
        "- Tiers: " + ", ".join(f"{t} = demo with {n:,} projects" for t, n in tiers.items()),
        f"- Each figure: median / max of {runs} runs, in ms unless said; the whole run took "
        f"{elapsed / 60:.1f} min.",
        "",
        "## Pages (AppTest script time)",
        "",
        "Cold: first run of the page with the metric cache empty. Warm: the same page again. "
        "Change: after a filter change (a new phase, so its figures are not cached yet).",
        "",
        "| page | " + " | ".join(f"{t} cold | {t} warm | {t} change" for t in tiers) + " |",
        "|---|" + "---|" * (3 * len(tiers)),
    ]
    for name in PAGES:
        cells = []
        for t in tiers:
            for kind in ("cold", "warm", "change"):
                cells.append("{:.0f} / {:.0f}".format(*pages[t][name][kind]))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Metric queries",
        "",
        "| query | " + " | ".join(f"{t} {f}" for t in tiers for f in FILTERS) + " |",
        "|---|" + "---|" * (len(tiers) * len(FILTERS)),
    ]
    for qname in QUERIES:
        cells = ["{:.0f} / {:.0f}".format(*queries[t][(f, qname)]) for t in tiers for f in FILTERS]
        lines.append(f"| {qname} | " + " | ".join(cells) + " |")
    lines += ["", "## Import, memory, baseline", ""]
    for t in tiers:
        (median, worst), size = imports[t]
        lines.append(
            f"- {t}: `coinvest import` of a 100,000-row assessments CSV ({size / 2**20:.1f} MB), "
            f"added to a copy of the tier's database: {median:.1f} s median, {worst:.1f} s max."
        )
        if memory.get(t) is not None:
            lines.append(
                f"- {t}: peak memory (VmHWM) of the app process while Chromium walks every page "
                f"under three filters: {memory[t]:.0f} MB."
            )
        for name, (p_med, p_max, s_med, s_max) in baseline[t].items():
            lines.append(
                f"- {t}: {name}: pandas on whole tables {p_med:.0f} / {p_max:.0f} ms, metric layer "
                f"{s_med:.0f} / {s_max:.0f} ms: {p_med / s_med:.0f}× faster."
            )
    if "L" in tiers:
        lines += ["", "## Targets at L", "", "| target | measured | |", "|---|---|---|"]
        worst_cold = max(pages["L"][p]["cold"][0] for p in PAGES)
        worst_change = max(pages["L"][p]["change"][0] for p in PAGES)
        slowest = max(PAGES, key=lambda p: pages["L"][p]["cold"][0])
        slowest_change = max(PAGES, key=lambda p: pages["L"][p]["change"][0])
        speedups = [p_med / s_med for (p_med, _, s_med, _) in baseline["L"].values()]
        lines += [
            f"| every page cold < {TARGET_COLD_MS} ms | slowest: {slowest}, {worst_cold:.0f} ms | {verdict(worst_cold, TARGET_COLD_MS)} |",
            f"| after a filter change < {TARGET_CHANGE_MS} ms | slowest: {slowest_change}, {worst_change:.0f} ms | {verdict(worst_change, TARGET_CHANGE_MS)} |",
            f"| import < {TARGET_IMPORT_S} s | {imports['L'][0][0]:.1f} s | {verdict(imports['L'][0][0], TARGET_IMPORT_S)} |",
            f"| peak memory < {TARGET_MEMORY_MB} MB | "
            + (f"{memory['L']:.0f} MB" if memory.get("L") is not None else "not measured")
            + f" | {verdict(memory.get('L'), TARGET_MEMORY_MB)} |",
            f"| SQL ≥ {TARGET_SPEEDUP}× the pandas baseline | {min(speedups):.0f}× at least | {verdict(min(speedups), TARGET_SPEEDUP, lower=False)} |",
        ]
    if postgres:
        lines += postgres_section(tiers, pages, queries, postgres)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="M,L")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--postgres", default="M", help="tiers measured on PostgreSQL too (empty: none)"
    )
    args = parser.parse_args(argv)
    from bench.bench_metrics import TIERS

    started = time.perf_counter()
    tiers = {
        t.strip().upper(): TIERS[t.strip().upper()] for t in args.tiers.split(",") if t.strip()
    }
    pages, queries, imports, memory, baseline = {}, {}, {}, {}, {}
    for tier in tiers:
        db = tier_database(tier)
        print(f"tier {tier}: {db}", file=sys.stderr)
        queries[tier] = query_times(db, args.runs)
        baseline[tier] = naive_versus_sql(db, max(1, min(args.runs, 3)))
        imports[tier] = import_time(db, max(1, min(args.runs, 3)))
        print(f"  import {imports[tier][0][0]:.1f} s", file=sys.stderr)
        pages[tier] = page_times(db, args.runs)
        memory[tier] = None if args.skip_browser else peak_memory_mb(db)
        print(f"  memory {memory[tier]}", file=sys.stderr)
    postgres = {}
    for tier in (t.strip().upper() for t in args.postgres.split(",") if t.strip()):
        if tier not in tiers:
            raise SystemExit(f"--postgres {tier}: measure it on DuckDB too (--tiers)")
        reason = postgres_missing()
        if reason:
            print(f"  PostgreSQL not measured: {reason}", file=sys.stderr)
            break
        postgres[tier] = postgres_tier(tier, tiers[tier], args.runs)
    text = write_results(
        tiers,
        args.runs,
        pages,
        queries,
        imports,
        memory,
        baseline,
        time.perf_counter() - started,
        postgres,
    )
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():
        text += "\n" + notes.read_text(encoding="utf-8")

    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
