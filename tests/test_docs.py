"""The code cites the project's own specification (`docs/`), never a file outside the
repository: every citation names a file of docs/ and, when it names a section, a heading of
that file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `docs/figures.md "Settled points"`; a section title may run onto the next comment line
CITATION = re.compile(r'docs/([a-z]+)\.md(?: "([^"]+)")?')


def _tracked(*suffixes: str) -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / n for n in names if n.endswith(suffixes) and (ROOT / n).is_file()]


def _headings(doc: Path) -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in doc.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_every_citation_names_a_file_and_a_heading_of_docs():
    cited = 0
    wrong = []
    for path in _tracked(".py", ".toml", "Makefile", ".md"):
        if path.parent.name == "docs" and path.suffix == ".md":
            continue
        text = path.read_text(encoding="utf-8")
        for match in CITATION.finditer(text):
            doc = ROOT / "docs" / f"{match[1]}.md"
            title = None if match[2] is None else " ".join(match[2].replace("#", " ").split())
            cited += 1
            if not doc.is_file():
                wrong.append(f"{path.relative_to(ROOT)}: {match[0]} (no such file)")
            elif title is not None and title not in _headings(doc):
                wrong.append(f"{path.relative_to(ROOT)}: {match[0]} (no such heading)")
    assert cited > 100
    assert wrong == []


def test_nothing_cites_a_file_outside_the_repository():
    outside = [
        str(p.relative_to(ROOT))
        for p in _tracked(".py", ".toml", "Makefile", ".md")
        if re.search(r"\bDESIGN(\.md)? §", p.read_text(encoding="utf-8"))
    ]
    assert outside == []
