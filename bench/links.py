"""`make bench-links`: how long a shared link takes to show its view, against opening the page.

    python bench/links.py --runs 5

On the demo portfolio (300 projects, seed 42), for every page's view of the link test
(tests/browser/test_views.py VIEWS: a starting link, then what a user does there before
copying the address), in Chromium at a laptop's width, each run on an app whose caches are warm
(the view was drawn once, as it is once someone has shared it):

- the shared link, opened in a fresh browser (no cache, no session: what the recipient does);
- the page's own address, opened in a fresh browser the same way;
- the page opened from the sidebar of an app already open in the browser.

Each measure is from the navigation (or the click) to the page's last change once settled: the
script has run, every chart has drawn its picture and nothing changed for 0.5 s after
(bench.bench's watcher; that half second is not counted). Medians and maxima in milliseconds go to bench/records/links.json and
bench/LINKS.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench import CLICK, WATCH, _settled_ms
from tests.browser.harness import (
    PAGES,
    browser,
    make_demo,
    page_url,
    running_app,
    wait_for_page,
)
from tests.browser.test_views import VIEWS, act

RECORD = ROOT / "bench" / "records" / "links.json"
REPORT = ROOT / "bench" / "LINKS.md"
VIEWPORT = {"width": 1440, "height": 900}
TIMEOUT_MS = 120_000
KINDS = ("shared link, fresh browser", "page, fresh browser", "page, from the sidebar")


def _fresh(chrome, url: str) -> float:
    context = chrome.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = context.new_page()
    page.add_init_script(WATCH)
    page.goto(url)
    elapsed = _settled_ms(page, TIMEOUT_MS)
    context.close()
    return elapsed


def measure(runs: int) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {name: {k: [] for k in KINDS} for name in PAGES}
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo(Path(tmp) / "demo.duckdb")
        with running_app(db, log_path=Path(tmp) / "app.log") as base, browser() as chrome:
            # each view once, as its author drew it before copying the address
            links = {}
            # as tall as the link test's window: the controls it uses are all in sight
            author = chrome.new_context(
                viewport={"width": 1440, "height": 2400}, locale="fr-FR"
            ).new_page()
            for name in PAGES:
                start, actions = VIEWS[name]
                author.goto(page_url(base, name, start))
                wait_for_page(author)
                for kind, target in actions:
                    act(author, kind, target)
                links[name] = author.url
            author.context.close()
            for _ in range(runs):
                session = chrome.new_context(viewport=VIEWPORT, locale="fr-FR").new_page()
                session.add_init_script(WATCH)
                session.goto(page_url(base, "method"))
                _settled_ms(session, TIMEOUT_MS)
                for name in PAGES:
                    own = page_url(base, name, VIEWS[name][0])
                    samples[name][KINDS[0]].append(_fresh(chrome, links[name]))
                    samples[name][KINDS[1]].append(_fresh(chrome, own))
                    session.evaluate(CLICK, name)
                    samples[name][KINDS[2]].append(_settled_ms(session, TIMEOUT_MS))
                session.context.close()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    samples = measure(args.runs)
    record = {
        "runs": args.runs,
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "pages": {
            name: {
                kind: [
                    round(statistics.median(values)),
                    round(max(values)),
                ]
                for kind, values in kinds.items()
            }
            for name, kinds in samples.items()
        },
    }
    RECORD.write_text(json.dumps(record, indent=1) + "\n")
    lines = [
        "# A shared link against opening the page",
        "",
        f"Written by `bench/links.py --runs {args.runs}` (median / max, ms; {record['machine']}).",
        "",
        "| page | " + " | ".join(KINDS) + " |",
        "|---|" + "---:|" * len(KINDS),
    ]
    for name, kinds in record["pages"].items():
        cells = " | ".join(f"{kinds[k][0]} / {kinds[k][1]}" for k in KINDS)
        lines.append(f"| {name} | {cells} |")
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
