"""`make bench`: coinvest at national scale (docs/rules.md "Quality bar"), measured, written to bench/RESULTS.md.

    python bench/bench.py                              # S, M, L; L on PostgreSQL too
    python bench/bench.py --tiers XL --runs 2 --browser-runs 1 --postgres ""   # make bench-xl

For each tier measured (a demo portfolio, seed 42, written once into bench/.data/ by `coinvest
demo`, its time and peak memory recorded):
- every page in Chromium, from a click in the sidebar to a settled page, and the first load;
  the app process's peak memory;
- every page's server time through AppTest: cold (metric cache empty), warm (same filter
  again) and after a filter change (a new filter, so a cold cache for it);
- every metric query (bench_metrics.py);
- up to L: `coinvest import` of a 100,000-row assessments file (into a copy of the tier's
  database), and the Overview and Compare figures computed the naive way (whole tables in
  pandas) against the metric layer;
- on PostgreSQL (--postgres, L by default): the same demo loaded by `coinvest demo` into a
  throwaway server (Debian's PostgreSQL, default durability), every page and query again.
Each tier's figures are kept in bench/records/<tier>.json; RESULTS.md is written from all the
records, so that XL, which takes the better part of an hour, is measured on its own.
Each measure: median and max of --runs runs, in milliseconds unless said.
"""

from __future__ import annotations

import argparse
import json
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

from bench.bench_metrics import FILTERS, QUERIES, TIERS, demo_record, tier_database
from coinvest import metrics
from coinvest import reference as ref
from coinvest.db import open_database, query
from coinvest.filters import PortfolioFilter
from tests.browser.harness import PAGE_FILES, PAGES
from tests.pgserver import missing as postgres_missing
from tests.pgserver import throwaway_server

RESULTS = ROOT / "bench" / "RESULTS.md"


def stats(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), max(samples)


# --- pages through AppTest ---------------------------------------------------------------------


