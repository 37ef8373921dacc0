"""Synthetic forms: deterministic per seed, valid by construction, and the contract's shape."""

import pytest

from models import Form
from samples.generate.layout import Style, check_table, expected_form, layout
from samples.generate.synth import check_form, synth_form, synth_forms


def test_deterministic_per_seed():
    assert synth_form(11) == synth_form(11)
    assert synth_forms(3, 4) == synth_forms(3, 4)
    assert synth_form(11) != synth_form(12)


@pytest.mark.parametrize("block", range(10))
def test_valid_by_construction(block):
    for seed in range(block * 60, block * 60 + 60):
        form = synth_form(seed)
        check_form(form)
        Form.model_validate(form)
        style = Style.random(seed)
        check_table(layout(form, style))
        Form.model_validate(expected_form(form, style))


def test_taxonomy_and_variety():
    forms = [synth_form(s) for s in range(300)]
    level1 = {i["level1"] for f in forms for i in f["indicators"]}
    assert level1 == {"产出指标", "效益指标", "满意度指标", "成本指标"}
    level2 = {(i["level1"], i["level2"]) for f in forms for i in f["indicators"]}
    assert ("产出指标", "成本指标") in level2 and ("成本指标", "经济成本指标") in level2
    assert any(f["project_name"] is None and f["title"] == "部门整体支出绩效自评表" for f in forms)
    assert any(i["deviation_note"] for f in forms for i in f["indicators"])
    assert any(f["funds"]["total"]["execution_rate"] > 100 for f in forms)
    assert any(f["funds"]["total"]["execution_rate"] < 100 for f in forms)
