"""The package is importable and usable without Streamlit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import coinvest


def test_no_module_of_the_package_imports_streamlit():
    modules = [f"coinvest.{m.name}" for m in pkgutil.iter_modules(coinvest.__path__)]
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    if name != 'coinvest.__main__':\n"
        "        importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
    assert "coinvest.metrics" in modules
    assert "coinvest.demo" in modules
