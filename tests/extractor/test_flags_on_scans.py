"""Flags on a real scan: a sample form printed by our generator, scanned at 300 dpi and read by the real
OCR engine. A form built to break a cross-field rule is flagged on the field; a clean read is not."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from extractor.pipeline import extract_bytes
from models import Form

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"
AREA_FORM = 4  # 环境卫生和绿化市容管理: its 河道养护面积 is counted in 万㎡


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


@pytest.fixture(scope="module")
def scanned() -> tuple[dict, Form]:
    pytest.importorskip("rapidocr")
    from samples.generate.layout import Style, layout
    from samples.generate.pdf import PdfStyle, render_pdf
    from samples.generate.scan import ScanStyle, scan_pages, to_pdf

    form = copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8"))["forms"][AREA_FORM])
    row = next(i for i in form["indicators"] if i["level3"] == "河道养护面积")
    row["actual"] = "182万m"  # printed so: an area indicator whose actual is in metres
    rendered = render_pdf([layout(form, Style.plain())], PdfStyle(), seed=0)
    pdf = to_pdf(scan_pages(rendered.pdf, ScanStyle.preset("clean", 300, 0), 0), 300)
    result = extract_bytes(pdf, "area.pdf")
    assert result.source.route == "pdf-scan" and len(result.forms) == 1
    return form, result.forms[0]


def test_a_unit_that_does_not_fit_is_named_on_its_field(scanned: tuple[dict, Form]) -> None:
    expected, form = scanned
    index = next(n for n, i in enumerate(form.indicators) if _norm(i.level3) == "河道养护面积")
    assert _norm(form.indicators[index].actual) == "182万m"
    named = {(i.code, i.field) for i in form.issues}
    assert ("unit_mismatch", f"indicators[{index}].actual") in named, named
    assert form.indicators[index].provenance["actual"].confidence < 0.9  # the engine alone was sure


def test_a_clean_read_carries_no_doubt(scanned: tuple[dict, Form]) -> None:
    expected, form = scanned
    for key in ("expected", "actual"):
        if _norm(getattr(form.goals, key)) == _norm(expected["goals"][key]):
            assert ("low_confidence", f"goals.{key}") not in {(i.code, i.field) for i in form.issues}
    # Printed dashes in the fund rows' 分值/得分 columns are dashes, not unread cells; nothing fails.
    assert not [i for i in form.issues if i.code in ("value_unread", "number_unparsed")]
    assert form.validation != "failed"
    right = [ref for ind, exp in zip(form.indicators, expected["indicators"], strict=False)
             if _norm(ind.actual) == _norm(exp["actual"]) and ind.provenance and "actual" in ind.provenance
             for ref in [ind.provenance["actual"]]]
    assert right and sum(r.confidence >= 0.9 for r in right) >= 0.9 * len(right)
