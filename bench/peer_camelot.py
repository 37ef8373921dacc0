"""camelot-py as a measured peer of our text-layer PDF route, on the same rendered PDFs.

    pip install -e '.[bench]'                 # camelot-py (and pandas): a bench extra, no runtime code uses it
    python bench/peer_camelot.py              # every style; --styles clean,thick --forms 3

Documents: the nine sample forms rendered by samples.generate.pdf in several styles (the default
print, thick 2 pt rules, random looks). Per reader: tables found, truth cells whose text the reader
has in the cell at the truth cell's centre (text), of those the share whose cell also has the
truth cell's extent within 2 pt (extent: merged cells must come out merged), and seconds per page.
Readers: ours (extractor.routes.pdf.read_pdf), camelot lattice with engine="vector" and
split_text=True (rules from the PDF's vector paths, nothing rendered), and camelot lattice as
shipped (engine="combined": the page rendered by pypdfium2 and its rules found in pixels, vector
rules merged in).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMS = ROOT / "samples" / "expected" / "self-eval-2023-songjiang.json"
TOL = 2.0  # points


def styles() -> dict:
    from samples.generate.pdf import PdfStyle

    return {"clean": PdfStyle(), "thick": PdfStyle(line_width=2.0),
            "random-1": PdfStyle.random(1), "random-2": PdfStyle.random(2), "random-3": PdfStyle.random(3)}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def ours(pdf: bytes) -> tuple[list[tuple[int, tuple, str]], int]:
    from extractor.options import ExtractOptions
    from extractor.routes.pdf import read_pdf

    grid = read_pdf(pdf, ExtractOptions()).grid
    cells = [(c.page, c.bbox, c.text) for c in grid.cells if c.bbox]
    return cells, count_tables([(c[0], c[1]) for c in cells])


def count_tables(boxes: list[tuple[int, tuple]]) -> int:
    """Blocks of cells per page: a table's rows touch, two forms on a page have a title between them."""
    n = 0
    for page in {p for p, _ in boxes}:
        bottom = None
        for _, (_, y0, _, y1) in sorted((b for b in boxes if b[0] == page), key=lambda b: b[1][1]):
            if bottom is None or y0 > bottom + 12:
                n += 1
                bottom = y1
            else:
                bottom = max(bottom, y1)
    return n



def _walk(start: int, step: int, end: int, ruled: Sequence[bool]) -> int:
    """From `start` towards `end`, over every cell edge with no rule: where the merged region stops."""
    k = start
    while k != end and not ruled[k]:
        k += step
    return k

def camelot_cells(path: Path, heights: list[float], **kwargs) -> tuple[list[tuple[int, tuple, str]], int]:
    import camelot

    tables = camelot.read_pdf(str(path), pages="all", flavor="lattice", suppress_stdout=True, **kwargs)
    out = []
    for table in tables:
        page = int(table.page)
        h = heights[page - 1]
        grid = table.cells
        rows, cols = len(grid), len(grid[0]) if grid else 0
        for r in range(rows):
            for c in range(cols):
                cell = grid[r][c]
                text = table.df.iloc[r, c]
                # Extent of the merged region this grid cell belongs to: walk over missing rules.
                row, column = grid[r], [grid[k][c] for k in range(rows)]
                c0 = _walk(c, -1, 0, [cell.left for cell in row])
                c1 = _walk(c, 1, cols - 1, [cell.right for cell in row])
                r0 = _walk(r, -1, 0, [cell.top for cell in column])
                r1 = _walk(r, 1, rows - 1, [cell.bottom for cell in column])
                x0, x1 = grid[r0][c0].x1, grid[r0][c1].x2
                top, bottom = grid[r0][c0].y2, grid[r1][c0].y1
                out.append((page, (x0, h - top, x1, h - bottom), str(text), (cell.x1, h - cell.y2, cell.x2, h - cell.y1)))
    return out, len(tables)


def match(placed: list, cells: list) -> tuple[float, float]:
    """(text, extent): shares of non-empty truth cells read right at their centre."""
    truth = [p for p in placed if p.kind == "cell" and p.text]
    text_hits = extent_hits = 0
    for p in truth:
        cx, cy = (p.bbox[0] + p.bbox[2]) / 2, (p.bbox[1] + p.bbox[3]) / 2
        # Camelot puts a merged region's text in one of its grid cells: look in every cell whose
        # merged extent holds the centre, and take the one with text.
        found = [c for c in cells if c[0] == p.page and c[1][0] <= cx <= c[1][2] and c[1][1] <= cy <= c[1][3]]
        with_text = [c for c in found if _norm(c[2])] or found
        if not with_text:
            continue
        cell = with_text[0]
        if _norm(cell[2]) == _norm(p.text):
            text_hits += 1
            if all(abs(a - b) <= TOL for a, b in zip(cell[1], p.bbox, strict=True)):
                extent_hits += 1
    n = len(truth) or 1
    return text_hits / n, extent_hits / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--styles", default="clean,thick,random-1,random-2,random-3")
    ap.add_argument("--forms", type=int, default=9, help="how many of the nine sample forms")
    args = ap.parse_args()
    import pypdfium2 as pdfium

    from samples.generate.layout import Style, layout
    from samples.generate.pdf import render_pdf

    forms = json.loads(FORMS.read_text())["forms"][: args.forms]
    all_styles = styles()
    rows = []
    for name in args.styles.split(","):
        rendered = render_pdf([layout(f, Style.plain()) for f in forms], all_styles[name], seed=0)
        doc = pdfium.PdfDocument(rendered.pdf)
        heights = [doc[i].get_height() for i in range(len(doc))]
        pages = len(doc)
        truth_tables = count_tables([(p.page, p.bbox) for p in rendered.placed if p.kind == "cell"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, f"{name}.pdf")
            path.write_bytes(rendered.pdf)
            readers = {"ours": None, "camelot-vector-split": {"engine": "vector", "split_text": True},
                       "camelot-default": {}}
            if not rows:  # warm up: imports and first-call setup are not per page
                for kwargs in readers.values():
                    with contextlib.suppress(Exception):
                        ours(rendered.pdf) if kwargs is None else camelot_cells(path, heights, **kwargs)
            for reader, kwargs in readers.items():
                start = time.perf_counter()
                try:
                    cells, tables = ours(rendered.pdf) if kwargs is None else camelot_cells(path, heights, **kwargs)
                except Exception as err:  # a peer that fails is a result too
                    rows.append({"style": name, "reader": reader, "error": f"{type(err).__name__}: {err}"[:200]})
                    print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
                    continue
                seconds = time.perf_counter() - start
                text, extent = match(rendered.placed, cells)
                rows.append({"style": name, "reader": reader, "pages": pages, "truth_tables": truth_tables,
                             "tables": tables, "text": round(text, 4), "extent": round(extent, 4),
                             "s_per_page": round(seconds / pages, 4)})
                print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    print(f"\n{'style':<9} {'reader':<21} {'pages':>5} {'tables':>9} {'text':>6} {'extent':>6} {'s/page':>7}")
    for r in rows:
        if "error" in r:
            print(f"{r['style']:<9} {r['reader']:<21} error: {r['error']}")
            continue
        print(f"{r['style']:<9} {r['reader']:<21} {r['pages']:>5} {r['tables']:>4}/{r['truth_tables']:<4} "
              f"{r['text']:>6.3f} {r['extent']:>6.3f} {r['s_per_page']:>7.3f}")


if __name__ == "__main__":
    main()
