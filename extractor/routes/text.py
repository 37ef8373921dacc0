"""Text dumps -> Grid, whatever shape the dump has.

Shapes seen in archives: tab-separated cells (spreadsheet copy), pipe/Markdown tables, one cell per
line, one space-separated line per form (copied from a web page), text with every space lost. The
first two keep rows; the others are a stream of cells (extractor.unspaced cuts the last into
cells) whose rows are rebuilt by extractor.streams. A blank line in a
row-keeping dump is a page break: the dump tools print one between pages.
"""

from __future__ import annotations

import re
from typing import Literal

from extractor.decode import decode_text
from extractor.grid import Grid, rows_from_texts
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput
from extractor.streams import tokens_to_rows
from extractor.unspaced import split_unspaced

Shape = Literal["tsv", "pipe", "lines", "flat", "unspaced"]
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def read_text(data: bytes, options: ExtractOptions) -> RouteOutput:
    text, _encoding = decode_text(data)
    grid = text_to_grid(text)
    return RouteOutput(grid=grid, route="text", pages=grid.pages)


def text_to_grid(text: str) -> Grid:
    shape = detect_shape(text)
    if shape == "tsv":
        return rows_from_texts(_paged_rows(text, lambda line: line.split("\t")))
    if shape == "pipe":
        return rows_from_texts(_paged_rows(text, _pipe_cells))
    if shape == "unspaced":
        rows = tokens_to_rows(split_unspaced(text))
    elif shape == "lines":
        rows = tokens_to_rows([line.strip() for line in text.split("\n") if line.strip()])
    else:
        rows = tokens_to_rows(text.split(), cells_may_split=True)
    return rows_from_texts((1, row) for row in rows)


def detect_shape(text: str) -> Shape:
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "lines"
    tabbed = sum("\t" in line for line in lines)
    piped = sum(line.lstrip().startswith("|") and line.count("|") >= 3 for line in lines)
    if tabbed >= max(3, len(lines) * 0.2):
        return "tsv"
    if piped >= max(3, len(lines) * 0.3):
        return "pipe"
    mean_length = sum(len(line) for line in lines) / len(lines)
    if mean_length > 200 and len(lines) < 60:
        spaces = sum(line.count(" ") + line.count("\u3000") for line in lines)
        return "flat" if spaces > mean_length * len(lines) / 100 else "unspaced"
    return "lines"


def _paged_rows(text: str, split):  # type: ignore[no-untyped-def]
    page = 1
    for line in text.split("\n"):
        if not line.strip():
            page += 1
            continue
        if "\f" in line:  # a form feed is a page break too
            page += line.count("\f")
            line = line.replace("\f", "")
        cells = split(line)
        if cells is not None:
            yield page, cells


def _pipe_cells(line: str) -> list[str] | None:
    stripped = line.strip()
    if _PIPE_RULE.match(stripped):
        return None
    if not stripped.startswith("|"):
        return [stripped]  # text around the table: one cell
    inner = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]
