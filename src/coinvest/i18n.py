"""Translations and French/English number and date formats: one i18n system.

French is the default. Every text a page, a report or the command line shows is a key of the
gettext catalogues in `locale/<lang>/LC_MESSAGES/coinvest.po` (`t(key, lang)`, and `tn(key, n,
lang)` for the entries with plural forms); both languages hold the same keys, and every key is
used (tests check both). Numbers, euros, percentages, dates and the charts' d3 locale come from
Babel's locale data.
"""

from __future__ import annotations

import functools
import gettext
import io
import math
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Literal

from babel import Locale, dates, numbers
from babel.messages import mofile, pofile

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"

NNBSP = "\u202f"  # narrow no-break space: French thousands separator
NBSP = "\u00a0"  # no-break space: before € and %

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "coinvest"


def _catalog_paths(lang: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@functools.cache
def translations(lang: str) -> gettext.GNUTranslations:
    """The gettext catalogue of a language: its .mo as `make` compiled it, or — in a checkout
    where nothing compiled it, or after the .po changed — the .po compiled in memory."""
    po, mo = _catalog_paths(normalise_lang(lang))
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with open(mo, "rb") as compiled:
            return gettext.GNUTranslations(compiled)
    with open(po, "rb") as source:
        catalog = pofile.read_po(source, locale=normalise_lang(lang), domain=DOMAIN)
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class _Texts(Mapping[str, str]):
    """One language's texts by key (the singular form of plural entries)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def _entries(self) -> dict[str, str]:
        return _entries(self.lang)

    def __getitem__(self, key: str) -> str:
        return self._entries()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries())

    def __len__(self) -> int:
        return len(self._entries())


@functools.cache
def _entries(lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    # GNUTranslations keeps its messages in `_catalog`: str keys, or (key, form) for plurals
    for key, text in translations(lang)._catalog.items():  # type: ignore[attr-defined]
        if isinstance(key, tuple):
            if key[1] == 0:
                found[key[0]] = text
        elif key:
            found[key] = text
    return found


@functools.cache
def plural_keys(lang: str) -> frozenset[str]:
    """The keys whose text has plural forms (asked for with `tn`)."""
    catalog = translations(lang)._catalog  # type: ignore[attr-defined]
    return frozenset(key[0] for key in catalog if isinstance(key, tuple))


CATALOG: Mapping[str, Mapping[str, str]] = {lang: _Texts(lang) for lang in LANGS}


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text of `key` in `lang`, with `{name}` placeholders filled from params; a key that no
    catalogue holds is an error (KeyError), never shown as is."""
    text = _entries(normalise_lang(lang))[key]
    return text.format(**params) if params else text


def tn(key: str, count: int, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text of a plural entry for `count` (`1 ligne`, `2 lignes`; French uses the singular
    for 0 and 1). `{n}` shows the count, or the `n` param when given (a formatted number)."""
    lang = normalise_lang(lang)
    if key not in plural_keys(lang):
        raise KeyError(key)
    values: dict[str, object] = {"n": count, **params}
    return translations(lang).ngettext(key, key, int(count)).format(**values)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# Numbers, euros, percentages and dates come from Babel's locale data (CLDR): French groups
# digits with a narrow no-break space, puts a no-break space before € and %, writes dd/mm/yyyy.
BABEL_LOCALES = {"fr": "fr_FR", "en": "en"}
DATE_PATTERNS = {"fr": "dd/MM/yyyy", "en": "yyyy-MM-dd"}  # English pages show ISO dates


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALES[normalise_lang(lang)])


def _digits(decimals: int) -> str:
    return "0." + "0" * decimals if decimals > 0 else "0"


# A page's tables show the same figures run after run (and the same scores many times over):
# each text is made once. `negative_zero` keeps -0.0 apart from 0.0, which a dict holds as one.
FORMATTED_KEPT = 65_536


@functools.lru_cache(maxsize=FORMATTED_KEPT)
def _decimal_text(value: float, negative_zero: bool, decimals: int, lang: str) -> str:
    return numbers.format_decimal(value, format="#,##" + _digits(decimals), locale=_locale(lang))


def format_number(
    value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG, signed: bool = False
) -> str:
    """`1 234,5` in French (narrow no-break spaces), `1,234.5` in English; `—` when missing.

    `signed` writes the sign of a difference: `+3,5`, `−2,0` (a real minus), `0,0`.
    """
    if value is None or _missing(value):
        return "—"
    text = _decimal_text(value, value == 0 and math.copysign(1.0, value) < 0, decimals, lang)
    if signed:
        text = text.replace("-", "\u2212")
        if not text.startswith("\u2212") and float(value) != 0 and text.strip("0,.\u202f ") != "":
            text = "+" + text
    return text


def format_eur(
    value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG, compact: bool = False
) -> str:
    """`12 500 €` in French, `€12,500` in English; compact: `118,1 M€` / `€118.1M`."""
    if value is None or _missing(value):
        return "—"
    unit = ""
    if compact and abs(value) >= 1e6:
        value, decimals, unit = value / 1e6, 1, "M"
    elif compact and abs(value) >= 1e4:
        value, decimals, unit = value / 1e3, 0, "k"
    prefix, suffix = _euro_affixes(lang)
    number = format_number(value, decimals, lang)
    if prefix:
        return f"{prefix}{number}{unit}"
    space = suffix[: -len(suffix.lstrip())] if suffix != suffix.lstrip() else ""
    return f"{number}{space}{unit}{suffix.lstrip()}"


@functools.cache
def _euro_affixes(lang: str) -> tuple[str, str]:
    """What stands before and after an amount in euros: (`€`, ``) or (``, ` €`), from the
    locale's currency pattern (`¤#,##0.00` or `#,##0.00 ¤`)."""
    locale = _locale(lang)
    pattern = locale.currency_formats["standard"].pattern
    symbol = numbers.get_currency_symbol("EUR", locale=locale)
    if pattern.startswith("¤"):
        return symbol, ""
    return "", pattern[pattern.rindex("0") + 1 : pattern.index("¤")] + symbol


def format_pct(share: float | None, decimals: int = 1, lang: str = DEFAULT_LANG) -> str:
    """A share in 0–1 as a percentage: `33,7 %` in French, `33.7%` in English."""
    if share is None or _missing(share):
        return "—"
    locale = _locale(lang)
    pattern = locale.percent_formats[None].pattern.replace("0", _digits(decimals), 1)
    return numbers.format_percent(share, format=pattern, locale=locale)


def format_date(value: date | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    lang = normalise_lang(lang)
    return dates.format_date(value, format=DATE_PATTERNS[lang], locale=_locale(lang))


def d3_number_format(lang: str = DEFAULT_LANG) -> dict[str, object]:
    """The Vega-Lite `formatLocale` for the language (French: `1 234,5`), from Babel's data."""
    symbols = _locale(lang).number_symbols["latn"]
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": list(_euro_affixes(lang)),
    }


def d3_time_format(lang: str = DEFAULT_LANG) -> dict[str, object]:
    """The Vega-Lite time `formatLocale` for the language (French months and `dd/mm/yyyy`), with
    Babel's names of days (Sunday first, as d3 wants) and months."""
    lang = normalise_lang(lang)
    locale = _locale(lang)

    def days(width: Literal["abbreviated", "wide"]) -> list[str]:
        names = dates.get_day_names(width, locale=locale)  # 0 is Monday
        return [names[6], *(names[i] for i in range(6))]

    def months(width: Literal["abbreviated", "wide"]) -> list[str]:
        names = dates.get_month_names(width, locale=locale)
        return [names[i] for i in range(1, 13)]

    if lang == "fr":
        patterns = {"dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S"}
    else:
        patterns = {"dateTime": "%x, %X", "date": "%Y-%m-%d", "time": "%-I:%M:%S %p"}
    return {
        **patterns,
        "periods": ["AM", "PM"],
        "days": days("wide"),
        "shortDays": days("abbreviated"),
        "months": months("wide"),
        "shortMonths": months("abbreviated"),
    }


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """User text made inert for a Markdown renderer: every special character escaped, so that a
    name such as `![x](http://…)` or `<script>` is shown as written, never as an image, a link
    or markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
