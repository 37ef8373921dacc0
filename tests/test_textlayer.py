"""When a PDF page's text layer is trusted (pure checks over pdfplumber-style character dicts)."""

from __future__ import annotations

from extractor.textlayer import distrust_reason
from extractor.vision.segments import Segment, tables_from_segments


def chars(text: str, x: float = 10, y: float = 10, width: float = 10) -> list[dict]:
    return [{"text": ch, "x0": x + i * width, "x1": x + (i + 1) * width, "top": y, "bottom": y + 10}
            for i, ch in enumerate(text)]


def table() -> list:
    xs, ys = [0, 100, 200, 300], [0, 30, 60]
    return tables_from_segments([Segment(y, 0, 300) for y in ys], [Segment(x, 0, 60) for x in xs], 2)


def test_a_clean_chinese_layer_is_trusted() -> None:
    layer = chars("项目名称", 10) + chars("企业经济服务", 110) + chars(">=90%", 210)
    assert distrust_reason(layer, table()) is None


def test_empty_cid_and_mojibake_layers_are_not() -> None:
    assert distrust_reason(chars("3"), table()) == "no text layer"
    cid = [{"text": "(cid:12)", "x0": 10, "x1": 20, "top": 10, "bottom": 20}] * 12
    assert "cid" in distrust_reason(cid, table())
    # UTF-8 bytes shown as Latin-1: what a wrong encoding makes of 项目名称.
    mojibake = "项目名称企业经济服务".encode().decode("latin-1")
    assert "mojibake" in distrust_reason(chars(mojibake, width=3), table())


def test_latin_letters_in_a_ruled_chinese_form_are_a_wrong_glyph_map() -> None:
    layer = chars("Xjbd Qwpz", 10) + chars("Mnbv Trew Yuio", 110) + chars("Plkj", 210)
    assert "Latin" in distrust_reason(layer, table())


def test_text_running_across_column_rules_does_not_fit() -> None:
    layer = chars("项目名称企业经济服务执行率", 60, 10, 15) + chars("年度资金总额全年预算数", 50, 40, 20)
    assert distrust_reason(layer, table()) == "text does not fit the drawn cells"
