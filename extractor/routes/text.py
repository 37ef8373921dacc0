"""Text dumps -> candidate Grids, one per reading of the dump's shape.

A dump's shape is evidence, not a gate. Every reader that can apply to the text produces a reading:
row-keeping ones (tab-separated cells, pipe tables with or without leading bars, runs of 2+ spaces,
single spaces in a row line) and stream ones (one cell per line, cells between bars, a form
flattened onto one line, text with every space lost) whose rows extractor.streams rebuilds from the
form's grammar. The pipeline reads every candidate and the form's own arithmetic chooses
(extractor.choose). Candidates come most likely first, so a tie goes to the likelier reading.

A blank line in a row-keeping dump is a page break: the dump tools print one between pages.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from functools import cache
from itertools import chain
from typing import Literal

from extractor.decode import decode_issues, decode_text
from extractor.form.vocabulary import (
    FUND_BLOCK_LABELS,
    HEADER_WORDS,
    TOTAL_WORDS,
    form_words_in,
    is_meta_key,
    is_title,
)
from extractor.grid import Grid, rows_from_texts
from extractor.normalize import compact, is_page_number
from extractor.options import ExtractOptions
from extractor.routes import Reading, RouteOutput
from extractor.script import to_simplified
from extractor.streams import (
    continues_form_word,
    is_form_word,
    rejoin_wrapped_rows,
    starts_form_word,
    tokens_to_rows,
)
from extractor.taxonomy import INDICATOR_HEADER_ROLES, LEVEL1, LEVEL2_PARENT, header_role, read_label
from models import Issue

Shape = Literal["csv", "boxes", "tsv", "pipe", "lines", "flat", "unspaced"]
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$<>|%~])")
_MARKDOWN_ONLY_ESCAPE = re.compile(r"\\[$<>*_\[\]`|#]")  # never in LaTeX, whose \\% and \\geq stay
_DASH_RULE = re.compile(r"^\s*-{3,}(?:\s+-{3,})+\s*$")  # a Markdown simple table's rules
_DROPPED_TABLE = re.compile(r"^\s*\[TABLE\]\s*$", re.MULTILINE)
_SPACE_RUN = re.compile(r"[ \u3000\xa0]{2,}")
_SPACE = re.compile(r"[ \u3000\xa0]+")


def read_text(data: bytes, options: ExtractOptions) -> RouteOutput:
    decoded = decode_text(data, max_repaired_fraction=options.max_repaired_fraction)
    text, converted = to_simplified(decoded.text)
    readings = iter_text_readings(text)
    first = next(readings)
    issues = decode_issues(decoded)
    if converted:
        issues.append(Issue(code="text_converted", severity="warning", field=None, stage="read",
                            message="the text was converted back to the form's simplified characters: " + "; ".join(converted)))
    if _DROPPED_TABLE.search(text):
        # pandoc prints [TABLE] for a table it cannot lay out as text: the cells are not in the dump.
        issues.append(Issue(code="table_dropped", severity="warning", field=None, stage="read",
                            message="the converter printed [TABLE] in place of a table; its cells are not in this text"))
    try:
        grid = first.grid
    except Exception:  # a reader's bug: the pipeline leaves this reading out and says so (reading_failed)
        grid = Grid()
    return RouteOutput(grid=grid, route="text", pages=grid.pages, readings=chain([first], readings), issues=issues)


def text_to_grid(text: str) -> Grid:
    """The likeliest reading alone (tests and tools that want one grid)."""
    return next(iter_text_readings(text)).grid


def text_readings(text: str) -> list[Reading]:
    """Every reading that can apply to the text, likeliest first."""
    return list(iter_text_readings(text))


def iter_text_readings(text: str) -> Iterator[Reading]:
    """The readings that can apply to the text, likeliest first, each looked for only when the one
    before did not settle the document (most documents take their first reading: one scan of the
    lines for the dump's shape, no more)."""
    if len(_MARKDOWN_ONLY_ESCAPE.findall(text)) >= 3:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)  # pandoc/html2text escapes: \$\\geq 95\\%\$ is $\geq 95\%$
    if "---" in text:
        text = "\n".join(line for line in text.split("\n") if not _DASH_RULE.match(line))
    lines = [line for line in text.split("\n") if line.strip()]
    shape = detect_shape(text, lines)

    # Tests two readings share, made once.
    @cache
    def has_flat() -> bool:
        return any(_SPACE.search(line.strip()) for line in lines)

    @cache
    def wrap_fragments() -> int:
        return sum(_is_wrap_fragment(line.strip()) for line in lines)

    @cache
    def tabbed() -> bool:
        return any("\t" in line for line in lines)

    @cache
    def barred() -> bool:
        return sum(line.count("|") >= 1 for line in lines) >= 3

    @cache
    def spaced() -> bool:
        return sum(bool(_SPACE_RUN.search(line.strip())) for line in lines) >= 3

    @cache
    def boxed() -> bool:
        return sum(line.lstrip().startswith(_BOX_STARTS) for line in lines) >= 3

    # name -> (does it apply?, make its grid), in the order the readings are tried after the shape's own.
    candidates: dict[str, tuple[Callable[[], bool], Callable[[], Grid]]] = {
        "tsv": (tabbed,
                lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, lambda s: s.split("\t"))))),
        "csv": (lambda: sum(line.count(",") >= 3 for line in lines) >= max(3, len(lines) * 0.5),
                lambda: rows_from_texts(rejoin_wrapped_rows(_csv_rows(text)))),
        "boxes": (boxed,
                  lambda: rows_from_texts(rejoin_wrapped_rows(_box_rows(text)))),
        # pandoc's grid tables: the same boxes drawn with + - = |
        "ascii-boxes": (lambda: not boxed() and sum(bool(_ASCII_RULE.match(line)) for line in lines) >= 3,
                        lambda: rows_from_texts(rejoin_wrapped_rows(_box_rows(_ascii_boxes(text))))),
        "pipe": (barred,
                 lambda: rows_from_texts(rejoin_wrapped_rows(_pipe_rows(text)))),
        # Rows that open with a bar and run on over lines that do not (a cell's line break kept).
        "pipe-lead": (lambda: barred() and _bar_led_breaks(lines),
                      lambda: rows_from_texts(rejoin_wrapped_rows(_bar_led_rows(text)))),
        "pipe-stream": (barred, lambda: _stream(_bar_tokens(text))),
        # Each cell on lines of its own closed by a line `|`, each row by a line of bars (`|||||`).
        "bar-cells": (lambda: _bar_cell_lines(lines),
                      lambda: rows_from_texts(rejoin_wrapped_rows(_bar_cell_rows(text)))),
        "spaces": (spaced,
                   lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, _space_run_cells)))),
        # Text laid out by position (pdftotext -layout): wrapped cells above and below their row's line.
        "layout": (spaced,
                   lambda: rows_from_texts(rejoin_wrapped_rows(_layout_rows(text)))),
        "space-rows": (lambda: len(lines) >= 10 and sum(len(line) > 200 for line in lines) <= len(lines) * 0.2,
                       lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, _space_cells)))),
        # Rows one line each, cells a space apart, wrapped cells above and below (pdfplumber).
        "line-wraps": (lambda: has_flat() and not spaced() and len(lines) >= 10 and wrap_fragments() >= 3,
                       lambda: rows_from_texts(_line_wrap_rows(text))),
        # One cell per line; a bar closing a cell (`人大代表之家建设 |`) or alone on a line is no text.
        "lines": (lambda: True, lambda: _stream([cell for line in lines if (cell := _unbarred(line))])),
        # PDF text in drawing order: a cell that wrapped goes on, alone, on the next line.
        "wrapped": (lambda: wrap_fragments() >= 3,
                    lambda: _stream(" ".join(_join_wrapped_lines(defer_early_titles(_counters_out(lines)))).split(),
                                    cells_may_split=True)),
        "flat": (has_flat, lambda: _stream(" ".join(defer_early_titles(_counters_out(lines))).split(),
                                           cells_may_split=True)),
        # Tabs between cells are gaps kept: such a text did not lose them, however few spaces it has.
        "unspaced": (lambda: shape == "unspaced" or (not has_flat() and not tabbed()) or _runs_unspaced(lines),
                     lambda: _stream(_split_unspaced(text))),
        # PDF text in block order (pdftotext, pdfminer): a column's cells in a run, the columns zipped;
        # last, so it must read more than the row readings to be taken.
        "block-order": (lambda: _blank_blocks(text) and not _rows_on_lines(lines),
                        lambda: _block_order_grid(text)),
    }
    order = {"csv": ["csv"], "boxes": ["boxes"], "tsv": ["tsv"], "pipe": ["pipe", "pipe-stream"], "flat": ["flat"],
             "unspaced": ["unspaced"], "lines": ["lines"]}[shape]
    for name in [*order, *(n for n in candidates if n not in order)]:
        applies, make = candidates[name]
        if applies():
            yield Reading("boxes" if name == "ascii-boxes" else name, make)


