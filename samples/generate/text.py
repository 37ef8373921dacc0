"""Render logical tables (samples.generate.layout) to the text-dump shapes real archives hold.

Shapes (see "Variants in the wild" in the output contract):
  tsv    tab-separated cells; a merged cell's text in one row of its span, the other rows empty; page
         breaks as a blank line with the table going on; now and then a page number such as `-3` pushed
         into an empty cell, or a long indicator name split over a page break
  lines  one cell per line, empty cells left out, nothing between rows
  pipe   Markdown/pipe tables, `|---|` after the first row (a new table after each page break, optionally)
  html   <table> with real rowspan/colspan, optional <p>/<br>, Word/Excel or PP-Structure flavoured
  flat   one space-separated line per form (copied from a web page)
  nospace  every cell run together, all whitespace lost (best effort only)

`encode(text, encoding, bom=..., crlf=...)` turns a rendering into the bytes of a file: UTF-8 (with or
without BOM), GB18030/GBK, UTF-16, LF or CRLF line ends. None of the options changes the expected result.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

from samples.generate.layout import Table

PREAMBLES = [
    ["附件2", "", "{year}年度项目支出绩效自评结果公开"],
    ["{department}", "{year}年度部门预算项目绩效自评报告（附表）", "单位：元"],
    ["文件编号：{code}", "公开方式：主动公开", "发布日期：{next_year}年4月28日"],
]
FOOTERS = [
    ["填报人：{person}\t联系电话：{phone}\t填报日期：{next_year}年3月{day}日"],
    ["注：1.偏差原因分析及改进措施栏填写未完成指标的原因。", "2.分值合计为100分。"],
    ["单位负责人：{person}", "财务负责人：{person2}", "填报日期：{next_year}-03-{day}"],
]
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"]


@dataclass(slots=True)
class TextOptions:
    """Rendering noise for the text shapes. Every option keeps the expected result unchanged."""

    seed: int = 0
    span_text: str = "first"  # first | middle: which row of a vertical span shows its text (middle: ambiguous)
    repeat_after_break: bool = False  # a vertical span cut by a page break shows its text again below it
    text_after_break: bool = False  # ... or only below it: in the first row after the break (the sample does)
    page_rows: tuple[int, int] | None = None  # rows per page drawn from this range; None: one page per form
    page_numbers: float = 0.0  # chance a page break pushes `-N` into an empty cell above it
    split_names: float = 0.0  # chance an indicator name at the foot of a page continues on the next
    wrap_spaces: float = 0.0  # chance a long cell text gets a line-wrap space inside it
    goals_p: bool = False  # goal texts wrapped in <p>…</p> (as the sample's dump has them)
    title_as_row: bool = True  # title lines padded with tabs/cells like table rows
    trim_trailing: bool = False  # drop empty cells at the end of a row
    preamble: int | None = None  # index into PREAMBLES, or None
    footer: int | None = None  # index into FOOTERS, or None
    pipe_new_table_per_page: bool = True
    html_flavour: str = "word"  # word | bare | ppstructure
    html_p: bool = False  # cell texts inside <p>
    html_br: bool = False  # long texts broken with <br>
    html_nbsp: bool = True  # empty cells hold &nbsp;
    context: dict = field(default_factory=dict)  # values for the preamble/footer templates

    @classmethod
    def noisy(cls, seed: int, **changes) -> TextOptions:
        rng = random.Random(f"text-{seed}")
        opts = cls(
            seed=seed,
            repeat_after_break=rng.random() < 0.4,
            page_rows=(18, 40),
            page_numbers=rng.choice([0.0, 0.3, 0.6]),
            split_names=rng.choice([0.0, 0.3, 0.6]),
            wrap_spaces=rng.choice([0.0, 0.05]),
            goals_p=rng.random() < 0.3,
            title_as_row=rng.random() < 0.7,
            trim_trailing=rng.random() < 0.3,
            preamble=rng.choice([None, 0, 1, 2]),
            footer=rng.choice([None, 0, 1, 2]),
            html_flavour=rng.choice(["word", "bare", "ppstructure"]),
            html_p=rng.random() < 0.4,
            html_br=rng.random() < 0.4,
            html_nbsp=rng.random() < 0.5,
        )
        for k, v in changes.items():
            setattr(opts, k, v)
        return opts


# ----------------------------------------------------------------------------------------------------------
# Shared: text rows with page breaks


@dataclass(slots=True)
class _TextRow:
    fields: list[str]
    kind: str
    break_before: bool = False  # a page break (blank line) before this row
    page: int = 1
    continuation: bool = False  # the rest of a name split over the page break


def _ctx(tables: list[Table], opts: TextOptions, forms_meta: list[dict] | None) -> dict:
    rng = random.Random(f"ctx-{opts.seed}")
    meta = (forms_meta or [{}])[0]
    year = meta.get("year") or 2023
    ctx = {
        "year": year,
        "next_year": year + 1,
        "department": meta.get("department") or "某区财政局",
        "code": f"{rng.choice(['沪', '浙', '川', '粤'])}财绩〔{year + 1}〕{rng.randint(1, 40)}号",
        "person": rng.choice(PEOPLE),
        "person2": rng.choice(PEOPLE),
        "phone": f"0{rng.randint(10, 99)}-{rng.randint(50000000, 69999999)}",
        "day": rng.randint(10, 28),
    }
    ctx.update(opts.context)
    return ctx


_WRAPPABLE = frozenset({"l3", "goal_expected", "goal_actual", "note", "project_name", "department",
                        "implementing_unit"})


def _wrap(text: str, rng: random.Random, chance: float) -> str:
    if chance and len(text) >= 10 and rng.random() < chance:
        k = rng.randint(3, len(text) - 3)
        return text[:k] + " " + text[k:]
    return text


def _breaks_for(table: Table, rng: random.Random, opts: TextOptions, page_fill: list[int]) -> set[int]:
    """Rows of `table` that start a new page. page_fill[0] holds rows already on the page."""
    breaks: set[int] = set()
    if not opts.page_rows:
        return breaks
    lo, hi = opts.page_rows
    limit = page_fill[1] if len(page_fill) > 1 else rng.randint(lo, hi)
    fill = page_fill[0]
    for r in range(table.n_rows):
        if fill >= limit and r > 0:
            breaks.add(r)
            fill = 0
            limit = rng.randint(lo, hi)
        fill += 1
    page_fill[:] = [fill, limit]
    return breaks


def text_rows(table: Table, opts: TextOptions, rng: random.Random, breaks: set[int], first_page: int = 1,
              *, noise: bool = True, newline: str = " ") -> list[_TextRow]:
    """The table as rows of cell texts, n_cols wide, with page breaks and their artefacts.

    A line break inside a cell (a goal text in paragraphs) becomes `newline`: a text row is one line."""
    grid = [[""] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells():
        wrappable = cell.role in _WRAPPABLE
        text = _wrap(cell.text, rng, opts.wrap_spaces) if noise and wrappable else cell.text
        if opts.goals_p and cell.role in ("goal_expected", "goal_actual") and text:
            text = "<p>" + text.replace("\n", "</p><p>") + "</p>"
        text = text.replace("\r\n", "\n").replace("\n", newline)
        rows = [cell.row + (cell.rowspan - 1) // 2 if opts.span_text == "middle" else cell.row]
        cut = [b for b in sorted(breaks) if cell.row < b < cell.row + cell.rowspan]
        if cut and opts.text_after_break:
            rows = cut[:1]
        elif cut and opts.repeat_after_break:
            rows += cut
        for r in rows:
            grid[r][cell.col] = text
    empty_cell = [[True] * table.n_cols for _ in range(table.n_rows)]  # a truly empty cell, not a span's rest
    for cell in table.cells():
        if cell.text:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    empty_cell[r][c] = False
    l3_col = next((c.col for c in table.cells() if c.role == "l3"), None)
    out: list[_TextRow] = []
    page = first_page
    for r in range(table.n_rows):
        fields = grid[r]
        brk = r in breaks
        if brk:
            page += 1
            prev = out[-1] if out else None
            if noise and prev is not None and opts.page_numbers and rng.random() < opts.page_numbers:
                free = [c for c in range(table.n_cols) if empty_cell[r - 1][c] and not prev.fields[c]]
                if free:
                    prev.fields[rng.choice(free)] = f"-{page - 1}"
            if (noise and prev is not None and l3_col is not None and table.row_kinds[r - 1] == "indicator"
                    and opts.split_names and rng.random() < opts.split_names):
                name = prev.fields[l3_col]
                if len(name) >= 6:
                    k = rng.randint(2, len(name) - 2)
                    prev.fields[l3_col] = name[:k]
                    cont = [""] * table.n_cols
                    cont[l3_col] = name[k:]
                    out.append(_TextRow(cont, "indicator", True, page, continuation=True))
                    brk = False
        out.append(_TextRow(list(fields), table.row_kinds[r], brk, page))
    return out


def _doc_rows(tables: list[Table], opts: TextOptions, *, noise: bool = True,
              newline: str = " ") -> list[tuple[Table, list[_TextRow]]]:
    rng = random.Random(f"rows-{opts.seed}")
    page_fill: list[int] = [0]
    page = 1
    out = []
    for i, table in enumerate(tables):
        if i:
            page += 1  # every form starts on a new page
        page_fill = [len(table.title_lines)]
        breaks = _breaks_for(table, rng, opts, page_fill)
        rows = text_rows(table, opts, rng, breaks, page, noise=noise, newline=newline)
        page = rows[-1].page if rows else page
        out.append((table, rows))
    return out


def _around(opts: TextOptions, ctx: dict) -> tuple[list[str], list[str]]:
    pre = [line.format(**ctx) for line in PREAMBLES[opts.preamble]] if opts.preamble is not None else []
    post = [line.format(**ctx) for line in FOOTERS[opts.footer]] if opts.footer is not None else []
    return pre, post


# ----------------------------------------------------------------------------------------------------------
# Renderers


def render_tsv(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None) -> str:
    opts = opts or TextOptions()
    pre, post = _around(opts, _ctx(tables, opts, forms_meta))
    lines: list[str] = list(pre)
    if pre:
        lines.append("")
    for i, (table, rows) in enumerate(_doc_rows(tables, opts)):
        if i:
            lines.append("")
        for t in table.title_lines:
            lines.append(t + "\t" * (table.n_cols - 1) if opts.title_as_row else t)
        for row in rows:
            if row.break_before:
                lines.append("")
            fields = list(row.fields)
            if opts.trim_trailing:
                while fields and not fields[-1]:
                    fields.pop()
            lines.append("\t".join(fields))
    if post:
        lines.append("")
        lines += post
    return "\n".join(lines) + "\n"


def render_lines(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None) -> str:
    opts = opts or TextOptions()
    pre, post = _around(opts, _ctx(tables, opts, forms_meta))
    lines: list[str] = [p for p in pre if p]
    for table, rows in _doc_rows(tables, opts):
        lines += table.title_lines
        for row in rows:
            lines += [f for f in row.fields if f.strip()]
    lines += [p for line in post for p in line.split("\t")]
    return "\n".join(lines) + "\n"


def _pipe_row(fields: list[str]) -> str:
    return "| " + " | ".join(f.replace("|", "\\|") for f in fields) + " |"


def render_pipe(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None) -> str:
    opts = opts or TextOptions()
    pre, post = _around(opts, _ctx(tables, opts, forms_meta))
    lines: list[str] = list(pre)
    for table, rows in _doc_rows(tables, opts, newline="<br>"):
        if lines:
            lines.append("")
        lines += table.title_lines
        lines.append("")
        new_table = True
        for row in rows:
            if row.break_before:
                lines.append("")
                new_table = new_table or opts.pipe_new_table_per_page
            lines.append(_pipe_row(row.fields))
            if new_table:
                lines.append(_pipe_row(["---"] * len(row.fields)).replace(" --- ", "---"))
                new_table = False
    if post:
        lines.append("")
        lines += post
    return "\n".join(lines) + "\n"


def render_flat(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None) -> str:
    opts = opts or TextOptions()
    pre, post = _around(opts, _ctx(tables, opts, forms_meta))
    lines = [" ".join(p for p in pre if p)] if pre else []
    for table, rows in _doc_rows(tables, opts):
        words = list(table.title_lines)
        for row in rows:
            words += [f for f in row.fields if f.strip()]
        lines.append(" ".join(words))
    if post:
        lines.append(" ".join(p.replace("\t", " ") for p in post))
    return "\n".join(lines) + "\n"


def render_nospace(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None) -> str:
    opts = opts or TextOptions()
    parts: list[str] = []
    for table, rows in _doc_rows(tables, opts, noise=False):
        parts += table.title_lines
        for row in rows:
            parts += row.fields
    return "".join("".join(parts).split())


_HTML_HEAD = {
    "word": ('<html xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<head>\n'
             '<meta http-equiv=Content-Type content="text/html; charset={charset}">\n'
             '<meta name=Generator content="Microsoft Excel 15">\n<style>\n'
             '<!--table {{mso-displayed-decimal-separator:"\\.";}} td {{border:.5pt solid windowtext;}}-->\n'
             '</style>\n</head>\n<body link=blue vlink=purple>\n'),
    "bare": '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n<title>{title}</title>\n</head>\n<body>\n',
    "ppstructure": "<html><body>",
}
_HTML_TAIL = {"word": "</body>\n</html>\n", "bare": "</body>\n</html>\n", "ppstructure": "</body></html>\n"}


def _html_text(text: str, opts: TextOptions, rng: random.Random) -> str:
    if not text:
        return "&nbsp;" if opts.html_nbsp else ""
    if "\n" in text:
        return "<br>".join(_html_text(part, opts, rng) for part in text.split("\n"))
    if opts.html_br and len(text) > 24:
        pieces, k = [], 0
        while k < len(text):
            step = rng.randint(12, 30)
            pieces.append(html.escape(text[k:k + step], quote=False))
            k += step
        body = "<br>".join(pieces)
    else:
        body = html.escape(text, quote=False)
    return f"<p>{body}</p>" if opts.html_p else body


def render_html(tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None,
                *, charset: str = "utf-8") -> str:
    opts = opts or TextOptions()
    rng = random.Random(f"html-{opts.seed}")
    flavour = opts.html_flavour
    pre, post = _around(opts, _ctx(tables, opts, forms_meta))
    title = tables[0].title_lines[0] if tables and tables[0].title_lines else ""
    out = [_HTML_HEAD[flavour].format(charset=charset, title=html.escape(title))]
    nl = "" if flavour == "ppstructure" else "\n"
    for p in pre:
        if p:
            out.append(f"<p>{html.escape(p)}</p>{nl}")
    for i, table in enumerate(tables):
        if i and flavour == "word":
            out.append("<br clear=all style='page-break-before:always'>\n")
        if flavour == "ppstructure":
            out.append("<table border=\"1\">")
        else:
            out.append(f"<table border=1 cellpadding=0 cellspacing=0 style='border-collapse:collapse'>{nl}")
        title_in_table = flavour != "bare"
        if not title_in_table:
            out.insert(len(out) - 1, "".join(f"<p align=center>{html.escape(t)}</p>{nl}" for t in table.title_lines))
        else:
            for t in table.title_lines:
                out.append(f"<tr><td colspan={table.n_cols} align=center>{html.escape(t)}</td></tr>{nl}")
        for row in table.rows:
            cells = []
            for c in row:
                attrs = ""
                if c.rowspan > 1:
                    attrs += f' rowspan="{c.rowspan}"' if flavour == "ppstructure" else f" rowspan={c.rowspan}"
                if c.colspan > 1:
                    attrs += f' colspan="{c.colspan}"' if flavour == "ppstructure" else f" colspan={c.colspan}"
                if flavour == "word" and c.role in ("amount", "rate", "weight", "score", "fund_weight", "fund_score"):
                    attrs += " class=xl66 align=right"
                cells.append(f"<td{attrs}>{_html_text(c.text, opts, rng)}</td>")
            out.append("<tr>" + "".join(cells) + f"</tr>{nl}")
        out.append(f"</table>{nl}")
    for line in post:
        out.append(f"<p>{html.escape(line.replace(chr(9), '　'))}</p>{nl}")
    out.append(_HTML_TAIL[flavour])
    return "".join(out)


RENDERERS = {
    "tsv": render_tsv,
    "lines": render_lines,
    "pipe": render_pipe,
    "html": render_html,
    "flat": render_flat,
    "nospace": render_nospace,
}
EXTENSIONS = {"tsv": "txt", "lines": "txt", "pipe": "md", "html": "html", "flat": "txt", "nospace": "txt"}
HTML_CHARSETS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "gbk": "gbk", "gb18030": "gb18030", "utf-16": "utf-16"}


def render(shape: str, tables: list[Table], opts: TextOptions | None = None, forms_meta: list[dict] | None = None,
           *, encoding: str = "utf-8") -> str:
    if shape == "html":
        return render_html(tables, opts, forms_meta, charset=HTML_CHARSETS.get(encoding, encoding))
    return RENDERERS[shape](tables, opts, forms_meta)


def encode(text: str, encoding: str = "utf-8", *, crlf: bool = False) -> bytes:
    """utf-8, utf-8-sig (with BOM), gbk, gb18030, utf-16 (with BOM, little-endian)."""
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode(encoding)
