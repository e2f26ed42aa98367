"""What an import reports: each broken rule located, and the counts per table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coinvest import settings
from coinvest.i18n import plural_keys, t, tn

Progress = Callable[[str, str], None]  # (stage: reading | validating | writing, detail)


def max_import_bytes() -> int:
    """The size limit of one import, in bytes (COINVEST_MAX_IMPORT_MB, default 32 MB)."""
    return int(float(settings.get("COINVEST_MAX_IMPORT_MB")) * 1024 * 1024)


@dataclass
class Problem:
    """One broken rule, located as precisely as the file allows."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # or "warning"

    def message(self, lang: str = "fr") -> str:
        params = {
            name: value.get(lang, value.get("fr")) if isinstance(value, dict) else value
            for name, value in self.params.items()
        }
        if self.rule in plural_keys(lang):
            return tn(self.rule, int(self.params["n"]), lang, **params)
        return t(self.rule, lang, **params)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    loaded: bool = False
    files: list[str] = field(default_factory=list)
    sha256: str = ""
    missing: dict[str, list[str]] = field(default_factory=dict)  # table → ids not in the file
    import_id: int | None = None  # the id its changes are logged with (loaded imports)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def problems_frame(self, lang: str = "fr") -> pd.DataFrame:
        """The validation report as a table: file, sheet, row, column, value, rule, severity."""
        return pd.DataFrame(
            [
                {
                    "file": p.file,
                    "sheet": p.sheet,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "rule": p.message(lang),
                    "severity": p.severity,
                }
                for p in self.problems
            ],
            columns=["file", "sheet", "row", "column", "value", "rule", "severity"],
        ).astype({"row": "Int64"})

    def counts_frame(self) -> pd.DataFrame:
        """Rows added, updated and unchanged per table, and how many rows of the database the
        file did not mention (they stay; deleting them is a separate step)."""
        columns = ["table", "added", "updated", "unchanged", "not_in_file"]
        if any("deleted" in c for c in self.counts.values()):
            columns.append("deleted")
        return pd.DataFrame(
            [{"table": table, **c} for table, c in self.counts.items()], columns=columns
        )

    @property
    def not_in_file(self) -> int:
        """Rows of the database that the file's tables did not mention."""
        return sum(c.get("not_in_file", 0) for c in self.counts.values())


def _quiet(stage: str, detail: str) -> None:
    pass
