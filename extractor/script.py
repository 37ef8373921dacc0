"""Traditional characters and pinyin glosses -> the simplified text the forms print.

Some sites run a simplified page through a converter: 项目 comes out as 項(xiàng)目, 数 as 數(shù). The
form underneath is the simplified one, so its words are matched after the glosses go and the characters
are converted back (OpenCC's table, `opencc-python-reimplemented`, pure Python). A simplified text is left
alone: only a text where many characters change is converted, and the result says so (`text_converted`).
"""

from __future__ import annotations

import re
from functools import lru_cache

# The bracket first, then the character before it: the scan then looks for `(` alone.
_GLOSS = re.compile(r"\((?<=[\u3400-\u9fff]\()(?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6})\)")
_CJK = re.compile(r"[\u3400-\u9fff]")
MIN_GLOSSES = 3  # one bracketed syllable may be a real note; three are a converter's glosses
MIN_TRADITIONAL_SHARE = 0.05  # a simplified text has next to none; a traditional one some 20–40 %


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _changing() -> tuple[frozenset[str], dict[str, tuple[tuple[str, frozenset[str]], ...]]] | None:
    """What the converter would change: its table's entries whose conversion is not themselves (the
    characters; the phrases with their characters, by first character, for only those to be tried whose
    first character the text has; only read). A text none of them occurs in converts to itself,
    so the converter (pure Python, most of a simplified dump's reading time) need not run over it. None
    when the table cannot be listed: then every text is converted as before."""
    converter = _converter()
    tables = getattr(converter, "_dict_chain_data", None)
    separators = getattr(converter, "split_chars_re", None)
    if not isinstance(tables, list) or not isinstance(separators, re.Pattern):
        return None
    try:
        keys = {key for group in tables for table in group for key in table[2]}
        first = _first_choices(tables)
    except (TypeError, IndexError, AttributeError):
        return None
    # An entry converts to the first choice its table gives it (read off the table: running the converter
    # over each of its thousands of entries was most of a process's first document).
    changed = [key for key in keys
               if (first[key] if key in first and not separators.search(key) else converter.convert(key)) != key]
    by_first: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for k in sorted(changed):
        if len(k) > 1:
            by_first.setdefault(k[0], []).append((k, frozenset(k)))
    return (frozenset(k for k in changed if len(k) == 1),
            {first: tuple(found) for first, found in by_first.items()})


def _first_choices(tables: list) -> dict[str, str]:  # type: ignore[type-arg]
    """What the converter turns entries of its table into, where that is the entry's own first choice:
    one group of tables, the first table holding the key converts it whole (its own longest match) when
    no earlier table can match a part of it (the group's first table, or a single character). Other
    entries are left out (a chain of several groups converts the output of the one before)."""
    if len(tables) != 1:
        return {}
    first: dict[str, str] = {}
    for n, (_max_len, _min_len, table) in enumerate(tables[0]):
        for key, value in table.items():
            if key not in first and (n == 0 or len(key) == 1):
                first[key] = value.split(" ")[0]  # the converter's choice among several
    return first


def converter_would_change(text: str) -> bool:
    """Whether one of the converter's changing entries occurs in `text`: one search for its characters,
    one for its phrases (the same answer as testing each entry; set(text) alone, a new string per
    character, cost more than both)."""
    patterns = _changing_patterns()
    if patterns is None:
        return True
    chars, astral, phrases = patterns
    if chars.search(text) is not None:
        return True
    # Characters beyond the BMP would make the class above a list scanned per character; a text holds
    # one only if its UTF-16 form has surrogate pairs.
    if astral and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text) and not astral.isdisjoint(text):
        return True
    return phrases is not None and phrases.search(text) is not None


@lru_cache(maxsize=1)
def _changing_patterns() -> tuple[re.Pattern[str], frozenset[str], re.Pattern[str] | None] | None:
    """_changing's entries as two patterns: a class of its BMP characters (sre reads it as a bitmap), and
    its phrases grouped by first character (a branch whose first character differs is skipped at once);
    its characters beyond the BMP kept as a set."""
    changing = _changing()
    if changing is None:
        return None
    chars, phrases = changing
    bmp = sorted(c for c in chars if ord(c) < 0x10000)
    by_first = "|".join(re.escape(first) + "(?:" + "|".join(re.escape(p[1:]) for p, _ in found) + ")"
                        for first, found in sorted(phrases.items()))
    return (re.compile("[" + "".join(map(re.escape, bmp)) + "]" if bmp else "(?!)"),
            frozenset(c for c in chars if ord(c) >= 0x10000), re.compile(by_first) if by_first else None)


def to_simplified(text: str) -> tuple[str, list[str]]:
    """The text with converter glosses dropped and traditional characters made simplified, and what
    was done (empty when nothing was)."""
    done: list[str] = []
    if len(_GLOSS.findall(text)) >= MIN_GLOSSES:
        text, n = _GLOSS.subn("", text)
        done.append(f"{n} pinyin glosses removed")
    converter = _converter()
    if converter is None or not converter_would_change(text):
        return text, done  # nothing the converter would change (counting the CJK first costs more)
    cjk = len(_CJK.findall(text))
    if cjk:
        simplified = converter.convert(text)
        changed = sum(a != b for a, b in zip(text, simplified, strict=False)) if len(simplified) == len(text) else cjk
        if changed >= max(5, MIN_TRADITIONAL_SHARE * cjk):
            text = simplified
            done.append(f"{changed} traditional characters converted to simplified")
    return text, done
