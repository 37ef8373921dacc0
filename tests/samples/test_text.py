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
