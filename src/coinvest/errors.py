"""Errors a user can cause, carried as a message key so each surface can speak its language."""

from __future__ import annotations

from coinvest.i18n import md_escape, t


class CoinvestError(Exception):
    """A problem the user can act on: a bad path, a foreign file, a locked database…"""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str = "fr", markdown: bool = False) -> str:
        """The message; with `markdown`, the user's values in it are escaped for a renderer."""
        params = {k: md_escape(v) for k, v in self.params.items()} if markdown else self.params
        return t(self.key, lang, **params)
