"""Bytes to text, with the encoding detected rather than assumed.

A Chinese dump is UTF-8, GB18030/GBK, Big5 or UTF-16, sometimes with a few damaged bytes or with lines
in two encodings (a GBK dump pasted into a UTF-8 one). A few bad bytes must not lose the document, so
every plausible codec reads the bytes tolerantly and the readings are compared: the one in which the
form's own words (extractor.form.vocabulary.FORM_WORDS) appear wins, then the one with the fewest bad
spots, then the one whose characters are the common ones of GB2312 or Big5 (a wrong double-byte codec
yields rare characters). A reading with bad spots is kept only when they are few
(`max_repaired_fraction`) and is reported (`Decoded.repaired`, issue `text_repaired`).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from extractor.errors import UndecodableText
from extractor.form.vocabulary import form_words_in
from models import Issue

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CODECS = ("utf-8", "gb18030", "big5")
MIXED = "utf-8+gb18030"  # line by line: UTF-8 where a line is valid UTF-8, GB18030 elsewhere
_SAMPLE = 1 << 18  # characters of each reading compared for form words


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    repaired: int = 0  # bad spots: bytes no codec could read (now U+FFFD) and control characters removed
    repaired_lines: tuple[int, ...] = ()  # the first few lines (1-based) holding them
    mixed: bool = False  # lines in UTF-8 and lines in GB18030


@dataclass(frozen=True)
class _Reading:
    encoding: str
    text: str
    bad: int
    form_words: int
    common: float
    mixed: bool = False


def decode_text(data: bytes, *, max_repaired_fraction: float = 0.01) -> Decoded:
    """The text of `data`. Raises UndecodableText for binary junk, or for text with more bad spots than
    `max_repaired_fraction` of its characters in every reading."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(_normalise_newlines(data.decode(encoding)), encoding)
            except UnicodeDecodeError as err:  # a BOM followed by junk (found by tests/fuzz)
                raise UndecodableText(f"the file starts like {encoding} text but is not: {err.reason}") from err
    try:  # the common case, at the cost of one decode: clean UTF-8 with no control characters
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _CONTROL.search(text):
            return Decoded(_normalise_newlines(text), "utf-8")
    for encoding in _CODECS[1:]:  # a clean reading that prints the form's words: no need to compare
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.search(text) and form_words_in(_WHITESPACE.sub("", text[:_SAMPLE])):
            return Decoded(_normalise_newlines(text), encoding)
    readings = [_read(data, encoding) for encoding in _codecs_for(data)]
    readings.append(_mixed(data))
    best = max(readings, key=lambda r: (r.form_words, -r.bad, r.common))
    if best.bad and not best.form_words and b"\x00" not in data[:4096]:
        # Nothing recognisably a form in any reading and every one damaged: another legacy encoding?
        guessed = _chardet(data)
        if guessed is not None:
            return guessed
    if best.encoding.startswith("utf-16") and not _plausible(best.text):
        raise UndecodableText("the file holds binary data, not text")
    if best.bad > max_repaired_fraction * max(len(best.text), 1):
        if b"\x00" in data[:4096] and not best.encoding.startswith("utf-16"):
            raise UndecodableText("the file holds binary data, not text")
        raise UndecodableText("the file is not text in any supported encoding (UTF-8, GB18030/GBK, Big5, UTF-16)")
    return _repaired(best)


def decode_issues(decoded: Decoded) -> list[Issue]:
    """What the decoding repaired, as document warnings (`text_repaired`)."""
    issues = []
    if decoded.repaired:
        where = ", ".join(map(str, decoded.repaired_lines))
        issues.append(Issue(code="text_repaired", severity="warning", field=None, stage="read", message=(
            f"{decoded.repaired} damaged byte(s) or control character(s) in the {decoded.encoding} text "
            f"(line {where}{' …' if decoded.repaired > len(decoded.repaired_lines) else ''}): unreadable bytes "
            "are shown as \ufffd, control characters were removed; check those lines against the original")))
    if decoded.mixed:
        issues.append(Issue(code="text_repaired", severity="warning", field=None, stage="read", message=(
            "lines in two encodings (UTF-8 and GB18030/GBK): each line was read in its own")))
    return issues


