"""Serve the app: `streamlit run app.py`, with the libraries its pages need loaded first.

`streamlit run` loads a script's libraries when its first visitor arrives: pandas, Altair,
DuckDB, Arrow and the metric layer took that visitor ~1 s, and the first table drawn in a
process compiled pandas' table templates (~0.1 s). Here they load while the server starts, in
the same process, before Streamlit's own command runs (docs/rules.md "Speed").

    python serve.py [any option of `streamlit run`]      # what `make run` does
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().with_name("app.py")


def preload() -> None:
    """Import what every page needs and compile pandas' table templates, once."""
    import altair  # noqa: F401
    import duckdb  # noqa: F401
    import pandas as pd
    import pyarrow  # noqa: F401

    import coinvest.charts
    import coinvest.metrics
    import coinvest.people
    import coinvest.report  # noqa: F401

    # Streamlit draws a formatted table through pandas' Styler, which loads its module and
    # compiles its Jinja templates the first time
    pd.DataFrame({"x": [1.5]}).style.format({"x": "{:.1f}"}).to_html()


def main(argv: list[str] | None = None) -> None:
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
