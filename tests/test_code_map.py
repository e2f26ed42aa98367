"""The README's code map matches the tree: every module and package of the app names itself
there, and every path the map names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _code_map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## How the code is laid out\n", 1)[1].split("\n## ", 1)[0]


def test_every_module_of_the_app_is_on_the_map():
    section = _code_map()
    named = set(re.findall(r"`([\w./]+)`", section))
    missing = []
    for folder in ("src/coinvest", "ui", "app_pages"):
        for path in sorted((ROOT / folder).iterdir()):
            module = path.suffix == ".py" and not path.name.startswith("_")
            package = path.is_dir() and (path / "__init__.py").exists()
            if (module or package) and path.name not in named and f"{path.name}/" not in named:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_every_path_on_the_map_exists():
    section = _code_map()
    files = {p.name for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts}
    unknown = [
        name
        for name in re.findall(r"`([\w./]+\.py|[\w]+/)`", section)
        if name.rstrip("/").split("/")[-1] not in files
    ]
    assert unknown == []
