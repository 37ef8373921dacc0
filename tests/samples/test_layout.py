"""Layout of the logical table: spans cover the grid exactly once, whatever the style."""

import json
from pathlib import Path

import pytest

from samples.generate.layout import Style, check_table, expected_form, layout

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "expected" / "self-eval-2023-songjiang.json"
FORMS = json.loads(SAMPLE.read_text(encoding="utf-8"))["forms"]


@pytest.mark.parametrize("seed", [None, *range(40)])
def test_spans_cover_grid_without_overlap(seed):
    style = Style.plain() if seed is None else Style.random(seed)
    for form in FORMS:
        table = layout(form, style)
        check_table(table)
        assert len(table.row_kinds) == table.n_rows


def test_plain_layout_of_first_form():
    table = layout(FORMS[0], Style.plain())
    assert table.title_lines == ["财政项目支出绩效自评表", "(2023 年度)"]
    texts = [c.text for c in table.cells()]
    for label in ("项目名称", "主管部门", "实施单位", "年度资金总额", "年度总体目标", "一级指标", "总分", "绩效指标"):
        assert label in texts
    l3 = [c.text for c in table.cells() if c.role == "l3"]
    assert l3 == [i["level3"] for i in FORMS[0]["indicators"]]
    l1 = [c for c in table.cells() if c.role == "l1"]
    assert [c.rowspan for c in l1] == [14, 8, 2]


def test_random_style_is_deterministic():
    assert Style.random(7) == Style.random(7)
    assert len({Style.random(s) for s in range(20)}) > 10


def test_expected_form_converts_to_wan():
    style = Style.plain().with_(amount_unit="万元", wan_decimals=2, has_initial=False)
    exp = expected_form(FORMS[0], style)
    assert exp["amount_unit"] == "万元"
    assert exp["funds"]["total"]["annual_budget"] == "29805.27"
    assert exp["funds"]["total"]["initial_budget"] is None
    amounts = [c.text for c in layout(FORMS[0], style).cells() if c.role == "amount"]
    assert "29805.27" in amounts and "14995.97" not in amounts