def _one_script_cache() -> None:
    """AppTest compiles app.py and the page anew at every run (a new ScriptCache each time,
    ~40 ms); a server compiles each once. The page times share one cache, as a server does."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[attr-defined]


def page_times(db: Path | str, runs: int) -> dict[str, dict[str, tuple[float, float]]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["COINVEST_DB"] = str(db)
    _one_script_cache()
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name in PAGES:
        cold, warm, change = [], [], []
        for run in range(runs):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.run()  # app start: connection, sidebar, Overview
            if name != "overview":
                started = time.perf_counter()
                at.switch_page(f"app_pages/{PAGE_FILES.get(name, name)}.py").run()
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
    frame = table_frame(con, "assessments", PortfolioFilter(scope=None)).head(rows)
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
            # the copy's 1.6 GB on disk first: written back while the import ran, they cost it
            # 0.5–1 s that a user's database, long written, does not
            os.sync()
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


# Runs a command and prints its peak memory (KB). A process forked from a large one is charged
# with its parent's resident memory until it runs another program (Linux keeps the largest), so
# the bench, which holds whole tables by then, starts the import from this small process.
_PEAK_OF = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _timed_import(files: list[Path], db: Path) -> tuple[float, float]:
    """`coinvest import` of these files into `db`, in a process of its own: (seconds, peak MB)."""
    command = [sys.executable, "-m", "coinvest", "import"]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_OF, *command, *map(str, files), "--db", str(db)],
        env={**os.environ, "COINVEST_MAX_IMPORT_MB": "1024"},  # the page's limit: measured apart
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"coinvest import {files} into {db} failed")
    return seconds, int(done.stdout.split()[-1]) / 1024


def workbook_times(runs: int) -> dict:
    """The M demo's own workbook (the Export page's "portfolio as a workbook", 10,000
    projects): imported into an empty database (time, peak memory), then again into the same
    database (nothing changes); and the size of every file the Export page writes that the
    Import page takes back, against the page's upload limit."""
    from coinvest.importer.problems import max_import_bytes
    from coinvest.interchange import SHEETS
    from coinvest.people import interchange_for_people
    from coinvest.workbook import export_portfolio_xlsx, frame_to_csv, frame_to_xlsx, table_frame

    source = tier_database("M")
    con = open_database(source, read_only=True)
    everything = PortfolioFilter(scope=None)
    workbook = export_portfolio_xlsx(con, everything)
    sizes = {"portfolio workbook (xlsx)": len(workbook)}
    rows = 0
    for sheet in (s for s in SHEETS if s.portfolio):
        frame = table_frame(con, sheet.name, everything)
        rows += len(frame)
        shown = interchange_for_people(frame, sheet.name, "fr")
        sizes[f"{sheet.name} (csv)"] = len(frame_to_csv(shown))
        sizes[f"{sheet.name} (xlsx)"] = len(frame_to_xlsx(shown, sheet.name))
    con.close()
    load, again, peaks = [], [], []
    with tempfile.TemporaryDirectory(dir=source.parent) as tmp:
        path = Path(tmp) / "coinvest-portefeuille.xlsx"
        path.write_bytes(workbook)
        for _ in range(runs):
            target = Path(tmp) / "empty.duckdb"
            seconds, peak = _timed_import([path], target)
            load.append(seconds)
            peaks.append(peak)
            again.append(_timed_import([path], target)[0])
            target.unlink()
    largest = max(sizes, key=lambda name: sizes[name])
    record = {
        "rows": rows,
        "bytes": len(workbook),
        "load": stats(load),
        "peak_mb": max(peaks),
        "again": stats(again),
        "largest_export": (largest, sizes[largest]),
        "limit_mb": max_import_bytes() // 2**20,
    }
    print(
        f"  workbook ({rows:,} rows): {record['load'][0]:.1f} s, {record['peak_mb']:.0f} MB, "
        f"again {record['again'][0]:.1f} s; largest export {largest} "
        f"{sizes[largest] / 2**20:.1f} MB",
        file=sys.stderr,
    )
    return record


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
    // a run so short that the browser drew no 'running' state: the page's title has changed
    const title = document.querySelector('h1');
    const moved = window.__before !== undefined && title && title.textContent !== window.__before;
    if (!(window.__ran || moved) || !app
        || app.getAttribute('data-test-script-state') !== 'notRunning') {
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
    const title = document.querySelector('h1');
    window.__before = title ? title.textContent : '';
    window.__ran = false;
    window.__mark = performance.now();
    link.click();
}"""


FIRST_LOAD = "first load (new server)"
NEXT_VISITOR = "first load (next visitor)"


def _settled_ms(page, timeout_ms: float) -> float:
    page.wait_for_function(QUIET, timeout=timeout_ms, polling=50)
    return page.evaluate("window.__lastChange - window.__mark")


# The framework's floor (bench/floor/app.py): its pages, by the name CLICK finds them under (the
# default page lives at the root), and as the report names them.
FLOOR_APP = ROOT / "bench" / "floor" / "app.py"
FLOOR_PAGES = {
    "overview": "typical 1",
    "two": "typical 2",
    "three": "typical 3",
    "four": "typical 4",
    "method": "static",
}
FLOOR_STATIC = "static"
FLOOR_ONE_OFF = ("typical 1", FLOOR_STATIC)  # not typical pages of the floor (see floor_reference)


def _walk(
    chrome,
    base: str,
    pages,
    samples: dict[str, list[float]],
    timeout_s: float,
    names: dict[str, str] | None = None,
) -> None:
    """Open the Method page of an app just started, then click every page once in order."""
    page = chrome.new_page(viewport={"width": 1440, "height": 900})
    page.add_init_script(WATCH)
    page.goto(f"{base}/method")
    _settled_ms(page, timeout_s * 1000)
    for name in pages:
        page.evaluate(CLICK, name)
        samples[(names or {}).get(name, name)].append(_settled_ms(page, timeout_s * 1000))
    page.close()


def _first_loads(chrome, base: str, samples: dict[str, list[float]], timeout_s: float) -> None:
    """The address typed into an app just started, then by a second visitor."""
    for name in (FIRST_LOAD, NEXT_VISITOR):
        page = chrome.new_page(viewport={"width": 1440, "height": 900})
        page.add_init_script(WATCH)
        page.goto(base)
        samples[name].append(_settled_ms(page, timeout_s * 1000))
        page.close()


def browser_times(
    db: Path | str, runs: int, timeout_s: float = 300
) -> tuple[dict[str, tuple[float, float]], float, dict[str, tuple[float, float]]] | None:
    """Each page in Chromium, from a click in the sidebar to a settled page; the first load
    (the address typed, Overview drawn) on an app just started, then for a second visitor of
    the same app; the app process's peak memory over the walks; and the same for the
    framework's floor (bench/floor/app.py), walked in each run right after the app.

    Each run starts a fresh app (every cache empty), loads the Method page, then clicks every
    page once in the sidebar's order: each page is drawn for the first time in that process.
    The window is a laptop's, 1440 × 900.
    """
    from tests.browser.harness import browser, chromium_missing, running_app

    if chromium_missing():
        return None
    samples: dict[str, list[float]] = {
        FIRST_LOAD: [],
        NEXT_VISITOR: [],
        **{name: [] for name in PAGES},
    }
    floor: dict[str, list[float]] = {
        FIRST_LOAD: [],
        NEXT_VISITOR: [],
        **{name: [] for name in FLOOR_PAGES.values()},
    }
    peak = 0.0
    with tempfile.TemporaryDirectory(dir=_scratch(db)) as tmp:
        target = _private_copy(db, Path(tmp))
        log = Path(tmp) / "app.log"
        with browser() as chrome:
            for _ in range(runs):
                with running_app(target, timeout=timeout_s, log_path=log) as base:
                    pid = _server_pid(base)
                    _first_loads(chrome, base, samples, timeout_s)
                    peak = max(peak, _vm_hwm_mb(pid))
                with running_app(target, timeout=timeout_s, log_path=log) as base:
                    pid = _server_pid(base)
                    _walk(chrome, base, PAGES, samples, timeout_s)
                    peak = max(peak, _vm_hwm_mb(pid))
                with running_app(target, timeout=timeout_s, log_path=log, app=FLOOR_APP) as base:
                    _first_loads(chrome, base, floor, timeout_s)
                with running_app(target, timeout=timeout_s, log_path=log, app=FLOOR_APP) as base:
                    _walk(chrome, base, FLOOR_PAGES, floor, timeout_s, FLOOR_PAGES)
    times = {name: stats(values) for name, values in samples.items()}
    floor_times = {name: stats(values) for name, values in floor.items()}
    for name, (median, worst) in times.items():
        print(f"  chromium {name:<13} {median:7.0f} / {worst:7.0f} ms", file=sys.stderr)
    for name, (median, worst) in floor_times.items():
        print(f"  floor    {name:<13} {median:7.0f} / {worst:7.0f} ms", file=sys.stderr)
    return times, peak, floor_times


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
        return metrics.portfolio_kpis(sql, PortfolioFilter(scope=None))

    def compare_sql():
        return metrics.lever_profiles(sql, PortfolioFilter(scope=None), picks)

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


def postgres_tier(tier: str, projects: int, runs: int, browser_runs: int) -> dict:
    """The tier's demo (same seed) on a throwaway PostgreSQL server: load time, queries, pages
    (AppTest and Chromium)."""
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
        record: dict = {"load": load}
        if projects <= TIERS["M"]:  # beyond, the pages are what is measured (each query of a
            # national portfolio takes seconds there, and the pages cache them)
            record["queries"] = _keyed(query_times(url, runs))
        record["pages"] = page_times(url, runs)
        found = browser_times(url, browser_runs)
        if found is not None:
            record["chromium"], record["app_mb"], record["floor"] = found
    return record


# --- records: one JSON file per tier, so that XL can be measured on its own -------------------------

RECORDS = ROOT / "bench" / "records"
ORDER = ("S", "M", "L", "XL")


def _keyed(found: dict[tuple[str, str], tuple[float, float]]) -> dict[str, tuple[float, float]]:
    return {f"{f}|{q}": v for (f, q), v in found.items()}


def save_record(name: str, record: dict) -> None:
    RECORDS.mkdir(exist_ok=True)
    path = RECORDS / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_records() -> tuple[dict[str, dict], dict[str, dict]]:
    """(tier → record, tier → PostgreSQL record), in tier order."""
    tiers, postgres = {}, {}
    for tier in ORDER:
        if (RECORDS / f"{tier}.json").exists():
            tiers[tier] = json.loads((RECORDS / f"{tier}.json").read_text(encoding="utf-8"))
        if (RECORDS / f"PG-{tier}.json").exists():
            postgres[tier] = json.loads((RECORDS / f"PG-{tier}.json").read_text(encoding="utf-8"))
    return tiers, postgres


# --- the report ----------------------------------------------------------------------------------


def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "not measured"
    return "met" if value <= target else "**missed**"


def _ms(pair) -> str:
    return "{:.0f} / {:.0f}".format(*pair) if pair else "–"


def _page_names(measured: dict) -> list[str]:
    """The pages of a record (an older record may lack a page added since, or name one that
    was split since)."""
    return [p for p in measured if p not in (FIRST_LOAD, NEXT_VISITOR)]


def _slowest(chromium: dict) -> tuple[str, float]:
    name = max(_page_names(chromium), key=lambda p: chromium[p][0])
    return name, chromium[name][0]


def write_results(tiers: dict[str, dict], postgres: dict[str, dict]) -> str:
    any_record = next(iter(tiers.values()))
    # today's pages, then any page an older record still names
    older = {p for r in [*tiers.values(), *postgres.values()] for p in r["pages"]} - set(PAGES)
    page_names = [*PAGES, *sorted(older)]
    lines = [
        "# coinvest benchmark",
        "",
        "Written by `make bench` (bench/bench.py) from the records in bench/records/ (one per "
        "tier; `make bench-xl` measures XL on its own); do not edit by hand.",
        "",
        f"- Machine: {any_record['machine']}",
        f"- Versions: {any_record['versions']}",
        "- Tiers: "
        + ", ".join(
            f"{t} = demo with {r['projects']:,} projects (measured {r['when']}, "
            f"{r['runs']} runs, {r.get('browser_runs', 1)} in Chromium)"
            for t, r in tiers.items()
        ),
        "- Each figure: median / max of the record's runs, in ms unless said.",
        "",
        "## How cost grows with the portfolio",
        "",
        "| tier | projects | answers | demo written in | demo peak memory | slowest page (Chromium) "
        "| median page (Chromium) | first load | app peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for t, r in tiers.items():
        demo = r.get("demo") or {}
        chromium = r.get("chromium")
        if chromium:
            name, worst = _slowest(chromium)
            median = statistics.median(chromium[p][0] for p in _page_names(chromium))
            pages = f"{name}, {worst:.0f} ms | {median:.0f} ms | {chromium[FIRST_LOAD][0]:.0f} ms"
        else:
            pages = "not measured | | "
        lines.append(
            f"| {t} | {r['projects']:,} | {r.get('answers', 0):,} | "
            + (f"{demo['seconds']:.0f} s | {demo['peak_mb']:.0f} MB" if demo else "– | –")
            + f" | {pages} | "
            + (f"{r['app_mb']:.0f} MB" if r.get("app_mb") else "–")
            + " |"
        )
    lines += [
        "",
        "## Pages in Chromium: from a click in the sidebar to a settled page",
        "",
        'Settled: the app\'s script has run and stopped (`data-test-script-state="notRunning"`), '
        "every chart has drawn, and nothing on the page changed for 0.5 s; the time is that of "
        "the last change. Each run starts the app afresh, opens the Method page, then clicks "
        "every page once in the sidebar's order (each page drawn for the first time in that "
        "process). First load: the address typed into an app just started (Overview); next "
        "visitor: a second tab on the same app.",
        "",
        "| page | " + " | ".join(tiers) + " |",
        "|---|" + "---|" * len(tiers),
    ]
    for name in (FIRST_LOAD, NEXT_VISITOR, *page_names):
        cells = [_ms((r.get("chromium") or {}).get(name)) for r in tiers.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    floored = {t: r for t, r in tiers.items() if floor_reference(r)}
    if floored:
        lines += [
            "",
            "## The framework's floor, and every page as a ratio to it",
            "",
            "The floor (bench/floor/app.py): a bare Streamlit app with the elements of a typical "
            "page — a sidebar filter, four metrics, two small Altair charts, a 20-row table — on "
            "data computed in no time, and a page of static text; walked by the same harness in "
            "the same run, right after the app (first loads, then Method and a click on every "
            "page). Ratios: a page's median over the floor's slowest page after its first "
            "(the first page with charts also loads the browser's chart and table code, once "
            "per tab, as the app's Overview does); a first load's over the floor's first load.",
            "",
            "| floor page | " + " | ".join(floored) + " |",
            "|---|" + "---|" * len(floored),
        ]
        for name in (FIRST_LOAD, NEXT_VISITOR, *FLOOR_PAGES.values()):
            cells = [_ms(r["floor"].get(name)) for r in floored.values()]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += [
            "",
            "| page | " + " | ".join(f"{t} ms | {t} × floor" for t in floored) + " |",
            "|---|" + "---|---|" * len(floored),
        ]
        for name in (FIRST_LOAD, NEXT_VISITOR, *page_names):
            cells = []
            for r in floored.values():
                slowest, _, first = floor_reference(r)  # type: ignore[misc]
                found = (r.get("chromium") or {}).get(name)
                base = first if name in (FIRST_LOAD, NEXT_VISITOR) else slowest
                cells += [f"{found[0]:.0f}", f"{found[0] / base:.1f}×"] if found else ["–", "–"]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Pages: server time (AppTest script time)",
        "",
        "Cold: first run of the page with the metric cache empty. Warm: the same page again. "
        "Change: after a filter change (a new phase, so its figures are not cached yet).",
        "",
        "| page | " + " | ".join(f"{t} cold | {t} warm | {t} change" for t in tiers) + " |",
        "|---|" + "---|" * (3 * len(tiers)),
    ]
    for name in page_names:
        cells = [
            _ms((r["pages"].get(name) or {}).get(k))
            for r in tiers.values()
            for k in ("cold", "warm", "change")
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Metric queries",
        "",
        "| query | " + " | ".join(f"{t} {f}" for t in tiers for f in FILTERS) + " |",
        "|---|" + "---|" * (len(tiers) * len(FILTERS)),
    ]
    for qname in QUERIES:
        cells = [_ms(r["queries"].get(f"{f}|{qname}")) for r in tiers.values() for f in FILTERS]
        lines.append(f"| {qname} | " + " | ".join(cells) + " |")
    lines += ["", "## Import and the naive baseline", ""]
    for t, r in tiers.items():
        if r.get("import"):
            (median, worst), size = r["import"]
            lines.append(
                f"- {t}: `coinvest import` of a 100,000-row assessments CSV ({size / 2**20:.1f} MB), "
                f"added to a copy of the tier's database: {median:.1f} s median, {worst:.1f} s max."
            )
        for name, (p_med, p_max, s_med, s_max) in (r.get("baseline") or {}).items():
            lines.append(
                f"- {t}: {name}: pandas on whole tables {p_med:.0f} / {p_max:.0f} ms, metric layer "
                f"{s_med:.0f} / {s_max:.0f} ms: {p_med / s_med:.0f}× faster."
            )
    lines += targets(tiers, postgres)
    if postgres:
        lines += postgres_section(tiers, postgres, page_names)
    return "\n".join(lines) + "\n"


def floor_reference(record: dict) -> tuple[float, float, float] | None:
    """(the floor's slowest page, its static page, its first load), medians in ms, measured
    in the same run as the record's pages; None for a record without a floor."""
    floor = record.get("floor")
    if not floor:
        return None
    # the first typical page drawn also loads the browser's chart and table code, once per tab
    # (the app's Overview pays it too): the floor's pages are the ones after it
    typical = [floor[name][0] for name in FLOOR_PAGES.values() if name not in FLOOR_ONE_OFF]
    return max(typical), floor[FLOOR_STATIC][0], floor[FIRST_LOAD][0]


def _ratio(value: float, floor: float | None) -> str:
    return f"{value / floor:.1f}× the floor" if floor else "no floor measured"


def targets(tiers: dict[str, dict], postgres: dict[str, dict]) -> list[str]:
    """Issue #33's targets, each with its figure and, for pages, its ratio to the framework's
    floor measured in the same run."""
    rows: list[str] = []

    def row(label: str, measured: str, value: float | None, target: float) -> None:
        rows.append(f"| {label} | {measured} | {verdict(value, target)} |")

    def pages_within(tier: str, record: dict, limit_ms: float, label: str) -> None:
        chromium = record.get("chromium")
        if not chromium:
            return
        ref_ = floor_reference(record)
        name, worst = _slowest(chromium)
        ratio = f" ({_ratio(worst, ref_[0] if ref_ else None)})"
        row(
            f"{label}: every page ≤ {limit_ms / 1000:g} s (Chromium)",
            f"slowest: {name}, {worst:.0f} ms{ratio}",
            worst,
            limit_ms,
        )

    if "L" in tiers:
        r = tiers["L"]
        chromium = r.get("chromium")
        ref_ = floor_reference(r)
        pages_within("L", r, 1000, "L")
        if chromium and ref_:
            slow_floor, static_floor, first_floor = ref_
            name, worst = _slowest(chromium)
            row(
                "L: every page ≤ 2× the floor's slowest page",
                f"{name}: {worst:.0f} ms = {worst / slow_floor:.1f}× {slow_floor:.0f} ms",
                worst / slow_floor,
                2,
            )
            median = statistics.median(chromium[p][0] for p in _page_names(chromium))
            row(
                "L: the median page ≤ 1.5× the floor's slowest page",
                f"{median:.0f} ms = {median / slow_floor:.1f}×",
                median / slow_floor,
                1.5,
            )
            static = chromium["method"][0]
            row(
                "L: a static page (Method) at the floor (≤ 1× its slowest page)",
                f"{static:.0f} ms = {static / slow_floor:.1f}× (the floor's own static page: "
                f"{static_floor:.0f} ms)",
                static / slow_floor,
                1,
            )
            first = chromium[FIRST_LOAD][0]
            row(
                "L: first load ≤ 2 s (Chromium)",
                f"{first:.0f} ms ({_ratio(first, first_floor)})",
                first,
                2000,
            )
            row(
                "L: first load ≤ 1.5× the floor's first load",
                f"{first:.0f} ms = {first / first_floor:.1f}× {first_floor:.0f} ms",
                first / first_floor,
                1.5,
            )
        change = max(r["pages"], key=lambda p: r["pages"][p]["change"][0])
        value = r["pages"][change]["change"][0]
        row(
            "L: server time after a filter change ≤ 300 ms (every page)",
            f"slowest: {change}, {value:.0f} ms",
            value,
            300,
        )
        if r.get("app_mb"):
            row("L: app process ≤ 1 GB", f"{r['app_mb']:.0f} MB", r["app_mb"], 1024)
        if r.get("import"):
            row(
                "L: import of 100,000 assessments ≤ 10 s",
                f"{r['import'][0][0]:.1f} s",
                r["import"][0][0],
                10,
            )
    for r in tiers.values():
        workbook = r.get("workbook")
        if not workbook:
            continue
        row(
            f"M workbook: the 10,000-project demo's own workbook ({workbook['rows']:,} rows) "
            "into an empty database ≤ 15 s",
            f"{workbook['load'][0]:.1f} s",
            workbook["load"][0],
            15,
        )
        row(
            "M workbook: … with peak memory ≤ 1 GB",
            f"{workbook['peak_mb']:.0f} MB",
            workbook["peak_mb"],
            1024,
        )
        row(
            "M workbook: a re-import that changes nothing ≤ 10 s",
            f"{workbook['again'][0]:.1f} s",
            workbook["again"][0],
            10,
        )
        limit = workbook["limit_mb"]
        largest, size = workbook["largest_export"]
        row(
            f"M workbook: every export of the Export page imports back through the Import page "
            f"(≤ the {limit} MB upload limit)",
            f"largest: {largest}, {size / 2**20:.1f} MB",
            size / 2**20,
            limit,
        )
    if "XL" in tiers:
        r = tiers["XL"]
        demo = r.get("demo")
        if demo:
            row(
                "XL: `coinvest demo --projects 1000000` ≤ 15 min",
                f"{demo['seconds'] / 60:.1f} min",
                demo["seconds"] / 60,
                15,
            )
            row("XL: demo peak memory ≤ 4 GB", f"{demo['peak_mb']:.0f} MB", demo["peak_mb"], 4096)
        pages_within("XL", r, 2000, "XL")
        if r.get("app_mb"):
            row("XL: app process ≤ 2 GB", f"{r['app_mb']:.0f} MB", r["app_mb"], 2048)
    if "L" in postgres:
        pages_within("L", postgres["L"], 2000, "PostgreSQL at L")
    if not rows:
        return []
    return ["", "## Targets (#19, #33)", "", "| target | measured | |", "|---|---|---|", *rows]


def postgres_section(
    tiers: dict[str, dict], postgres: dict[str, dict], pages: list[str]
) -> list[str]:
    lines = [
        "",
        "## PostgreSQL",
        "",
        "The same demo (same seed) loaded by `coinvest demo` into a throwaway PostgreSQL server "
        "(Debian's package, default durability, shared_buffers 1 GB, work_mem 64 MB) on the same "
        "machine; the app and the metric layer unchanged. Server-time cells: PostgreSQL median "
        "in ms, and × its DuckDB median of the same tier above.",
    ]
    for tier, found in postgres.items():
        duck = tiers.get(tier)
        lines += ["", f"### {tier}: demo loaded in {found['load']:.0f} s ({found['when']})", ""]
        if found.get("chromium"):
            lines += ["| page (Chromium, click → settled) | PostgreSQL | DuckDB |", "|---|---|---|"]
            for name in (FIRST_LOAD, NEXT_VISITOR, *pages):
                theirs = ((duck or {}).get("chromium") or {}).get(name)
                lines.append(f"| {name} | {_ms(found['chromium'].get(name))} | {_ms(theirs)} |")
            lines.append("")
        lines += ["| page (server time) | cold | warm | change |", "|---|---|---|---|"]
        for name in pages:
            if name not in found["pages"]:
                lines.append(f"| {name} | – | – | – |")
                continue
            cells = []
            for kind in ("cold", "warm", "change"):
                pg_ms = found["pages"][name][kind][0]
                duck_ms = duck["pages"][name][kind][0] if duck and name in duck["pages"] else None
                cells.append(f"{pg_ms:.0f}" + (f" ({pg_ms / duck_ms:.1f}×)" if duck_ms else ""))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        if "queries" not in found:
            continue
        lines += ["", "| query | " + " | ".join(FILTERS) + " |", "|---|" + "---|" * len(FILTERS)]
        for qname in QUERIES:
            cells = []
            for f in FILTERS:
                if f"{f}|{qname}" not in found["queries"]:  # a query added since
                    cells.append("–")
                    continue
                pg_ms = found["queries"][f"{f}|{qname}"][0]
                duck_ms = (duck["queries"].get(f"{f}|{qname}") or [None])[0] if duck else None
                cells.append(f"{pg_ms:.0f}" + (f" ({pg_ms / duck_ms:.1f}×)" if duck_ms else ""))
            lines.append(f"| {qname} | " + " | ".join(cells) + " |")
    return lines


def measure_tier(tier: str, runs: int, browser_runs: int, skip_browser: bool) -> dict:
    """Every measure of one tier, as a record."""
    db = tier_database(tier)
    print(f"tier {tier}: {db}", file=sys.stderr)
    con = open_database(db, read_only=True)
    answers = con.execute("SELECT count(*) FROM assessment_answer").fetchall()[0][0]
    con.close()
    record: dict = {
        "projects": TIERS[tier],
        "answers": answers,
        "demo": demo_record(tier),
        "when": time.strftime("%Y-%m-%d"),
        "runs": runs,
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB memory, "
        f"{platform.machine()}, {platform.platform()}",
        "versions": f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"pandas {pd.__version__}, Streamlit {__import__('streamlit').__version__}",
    }
    record["queries"] = _keyed(query_times(db, runs))
    if TIERS[tier] <= TIERS["L"]:  # a whole-table baseline and a file copy per run: not at XL
        if tier != "S":
            record["baseline"] = naive_versus_sql(db, max(1, min(runs, 3)))
        record["import"] = import_time(db, max(1, min(runs, 3)))
        print(f"  import {record['import'][0][0]:.1f} s", file=sys.stderr)
    if tier == "L":  # the imports of issue #33, on the M demo's own workbook
        record["workbook"] = workbook_times(max(1, min(runs, 3)))
    record["pages"] = page_times(db, runs)
    record["browser_runs"] = browser_runs
    if not skip_browser:
        found = browser_times(db, browser_runs)
        if found is not None:
            record["chromium"], record["app_mb"], record["floor"] = found
            walked = peak_memory_mb(db)
            record["app_mb"] = max(record["app_mb"], walked or 0)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="S,M,L", help="tiers measured now (S, M, L, XL)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--postgres", default="L", help="tiers measured on PostgreSQL too (empty: none)"
    )
    args = parser.parse_args(argv)
    chosen = [t.strip().upper() for t in args.tiers.split(",") if t.strip()]
    for tier in chosen:
        if tier not in TIERS:
            raise SystemExit(f"--tiers: {tier} is not one of {', '.join(TIERS)}")
        save_record(tier, measure_tier(tier, args.runs, args.browser_runs, args.skip_browser))
    for tier in (t.strip().upper() for t in args.postgres.split(",") if t.strip()):
        reason = postgres_missing()
        if reason:
            print(f"  PostgreSQL not measured: {reason}", file=sys.stderr)
            break
        found = postgres_tier(tier, TIERS[tier], args.runs, args.browser_runs)
        found["when"] = time.strftime("%Y-%m-%d")
        save_record(f"PG-{tier}", found)
    tiers, postgres = load_records()
    text = write_results(tiers, postgres)
    notes = Path(__file__).with_name("notes.md")
    if notes.exists():
        text += "\n" + notes.read_text(encoding="utf-8")
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
