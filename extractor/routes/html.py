"""HTML -> Grid. (Work in progress.)"""

from __future__ import annotations

from extractor.decode import decode_text
from extractor.grid import rows_from_texts
from extractor.options import ExtractOptions
from extractor.routes import RouteOutput


def read_html(data: bytes, options: ExtractOptions) -> RouteOutput:
    text, _ = decode_text(data)
    page = 1
    rows = []
    for line in text.split("\n"):
        if not line.strip():
            page += 1
            continue
        rows.append((page, line.split("\t")))
    grid = rows_from_texts(rows)
    return RouteOutput(grid=grid, route="text", pages=grid.pages)
