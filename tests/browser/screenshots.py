"""Screenshots of every page on the demo portfolio (`make screenshots`).

python -m tests.browser.screenshots --out docs --pages overview,compare,viewpoints,project,needs,whatif
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.browser.harness import PAGES, browser, make_demo, page_url, running_app, wait_for_page


def capture(base: str, out: Path, pages: tuple[str, ...], query: str = "") -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with browser() as chrome:
        page = chrome.new_page(viewport={"width": 1440, "height": 1800})
        for name in pages:
            page.goto(page_url(base, name, query))
            wait_for_page(page)
            path = out / f"{name}.png"
            page.screenshot(path=str(path))
            written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--query", default="?investor=INV02")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = make_demo(Path(tmp) / "demo.duckdb")
        with running_app(db) as base:
            for path in capture(base, Path(args.out), tuple(args.pages.split(",")), args.query):
                print(path)


if __name__ == "__main__":
    main()
