"""The cells of an imported file, read as the database stores them (docs/import.md "Rules"): French
numbers and amounts (ambiguous ones refused), dates, yes/no, codes or their labels.

Every rule a cell can break is a CellError carrying a message key; nothing here knows sheets.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from coinvest import reference as ref
from coinvest.folding import fold, header_key


class CellError(Exception):
    """A cell that breaks a rule; `rule` is a message key, `params` fill it (a param given as
    {"fr": …, "en": …} is spelled for each language)."""

    def __init__(self, rule: str, **params: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.params = params


@dataclass(frozen=True)
class Column:
    name: str  # the English code, as in the template
    kind: str  # id, text, email, code, bool, year, int, amount, number, date, score
    required: bool = False
    codes: tuple[str, ...] = ()  # for kind == "code"
    labels: tuple[ref.Code, ...] = ()  # labels accepted in place of codes
    ref_sheet: str | None = None  # the sheet whose id this column references
    aliases: tuple[str, ...] = ()  # French (and other) header spellings
    default: object = None  # the value of a blank cell


MAX_ID_LENGTH = 100
MAX_TEXT_LENGTH = 2000
MAX_AMOUNT = Decimal(10) ** 12  # a trillion euros: more is a typing error
MAX_NUMBER = Decimal(10) ** 15


# --- value parsers ------------------------------------------------------------------------------

_BLANK = {"", "nan", "none", "null", "-", "—"}
TRUE_WORDS = {"oui", "o", "true", "vrai", "1", "x", "yes", "y"}
FALSE_WORDS = {"non", "n", "false", "faux", "0", "no"}
_TIME = r"(?:[ T]\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = (
    # dd/mm/yyyy, dd/mm/yy, with a time of day that is ignored (`dd/mm/yyyy hh:mm`)
    (re.compile(rf"^(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}$"), ("d", "m", "y")),
    (
        re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
        ("y", "m", "d"),
    ),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def is_blank(value: object) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in _BLANK


# the common spellings of a score, read without the general number parser (a large
# assessments file holds millions of them)
SCORE_SPELLINGS: dict[str, int | None] = {
    str(n): n for n in range(ref.SCORE_MIN, ref.SCORE_MAX + 1)
}
SCORE_SPELLINGS.update({f"{n}.0": n for n in range(ref.SCORE_MIN, ref.SCORE_MAX + 1)})
SCORE_SPELLINGS.update({f"{n},0": n for n in range(ref.SCORE_MIN, ref.SCORE_MAX + 1)})
SCORE_SPELLINGS[""] = None  # unanswered


def parse(column: Column, value: object):
    """The cell as the database stores it, or None when blank; raises CellError."""
    if column.kind == "score":
        if isinstance(value, str):
            hit = SCORE_SPELLINGS.get(value, -1)
            if hit != -1:
                return hit
        elif type(value) is int and ref.SCORE_MIN <= value <= ref.SCORE_MAX:
            return value
    if is_blank(value):
        if column.kind == "bool":
            return False
        return column.default
    parser = _PARSERS[column.kind]
    return parser(column, value)


def _text(column: Column, value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed in a text column: 12 not 12.0
    # one stored form (docs/import.md "Rules"): `Épicerie` typed on a Mac (NFD) is the same text as on
    # Windows (NFC), so a search finds it and ids compare alike
    text = unicodedata.normalize("NFC", str(value).strip())
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]  # the text marker a CSV export for Excel puts before formula-like text
    if len(text) > (MAX_ID_LENGTH if column.kind == "id" else MAX_TEXT_LENGTH):
        raise CellError(
            "rule.too_long", limit=MAX_ID_LENGTH if column.kind == "id" else MAX_TEXT_LENGTH
        )
    if column.kind == "id" and not text.isprintable():
        raise CellError("rule.bad_id")
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


_ASCII_SPACES = " \t\n\r\f\v"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalise_email(value: object) -> str | None:
    """An e-mail address as the membership table keys it, or None: ASCII spaces trimmed and
    ASCII letters lowered, nothing else folded (docs/rules.md "Sign-in and scope") — a no-break space or a Kelvin
    sign `K` makes another address, never someone else's."""
    text = str(value or "").strip(_ASCII_SPACES).translate(_ASCII_LOWER)
    return text if len(text) <= MAX_ID_LENGTH * 2 and _EMAIL.match(text) else None


