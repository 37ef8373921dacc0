"""The indicator taxonomy of the self-evaluation forms and the words their templates print.

Rules elsewhere derive from this table, never from one sample's strings. Two templates occur:
the older one puts 成本指标 under 产出指标; the newer one makes 成本指标 a first-level indicator
with 经济/社会/生态环境成本指标 beneath it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, partial

from extractor.form.vocabulary import FUND_BY_LEVEL, FUND_HEADER_ROLES, FUND_ROWS, INDICATOR_HEADER_ROLES
from extractor.normalize import compact

__all__ = ["FUND_HEADER_ROLES", "FUND_ROWS", "INDICATOR_HEADER_ROLES"]

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")

LEVEL2_PARENT: dict[str, str] = {
    "数量指标": "产出指标",
    "质量指标": "产出指标",
    "时效指标": "产出指标",
    "成本指标": "产出指标",  # older template; see `uses_cost_level1`
    "经济效益指标": "效益指标",
    "社会效益指标": "效益指标",
    "生态效益指标": "效益指标",
    "可持续影响指标": "效益指标",
    "服务对象满意度指标": "满意度指标",
    "经济成本指标": "成本指标",
    "社会成本指标": "成本指标",
    "生态环境成本指标": "成本指标",
}
# Printed spellings that mean a canonical level-2 name.
_LEVEL2_ALIASES = {
    "生态环境效益指标": "生态效益指标",
    "环境效益指标": "生态效益指标",  # 环境效益 printed short in older 湖北/保山 forms
    "可持续影响": "可持续影响指标",
    "可持续发展指标": "可持续影响指标",
    "服务对象满意度": "服务对象满意度指标",
}
# A level-1 name printed again as its own level 2 (满意度指标 | 满意度指标): the level 2 it stands for.
LEVEL1_AS_LEVEL2 = {"满意度指标": "服务对象满意度指标"}
NEW_TEMPLATE_LEVEL2 = frozenset({"经济成本指标", "社会成本指标", "生态环境成本指标"})
SUPER_LABELS = frozenset({"绩效指标", "绩效目标", "年度绩效指标", "年度绩效指标完成情况"})

_WEIGHT_SUFFIX = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")
_WEIGHT_ONLY = re.compile(r"^[（(]?\s*(\d+(?:\.\d+)?)\s*分\s*[)）]?$")


@dataclass(frozen=True, slots=True)
class Label:
    """A hierarchy label read from a cell: its level, canonical name, printed name and weight."""

    level: int  # 1 or 2; 0 for the super label 绩效指标 and for a bare weight like (50分)
    canonical: str
    printed: str
    weight: Decimal | None = None


_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
_TOLERANT_NAMES = tuple(n for n in (*LEVEL1, *LEVEL2_PARENT, *sorted(SUPER_LABELS)) if len(n) >= 4)


@lru_cache(maxsize=1 << 16)
def read_label(raw: str) -> Label | None:
    """Return the label a cell holds, or None when it holds something else (a name, a value)."""
    text = compact(raw).rstrip(":：")
    if not text:
        return None
    weight = None
    if m := _WEIGHT_ONLY.match(text):
        return Label(0, "", "", Decimal(m.group(1)))
    if m := _WEIGHT_SUFFIX.search(text):
        weight = Decimal(m.group(1))
        text = text[: m.start()]
    if text in SUPER_LABELS:
        return Label(0, text, text, weight)
    if text in LEVEL1 and text != "成本指标":
        return Label(1, text, text, weight)
    if text == "成本指标":
        # Ambiguous by itself: the form decides (see uses_cost_level1). Call it level 2 here.
        return Label(2, text, text, weight)
    if text in LEVEL2_PARENT:
        return Label(2, text, text, weight)
    if text in _LEVEL2_ALIASES:
        return Label(2, _LEVEL2_ALIASES[text], text, weight)
    bare = text + "指标"
    # Short bare words (数量, 质量) are too often the tail of a name split over a page break.
    if len(text) >= 4 and bare in LEVEL2_PARENT and bare != "成本指标":
        return Label(2, bare, bare, weight)
    if len(text) >= 4 and bare in _LEVEL2_ALIASES:
        return Label(2, _LEVEL2_ALIASES[bare], bare, weight)
    if len(text) >= 3 and bare in LEVEL1 and bare != "成本指标":
        return Label(1, bare, bare, weight)
    return _near_label(text, weight)


def _near_label(text: str, weight: Decimal | None) -> Label | None:
    """One slip from a taxonomy name (OCR's 严出指标, 绩指标; a dropped character): that label. Only for
    words of four characters or more that end like a label, so a name is not mistaken for one."""
    if len(text) < 4 or not text.endswith(("指标", "指", "标")) or not _CJK_ONLY.match(text):
        return None
    near = [name for name in _TOLERANT_NAMES if within_one_edit(text, name)]
    if len(near) != 1:  # 质量指标 and 数量指标 are one edit apart: an ambiguous slip is no label
        return None
    name = near[0]
    if name in SUPER_LABELS:
        return Label(0, name, name, weight)
    if name in LEVEL1 and name != "成本指标":
        return Label(1, name, name, weight)
    return Label(2, name, name, weight)


def within_one_edit(a: str, b: str) -> bool:
    """True when one insertion, deletion or substitution turns a into b (or they are equal)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def parent_of(level2: str, *, cost_is_level1: bool) -> str | None:
    if level2 == "成本指标":
        return "成本指标" if cost_is_level1 else "产出指标"
    return LEVEL2_PARENT.get(level2)


def uses_cost_level1(canonical_labels: set[str]) -> bool:
    """The newer template: 成本指标 is level 1 when its own level-2 names appear in the form."""
    return bool(canonical_labels & NEW_TEMPLATE_LEVEL2)


def is_known_level2(name: str) -> bool:
    return name in LEVEL2_PARENT


# --- words of the form's layout ------------------------------------------------------------------

_HEADER_PARENS = re.compile(r"[（(][^()（）]*[)）]")


HeaderTable = tuple[tuple[str, tuple[str, ...]], ...]


def header_role(raw: str, table: HeaderTable) -> str | None:
    """The role of a header cell: `全年预算数(A)` is annual_budget, `执行率(B/A)` is execution_rate."""
    return header_role_reader(table)(raw)


def header_role_reader(table: HeaderTable) -> Callable[[str], str | None]:
    """header_role for one table: the vocabulary's two tables read through a bounded cache by text."""
    return _READERS.get(id(table)) or partial(_header_role, table=table)


def wrapped_header_pieces(gap: str, words: Sequence[str], start: int, taken: Collection[int],
                          role_of: Callable[[str], str | None]) -> list[tuple[str, int]] | None:
    """A header whose cells wrapped, read first lines first (`年度 实际 分值 … 指标值 完成值`, or `年度实际`
    glued): the gap's one or two first-line pieces, each with the index of the later word (from `start`,
    none of `taken`) it completes into a header of that word's own role (年度 + 指标值 = 年度指标值), in
    the pieces' order; None when no cut of the gap completes words so."""
    for cut in (len(gap), *range(2, len(gap) - 1)):
        pieces = [gap[:cut], gap[cut:]] if cut < len(gap) else [gap]
        found: list[tuple[str, int]] = []
        for piece in pieces:
            j = next((j for j in range(start, len(words)) if j not in taken and all(j != b for _, b in found)
                      and (role := role_of(words[j])) and role_of(piece + words[j]) == role), None)
            if j is None:
                break
            found.append((piece, j))
        else:
            return found
    return None


def _cached_reader(table: HeaderTable) -> Callable[[str], str | None]:
    @lru_cache(maxsize=1 << 16)
    def role(raw: str) -> str | None:
        return _header_role(raw, table)
    return role


@dataclass(frozen=True, slots=True)
class _TableIndex:
    """One header table arranged for the tests of `_header_role`, each keeping the table's order (the
    first role whose word passes a test is the answer)."""

    chars: frozenset[str]  # every character of every word
    exact: dict[str, str]  # word -> the first role printing it
    long_words: tuple[tuple[str, str], ...]  # (role, word) of four characters or more, for one slip
    by_first: dict[str, tuple[tuple[str, str], ...]]  # first character -> (role, word), for prefixes


@lru_cache(maxsize=8)
def _table_index(table: HeaderTable) -> _TableIndex:
    pairs = [(role, word) for role, words in table for word in words]
    exact: dict[str, str] = {}
    by_first: dict[str, list[tuple[str, str]]] = {}
    for role, word in pairs:
        exact.setdefault(word, role)
        by_first.setdefault(word[0], []).append((role, word))
    return _TableIndex(chars=frozenset(ch for _, word in pairs for ch in word), exact=exact,
                       long_words=tuple((r, w) for r, w in pairs if len(w) >= 4),
                       by_first={ch: tuple(found) for ch, found in by_first.items()})


def _header_role(raw: str, table: HeaderTable) -> str | None:
    text = _HEADER_PARENS.sub("", compact(raw))
    index = _table_index(table)
    if not text or index.chars.isdisjoint(text):
        # Every test below needs a character of a header word in the text (a word equal to it, one
        # it starts with, or one within one edit of a text of four or more): values and names
        # without one are no header, and most cells are those.
        return None
    if (role := index.exact.get(text)) is not None:
        return role
    if len(text) > 12:
        return None  # a header is a few words; a sentence that starts like one is content
    if 4 <= len(text) <= 8:  # one OCR slip in a long header word (年度指标示值)
        for role, word in index.long_words:
            if within_one_edit(text, word):
                return role
    for role, word in index.by_first.get(text[0], ()):
        # A longer word may be followed by anything (年度指标值（A）); a short one by one stray
        # character at most (OCR reads 得分 as 得分号).
        if text.startswith(word) and (len(word) >= 3 or len(text) <= len(word) + 1):
            return role
    return None


# By the tables' identity (module constants, alive as long as the module): hashing a nested table on
# every call, as one lru_cache over (text, table) would, costs more than the lookup saves.
_READERS: dict[int, Callable[[str], str | None]] = {
    id(table): _cached_reader(table) for table in (INDICATOR_HEADER_ROLES, FUND_HEADER_ROLES)}


@lru_cache(maxsize=1 << 16)
def fund_row_key(raw: str) -> str | None:
    """The FundRow a row label names, `more` for a row of funds.more that the form's words tell
    (FUND_BY_LEVEL), None for no fund row's label (unknown labels go to funds.more too)."""
    text = compact(raw).removeprefix("其中").lstrip(":：")
    if FUND_BY_LEVEL.match(text):
        return "more"
    for key, words in FUND_ROWS:
        if any(w in text for w in words):
            return key
    # A key cell wrapped in a narrow column ends its first line inside a long word (当年财政拨 / 款).
    for key, words in FUND_ROWS:
        if any(text.endswith(w[:k]) for w in words if len(w) >= _WRAPPED_KEY_MIN + 1
               for k in range(_WRAPPED_KEY_MIN, len(w))):
            return key
    return None


_WRAPPED_KEY_MIN = 4  # characters of a long fund key that tell it apart (当年财政, 上年结转)