# Values run into what follows (100%100%库存…, 194.9194.9100%其中): cells whose gaps were lost.
@cache
def _glued_values() -> re.Pattern[str]:
    return re.compile(r"\d%\d|\d%[\u4e00-\u9fff]")  # compiled when first used, as _cjk_tail


_GLUED_MIN = 3


def _runs_unspaced(lines: list[str]) -> bool:
    """Cells with their gaps lost (a document site's text of a .docx), though stray spaces inside
    wrapped cells (`成 品粮`, `绩 效 指 标`) survive."""
    return (sum(len(_glued_values().findall(line)) for line in lines) >= _GLUED_MIN
            or any(_glued_form_words(line) for line in lines)
            or sum(_glued_header_line(line) for line in lines) >= _GLUED_HEADER_LINES)


_GLUED_HEADER_LINES = 2  # header rows read with their cells run together (OCR of a table image)
_GLUED_HEADER_WORDS = 3


def _glued_header_line(line: str) -> bool:
    """`绩效指标一级指标二级指标三级指标年度指标值…`: a row of the form's words with no gap between
    them (at most one stray space), one row a line."""
    stripped = line.strip()
    return len(_SPACE.findall(stripped)) <= 1 and "|" not in stripped and "\t" not in stripped \
        and form_words_in(compact(stripped)) >= _GLUED_HEADER_WORDS


