"""Streamlit glue shared by the pages: the cached connection, language and filter from the URL.

Everything here is thin; figures come from `coinvest.metrics`, charts from `coinvest.charts`.
"""

import gc

_frozen = False


def freeze_loaded_modules() -> None:
    """Once per process, the objects alive when the app's first run starts (the modules loaded:
    Streamlit, pandas, Altair, DuckDB, ours: ~1 million) leave the garbage collector's watch: they live as long as the
    server, and a full collection walking them took ~100 ms, paid in the middle of a page's run
    (docs/rules.md "Speed"). A flag of this module says it was done: `gc.get_freeze_count()`
    counts the frozen objects one by one, 12 ms at every run."""
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True