def _email(column: Column, value: object) -> str:
    email = normalise_email(value)
    if email is None:
        raise CellError("rule.bad_email")
    return email


def _code_value(column: Column, value: object) -> str:
    text = _text(column, value)
    if column.name == "department_code" and text.isdigit() and len(text) == 1:
        text = "0" + text  # Excel drops the leading zero of "01"…"09"
    if text in column.codes:
        return text
    key = header_key(text)
    for code in column.codes:
        if key == header_key(code):
            return code
    found = _label_keys(column.labels).get(key)
    if found:
        return found
    return _unknown_code(column)


def _label_parts(label: str) -> list[str]:
    """`Déploiement, essaimage` → itself, `Déploiement`, `essaimage`; `Émergence (initiative)` →
    itself and `Émergence`: the words users write for a code."""
    head = label.split(" (")[0]
    return [label, head, *(part.strip() for part in head.split(","))]


@functools.lru_cache(maxsize=64)
def _label_keys(labels: tuple[ref.Code, ...]) -> dict[str, str]:
    """Folded label (or part of a label) → code, for parts that name one code only."""
    seen: dict[str, set[str]] = {}
    for item in labels:
        for label in (item.fr, item.en):
            for part in _label_parts(label):
                if part:
                    seen.setdefault(header_key(part), set()).add(item.code)
    return {key: codes.pop() for key, codes in seen.items() if len(codes) == 1}


def _unknown_code(column: Column):
    """The refusal, listing the codes with their French (or English) labels."""
    labels = {item.code: item for item in column.labels}

    def listing(lang: str) -> str:
        shown = []
        for code in column.codes[:20]:
            item = labels.get(code)
            label = (item.fr if lang == "fr" else item.en) if item else None
            shown.append(f"{code} ({label})" if label and label.lower() != code.lower() else code)
        more = " …" if len(column.codes) > 20 else ""
        return ", ".join(shown) + more

    raise CellError("rule.unknown_code", allowed={"fr": listing("fr"), "en": listing("en")})


def _commune(column: Column, value: object) -> str:
    text = _text(column, value)
    if isinstance(value, int | float) and len(text) == 4:
        text = "0" + text
    if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", text):
        raise CellError("rule.commune_code")
    return text


