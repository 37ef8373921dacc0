"""Render logical tables (samples.generate.layout) as the printed form: a PDF with a text layer.

Bordered table with real merged cells, long texts wrapping inside cells, narrow label columns whose
text stacks vertically, tables breaking across pages (nothing repeated: a merged cell cut by the
break is two cells, its text in the larger part), page numbers in the footer. Fonts (the installed
CJK TTFs), sizes, line weights, padding and alignment vary per seed. `garble=True` writes the same
document without Unicode maps for its fonts: it looks right and extracts as junk.

    python -m samples.generate.pdf --out /tmp/forms.pdf --seed 3
"""

from __future__ import annotations

import io
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from samples.generate.layout import LCell, Table

FONTS = {  # name -> (file, index in the collection)
    "wqy-zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "wqy-microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "ukai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}
PAGE_NUMBER_FORMATS = ("- {n} -", "第 {n} 页", "{n}", "第{n}页 共{total}页", "{n}/{total}")


@dataclass(frozen=True, slots=True)
class PdfStyle:
    font: str = "wqy-zenhei"
    title_font: str = "wqy-zenhei"
    size: float = 9.5
    line_width: float = 0.75
    line_gray: float = 0.0  # 0 black .. 1 white: faint rules for scans
    line_gaps: float = 0.0  # chance that a cell border is drawn broken
    padding: float = 3.0
    narrow_first_col: bool = False  # label column about two characters wide: its text stacks vertically
    center_short: bool = True  # short texts centred, long ones left-aligned
    margin: float = 42.0
    page_number: str = "- {n} -"
    form_per_page: bool = True  # every form starts on a new page

    @classmethod
    def random(cls, seed: int) -> PdfStyle:
        rng = random.Random(f"pdf-style-{seed}")
        return cls(
            font=rng.choice(list(FONTS)),
            title_font=rng.choice(["wqy-zenhei", "wqy-microhei", "uming"]),
            size=rng.choice([8.5, 9.0, 9.5, 10.0, 10.5]),
            line_width=rng.choice([0.4, 0.6, 0.75, 1.0, 1.25]),
            padding=rng.choice([2.0, 3.0, 4.0, 5.0]),
            narrow_first_col=rng.random() < 0.4,
            center_short=rng.random() < 0.7,
            margin=rng.choice([36.0, 42.0, 54.0]),
            page_number=rng.choice(PAGE_NUMBER_FORMATS),
            form_per_page=rng.random() < 0.7,
        )

    @property
    def leading(self) -> float:
        return self.size * 1.3


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a text went: page (1-based), box in PDF points from the top-left, and what it is."""

    page: int
    text: str
    bbox: tuple[float, float, float, float]
    kind: str  # cell | title | page_number
    role: str = ""


@dataclass(slots=True)
class Rendered:
    pdf: bytes
    placed: list[Placed] = field(default_factory=list)
    pages: int = 0


def register_fonts() -> None:
    for name, (path, index) in FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy character wrap (CJK breaks anywhere); explicit newlines kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return [ln for ln in lines if ln] or [""]


def column_widths(table: Table, style: PdfStyle, total: float) -> list[float]:
    want = [3.2 * style.size] * table.n_cols
    for cell in table.cells():
        if cell.colspan == 1 and cell.text:
            natural = pdfmetrics.stringWidth(cell.text, style.font, style.size) + 2 * style.padding
            want[cell.col] = max(want[cell.col], min(natural, 9 * style.size))
    if style.narrow_first_col:
        want[0] = 2.2 * style.size + 2 * style.padding
    fixed = want[0] if style.narrow_first_col else 0.0
    rest = sum(want) - fixed
    k = (total - fixed) / rest
    return [w if (i == 0 and style.narrow_first_col) else w * k for i, w in enumerate(want)]


def _cell_lines(cell: LCell, xs: list[float], style: PdfStyle) -> list[str]:
    width = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * style.padding
    return wrap(cell.text, style.font, style.size, width) if cell.text else []


def row_heights(table: Table, xs: list[float], style: PdfStyle) -> list[float]:
    base = style.leading + 2 * style.padding + 2
    heights = [base] * table.n_rows
    need = {id(c): len(_cell_lines(c, xs, style)) * style.leading + 2 * style.padding for c in table.cells()}
    for c in table.cells():
        if c.rowspan == 1:
            heights[c.row] = max(heights[c.row], need[id(c)])
    for c in table.cells():
        if c.rowspan > 1:
            have = sum(heights[c.row: c.row + c.rowspan])
            if have < need[id(c)]:
                heights[c.row + c.rowspan - 1] += need[id(c)] - have
    return heights


@dataclass(slots=True)
class _Part:
    """A cell's piece on one page (a merged cell cut by a page break has two)."""

    cell: LCell
    lines: list[str]
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(slots=True)
class _Plan:
    """Pages laid out before anything is drawn, so footers can say how many pages there are."""

    style: PdfStyle
    width: float = A4[0]
    height: float = A4[1]
    page: int = 1
    y: float = 0.0  # next free position on the page, from the top
    used: bool = False  # something is on the current page already
    titles: dict[int, list[tuple[str, float, float, str, float]]] = field(default_factory=dict)
    parts: dict[int, list[_Part]] = field(default_factory=dict)

    @property
    def bottom(self) -> float:
        return self.height - self.style.margin - 20

    def new_page(self) -> None:
        self.page += 1
        self.y = self.style.margin
        self.used = False


def _plan_table(plan: _Plan, table: Table) -> None:
    st = plan.style
    if plan.used and (st.form_per_page or plan.y + 160 > plan.bottom):
        plan.new_page()
    elif plan.used:
        plan.y += 24
    for i, line in enumerate(table.title_lines):
        size = st.size * (1.7 if i == 0 else 1.15)
        font = st.title_font if i == 0 else st.font
        x = (plan.width - pdfmetrics.stringWidth(line, font, size)) / 2
        plan.titles.setdefault(plan.page, []).append((line, x, plan.y, font, size))
        plan.y += size * 1.6
    plan.y += 4
    plan.used = True
    xs = [st.margin]
    for w in column_widths(table, st, plan.width - 2 * st.margin):
        xs.append(xs[-1] + w)
    heights = row_heights(table, xs, st)
    tops: list[tuple[int, float]] = []
    for h in heights:
        if plan.y + h > plan.bottom:
            plan.new_page()
            plan.used = True
        tops.append((plan.page, plan.y))
        plan.y += h
    for cell in table.cells():
        by_page: dict[int, list[int]] = {}
        for r in range(cell.row, cell.row + cell.rowspan):
            by_page.setdefault(tops[r][0], []).append(r)
        lines = _cell_lines(cell, xs, st)
        parts = list(by_page.values())
        room = [sum(heights[r] for r in rows) for rows in parts]
        for i, (page, rows) in enumerate(by_page.items()):
            plan.parts.setdefault(page, []).append(_Part(cell, _share_lines(lines, room, st)[i],
                                                         xs[cell.col], xs[cell.col + cell.colspan],
                                                         tops[rows[0]][1], tops[rows[-1]][1] + heights[rows[-1]]))


def _share_lines(lines: list[str], room: list[float], st: PdfStyle) -> list[list[str]]:
    """Lines of a merged cell cut by page breaks, per part: all in the first part that holds them
    (the first part when it can), else running on from part to part as a word processor prints them."""
    need = len(lines) * st.leading + 2 * st.padding
    out: list[list[str]] = [[] for _ in room]
    fits = [i for i, r in enumerate(room) if need <= r]
    if fits:
        out[fits[0]] = lines
        return out
    rest = list(lines)
    for i, r in enumerate(room):
        take = len(rest) if i == len(room) - 1 else max(0, int((r - 2 * st.padding) // st.leading))
        out[i], rest = rest[:take], rest[take:]
    return out


def _border(c: canvas.Canvas, st: PdfStyle, rng: random.Random, height: float,
            x0: float, y0: float, x1: float, y1: float) -> None:
    c.setLineWidth(st.line_width)
    c.setStrokeGray(st.line_gray)
    for ax, ay, bx, by in ((x0, y0, x1, y0), (x1, y0, x1, y1), (x0, y1, x1, y1), (x0, y0, x0, y1)):
        if st.line_gaps and rng.random() < st.line_gaps:
            # A broken rule: a gap of a few points somewhere along it.
            t = rng.uniform(0.2, 0.8)
            u = t + rng.uniform(2, 6) / max(1.0, abs(bx - ax) + abs(by - ay))
            c.line(ax, height - ay, ax + (bx - ax) * t, height - (ay + (by - ay) * t))
            c.line(ax + (bx - ax) * u, height - (ay + (by - ay) * u), bx, height - by)
        else:
            c.line(ax, height - ay, bx, height - by)


def _text(c: canvas.Canvas, height: float, s: str, x: float, top: float, font: str, size: float) -> None:
    c.setFont(font, size)
    c.setFillGray(0)
    c.drawString(x, height - top - size * 0.88, s)


def _cell_text(c: canvas.Canvas, st: PdfStyle, height: float, part: _Part) -> None:
    y = part.top + max(st.padding, (part.bottom - part.top - len(part.lines) * st.leading) / 2) \
        + (st.leading - st.size) / 2
    for line in part.lines:
        w = pdfmetrics.stringWidth(line, st.font, st.size)
        short = len(part.lines) == 1 and w < (part.x1 - part.x0) * 0.8
        centred = (short and st.center_short) or len(part.lines[0]) <= 2
        x = (part.x0 + part.x1 - w) / 2 if centred else part.x0 + st.padding
        _text(c, height, line, x, y, st.font, st.size)
        y += st.leading


def render_pdf(tables: list[Table], style: PdfStyle | None = None, *, seed: int = 0,
               garble: bool = False) -> Rendered:
    """All forms in one PDF. `placed` tells where every cell, title and page number went."""
    register_fonts()
    st = style or PdfStyle()
    rng = random.Random(f"pdf-{seed}")
    plan = _Plan(style=st, y=st.margin)
    for table in tables:
        _plan_table(plan, table)
    total = plan.page
    buf = io.BytesIO()
    # Uncompressed when garbling, so the Unicode maps can be blanked in place.
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0 if garble else 1)
    placed: list[Placed] = []
    for page in range(1, total + 1):
        for s, x, top, font, size in plan.titles.get(page, []):
            _text(c, plan.height, s, x, top, font, size)
            placed.append(Placed(page, s, (x, top, x + pdfmetrics.stringWidth(s, font, size), top + size), "title"))
        for part in plan.parts.get(page, []):
            _border(c, st, rng, plan.height, part.x0, part.top, part.x1, part.bottom)
            _cell_text(c, st, plan.height, part)
            placed.append(Placed(page, "".join(part.lines), (part.x0, part.top, part.x1, part.bottom), "cell",
                                 part.cell.role))
        number = st.page_number.format(n=page, total=total)
        w = pdfmetrics.stringWidth(number, st.font, st.size)
        top = plan.height - st.margin + 8
        _text(c, plan.height, number, (plan.width - w) / 2, top, st.font, st.size)
        placed.append(Placed(page, number, ((plan.width - w) / 2, top, (plan.width + w) / 2, top + st.size),
                             "page_number"))
        c.showPage()
    c.save()
    data = strip_unicode_maps(buf.getvalue()) if garble else buf.getvalue()
    return Rendered(pdf=data, placed=placed, pages=total)


def strip_unicode_maps(pdf: bytes) -> bytes:
    """Blank out every /ToUnicode entry (same length, so the xref offsets stay right)."""
    return re.sub(rb"/ToUnicode\s+\d+\s+\d+\s+R", lambda m: b" " * len(m.group(0)), pdf)


def main() -> None:
    import argparse

    from samples.generate.layout import Style, layout

    ap = argparse.ArgumentParser(description=__doc__)
    sample = Path(__file__).resolve().parents[1] / "expected" / "self-eval-2023-songjiang.json"
    ap.add_argument("--forms", default=str(sample), help="a result JSON (default: the checkout's sample)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--garble", action="store_true")
    args = ap.parse_args()
    forms = json.loads(Path(args.forms).read_text())["forms"]
    tables = [layout(f, Style.plain()) for f in forms]
    style = PdfStyle() if args.seed == 0 else PdfStyle.random(args.seed)
    out = render_pdf(tables, style, seed=args.seed, garble=args.garble)
    Path(args.out).write_bytes(out.pdf)
    print(f"{args.out}: {out.pages} pages")


if __name__ == "__main__":
    main()
