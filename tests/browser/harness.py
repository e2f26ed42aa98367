"""The browser harness: a demo app on a free port, and Debian's Chromium driven by Playwright.

Used by the browser tests and by `make screenshots` (the README's pictures).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from coinvest import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = str(settings.get("COINVEST_CHROMIUM"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = (
    "overview",
    "utility",
    "territories",
    "compare",
    "viewpoints",
    "cohorts",
    "project",
    "needs",
    "partnerships",
    "whatif",
    "import",
    "templates",
    "export",
    "questionnaire",
    "journal",
    "method",
)
# every page the per-page tests take: the benchmark's walk (PAGES) and the campaign tools, which
# show their content on a demo with a campaign (`with_campaign`)
EVERY_PAGE = (*PAGES, "to-fill", "campaigns")
# the page file of each URL path, where they differ (the data tools, `ui.tools.TOOLS`)
PAGE_FILES = {
    "import": "data_import",
    "templates": "data_templates",
    "export": "data_export",
    "questionnaire": "data_questionnaire",
    "to-fill": "data_to_fill",
    "campaigns": "data_campaigns",
    "journal": "data_journal",
    "members": "data_members",
}


def page_url(base: str, name: str, query: str = "") -> str:
    """The address of a page (the default page, Overview, lives at the root)."""
    return f"{base}/{'' if name == 'overview' else name}{query}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_demo(path: Path | str, projects: int = 300) -> Path | str:
    subprocess.run(
        [sys.executable, "-m", "coinvest", "demo", "--db", str(path), "--projects", str(projects)],
        check=True,
        capture_output=True,
    )
    return path


def with_campaign(path: Path | str) -> Path | str:
    """An open campaign on a demo (docs/campaigns.md), over its first cohort's members of today,
    with one questionnaire saved as a draft: the campaign tools then show a questionnaire, a
    board and a reminder list."""
    from datetime import timedelta

    from coinvest import campaigns
    from coinvest import reference as ref
    from coinvest.db import open_database, query

    con = open_database(path)
    try:
        today = campaigns.utc_today()
        cohort = query(
            con,
            """SELECT min(cohort_id) AS cohort_id FROM cohort_member
               WHERE entry_date <= $today AND (exit_date IS NULL OR exit_date >= $today)""",
            {"today": today},
        )["cohort_id"].iloc[0]
        made = campaigns.create_campaign(
            con, "Tour de démonstration", today, today + timedelta(days=30), cohort_id=cohort
        )
        first = campaigns.expected(con, made, limit=1).iloc[0]
        campaigns.save_questionnaire(
            con,
            made.campaign_id,
            first["project_id"],
            first["viewpoint"],
            first["org_id"],
            {question: 2 for question in ref.QUESTION_CODES[:5]},
        )
    finally:
        con.close()
    return path


@contextlib.contextmanager
def running_app(
    db: Path | str,
    port: int | None = None,
    timeout: float = 90,
    secrets: Path | None = None,
    log_path: Path | None = None,
    address: str = "127.0.0.1",
    app: Path = ROOT / "app.py",
) -> Iterator[str]:
    """Serve app.py over `db` (a DuckDB file or a PostgreSQL URL) on a free port; yield its
    base URL; stop it afterwards.

    `secrets`: a secrets.toml with an `[auth]` section, for shared mode (sign-in). The server's
    output goes to `log_path` (by default next to a DuckDB file). `address`: the one it listens
    on (requests always go to 127.0.0.1). `app`: the script served (the benchmark's floor
    serves its own).
    """
    port = port or free_port()
    env = {**os.environ, "COINVEST_DB": str(db), "PYTHONPATH": str(ROOT)}
    extra = ["--secrets.files", str(secrets)] if secrets else []
    log_path = log_path or Path(db).with_suffix(".log")
    log = open(log_path, "w")  # noqa: SIM115 - closed below, after the process
    # the app as `make run` serves it (serve.py: its libraries loaded as the server starts)
    command = ["serve.py"] if app == ROOT / "app.py" else ["-m", "streamlit", "run", str(app)]
    process = subprocess.Popen(
        [
            sys.executable,
            *command,
            "--server.port",
            str(port),
            "--server.address",
            address,  # the test still talks to it on 127.0.0.1
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: see {log_path}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@contextlib.contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chrome
        finally:
            chrome.close()


SETTLED = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid=stStatusWidget], [data-testid=stSkeleton]')) {
        return false;  // still running, or elements not drawn yet
    }
    // charts render after the script ends: every chart has drawn its picture
    return [...document.querySelectorAll('.vega-embed')].every(e => e.querySelector('svg, canvas'));
}"""


def wait_for_page(page, timeout: float = 60_000) -> None:
    """Until the app has drawn the page, finished running its script and drawn its charts
    (conditions, never a fixed pause)."""
    page.wait_for_selector("h1", timeout=timeout)
    page.wait_for_function(SETTLED, timeout=timeout)


def import_through_data_page(page, base: str, file: Path) -> None:
    """Upload a file on the Import page and import it; returns once the page says it is
    loaded."""
    page.goto(f"{base}/import")
    wait_for_page(page)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(file))
    page.get_by_text(file.name).wait_for()
    page.get_by_role("button", name="Vérifier et importer").click()
    page.get_by_text("Données chargées").wait_for(timeout=60_000)