_GLUED_LINE_MIN = 200  # characters of a line that holds a whole table run together
_GLUED_WORDS_MIN = 6  # distinct form words in it (项目名称…主管部门…年度资金总额…一级指标…)
_GLUED_GAPS_PER_CHAR = 1 / 30  # a line of cells keeps a gap every few characters, far above this


def _glued_form_words(line: str) -> bool:
    """A long line holding many of the form's words with hardly a gap between them: a table whose
    cells ran together (a document site's text of a .doc), however it is laid out around."""
    if len(line) < _GLUED_LINE_MIN:
        return False
    if len(_SPACE.findall(line)) <= len(line) * _GLUED_GAPS_PER_CHAR:
        return form_words_in(compact(line)) >= _GLUED_WORDS_MIN
    # Spaced text around it (a site's preamble, all one line): the gapless stretch alone is the table.
    return any(form_words_in(run) >= _GLUED_WORDS_MIN for run in _GAPLESS_RUN.findall(line))


_GAPLESS_RUN = re.compile(rf"\S{{{_GLUED_LINE_MIN},}}")


# The readers of later readings, imported when first tried: most documents settle on their first
# reading, and these modules (their patterns compiled at import) cost a process more than a document.
def _layout_rows(text: str) -> list[tuple[int, list[str]]]:
    from extractor.layout import layout_rows
    return layout_rows(text)


def _line_wrap_rows(text: str) -> list[tuple[int, list[str]]]:
    from extractor.line_wraps import line_wrap_rows
    return line_wrap_rows(text)


def _block_order_grid(text: str) -> Grid:
    from extractor.block_order import block_order_grid
    return block_order_grid(text)


_BLANK_BLOCKS_MIN = 20  # blank lines between a dump's blocks of text


_ROW_NUMBER = re.compile(r"^[<>=≥≤]*\d[\d.,%]*")
ROW_LINES_MAX = 0.05  # block-order dumps print a row's numbers on lines of their own (0–1 %); row dumps 15–30 %


def _rows_on_lines(lines: list[str]) -> bool:
    """Whether the text keeps table rows on its lines (a name with two numbers or more on one line, as
    pdfplumber, pdftotext -layout and pypdfium2 print them): then block order is not its shape."""
    rowish = sum(1 for line in lines
                 if len(words := line.split()) >= 3 and sum(bool(_ROW_NUMBER.match(w)) for w in words) >= 2)
    return rowish > len(lines) * ROW_LINES_MAX


def _blank_blocks(text: str) -> bool:
    """Text grouped in blocks, a blank line after each (pdfminer's extract_text)."""
    return text.count("\n\n") >= _BLANK_BLOCKS_MIN


def _split_unspaced(text: str) -> list[str]:
    from extractor.unspaced import split_unspaced
    return split_unspaced(text)


def _counters_out(lines: list[str]) -> list[str]:
    """Lines without the pages' counters (`第 1 页`, `第1页 共3页`): once the text is one run of words,
    their pieces would read as cells."""
    return [line for line in lines if not is_page_number(line.strip())]


def _stream(tokens: list[str], *, cells_may_split: bool = False) -> Grid:
    return rows_from_texts((1, row) for row in tokens_to_rows(tokens, cells_may_split=cells_may_split))


def detect_shape(text: str, lines: list[str] | None = None) -> Shape:
    """The likeliest shape, by the marks the dump tools leave: it orders the readings, nothing more.
    `lines`: the text's non-blank lines, when the caller has them already."""
    if lines is None:
        lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "lines"
    if sum(line.lstrip().startswith(_BOX_STARTS) for line in lines) >= max(3, len(lines) * 0.3):
        return "boxes"
    if sum(line.count(",") >= 3 for line in lines) >= max(3, len(lines) * 0.5):
        return "csv"
    tabbed = sum("\t" in line for line in lines)
    if tabbed >= max(3, len(lines) * 0.2):
        return "tsv"
    piped = sum((line.lstrip().startswith("|") or line.rstrip().endswith("|")) and line.count("|") >= 2
                for line in lines)
    if piped >= max(3, len(lines) * 0.3):
        return "pipe"
    mean_length = sum(len(line) for line in lines) / len(lines)
    if mean_length > 200 and len(lines) < 60:
        spaces = sum(line.count(" ") + line.count("\u3000") for line in lines)
        return "flat" if spaces > mean_length * len(lines) / 100 else "unspaced"
    return "lines"


def _paged_rows(text: str, split: Callable[[str], list[str] | None]) -> Iterator[tuple[int, list[str]]]:
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


def _space_run_cells(line: str) -> list[str]:
    return [cell for cell in _SPACE_RUN.split(line.strip()) if cell]


def _space_cells(line: str) -> list[str]:
    return [cell for cell in _SPACE.split(line.strip()) if cell]


