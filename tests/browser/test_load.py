"""Load: 20 browser sessions at once changing filters for two minutes (`make test-slow`)."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from urllib.parse import urlencode

import pytest

from coinvest import metrics, settings
from coinvest.db import open_database
from coinvest.filters import PortfolioFilter
from coinvest.i18n import format_number
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, make_demo, running_app

pytestmark = pytest.mark.slow

SESSIONS = int(settings.get("COINVEST_LOAD_SESSIONS"))
DURATION = int(settings.get("COINVEST_LOAD_SECONDS"))  # seconds


def _filters() -> list[PortfolioFilter]:
    phases = [["emergence"], ["rnd"], ["modelling", "scaling"], []]
    needs = [["employment"], ["food", "housing"], ["environment"], []]
    flags = [{}, {"qpv": True}, {"rural": True}, {"investor": "INV02"}, {"year_from": 2024}]
    combos = itertools.product(phases, needs, flags)
    return [PortfolioFilter.create(phase=p, need=n, **f, scope=None) for p, n, f in combos]


async def _user(browser, base: str, work: list, deadline: float, seed: int, results: dict) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1280, "height": 1000})
    page = await context.new_page()
    page.on("pageerror", lambda exc: results["errors"].append(str(exc)))
    try:
        while time.monotonic() < deadline:
            flt, expected = rng.choice(work)
            # under load the first pages of twenty cold sessions take longer than Playwright's
            # default 30 s: this test checks figures under load, `make bench` times them
            await page.goto(
                f"{base}/?{urlencode(flt.to_query_params(), doseq=True)}", timeout=180_000
            )
            await page.wait_for_selector("h1", timeout=180_000)
            await page.wait_for_function(
                "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=180_000
            )
            if await page.locator("[data-testid=stException]").count():
                results["errors"].append(f"exception for {flt}")
                continue
            tile = page.locator("[data-testid=stMetric]").filter(has_text="Projets").first
            try:
                if expected == 0:
                    await page.get_by_text("Aucun projet ne correspond").wait_for(timeout=180_000)
                    shown = "0"
                else:
                    shown = await tile.locator("[data-testid=stMetricValue]").inner_text(
                        timeout=180_000
                    )
            except Exception as exc:
                text = await page.locator("[data-testid=stApp]").inner_text()
                results["errors"].append(
                    f"{flt.to_query_params()}: {type(exc).__name__}: {text[:400]!r}"
                )
                continue
            if shown != format_number(expected):
                results["mismatches"].append((flt.to_query_params(), shown, expected))
            results["checks"] += 1
            results["sessions"].add(seed)
    finally:
        await context.close()


def test_twenty_sessions_changing_filters_for_two_minutes(tmp_path):
    from playwright.async_api import async_playwright

    db = make_demo(tmp_path / "load.duckdb")
    con = open_database(db, read_only=True)
    work = [(flt, metrics.project_count(con, flt)) for flt in _filters()]
    con.close()
    results: dict = {"checks": 0, "mismatches": [], "errors": [], "sessions": set()}

    async def main(base: str) -> None:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            deadline = time.monotonic() + DURATION
            await asyncio.gather(
                *(_user(browser, base, work, deadline, seed, results) for seed in range(SESSIONS))
            )
            await browser.close()

    with running_app(db) as base:
        asyncio.run(main(base))
    assert results["errors"] == []
    assert results["mismatches"] == []
    # every session saw its figures under load, and sessions went on to other filters while the
    # others loaded theirs; how many pages they saw in two minutes is throughput, which
    # `make bench` measures (on this 2-core machine the same run checked 31, then 66 figures)
    assert len(results["sessions"]) == SESSIONS, results["checks"]
    assert results["checks"] > SESSIONS, results["checks"]
    print(f"{results['checks']} figures checked by {SESSIONS} sessions in {DURATION} s")
