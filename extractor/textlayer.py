"""A PDF page's own text layer -> PageContent, and the checks that decide whether to trust it.

Cells come from the page's drawn ruling lines (pdfplumber edges, PDF points, top-left origin);
characters go to the cell holding their centre. A layer is not trusted when it is empty, made of
unmapped glyph codes (CID), mojibake, or text that does not fit the drawn cells; such pages are OCRed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from extractor.vision.assemble import Fragment, PageContent
from extractor.vision.segments import Segment, Table, tables_from_segments

_CID = re.compile(r"\(cid:\d+\)")
MIN_CHARS = 8  # fewer visible characters than this is no text layer (a stray page number)
TOLERANCE_PT = 3.0  # ruling lines within 3 pt of each other are one line


def page_segments(edges: list[dict[str, Any]]) -> tuple[list[Segment], list[Segment]]:
    hs: list[Segment] = []
    vs: list[Segment] = []
    for e in edges:
        if e.get("orientation") == "h":
            hs.append(Segment(float(e["top"]), float(e["x0"]), float(e["x1"])))
        elif e.get("orientation") == "v":
            vs.append(Segment(float(e["x0"]), float(e["top"]), float(e["bottom"])))
    return hs, vs


def vector_tables(edges: list[dict[str, Any]]) -> list[Table]:
    hs, vs = page_segments(edges)
    return tables_from_segments(hs, vs, TOLERANCE_PT)


def char_fragments(chars: list[dict[str, Any]]) -> list[Fragment]:
    return [Fragment(str(c["text"]), (float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"])))
            for c in chars if c.get("text")]


def _plausible(ch: str) -> bool:
    """A character a Chinese form prints: CJK, ASCII, common full-width and math punctuation."""
    if ch.isspace() or (ch.isascii() and ch.isprintable()):
        return True
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF:
        return True
    if ch in "—–…·•≥≤≧≦﹦═×÷±‰％℃№①②③④⑤⑥⑦⑧⑨⑩“”‘’、。《》【】〔〕":
        return True
    cat = unicodedata.category(ch)
    # Latin-1 letters and symbols (À-ÿ), controls, private use and unassigned code points are what
    # a wrong ToUnicode map or a UTF-8/Latin-1 mix-up produce.
    return cat[0] in "PS" and o < 0x2E80 and not (0x80 <= o <= 0xFF)


def distrust_reason(chars: list[dict[str, Any]], tables: list[Table]) -> str | None:
    """Why this text layer must not be used, or None when it can be."""
    text = "".join(str(c.get("text", "")) for c in chars)
    visible = [ch for ch in _CID.sub("\ufffd", text) if not ch.isspace()]
    if len(visible) < MIN_CHARS:
        return "no text layer"
    if _CID.search(text):
        return "glyph codes without a Unicode map (cid)"
    bad = sum(not _plausible(ch) for ch in visible)
    if bad / len(visible) > 0.05:
        return f"mojibake ({bad} of {len(visible)} characters implausible)"
    cjk = sum(0x4E00 <= ord(ch) <= 0x9FFF for ch in visible)
    letters = sum(ch.isalpha() for ch in visible)
    if letters > 20 and cjk / letters < 0.2 and tables:
        return "a table of Latin letters where Chinese is expected (wrong glyph map)"
    if tables and _straddling_share(chars, tables) > 0.15:
        return "text does not fit the drawn cells"
    return None


def _straddling_share(chars: list[dict[str, Any]], tables: list[Table]) -> float:
    """Share of characters inside tables that cross a column line: a layer from another layout."""
    inside = crossing = 0
    for c in chars:
        x0, x1, top, bottom = float(c["x0"]), float(c["x1"]), float(c["top"]), float(c["bottom"])
        if str(c.get("text", "")).isspace() or x1 - x0 < 1:
            continue
        cy = (top + bottom) / 2
        for t in tables:
            tx0, ty0, tx1, ty1 = t.bbox
            if tx0 <= (x0 + x1) / 2 <= tx1 and ty0 <= cy <= ty1:
                inside += 1
                margin = 0.3 * (x1 - x0)
                if any(x0 + margin < v.pos < x1 - margin and v.start <= cy <= v.end for v in t.v_lines):
                    crossing += 1
                break
    return crossing / inside if inside else 0.0


def edge_chars(chars: list[dict[str, Any]], tables: list[Table]) -> list[int]:
    """Indices of characters outside every table but above or below one, within its width: where a
    merged cell cut by a page break puts the part of its text that the cell's clip hides (LibreOffice
    centres the text in the whole merged cell, on both pages, even off the page). Only these need a
    look at the ink; titles and signatures pass that look."""
    out = []
    for i, c in enumerate(chars):
        if str(c.get("text", "")).isspace():
            continue
        cx = (float(c["x0"]) + float(c["x1"])) / 2
        cy = (float(c["top"]) + float(c["bottom"])) / 2
        inside = [t for t in tables if t.bbox[0] <= cx <= t.bbox[2]]
        if inside and not any(t.bbox[1] <= cy <= t.bbox[3] for t in inside):
            out.append(i)
    return out


def text_page_content(page_no: int, width: float, height: float, chars: list[dict[str, Any]],
                      tables: list[Table]) -> PageContent:
    return PageContent(page=page_no, width=width, height=height, tables=tables,
                       fragments=char_fragments(chars), source="pdf-text", scale=1.0)
