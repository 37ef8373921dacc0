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
from collections.abc import Callable, Iterator
from typing import Literal

from extractor.decode import decode_issues, decode_text
from extractor.grid import Grid, rows_from_texts
from extractor.options import ExtractOptions
from extractor.routes import Reading, RouteOutput
from extractor.streams import (
    continues_form_word,
    is_form_word,
    rejoin_wrapped_rows,
    starts_form_word,
    tokens_to_rows,
)
from extractor.unspaced import split_unspaced

Shape = Literal["csv", "boxes", "tsv", "pipe", "lines", "flat", "unspaced"]
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$<>|%~])")
_MARKDOWN_ONLY_ESCAPE = re.compile(r"\\[$<>*_\[\]`|#]")  # never in LaTeX, whose \\% and \\geq stay
_DASH_RULE = re.compile(r"^\s*-{3,}(?:\s+-{3,})+\s*$")  # a Markdown simple table's rules
_SPACE_RUN = re.compile(r"[ \u3000\xa0]{2,}")
_SPACE = re.compile(r"[ \u3000\xa0]+")


def read_text(data: bytes, options: ExtractOptions) -> RouteOutput:
    decoded = decode_text(data, max_repaired_fraction=options.max_repaired_fraction)
    readings = text_readings(decoded.text)
    return RouteOutput(grid=readings[0].grid, route="text", pages=readings[0].grid.pages, readings=readings,
                       issues=decode_issues(decoded))


def text_to_grid(text: str) -> Grid:
    """The likeliest reading alone (tests and tools that want one grid)."""
    return text_readings(text)[0].grid


def text_readings(text: str) -> list[Reading]:
    """Every reading that can apply to the text, likeliest first."""
    if len(_MARKDOWN_ONLY_ESCAPE.findall(text)) >= 3:
        text = _MARKDOWN_ESCAPE.sub(r"\1", text)  # pandoc/html2text escapes: \$\\geq 95\\%\$ is $\geq 95\%$
    text = "\n".join(line for line in text.split("\n") if not _DASH_RULE.match(line))
    lines = [line for line in text.split("\n") if line.strip()]
    shape = detect_shape(text)
    makers: dict[str, Callable[[], Grid]] = {}
    if any("\t" in line for line in lines):
        makers["tsv"] = lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, lambda s: s.split("\t"))))
    if sum(line.count(",") >= 3 for line in lines) >= max(3, len(lines) * 0.5):
        makers["csv"] = lambda: rows_from_texts(rejoin_wrapped_rows(_csv_rows(text)))
    if sum(line.lstrip().startswith(_BOX_STARTS) for line in lines) >= 3:
        makers["boxes"] = lambda: rows_from_texts(rejoin_wrapped_rows(_box_rows(text)))
    elif sum(bool(_ASCII_RULE.match(line)) for line in lines) >= 3:
        # pandoc's grid tables: the same boxes drawn with + - = |
        makers["boxes"] = lambda: rows_from_texts(rejoin_wrapped_rows(_box_rows(_ascii_boxes(text))))
    barred = sum(line.count("|") >= 1 for line in lines)
    if barred >= 3:
        makers["pipe"] = lambda: rows_from_texts(rejoin_wrapped_rows(_pipe_rows(text)))
        makers["pipe-stream"] = lambda: _stream(_bar_tokens(text))
    if sum(bool(_SPACE_RUN.search(line.strip())) for line in lines) >= 3:
        makers["spaces"] = lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, _space_run_cells)))
    long_lines = sum(len(line) > 200 for line in lines)
    if len(lines) >= 10 and long_lines <= len(lines) * 0.2:
        makers["space-rows"] = lambda: rows_from_texts(rejoin_wrapped_rows(_paged_rows(text, _space_cells)))
    makers["lines"] = lambda: _stream([line.strip() for line in lines])
    if sum(_is_wrap_fragment(line.strip()) for line in lines) >= 3:
        # PDF text in drawing order: a cell that wrapped goes on, alone, on the next line.
        makers["wrapped"] = lambda: _stream(" ".join(_join_wrapped_lines(lines)).split(), cells_may_split=True)
    if any(_SPACE.search(line.strip()) for line in lines):
        makers["flat"] = lambda: _stream(text.split(), cells_may_split=True)
    if shape == "unspaced" or not makers.get("flat"):
        makers["unspaced"] = lambda: _stream(split_unspaced(text))
    order = {"csv": ["csv"], "boxes": ["boxes"], "tsv": ["tsv"], "pipe": ["pipe", "pipe-stream"], "flat": ["flat"], "unspaced": ["unspaced"],
             "lines": ["lines"]}[shape]
    names = [n for n in order if n in makers] + [n for n in makers if n not in order]
    return [Reading(name, makers[name]) for name in names]


def _stream(tokens: list[str], *, cells_may_split: bool = False) -> Grid:
    return rows_from_texts((1, row) for row in tokens_to_rows(tokens, cells_may_split=cells_may_split))


def detect_shape(text: str) -> Shape:
    """The likeliest shape, by the marks the dump tools leave: it orders the readings, nothing more."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return "lines"
    if sum(line.lstrip().startswith(_BOX_STARTS) for line in lines) >= max(3, len(lines) * 0.3):
        return "boxes"
    if sum(line.count(",") >= 3 for line in lines) >= max(3, len(lines) * 0.5):
        return "csv"
    tabbed = sum("\t" in line for line in lines)
    piped = sum((line.lstrip().startswith("|") or line.rstrip().endswith("|")) and line.count("|") >= 2
                for line in lines)
    if tabbed >= max(3, len(lines) * 0.2):
        return "tsv"
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
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            page += 1
            continue
        if _PIPE_RULE.match(stripped):
            continue
        cells = _pipe_cells(stripped)
        if stripped.startswith("|") and row is not None and trailing:
            row.extend(cells)
            continue
        if row is not None:
            yield row_page, row
        row, row_page = cells, page
        trailing = not stripped.startswith("|") and stripped.endswith("|")
    if row is not None:
        yield row_page, row


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


_CJK_TAIL = re.compile(r"[\u4e00-\u9fff（(]$")
_WRAP_TAIL = re.compile(r"^(?:[\u4e00-\u9fff]{1,3}[)）$]?|[)）$]|元\$|万元?\$?)$")


def _is_wrap_fragment(line: str) -> bool:
    return bool(_WRAP_TAIL.match(line)) and not (is_form_word(line) and len(line) >= 3)


def _join_wrapped_lines(lines: list[str]) -> list[str]:
    """`受益人数计划完` / `成率`, `$\\leq 10\\%` / `$`: a line of a few characters that ends a word
    the line above cut off (the cell was full) joins that line. A short word of the form's own
    vocabulary (数量指标, 得分) is never a fragment."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if out and _is_wrap_fragment(line):
            last = out[-1].rsplit(" ", 1)[-1]
            above = out[-1]
            if continues_form_word(last + line) or (not starts_form_word(line) and (
                    (len(last) >= 4 and _CJK_TAIL.search(last)) or above.count("$") % 2 == 1
                    or above.count("(") + above.count("（") > above.count(")") + above.count("）")
                    or (line.startswith("万") and last[-1:].isdigit()))):
                out[-1] = out[-1] + line
                continue
        out.append(line)
    return out
