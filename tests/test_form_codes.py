"""extractor.form.codes: the catalogue and field paths in form terms."""

from __future__ import annotations

import re
from pathlib import Path

from extractor.form.codes import CODES, clean_message, describe_failure, field_label

README = Path(__file__).parents[1] / "README.md"


def test_field_paths_read_as_the_form_prints_them() -> None:
    assert field_label("indicators[2].actual") == "第 3 行 实际完成值"
    assert field_label("indicators[18].actual", "en") == "row 19 actual"
    assert field_label("funds.total.executed") == "年度资金总额 全年执行数"
    assert field_label("goals.actual") == "年度总体目标 实际完成情况"
    assert field_label("total.score") == "总分 得分"
    assert field_label("indicators") == "绩效指标" and field_label(None) == "表格"
    assert field_label("project_name") == "项目名称"


def test_every_documented_code_is_in_the_catalogue() -> None:
    documented = set(re.findall(r"`([a-z][a-z0-9_]+)`", README.read_text(encoding="utf-8").split(
        "### Validation codes")[1].split("### OCR settings")[0]))
    documented -= {"docextract", "ingest", "field_label", "error_explanation"}
    assert documented - set(CODES) == set()
    assert all(entry.zh and entry.en for entry in CODES.values())


def test_messages_lose_python_internals() -> None:
    raw = "the image cannot be read: cannot identify image file <_io.BytesIO object at 0x7fb4a1c2d0>"
    assert clean_message(raw) == "the image cannot be read"
    assert describe_failure("corrupt_image", raw) == "图片文件已损坏或不是图片（the image cannot be read）"
    assert describe_failure("corrupt_image", raw, "en") == "the image is damaged or not an image (the image cannot be read)"
