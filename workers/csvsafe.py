"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection")."""

from __future__ import annotations

import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def csv_cell(value: Any) -> Any:
    """A text beginning with = + - @ TAB CR LF gets a leading `'` so Excel/LibreOffice show it as text
    (`=HYPERLINK(...)`, `@SUM(...)`); numbers, plain signed numbers and None pass unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value
