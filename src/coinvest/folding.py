"""Accent folding: the form names are searched and headers matched in, in Python and in SQL."""

from __future__ import annotations

import re
import unicodedata

# Accent folding both DuckDB and PostgreSQL can run (`translate`), matched in Python below.
ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoa"


def fold(text: str) -> str:
    """Lower-case, accents removed: the form `search` is matched in."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.replace("œ", "o").replace("æ", "a")


def fold_sql(expr: str) -> str:
    """SQL that folds a column the way `fold` folds the search text (`expr` is SQL text from the
    code, never user input)."""
    return f"translate(lower({expr}), '{ACCENTED}', '{PLAIN}')"


def header_key(text: object) -> str:
    """A header or sheet name folded for matching: lower case, no accents, `_` separators.

    Dots are kept: question codes such as `ecosystem.needs` are headers.
    """
    folded = fold(str(text or "").strip())
    return re.sub(r"[^a-z0-9.]+", "_", folded).strip("_")