def _bool(column: Column, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = fold(str(value).strip())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("rule.bool")


# `12.500` or `250.000`: a single dot followed by exactly three digits may be a thousands
# separator (twelve thousand five hundred) or a decimal point (twelve and a half): refused.
_AMBIGUOUS_DOT = re.compile(r"[-+]?([1-9][0-9]{0,2})\.([0-9]{3})")
# the same with a comma, in a euro amount: `25,000` is 25 000 € in English, 25 € in French
_AMBIGUOUS_COMMA = re.compile(r"[-+]?([1-9][0-9]{0,2}),([0-9]{3})")
CENT = Decimal("0.01")


def parse_decimal(value: object) -> Decimal:
    """`12 500,00 €`, `12500.5`, `1.234.567,8`, `-3` … exactly; raises CellError.

    A number typed in a spreadsheet cell (a float) is taken as its shortest decimal spelling.
    """
    if isinstance(value, bool):
        raise CellError("rule.number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("rule.number")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CellError("rule.number")
        return value
    text = str(value).strip()
    text = re.sub(r"(?i)(€|euros?|eur)", "", text)  # `1 234 euros`, `1 234 EUR`, `1 234 €`
    text = re.sub(r"[\s\u00a0\u202f\u2009']", "", text)
    if not text:
        raise CellError("rule.number")
    ambiguous = _AMBIGUOUS_DOT.fullmatch(text)
    if ambiguous:
        sign = "-" if text.startswith("-") else ""
        raise _ambiguous(ambiguous.group(1), ambiguous.group(2), sign)
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        if text.count(",") > 1:
            raise CellError("rule.number")
        text = text.replace(",", ".")
    elif text.count(".") > 1 and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise CellError("rule.number")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("rule.number") from None
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise CellError("rule.number")
    return number


def parse_number(value: object) -> float:
    """The same as a float (measurement values, years, scores)."""
    return float(parse_decimal(value))


def _ambiguous(whole: str, part: str, sign: str, rule: str = "rule.ambiguous_number") -> CellError:
    """Both readings of `12.500` or `25,000`: thousands, or a decimal number."""
    decimals = part.rstrip("0")
    decimal = f"{sign}{whole},{decimals}" if decimals else f"{sign}{whole}"
    return CellError(
        rule,
        thousands={"fr": f"{sign}{whole}\u202f{part}", "en": f"{sign}{whole}{part}"},
        decimal={"fr": decimal, "en": decimal},
    )


def _amount(column: Column, value: object) -> Decimal:
    """Euros, exact to the cent (a fraction of a cent is rounded half up). A single comma
    followed by exactly three digits (`25,000`) is refused, as a single such dot is."""
    if isinstance(value, str):
        plain = re.sub(r"(?i)(€|euros?|eur)", "", value)
        plain = re.sub(r"[\s\u00a0\u202f\u2009']", "", plain)
        ambiguous = _AMBIGUOUS_COMMA.fullmatch(plain)
        if ambiguous:
            sign = "-" if plain.startswith("-") else ""
            whole, part = ambiguous.group(1), ambiguous.group(2)
            raise _ambiguous(whole, part, sign, "rule.ambiguous_comma")
    number = parse_decimal(value)
    if number < 0:
        raise CellError("rule.negative")
    if number > MAX_AMOUNT:
        raise CellError("rule.too_large")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def _int(column: Column, value: object) -> int:
    number = parse_number(value)
    if not number.is_integer():
        raise CellError("rule.whole_number")
    return int(number)


def _year(column: Column, value: object) -> int:
    if isinstance(value, datetime | date):
        return value.year
    try:
        year = _int(column, value)
    except CellError:
        raise CellError("rule.year") from None
    if not 1900 <= year <= 2100:
        raise CellError("rule.year")
    return year


def _score(column: Column, value: object) -> int:
    try:
        number = parse_number(value)
    except CellError:
        raise CellError("rule.score") from None
    if not number.is_integer() or not ref.SCORE_MIN <= number <= ref.SCORE_MAX:
        raise CellError("rule.score")
    return int(number)


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError("rule.date")
    text = str(value).strip()
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            if len(match.group(order.index("y") + 1)) == 2:
                parts["y"] = _century(parts["y"])
            try:
                parsed = date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise CellError("rule.date") from None
            if not 1900 <= parsed.year <= 2100:
                raise CellError("rule.date")
            return parsed
    raise CellError("rule.date")


def _century(year: int) -> int:
    """`25` → 2025, `98` → 1998: the 21st century up to ten years ahead, else the 20th."""
    return 2000 + year if 2000 + year <= date.today().year + 10 else 1900 + year


def _number(column: Column, value: object) -> float:
    number = parse_number(value)
    if number < 0:
        raise CellError("rule.negative")
    return number


_PARSERS = {
    "id": _text,
    "text": _text,
    "email": _email,
    "code": _code_value,
    "commune": _commune,
    "bool": _bool,
    "year": _year,
    "int": _int,
    "amount": _amount,
    "number": _number,
    "date": lambda column, value: parse_date(value),
    "score": _score,
}
