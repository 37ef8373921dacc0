"""A cell's value as Excel prints it: `100.00%`, `298,052,694.96`, `2023年1月5日`.

The common number formats of real forms, read from the format code (not the locale): sections
(positive;negative;zero;text), literals ("元", \\x, _x, *x), percent, thousands separators, trailing
commas (scaling by 1000), decimals, scientific notation, and dates. Rounding is half away from zero
on the decimal value Excel shows (15 significant digits), as Excel does. Unknown codes fall back to
General: the value itself, never a rounded guess.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Built-in format ids openpyxl leaves as strings already; these are the few that need a mapping.
_COLOR_OR_COND = re.compile(r"\[[^\]]*\]")
_CURRENCY = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]")
_DATE_TOKENS = re.compile(r"(yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|e|\.0+)", re.I)


def _currency(m: re.Match[str]) -> str:
    return '"' + m.group(1) + '"' if m.group(1) else ""


def general(value: float | int | Decimal) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    d = _dec(value)
    if d == d.to_integral_value() and abs(d) < Decimal("1e15"):
        return str(int(d))
    text = format(d.normalize(), "f") if abs(d) >= Decimal("1e-9") else format(d, "E")
    return text


def _dec(value: float | int | Decimal) -> Decimal:
    if isinstance(value, float):
        return Decimal(f"{value:.15g}")  # what Excel shows: 15 significant digits, no binary noise
    return Decimal(value)


def split_sections(code: str) -> list[str]:
    out, cur, quoted, esc = [], [], False, False
    for ch in code:
        if esc:
            cur.append(ch)
            esc = False
        elif ch == "\\":
            cur.append(ch)
            esc = True
        elif ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def format_value(value: object, code: str | None) -> str:
    """The printed text of a cell value under number format `code`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return format_date(value, code or "")
    if not isinstance(value, int | float | Decimal):
        return str(value)
    code = (code or "General").strip()
    if code.lower() in ("general", "@", ""):
        return general(value)
    try:
        return _format_number(_dec(value), code)
    except (InvalidOperation, ValueError, IndexError):
        return general(value)


def _format_number(d: Decimal, code: str) -> str:
    sections = split_sections(code)
    section = sections[0]
    negative_own = False
    if d < 0 and len(sections) >= 2:
        section, negative_own = sections[1], True
    elif d == 0 and len(sections) >= 3:
        section = sections[2]
    if _COLOR_OR_COND.sub("", section).strip().lower() == "general":
        return general(d if not negative_own else -d)
    prefix, number, suffix = _parts(_COLOR_OR_COND.sub("", _CURRENCY.sub(_currency, section)))
    value = -d if negative_own else d
    if not number:  # a section of literals only (a zero printed as "-")
        return prefix + suffix
    value = value * (Decimal(100) ** (prefix + suffix).count("%"))
    if "e" in number.lower():
        mantissa, _, exp = number.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        m, _, e = f"{value:.{decimals}E}".partition("E")
        digits = max(1, sum(1 for ch in exp if ch in "0#?"))
        sign = "-" if int(e) < 0 else "+" if "+" in exp else ""
        return prefix + m + "E" + sign + str(abs(int(e))).rjust(digits, "0") + suffix
    while number.endswith(","):  # trailing commas scale by 1000 each
        number = number[:-1]
        value = value / 1000
    whole, _, frac = number.partition(".")
    decimals = sum(1 for ch in frac if ch in "0#?")
    min_decimals = sum(1 for ch in frac if ch == "0")
    thousands = "," in whole
    min_int = sum(1 for ch in whole if ch == "0")
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    q = abs(q)
    text = format(q, "f")
    int_part, _, frac_part = text.partition(".")
    frac_part = frac_part.rstrip("0").ljust(min_decimals, "0") if decimals > min_decimals else frac_part
    if int_part == "0" and min_int == 0:
        int_part = ""
    int_part = int_part.rjust(min_int, "0")
    if thousands and int_part:
        int_part = f"{int(int_part):,}"
    body = int_part + ("." + frac_part if frac_part or (decimals and min_decimals) else "")
    if not body:
        body = "0" if not frac else "." if decimals else "0"
    return sign + prefix + body + suffix if sign else prefix + body + suffix


def _parts(section: str) -> tuple[str, str, str]:
    """(literal prefix, number placeholders, literal suffix) of a section; quotes and escapes resolved."""
    prefix: list[str] = []
    number: list[str] = []
    suffix: list[str] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            (suffix if number else prefix).append(section[i + 1:end])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            (suffix if number else prefix).append(section[i + 1])
            i += 2
            continue
        if ch == "_" and i + 1 < len(section):  # space as wide as the next character
            (suffix if number else prefix).append(" ")
            i += 2
            continue
        if ch == "*" and i + 1 < len(section):  # fill character: nothing in text
            i += 2
            continue
        if ch == "%":
            (suffix if number else prefix).append("%")
            i += 1
            continue
        if ch in "0#?.," or (ch in "eE" and number and i + 1 < len(section) and section[i + 1] in "+-"):
            number.append(ch)  # placeholders after a literal (rare) are kept together
            if ch in "eE":
                number.append(section[i + 1])
                i += 2
                continue
            i += 1
            continue
        if ch in "+-" and number and number[-1] in "eE":
            number.append(ch)
            i += 1
            continue
        if number:
            suffix.append(ch)
        else:
            prefix.append(ch)
        i += 1
    return "".join(prefix).strip() if not number else "".join(prefix), "".join(number), "".join(suffix)


def format_date(value: dt.datetime | dt.date | dt.time, code: str) -> str:
    section = _COLOR_OR_COND.sub("", split_sections(code)[0]) if code else ""
    if not section or section.lower() == "general" or not re.search(r"[ymdhs]", section, re.I):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.strftime("%Y-%m-%d %H:%M:%S")
        return value.isoformat()
    out: list[str] = []
    i = 0
    has_hour = bool(re.search(r"h", section, re.I))
    last_was_hour = False
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            out.append(section[i + 1:end])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            out.append(section[i + 1])
            i += 2
            continue
        m = _DATE_TOKENS.match(section, i)
        if not m:
            out.append(ch)
            i += 1
            continue
        tok = m.group(0).lower()
        i = m.end()
        rest = section[i:].lower()
        minute = tok in ("m", "mm") and has_hour and (last_was_hour or rest.lstrip(":").startswith("s"))
        out.append(_date_token(value, tok, minute))
        last_was_hour = tok in ("h", "hh")
    return "".join(out)


def _date_token(v: dt.datetime | dt.date | dt.time, tok: str, minute: bool) -> str:
    get = lambda name, default=0: getattr(v, name, default)  # noqa: E731
    if minute:
        return f"{get('minute'):02d}" if tok == "mm" else str(get("minute"))
    table = {
        "yyyy": lambda: f"{get('year'):04d}", "yy": lambda: f"{get('year') % 100:02d}", "e": lambda: str(get("year")),
        "mmmm": lambda: v.strftime("%B"), "mmm": lambda: v.strftime("%b"),
        "mm": lambda: f"{get('month'):02d}", "m": lambda: str(get("month")),
        "dddd": lambda: v.strftime("%A"), "ddd": lambda: v.strftime("%a"),
        "dd": lambda: f"{get('day'):02d}", "d": lambda: str(get("day")),
        "hh": lambda: f"{get('hour'):02d}", "h": lambda: str(get("hour")),
        "ss": lambda: f"{get('second'):02d}", "s": lambda: str(get("second")),
    }
    fn = table.get(tok)
    return fn() if fn else tok
