"""Cell text to clean values: layout noise out, printed content kept, numbers exact.

Pure functions only. Nothing here guesses a number that was not printed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from models.result import NUMBER_DIGITS

_CACHE = 1 << 16  # cell texts repeat across rows and forms; these functions are pure

# An HTML tag: a known tag name after `<`, not `<=300万元；…达到>` (operators inside a goal text).
_TAG = re.compile(r"</?(?:p|br|td|tr|th|table|tbody|thead|span|div|font|b|i|u|strong|em|a|html|body|head|meta|"
                  r"style|title|col|colgroup|o:p|h[1-6]|li|ul|ol|sup|sub|center)\b[^<>]*/?>", re.I)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")

# LaTeX as OCR/conversion tools emit it: $\geq 85\%$, $> 90\%$, \leq, \times.
_LATEX = (
    (re.compile(r"\\geq?(?![a-z])|\\geqslant"), ">="),
    (re.compile(r"\\leq?(?![a-z])|\\leqslant"), "<="),
    (re.compile(r"\\neq"), "!="),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\times"), "×"),
    (re.compile(r"\\(?:text|mathrm)\{([^}]*)\}"), r"\1"),
)
_OPERATORS = str.maketrans({
    "≥": ">=", "≧": ">=", "⩾": ">=", "≤": "<=", "≦": "<=", "⩽": "<=",
    "＞": ">", "＜": "<", "＝": "=", "﹦": "=", "═": "=", "〉": ">", "〈": "<",
})
_DASHES = {"", "—", "——", "-", "--", "---", "———", "－", "–", "/", "／", "\\", "无数据", "N/A", "n/a",
           # What OCR makes of a printed dash in a cell that takes a number or a dash: the CJK 一 (二
           # when a speck lies under the stroke), a low line, a tilde. Only number columns read this
           # set (a name or a goal never does).
           "一", "一一", "二", "ー", "_", "__", "~", "～", "‐", "‑", "−", "―"}
# Punctuation specks beside a number in a number column (`3.`, `.95`, `100%,`): not part of any
# number this column's grammar allows, so they are dropped before the number is read.
_NUMBER_SPECKS = ".,:;·'`、，．：；。"
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]?|第\s*\d{1,4}\s*页(?:\s*[,，/共]\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")


def normalise_operators(text: str) -> str:
    """LaTeX math (`$\\geq 85\\%$`) and full-width or box-drawing operators (≧ ＞ ═) to >= > =."""
    if "\\" in text or "$" in text:
        for pattern, repl in _LATEX:
            text = pattern.sub(repl, text)
        text = text.replace("$", "")
    return text.translate(_OPERATORS)


@lru_cache(maxsize=_CACHE)
def clean_text(raw: str | None) -> str:
    """Remove tags, entities, LaTeX markers and line-wrap whitespace; keep the printed words."""
    if not raw:
        return ""
    text = raw
    if "<" in text:
        text = _TAG.sub("", text.replace("<br>", "\n").replace("<br/>", "\n"))
    if "&" in text:
        text = html.unescape(text)
    text = normalise_operators(text)
    text = _SPACE_NEAR_CJK.sub("", text.strip())
    return _SPACES.sub(" ", text)


@lru_cache(maxsize=_CACHE)
def compact(raw: str | None) -> str:
    """Text for matching labels: NFKC, no whitespace at all."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", clean_text(raw)))


@lru_cache(maxsize=_CACHE)
def clean_value(raw: str | None) -> str | None:
    """A target/actual value: operators normalised, full-width ASCII folded, None when empty."""
    text = clean_text(raw)
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).translate(_OPERATORS)
    text = re.sub(r"\s*(>=|<=|=|>|<)\s*", r"\1", text)
    text = re.sub(r"(?<=\d)\s+(?=[%‰])", "", text)
    return text or None


@lru_cache(maxsize=_CACHE)
def is_blank_value(raw: str | None) -> bool:
    return compact(raw) in _DASHES


