"""Bytes to text, with the encoding detected rather than assumed (UTF-8, GB18030/GBK, UTF-16)."""

from __future__ import annotations

import codecs
import re

from extractor.errors import UndecodableText

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises UndecodableText for binary junk."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _normalise_newlines(data.decode(encoding)), encoding
            except UnicodeDecodeError as err:  # a BOM followed by junk (found by tests/fuzz)
                raise UndecodableText(f"the file starts like {encoding} text but is not: {err.reason}") from err
    if b"\x00" in data[:4096]:
        # Zero bytes: UTF-16 without a BOM, or binary. Only text that decodes cleanly and reads
        # as ASCII/CJK counts as text.
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _mostly_printable(text) and _plausible(text):
                return _normalise_newlines(text), encoding
        raise UndecodableText("the file holds binary data, not text")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_printable(text):
            return _normalise_newlines(text), encoding
    import chardet  # only for the rare input that is neither UTF-8 nor GB18030

    guess = chardet.detect(data[:200_000])
    encoding = guess.get("encoding")
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and _mostly_printable(text):
            return _normalise_newlines(text), encoding.lower()
    raise UndecodableText("the file is not text in any supported encoding (UTF-8, GB18030/GBK, UTF-16)")


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_UNCOMMON = re.compile("[^\x00-\x7f\u3000-\u9fff\uff00-\uffef]")


def _plausible(text: str) -> bool:
    """Most characters are ASCII, CJK or CJK punctuation: not binary that happened to decode."""
    sample = text[:20_000]
    return len(_UNCOMMON.findall(sample)) / len(sample) < 0.1


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    sample = text[:20_000]
    return len(_CONTROL.findall(sample)) / len(sample) < 0.01


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
