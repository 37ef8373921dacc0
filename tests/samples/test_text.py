"""Text renderers: deterministic, and every value of the form survives in every shape and encoding."""

import json
import re
from pathlib import Path

import pytest

from samples.generate.layout import Style, layout
from samples.generate.synth import synth_form
from samples.generate.text import RENDERERS, TextOptions, encode, render

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"
FORMS = json.loads(SAMPLE.read_text(encoding="utf-8"))["forms"]


def _squash(s: str) -> str:
    return re.sub(r"\s+|</?(?:p|br|td|tr|table|html|body|head|meta|style|title)\b[^>]*>|&nbsp;|\|", "", s)


@pytest.mark.parametrize("shape", sorted(RENDERERS))
def test_every_indicator_name_is_rendered(shape):
    tables = [layout(f, Style.plain()) for f in FORMS]
    text = _squash(render(shape, tables, TextOptions(seed=1)))
    for form in FORMS:
        assert form["project_name"] in text
        for ind in form["indicators"]:
            assert _squash(ind["level3"]) in text


@pytest.mark.parametrize("shape", sorted(RENDERERS))
def test_deterministic(shape):
    forms = [synth_form(1), synth_form(2)]
    style = Style.random(4)
    a = render(shape, [layout(f, style) for f in forms], TextOptions.noisy(9), forms)
    b = render(shape, [layout(f, style) for f in forms], TextOptions.noisy(9), forms)
    assert a == b


def test_tsv_plain_matches_sample_shape():
    tsv = render("tsv", [layout(FORMS[0], Style.plain())], TextOptions())
    lines = tsv.splitlines()
    assert lines[0].startswith("财政项目支出绩效自评表\t")
    assert "\t年度资金总额\t149959700.00\t298052694.96\t298,052,694.96\t10\t100.00%\t10" in tsv
    assert all(line.count("\t") == 8 for line in lines if line)


def test_page_noise_keeps_names_recoverable():
    form = FORMS[1]
    opts = TextOptions(seed=3, page_rows=(8, 10), page_numbers=1.0, split_names=1.0)
    tsv = render("tsv", [layout(form, Style.plain())], opts)
    assert "\n\n" in tsv  # page breaks
    assert re.search(r"\t-\d+(\t|$)", tsv, re.M)  # a page number pushed into a cell
    flat = tsv.replace("\t", "").replace("\n", "")
    for ind in form["indicators"]:
        assert ind["level3"][:2] in flat


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_round_trip(encoding):
    text = render("tsv", [layout(FORMS[0], Style.plain())])
    data = encode(text, encoding, crlf=True)
    assert data.decode(encoding).replace("\r\n", "\n") == text


class _TableParser:
    """A small HTML table reader: rows of (text, rowspan, colspan), one list per <table>."""

    def __init__(self, text: str):
        from html.parser import HTMLParser

        tables: list[list[list[tuple[str, int, int]]]] = []
        state: dict = {"cell": None}

        class P(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "table":
                    tables.append([])
                elif tag == "tr":
                    tables[-1].append([])
                elif tag == "td":
                    state["cell"] = ["", int(a.get("rowspan") or 1), int(a.get("colspan") or 1)]
                elif tag == "br" and state["cell"] is not None:
                    state["cell"][0] += "\n"

            def handle_endtag(self, tag):
                if tag == "td":
                    text, rs, cs = state["cell"]
                    tables[-1][-1].append((text.replace("\xa0", "").strip(), rs, cs))
                    state["cell"] = None

            def handle_data(self, data):
                if state["cell"] is not None:
                    state["cell"][0] += data

        P(convert_charrefs=True).feed(text)
        self.tables = tables


def _dense(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in grid:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else "·"
            c += cs
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "?") for c in range(n_cols)] for r in range(n_rows)]


@pytest.mark.parametrize("flavour", ["word", "bare", "ppstructure"])
@pytest.mark.parametrize("seed", [None, 3, 8])
def test_html_spans_rebuild_the_grid(flavour, seed):
    form = FORMS[2] if seed is None else synth_form(seed)
    style = Style.plain() if seed is None else Style.random(seed)
    table = layout(form, style)
    opts = TextOptions(seed=1, html_flavour=flavour, html_p=True, html_br=False)
    parsed = _TableParser(render("html", [table], opts)).tables
    assert len(parsed) == 1
    rows = parsed[0][len(table.title_lines):] if flavour != "bare" else parsed[0]
    grid = _dense(rows)
    assert len(grid) == table.n_rows and all(len(r) == table.n_cols for r in grid)
    for cell in table.cells():
        got = grid[cell.row][cell.col].replace("\n", "")
        assert got == cell.text.replace("\n", ""), (cell, got)