def _pipe_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Pipe tables, Markdown style (`| a | b |`) or trailing-bar style (`a | b |` with the rest of
    the row on lines that start with a bar, as some HTML-to-text tools print merged rows)."""
    page = 1
    row: list[str] | None = None
    row_page = page
    trailing = False  # the current row began on a line without a leading bar and ended with one
    wrapped = False  # ... with the bar as the line's very last character: a tool's line wrap after it
    unclosed = False  # ... or began on a line with no bar at all, in a table of trailing-bar rows
    lines = text.split("\n")
    trailing_style = _trailing_bar_style(lines)
    for line in lines:
        stripped = line.strip()
        if not stripped:
            page += 1
            continue
        if _PIPE_RULE.match(stripped):
            continue
        cells = _pipe_cells(stripped)
        if row is not None and unclosed and stripped.startswith("|"):
            # `…给予补贴。` / `| 开州区城乡福利院…`: a cell's text broken over lines, the next cell's bar
            # opening the next line
            row.extend(cells)
            unclosed = "|" not in stripped.lstrip("|")
            continue
        if row is not None and trailing and (stripped.startswith("|") or (wrapped and "|" not in stripped)):
            # html2text wraps a long row after a cell's bar (`text|`: its bars follow the text, its rows
            # end in spaces, never in a bar): a line without bars after such a line is the row's next cell.
            row.extend(cells)
            trailing = wrapped = False
            continue
        if row is not None:
            yield row_page, row
        row, row_page = cells, page
        trailing = not stripped.startswith("|") and stripped.endswith("|")
        wrapped = trailing and line.rstrip("\r").endswith("|") and not stripped.endswith((" |", "||"))
        unclosed = trailing_style and "|" not in stripped
    if row is not None:
        yield row_page, row


def _trailing_bar_style(lines: list[str]) -> bool:
    """Rows printed `a | b |`: most barred lines end with a bar and few start with one."""
    barred = [s for line in lines if "|" in (s := line.strip()) and not _PIPE_RULE.match(s)]
    ends = sum(s.endswith("|") and not s.startswith("|") for s in barred)
    return len(barred) >= 3 and ends * 2 > len(barred)


def _unbarred(line: str) -> str:
    stripped = line.strip()
    return stripped.strip("|").strip() if stripped.startswith("|") or stripped.endswith(" |") else stripped


def _bar_led_breaks(lines: list[str]) -> bool:
    """Rows opened by a bar and broken over lines: a line that is a bar alone, or a line without a
    leading bar after one that did not close its row."""
    stripped = [line.strip() for line in lines]
    led = sum(s.startswith("|") for s in stripped)
    return led >= 3 and any(s == "|" or (not s.startswith("|") and p.startswith("|"))
                            for p, s in zip(stripped, stripped[1:], strict=False))


_BAR_CELL_MIN = 10  # lines `|` alone before a text counts as closing its cells so


def _is_bars(line: str) -> bool:
    """A line of bars only (stripped): `|` closes a cell, `||||` closes a row."""
    return bool(line) and set(line) == {"|"}


def _bar_cell_lines(lines: list[str]) -> bool:
    bars = sum(line.strip() == "|" for line in lines)
    runs = sum(len(line.strip()) >= 2 and _is_bars(line.strip()) for line in lines)
    return bars >= _BAR_CELL_MIN and runs >= 3


def _bar_cell_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """A web table turned into text a cell at a time: a cell's lines, then `|`; a row ends with a
    line of bars (`||||||`, the row's empty cells). Lines before the first cell and after the last
    row (a title, a note under the table) are rows of their own."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    first_bar = next((k for k, line in enumerate(lines) if _is_bars(line)), len(lines))
    for line in lines[:max(first_bar - 1, 0)]:
        yield 1, [line]
    row: list[str] = []
    cell: list[str] = []
    for line in lines[max(first_bar - 1, 0):]:
        if _is_bars(line):
            if cell or line == "|":
                row.append("".join(cell))
                cell = []
            if len(line) >= 2:
                if any(row):
                    yield 1, row
                row = []
        else:
            cell.append(line)
    if any(row):
        yield 1, row
    for line in cell:  # no bar after them: a note under the table
        yield 1, [line]


def _bar_led_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Pipe tables whose rows each open with a bar at the start of a line; a line that does not open
    with one goes on with the row before (a web page kept the line breaks inside its cells:
    `|` / `项目资金 (万元) |` / `年初预算数 | … |` is one row)."""
    page = 1
    row: str | None = None
    row_page = page
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            page += 1
            continue
        if _PIPE_RULE.match(stripped) and stripped != "|":
            continue
        if stripped.startswith("|") or row is None:
            if row is not None:
                yield row_page, _pipe_cells(row)
            row, row_page = stripped, page
        else:
            row = f"{row} {stripped}"
    if row is not None:
        yield row_page, _pipe_cells(row)


def _pipe_cells(stripped: str) -> list[str]:
    inner = stripped[1:] if stripped.startswith("|") else stripped
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


def _bar_tokens(text: str) -> list[str]:
    """Cells between bars and line ends, empty ones dropped: a pipe dump whose rows are lost."""
    tokens = []
    for line in text.split("\n"):
        if _PIPE_RULE.match(line.strip()):
            continue
        tokens.extend(cell.strip() for cell in re.split(r"(?<!\\)\|", line) if cell.strip())
    return tokens


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """A spreadsheet saved as CSV (LibreOffice, Excel): one table row per record, quoted cells."""
    for cells in csv.reader(io.StringIO(text)):
        if any(cell.strip() for cell in cells):
            yield 1, [cell.strip() for cell in cells]


_BOX_STARTS = ("│", "┌", "├", "└", "┃", "┏", "┣", "┗")
_BOX_RULE = re.compile(r"^[\s─━┌┐└┘├┤┬┴┼┏┓┗┛┣┫┳┻╋│┃+\-=|]*$")
_BOX_BAR = re.compile(r"[│┃]")


def _box_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Box-drawn tables (w3m, some terminals): a table row is the run of lines between two rules, a
    cell's lines are joined column by column. A rule that leaves its first columns open (`│   ├──`)
    continues those merged cells into the next row: their text is gathered into the row they start."""
    rows: list[list[str]] = []
    origin: list[list[int]] = []  # per row and column: the row whose merged cell this part continues
    block: list[list[str]] = []
    open_columns = 0  # leading columns the last rule left open

    def flush() -> None:
        nonlocal open_columns
        if not block:
            return
        if len({len(parts) for parts in block}) == 1:
            cells = ["".join(part.strip() for part in column) for column in zip(*block, strict=True)]
            here = len(rows)
            from_row = origin[-1] if origin and open_columns else []
            starts = [from_row[k] if k < min(open_columns, len(from_row)) else here for k in range(len(cells))]
            for k, start in enumerate(starts):
                if start != here and cells[k]:
                    rows[start][k] += cells[k]  # the merged cell's text belongs where it starts
                    cells[k] = ""
            rows.append(cells)
            origin.append(starts)
        else:  # bars do not line up: keep the lines as rows
            for parts in block:
                rows.append([part.strip() for part in parts])
                origin.append(list(range(len(rows) - 1, len(rows) - 1 + len(parts))))
        block.clear()
        open_columns = 0

    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if _BOX_RULE.match(stripped) or re.search(r"[├┼┤┬┴]─|─[├┼┤┬┴]", stripped):
            flush()
            # Leading segments without a rule belong to merged cells that go on; w3m prints their
            # text on the rule line too.
            segments = _BOX_JUNCTION.split(stripped)[1:]
            open_columns = next((k for k, seg in enumerate(segments) if _BOX_LINE.search(seg)), 0)
            for k in range(min(open_columns, len(origin[-1]) if origin else 0)):
                if segments[k].strip():
                    rows[origin[-1][k]][k] += segments[k].strip()
            continue
        if _BOX_BAR.search(stripped):
            parts = _BOX_BAR.split(stripped)
            block.append(parts[1:-1] if len(parts) > 2 else parts)
        else:
            flush()
            rows.append([stripped])
            origin.append([len(rows) - 1])
    flush()
    for cells in rows:
        yield 1, cells


_ASCII_RULE = re.compile(r"^\s*[+|][-=+|: ]*[-=][-=+|: ]*[+|]\s*$")


def _ascii_boxes(text: str) -> str:
    """`+---+---+` / `| a | b |` as box-drawing characters, for the one box reader."""
    out = []
    for line in text.split("\n"):
        if _ASCII_RULE.match(line):
            line = line.replace("+", "┼").replace("-", "─").replace("=", "─").replace("|", "│")
        elif line.lstrip().startswith("|"):
            line = line.replace("|", "│")
        out.append(line)
    return "\n".join(out)


_BOX_LINE = re.compile(r"[─━=]|-{2,}")
_BOX_JUNCTION = re.compile(r"[│├┼┤┬┴┌┐└┘┃┣╋┫┳┻┏┓┗┛]")


# Patterns with a range of CJK characters cost a process milliseconds each to compile (re builds the
# range's map in Python); those only later readings use are compiled when first used.
@cache
def _cjk_tail() -> re.Pattern[str]:
    return re.compile(r"[\u4e00-\u9fff（(]$")


@cache
def _wrap_tail() -> re.Pattern[str]:
    return re.compile(r"^(?:[\u4e00-\u9fff]{1,3}[)）$]?|[)）$]|元\$|万元?\$?)$")


_YEAR_LINE = re.compile(r"^[（(]?\s*\d{4}\s*年度?\s*[)）]?$")


def defer_early_titles(lines: list[str]) -> list[str]:
    """PDF text in drawing order prints the next form's title (and year line) where its page begins,
    before the last rows of this form's table: move them down to the next form's first key line."""
    out: list[str] = []
    held: list[str] = []
    in_table = False
    for i, line in enumerate(lines):
        words = line.split()
        compacted = compact(line)
        below = lines[i + 1].split(" ", 1)[0] if i + 1 < len(lines) else ""
        # The key may come cut by its narrow column: 项目 / 名称 公共体育设施建设专项.
        opens_key = bool(words) and (is_meta_key(compact(words[0])) or (
            len(words) == 1 and len(compacted) <= KEY_PIECE_MAX and is_meta_key(compacted + compact(below))))
        if held and opens_key:
            out.extend(held)
            held = []
        if in_table and not held and is_title(compacted):
            held = [line]
            continue
        if held and len(held) == 1 and _YEAR_LINE.match(compacted):
            held.append(line)
            continue
        if sum(header_role(w, INDICATOR_HEADER_ROLES) is not None for w in words) >= 2:
            in_table = True
        elif compacted.startswith(TOTAL_WORDS) or (words and is_meta_key(compact(words[0]))):
            in_table = False
        out.append(line)
    return out + held


def _is_wrap_fragment(line: str) -> bool:
    return bool(_wrap_tail().match(line)) and not (is_form_word(line) and len(line) >= 3)


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    """`受益人数计划完` / `成率`, `$\\leq 10\\%` / `$`: a line of a few characters that ends a word
    the line above cut off (the cell was full) joins that line. A short word of the form's own
    vocabulary (数量指标, 得分) is never a fragment.

    Two widths the page itself teaches: a column cuts its texts at one width, so once short
    fragments show that `宣传活动数` (5 characters) was a full line, a longer rest (`规达标情况`) after
    another 5-character line joins too; and a form prints its amounts with one number of decimals,
    so `77.093` / `368` is one amount where the others have six."""
    stripped = [raw.strip() for raw in lines]
    return _join_pass(stripped, _cut_widths(stripped))


def _cut_widths(lines: list[str]) -> set[int]:
    """The widths at which the page's columns cut their texts: a CJK line of n characters followed
    by a shorter CJK rest, again and again (three times or more) for the same n."""
    counts: Counter[int] = Counter()
    for above, line in zip(lines, lines[1:], strict=False):
        last = above.rsplit(" ", 1)[-1]
        # A note's lines count as a name's do (因人员变动，部 / … / 责任。): the sentence's punctuation kept.
        if len(last) >= 3 and _cjk_text().match(last) and _cjk_text().match(line) and len(line) < len(last) \
                and not last.endswith(_SENTENCE_ENDS) and not is_form_word(last) and not is_form_word(line):
            counts[len(last)] += 1
    return {w for w, n in counts.items() if n >= 3}


def _join_pass(lines: list[str], full_widths: set[int]) -> list[str]:
    out: list[str] = []
    piece = ""  # the last line as printed: its width tells whether the column cut it
    cut_at = 0  # the width of the line `piece` went on from (0: `piece` began its line)
    resume = 0  # lines before it went into a row's points already
    for i, line in enumerate(lines):
        if i < resume:
            continue
        if out and (points := _points_cut(out[-1], lines, i)) is not None:
            out[-1:], resume = points
            piece, cut_at = out[-1], 0
            continue
        # A cell's lines are as wide as its column but the last: a rest shorter than the line it went
        # on from ended its cell (社区治理水平 / 提升情况, then the next column's 有效 / 提高), and
        # no line of it is wider (有效 / 提高, then the next column's 有效提 / 高).
        cjk = bool(_cjk_only().match(line))
        ended = bool(cut_at and cjk and _cjk_only().match(piece) and (len(piece) < cut_at or len(line) > cut_at))
        # Nor does a cell go on by starting over: 明显改善 then 明显改 / 善 is the next cell, the same value.
        restarts = bool(out and cjk and len(line) >= 2 and out[-1].rsplit(" ", 1)[-1].startswith(line))
        if out and (ended or restarts or _opens_key(line, lines[i + 1] if i + 1 < len(lines) else "")):
            out.append(line)
            piece, cut_at = line, 0
            continue
        if out:
            last = out[-1].rsplit(" ", 1)[-1]
            # Only a cut amount over a line of digits asks how the amounts around print.
            decimals = _amount_decimals(lines[max(0, i - 12):i + 12]) \
                if _AMOUNT_CUT.match(last) and _DIGITS.match(line) else None
            if _joins(out[-1], last, line, decimals, full_widths, piece) \
                    or _names_rest(out[-1], line, lines[i + 1] if i + 1 < len(lines) else "") \
                    or _total_weight_cut(out[-2:], last, line):
                out[-1] = out[-1] + line
                cut_at = len(piece) if _cjk_only().match(piece) else 0
                piece = line
                if len(out) >= 2 and _POINTS_ONLY.match(compact(out[-1])) and read_label(out[-2].rsplit(" ", 1)[-1]):
                    out[-2:] = [out[-2] + out[-1]]  # 产出指标 / (45 / 分): the points came in two lines
                continue
            head, _, tail = line.partition(" ")
            # A cell printed twice opens the row (`促进 促进 5 5`: target and actual alike), no rest.
            repeated = tail.split(" ", 1)[0] == head
            decimals = _amount_decimals(lines[max(0, i - 12):i + 12]) \
                if _AMOUNT_CUT.match(last) and _DIGITS.match(head) else None
            if tail and not repeated and (_joins(out[-1], last, head, decimals, full_widths, piece)
                                          or _names_rest(out[-1], head, tail)):
                # pdfium prints a cell's cut-off rest at the start of the next row line: `成率 ﹦ 100 % 1 1`
                out[-1] = out[-1] + head
                line = tail
        out.append(line)
        piece, cut_at = line, 0
    return out




_SENTENCE_ENDS = ("。", "；", ";")
_UNIT = re.compile(r"[（(]?万?元[)）]?")


def _is_fund_block_label(text: str) -> bool:
    """项目资金(万元), 资金情况（元）: the funds block's label with its unit."""
    whole = compact(text)
    return any(whole.startswith(label) and _UNIT.fullmatch(whole[len(label):]) for label in FUND_BLOCK_LABELS)


_UNIT_OPENED = re.compile(r"[（(]万?元?[)）]?$")
KEY_PIECE_MAX = 3  # characters of a key cell's first line in a narrow column (主管 / 部门, 实施 / 单位)


def _opens_key(line: str, below: str) -> bool:
    """`主管` over `部门 146-思明区…`: the first piece of a key word the next line completes, not the rest
    of the value above it."""
    text, head = compact(line), compact(below.split(" ", 1)[0])
    if text.startswith(FUND_BLOCK_LABELS) and _UNIT_OPENED.search(text):
        return True  # 项目资金（ / 元）: the funds block's label, its unit cut
    return 0 < len(text) <= KEY_PIECE_MAX and bool(head) and not is_meta_key(text) \
        and (is_meta_key(text + head) or (text + head).startswith(FUND_BLOCK_LABELS))


_DATA_START = re.compile(r"^[\d=＝﹦═≥≤<>＜＞%$\\]")  # a value, not a word: 2, ≥ 95 %, =100%, $\geq


def _names_rest(above: str, word: str, after: str) -> bool:
    """`采购设备计划` / `完成率` / `= 100 % 100% 2 2`: a word of the form's (an aside header, a label)
    after a lone piece of a name, with values next, is the name's rest: a header row goes on with
    headers, a label with a label or a name, never with a value."""
    return bool(" " not in above and len(above) >= 2 and _cjk_only().match(above) and _cjk_only().match(word)
                and len(word) <= len(above) and is_form_word(word) and not starts_form_word(above)
                and read_label(above) is None and _DATA_START.match(after))


POINTS_PIECES_MAX = 6  # lines a row's two points may come in (1 / 2 / 1 / 0. / 8: 12 and 10.8)
_POINTS_PIECE = re.compile(r"^(?:\d{1,3}\.?\d*|\.\d+)$")
_POINT_NUMBER = re.compile(r"^(?:0|[1-9]\d{0,2})(?:\.\d+)?$")


def _points_cut(above: str, lines: list[str], i: int) -> tuple[list[str], int] | None:
    """`100% 1` / `0` / `1` / `0`, `全有效` / `1` / `2` / `1` / `0.` / `8`: a narrow points column cuts a
    row's weight and score a digit or two a line. Three pieces or more, lone lines but the first (the
    row line's last token), that make two numbers one way only (no number starts or ends with its
    point, none over 100, the score no more than the weight) are the weight and the score: the
    lines that replace `above` and the pieces, and the index of the line after the last piece."""
    if not _POINTS_PIECE.match(lines[i]):
        return None
    head, _, last = above.rpartition(" ")
    leads = bool(above) and bool(_POINTS_PIECE.match(last))  # the row line ends with the first piece
    pieces = [last] if leads else []
    end = i
    while end < len(lines) and len(pieces) < POINTS_PIECES_MAX and _POINTS_PIECE.match(lines[end]):
        pieces.append(lines[end])
        end += 1
    if len(pieces) < 3:
        return None
    splits = []
    for k in range(1, len(pieces)):
        weight, score = "".join(pieces[:k]), "".join(pieces[k:])
        if all(_POINT_NUMBER.match(n) and float(n) <= FULL_POINTS for n in (weight, score)) \
                and float(score) <= float(weight):
            splits.append((weight, score))
    if len(splits) != 1:
        return None
    weight, score = splits[0]
    return [f"{head} {weight}".strip(), score] if leads else [above, weight, score], end


def _total_weight_cut(row: list[str], last: str, line: str) -> bool:
    """`总分 10` / `0`: the total row's weight (the weights add up to 100) cut by a narrow column; the
    total word on the line or the one before it (`总分` / `10` / `0`)."""
    return last.isdigit() and line.isdigit() and int(last + line) == FULL_POINTS \
        and any(compact(text).startswith(TOTAL_WORDS) for text in row)


def _joins(above: str, last: str, line: str, decimals: int | None, full_widths: set[int], printed: str) -> bool:
    if len(compact(line)) <= 6 and continues_form_word(last + line) and starts_form_word(last):
        return True  # a key cell two characters wide: 部门 / (单位) / 名称
    if len(compact(line)) <= 6 and starts_form_word(last) and _is_fund_block_label(last + line):
        return True  # 项目资 / 金(万元): the funds block's label and its unit, cut in a narrow column
    if is_form_word(last + line) and not is_form_word(last) and not is_form_word(line) and len(compact(line)) <= 2:
        return True  # 得 / 分: a header one character a line
    if len(compact(line)) <= 6 and " " not in line.strip() and _is_header_word(last + line) \
            and not is_form_word(line) and not starts_form_word(line):
        return True  # 全年执行 / 数(B): a header word whose rest is no word of its own
    whole = _OPEN_TAIL.sub("", compact(last + line))
    if len(compact(line)) <= 6 and not compact(last).endswith("标") and read_label(last) is None \
            and (label := read_label(whole)) is not None and label.level == 2 and read_label(line) is not None:
        return True  # 服务对象 / 满意度指标: a level-2 label cut where its tail reads as a level-1 one
    if len(compact(line)) <= 6 and not compact(last).endswith("标") and read_label(line) is None \
            and not _POINTS_ONLY.match(compact(last)) and (
                (whole.endswith("标") and read_label(whole) is not None)
                or (len(whole) >= 3 and any(name.startswith(whole) and name != whole for name in _LABEL_NAMES))):
        return True  # 产出 / 指标, 满意 / 度指 / 标(1: a level's label a few characters a line
    if len(compact(line)) <= 6 and _OPEN_TAIL.search(last) and re.match(r"^[^(（]*[)）]", line):
        return True  # 标(1 / 0分): the line closes the bracket the line above opened
    if _POINTS_ONLY.match(compact(line)) and read_label(last) is not None:
        return True  # 产出指标 / (45分): a level's points wrapped under its label
    if above.count("$") % 2 == 1 and line.count("$") == 1 and " " not in line.strip() and len(line) <= 8:
        return True  # `$\geq 95\` / `%$`: a formula cut inside its math, the rest closes it
    full_line = printed.rsplit(" ", 1)[-1]  # as printed: `有效提高` then `有效提` is two cells, not one cut
    if _is_wrap_fragment(line) and (continues_form_word(last + line) or (not starts_form_word(line) and not is_form_word(last) and (
            (len(full_line) >= 4 and bool(_cjk_tail().search(full_line))) or above.count("$") % 2 == 1
            or above.count("(") + above.count("（") > above.count(")") + above.count("）")
            or (line.startswith("万") and last[-1:].isdigit())))):
        return True
    if len(printed) in full_widths and _cjk_text().match(printed) and not printed.endswith(_SENTENCE_ENDS) and _cjk_text().match(line) \
            and len(line) <= len(printed) and not is_form_word(printed) and not is_form_word(line):
        return True
    if compact(line) in ("%", "％") and _NUMBER.match(last) and "." in last:
        # 95.32 / %: a fund row's rate cut before its sign (a split target's 95 / % is its value and unit)
        return True
    if _GROUP_CUT.match(last) and _NUMBER.match(line) and _GROUPED_AMOUNT.match(last + line):
        return True  # 55,649,6 / 57.00: a grouped amount cut inside a group
    cut, digits = _AMOUNT_CUT.match(last), _DIGITS.match(line)
    if cut and digits and not cut.group(1) and _DIGITS.fullmatch(line):
        return True  # `93.` / `1`: no number ends with its point
    if _FRACTION_REST.match(line) and (_GROUPED.match(last) or last.isdigit()):
        return True  # `5,866,279` / `.31`, `10` / `.5`: no number starts with its point
    if decimals is None and cut and "," in last:
        decimals = 2  # nothing around to learn from: grouped amounts print two decimals (元, 万元)
    return bool(decimals is not None and cut and digits
                and len(cut.group(1)) < decimals == len(cut.group(1)) + len(digits.group(1)))


FULL_POINTS = 100  # a form's weights add up to it
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_GROUP_CUT = re.compile(r"^\d{1,3}(?:,\d{3})*,\d{0,2}$")
_GROUPED_AMOUNT = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_FORMULA_MARK = re.compile(r"[(（][A-Z/]*[)）]")  # (A), (B/A): a header word's formula


def _is_header_word(text: str) -> bool:
    """A header word printed whole (全年执行数(B)), not one a longer word starts with."""
    return _FORMULA_MARK.sub("", compact(text)) in HEADER_WORDS


_AMOUNT = re.compile(r"^\d[\d,]*\.(\d+)(?:万元|万|元)?$")
_FRACTION_REST = re.compile(r"^\.\d+(?:万元|万|元)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_AMOUNT_CUT = re.compile(r"^\d[\d,]*\.(\d*)$")
_DIGITS = re.compile(r"^(\d+)(?:万元|万|元)?$")
_LABEL_NAMES = (*LEVEL1, *LEVEL2_PARENT)
_OPEN_TAIL = re.compile(r"[(（][^)）]*$")
_POINTS_ONLY = re.compile(r"^[(（]\d+(?:\.\d+)?分?[)）]$")  # (45分), and (50) where a template drops the 分


@cache
def _cjk_only() -> re.Pattern[str]:  # compiled when first used, as _cjk_tail
    return re.compile(r"^[\u4e00-\u9fff]+$")


@cache
def _cjk_text() -> re.Pattern[str]:
    return re.compile(r"^[\u4e00-\u9fff，。；、：,;:（）()]+$")  # a sentence's run, its punctuation kept


def _amount_decimals(lines: list[str]) -> int | None:
    """How many decimals the amounts around print (numbers of five digits or more; weights and
    rates are shorter): the commonest count, or None when nothing shows it. Asked of the lines
    around a cut, since one document's forms may print differently; an amount that ends its line
    before a line of digits may be cut itself, so it is no evidence."""
    counts: Counter[int] = Counter()
    for k, line in enumerate(lines):
        tokens = line.split()
        if k + 1 < len(lines) and _DIGITS.match(lines[k + 1]):
            tokens = tokens[:-1]
        for token in tokens:
            m = _AMOUNT.match(token)
            if m and sum(c.isdigit() for c in token) >= 5:
                counts[len(m.group(1))] += 1
    return counts.most_common(1)[0][0] if counts else None