def _codecs_for(data: bytes) -> tuple[str, ...]:
    # UTF-16 without a BOM shows itself by zero bytes (ASCII characters); CJK-only UTF-16 has none, but
    # then it also has no newlines, which no dump lacks.
    return (*_CODECS, "utf-16-le", "utf-16-be") if b"\x00" in data[:4096] else _CODECS


def _read(data: bytes, encoding: str) -> _Reading:
    text = data.decode(encoding, errors="replace")
    return _judge(encoding, text)


def _judge(encoding: str, text: str, mixed: bool = False) -> _Reading:
    sample = text[:_SAMPLE]
    return _Reading(encoding, text, bad=len(_BAD.findall(text)), form_words=form_words_in(_WHITESPACE.sub("", sample)),
                    common=_common_share(sample), mixed=mixed)


def _mixed(data: bytes) -> _Reading:
    """Each line in its own encoding: UTF-8 when the line is valid UTF-8, else GB18030."""
    parts: list[str] = []
    kinds: set[str] = set()
    for line in data.split(b"\n"):
        try:
            text = line.decode("utf-8")
            if not text.isascii():
                kinds.add("utf-8")
        except UnicodeDecodeError:
            text = line.decode("gb18030", errors="replace")
            kinds.add("gb18030")
        parts.append(text)
    return _judge(MIXED, "\n".join(parts), mixed=len(kinds) == 2)


def _repaired(reading: _Reading) -> Decoded:
    text = _normalise_newlines(reading.text)
    if not reading.bad:
        return Decoded(text, reading.encoding, mixed=reading.mixed)
    lines = []
    for number, line in enumerate(text.split("\n"), 1):
        if _BAD.search(line):
            lines.append(number)
            if len(lines) == 10:
                break
    # A byte no codec reads stays visible as U+FFFD (a number holding one is then unparsed, never a
    # different number); control characters (a NUL) are never form content and are dropped.
    return Decoded(_STRIP.sub("", text), reading.encoding, reading.bad, tuple(lines), reading.mixed)


def _chardet(data: bytes) -> Decoded | None:
    import chardet  # only for the rare input that none of the Chinese codecs reads cleanly

    encoding = chardet.detect(data[:200_000]).get("encoding")
    if not encoding:
        return None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    if not text or _CONTROL.search(text):
        return None
    return Decoded(_normalise_newlines(text), encoding.lower())


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BAD = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_STRIP = _CONTROL
_WHITESPACE = re.compile(r"\s+")
_CJK = re.compile("[\u4e00-\u9fff]")
_UNCOMMON = re.compile("[^\x00-\x7f\u3000-\u9fff\uff00-\uffef]")


def _common_share(sample: str, most: int = 4000) -> float:
    """The share of CJK characters among the common ones: GB2312's level 1 (lead byte B0–D7) or Big5's
    frequent block (lead byte A4–C6). A wrong double-byte codec scatters a text over rare characters."""
    cjk = _CJK.findall(sample[:20 * most])[:most]
    if not cjk:
        return 0.0
    common = 0
    for char in cjk:
        for charset, low, high in (("gb2312", 0xB0, 0xD7), ("big5", 0xA4, 0xC6)):
            try:
                lead = char.encode(charset)[0]
            except UnicodeEncodeError:
                continue
            if low <= lead <= high:
                common += 1
                break
    return common / len(cjk)


def _plausible(text: str) -> bool:
    """Most characters are ASCII, CJK or CJK punctuation: not binary that happened to decode."""
    sample = text[:20_000]
    return bool(sample) and len(_UNCOMMON.findall(sample)) / len(sample) < 0.1


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
