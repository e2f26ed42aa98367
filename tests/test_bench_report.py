"""`make bench`'s report: every target with its figure, each page as a ratio to the framework's
floor measured in the same run (bench/floor/app.py), and the right verdicts."""

from __future__ import annotations

import pytest

from bench import bench
from tests.browser.harness import PAGES


def _record(page_ms: dict[str, float], floor_ms: dict[str, float]) -> dict:
    chromium = {name: (page_ms.get(name, 400.0), page_ms.get(name, 400.0) + 10) for name in PAGES}
    chromium[bench.FIRST_LOAD] = (3000.0, 3100.0)
    chromium[bench.NEXT_VISITOR] = (2500.0, 2600.0)
    floor = {name: (floor_ms[name], floor_ms[name] + 5) for name in floor_ms}
    pages = {
        name: {"cold": (100.0, 110.0), "warm": (50.0, 60.0), "change": (120.0, 130.0)}
        for name in PAGES
    }
    pages["cohorts"]["change"] = (310.0, 320.0)
    return {
        "projects": 100_000,
        "answers": 1,
        "when": "2026-12-03",
        "runs": 3,
        "browser_runs": 2,
        "machine": "2 cores",
        "versions": "Python",
        "queries": {},
        "pages": pages,
        "chromium": chromium,
        "floor": floor,
        "app_mb": 900.0,
        "import": [[12.5, 13.0], 1000],
        "workbook": {
            "rows": 216_000,
            "bytes": 1,
            "load": [14.0, 15.0],
            "peak_mb": 1100.0,
            "again": [9.0, 9.5],
            "largest_export": ["assessments (csv)", 40 * 2**20],
            "limit_mb": 32,
        },
    }


FLOOR = {
    bench.FIRST_LOAD: 2000.0,
    bench.NEXT_VISITOR: 1800.0,
    "typical 1": 900.0,  # the first chart page: loads the browser's chart code
    "typical 2": 500.0,
    "typical 3": 450.0,
    "typical 4": 480.0,
    "static": 60.0,
}


def _targets(text: str) -> dict[str, tuple[str, str]]:
    part = text.split("## Targets")[1].split("\n## ")[0]
    rows = [line.strip("|").split(" | ") for line in part.splitlines() if line.startswith("| ")]
    return {label.strip(): (measured, verdict.strip()) for label, measured, verdict in rows[1:]}


def test_the_floor_reference_leaves_out_the_floors_first_chart_page():
    slowest, static, first = bench.floor_reference({"floor": {k: (v, v) for k, v in FLOOR.items()}})
    assert (slowest, static, first) == (500.0, 60.0, 2000.0)


def test_every_target_has_its_figure_its_floor_ratio_and_verdict():
    record = _record({"utility": 950.0, "method": 450.0}, FLOOR)
    text = bench.write_results({"L": record}, {})
    found = _targets(text)
    measured, verdict = found["L: every page ≤ 1 s (Chromium)"]
    assert measured == "slowest: utility, 950 ms (1.9× the floor)"
    assert verdict == "met"
    assert found["L: every page ≤ 2× the floor's slowest page"][1] == "met"
    # the median page: 400 ms of 16 pages = 0.8×
    assert found["L: the median page ≤ 1.5× the floor's slowest page"] == ("400 ms = 0.8×", "met")
    measured, verdict = found["L: a static page (Method) at the floor (≤ 1× its slowest page)"]
    assert measured.startswith("450 ms = 0.9×")
    assert verdict == "met"
    assert found["L: first load ≤ 1.5× the floor's first load"] == (
        "3000 ms = 1.5× 2000 ms",
        "met",
    )
    assert found["L: first load ≤ 2 s (Chromium)"][1] == "**missed**"
    assert found["L: server time after a filter change ≤ 300 ms (every page)"] == (
        "slowest: cohorts, 310 ms",
        "**missed**",
    )
    assert found["L: app process ≤ 1 GB"] == ("900 MB", "met")
    assert found["L: import of 100,000 assessments ≤ 10 s"] == ("12.5 s", "**missed**")
    wb = "M workbook: the 10,000-project demo's own workbook (216,000 rows) into an empty database ≤ 15 s"
    assert found[wb] == ("14.0 s", "met")
    assert found["M workbook: … with peak memory ≤ 1 GB"] == ("1100 MB", "**missed**")
    assert found["M workbook: a re-import that changes nothing ≤ 10 s"] == ("9.0 s", "met")
    back = found[
        "M workbook: every export of the Export page imports back through the Import page "
        "(≤ the 32 MB upload limit)"
    ]
    assert back == ("largest: assessments (csv), 40.0 MB", "**missed**")
    # every page as seconds and as a ratio to the floor
    assert "| utility | 950 | 1.9× |" in text
    assert "| first load (new server) | 3000 | 1.5× |" in text


@pytest.mark.parametrize(("utility", "verdict"), [(1001.0, "**missed**"), (999.0, "met")])
def test_a_page_over_twice_the_floor_misses(utility, verdict):
    record = _record({"utility": utility}, {**FLOOR, "typical 2": 499.0})
    found = _targets(bench.write_results({"L": record}, {}))
    assert found["L: every page ≤ 2× the floor's slowest page"][1] == (
        "**missed**" if utility > 2 * 499 else "met"
    )
    assert found["L: every page ≤ 1 s (Chromium)"][1] == verdict


def test_a_record_without_a_floor_still_reports_its_figures():
    record = _record({}, FLOOR)
    del record["floor"]
    found = _targets(bench.write_results({"L": record}, {}))
    assert found["L: every page ≤ 1 s (Chromium)"][0].endswith("(no floor measured)")
    assert "L: every page ≤ 2× the floor's slowest page" not in found