@lru_cache(maxsize=_CACHE)
def is_page_number(raw: str | None) -> bool:
    """`-3`, `- 3 -`, `第3页`, `3/12`: a page number a dump pushed into a cell."""
    return bool(_PAGE_NUMBER.match(compact(raw)))


_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


@lru_cache(maxsize=_CACHE)  # a Decimal is immutable: one may be shared; a ValueError is raised anew
def parse_number(raw: str | None) -> Decimal | None:
    """A weight, score or plain number: `10`, `4.5`, `10分`. None for empty/dash; ValueError otherwise."""
    text = compact(raw)
    if text in _DASHES:
        return None
    text = text.removesuffix("分").strip(_NUMBER_SPECKS)  # `3.`: a speck read as a stop
    if not _NUMBER.match(text):
        raise ValueError(f"not a number: {raw!r}")
    value = Decimal(text.replace(",", ""))
    if len(text) <= NUMBER_DIGITS:
        return value  # too short to hold more digits than the bound: the common case, no count
    digits = value.as_tuple().digits  # not normalize(): it rounds to the context's 28 digits first
    if len(digits) - (len(digits) - len(bytes(digits).rstrip(b"\x00"))) > NUMBER_DIGITS:
        raise ValueError(f"more than {NUMBER_DIGITS} significant digits: {text[:40]}…")
    return value


@lru_cache(maxsize=_CACHE)
def looks_numeric(raw: str | None) -> bool:
    try:
        return parse_number(raw) is not None
    except ValueError:
        return False


POINTS_MAX = 100  # no part of a form scores above its full marks


def is_points(raw: str | None) -> bool:
    """A number that can be a weight or a score: 0 to 100 (`10`, `4.5`, `10分`)."""
    try:
        value = parse_number(raw)
    except ValueError:
        return False
    return value is not None and 0 <= value <= POINTS_MAX


def parse_rate(raw: str | None) -> Decimal | None:
    """An execution rate in percent: `100.00%` -> 100.00, `98.5` -> 98.5."""
    text = compact(raw).strip(_NUMBER_SPECKS)
    if text in _DASHES:
        return None
    # A speck read as a second `%` (`%98.5%`, `98.5%%`): the column holds one percentage.
    return parse_number(text.strip("%％"))


def parse_amount(raw: str | None, unit: str | None) -> tuple[Decimal | None, str | None]:
    """An amount in the form's unit. Returns (value, note) where note explains a conversion made.

    `298,052,694.96` -> 298052694.96. A `万` suffix in a form counted in 元 is multiplied out;
    in a form counted in 万元 it is just dropped.
    """
    text = compact(raw)
    if text in _DASHES:
        return None, None
    note = None
    text = text.removesuffix("元")
    if text.endswith("万"):
        text = text[:-1]
        if unit == "元":
            value = _decimal(text) * 10000
            return value, f"{raw!r} converted from 万 to 元"
    elif text.endswith("亿"):
        raise ValueError(f"amount in 亿: {raw!r}")
    if not _NUMBER.match(text) and _MIXED_SEPARATORS.match(text):
        # `298,052.694.96`: OCR took a thousands comma for a point. Groups of three digits and two
        # decimals leave one reading; it is reported, never silent.
        digits = re.sub(r"[.,]", "", text[:-3]) + "." + text[-2:]
        return Decimal(digits), f"{raw!r} read as {digits} (thousands separators misprinted)"
    return _decimal(text), note


_MIXED_SEPARATORS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+[.,]\d{2}$")


def looks_like_amount(raw: str | None) -> bool:
    """A number, with `元`/`万`, or with its thousands separators misprinted (see parse_amount)."""
    text = compact(raw).removesuffix("元").removesuffix("万")
    return looks_numeric(text) or bool(_MIXED_SEPARATORS.match(text))


def _decimal(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise ValueError(f"not an amount: {text!r}")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as err:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(f"not an amount: {text!r}") from err
