"""Choosing among readings of a text dump: the form's arithmetic decides, the result says which
reading won, and nothing one document leaves behind changes how the next is read."""

from __future__ import annotations

from pathlib import Path

from extractor.choose import choose_reading, plausibility
from extractor.pipeline import extract_bytes
from extractor.routes.text import text_readings

REPO = Path(__file__).resolve().parents[2]
VARIANTS = REPO / "samples" / "variants"


def _rows(*rows: list[str]) -> str:
    return "\n".join(" ".join(r) for r in rows)


# A web-page copy: one table row per line, single spaces between cells, empty cells gone.
WEB_COPY = _rows(
    ["项目支出绩效自评表"], ["(2022年度)"], ["项目名称", "河道保洁经费"], ["主管部门", "某县水利局", "实施单位", "某县河道所"],
    ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
    ["年度资金总额", "50", "40", "38", "10", "95%", "9.5"],
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["产出指标", "数量指标", "保洁河道长度", ">=120公里", "125公里", "30", "30"],
    ["质量指标", "保洁达标率", ">=95%", "96%", "20", "20"],
    ["效益指标", "社会效益指标", "群众满意", "30", "30"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", ">=90%", "85%", "10", "8", "宣传不足"],
    ["总分", "100", "97.5"],
)


def test_the_arithmetic_picks_the_row_keeping_reading_of_a_web_copy() -> None:
    result = extract_bytes(WEB_COPY.encode(), "web.txt")
    assert result.source.reading == "space-rows"
    form = result.forms[0]
    assert [i.level3 for i in form.indicators] == ["保洁河道长度", "保洁达标率", "群众满意", "群众满意度"]
    assert [(i.weight, i.score) for i in form.indicators] == [(30, 30), (20, 20), (30, 30), (10, 8)]
    # 38 / 40 = 95%: the row's arithmetic puts the two amounts under 全年预算数 and 全年执行数.
    total = form.funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (50, 40, 38)
    assert form.validation == "passed", form.issues


def test_a_fund_row_that_lost_its_first_cell_is_placed_by_its_execution_rate() -> None:
    text = WEB_COPY.replace("年度资金总额 50 40 38 10 95% 9.5", "年度资金总额 40 38 10 95% 9.5")
    total = extract_bytes(text.encode(), "web.txt").forms[0].funds.total
    assert (total.initial_budget, total.annual_budget, total.executed) == (None, 40, 38)


def test_every_reading_is_judged_and_the_more_plausible_wins() -> None:
    readings = text_readings(WEB_COPY)
    assert {"space-rows", "lines", "flat"} <= {r.name for r in readings}
    scores = {}
    from extractor.reconcile import grid_to_forms
    from extractor.validate import validate_form
    for reading in readings:
        forms = grid_to_forms(reading.grid)
        for form in forms:
            form.issues.extend(validate_form(form))
        scores[reading.name] = plausibility(forms)[0]
    assert scores["space-rows"] > scores["lines"]


def test_a_consistent_reading_stops_the_search() -> None:
    calls: list[str] = []

    def reading(name: str, forms_of):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            calls.append(name)
            return forms_of()
        return name, run

    good = extract_bytes(WEB_COPY.encode(), "web.txt").forms
    chosen = choose_reading([reading("first", lambda: good), reading("second", lambda: [])])
    assert chosen.name == "first" and calls == ["first"]


def test_department_wide_form() -> None:
    text = "\n".join("\t".join(r) for r in [
        ["部门整体支出绩效自评表"], ["(2023年度)"], ["部门", "某市统计局"],
        ["项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "100", "100", "100", "10", "100%", "10"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "统计调查项目", "12项", "12项", "90", "90"],
        ["总分", "", "", "", "", "100", "100"]])
    result = extract_bytes(text.encode(), "dept.txt")
    assert len(result.forms) == 1
    form = result.forms[0]
    assert form.title == "部门整体支出绩效自评表"
    assert form.project_name is None and form.department == "某市统计局"
    assert form.validation == "passed", form.issues


def test_documents_do_not_leak_into_one_another() -> None:
    docs = [(VARIANTS / name).read_bytes() for name in ("real-nospace.txt", "synth-06-flat.txt", "real-flat.txt")]
    forward = [extract_bytes(d, "x.txt").model_dump_json() for d in docs]
    backward = [extract_bytes(d, "x.txt").model_dump_json() for d in reversed(docs)][::-1]
    assert forward == backward


def test_a_misprinted_execution_rate_alone_does_not_send_for_other_readings() -> None:
    """38 / 40 is 95%, the form prints 90%: every cell sits under its header, the mismatch is the form's.
    The tab-separated reading is taken at once (the mismatch reported), and a web copy whose rate agrees
    still has its fund row placed by the arithmetic (the test above)."""
    rows = [r.split(" ") for r in WEB_COPY.replace("10 95% 9.5", "10 90% 9.5").split("\n")]
    text = "\n".join("\t".join(r) for r in rows)
    calls: list[str] = []

    def counted(reading):  # type: ignore[no-untyped-def]
        from extractor.pipeline import _forms_of

        run = _forms_of(reading)

        def read():  # type: ignore[no-untyped-def]
            calls.append(reading.name)
            return run()
        return reading.name, read

    chosen = choose_reading(counted(r) for r in text_readings(text))
    assert calls == ["tsv"] and chosen.consistent
    assert [i.code for i in chosen.forms[0].issues if i.severity == "error"] == ["execution_rate_mismatch"]


def test_a_reading_that_breaks_is_left_out_not_the_document(monkeypatch) -> None:
    """A reader's bug on one candidate reading costs that candidate: the others still read the form,
    and the result says a reading was left out."""
    from extractor.pipeline import extract_bytes
    from extractor.routes import text as text_route

    sample = (VARIANTS / "real-tsv.txt").read_bytes()
    good = extract_bytes(sample, "dump.txt")
    original = text_route.iter_text_readings

    def breaking(text: str):
        from extractor.routes import Reading

        def broken():
            raise ValueError("a reader's bug")

        yield Reading("tsv", broken)  # the likeliest reading breaks
        yield from original(text)

    monkeypatch.setattr(text_route, "iter_text_readings", breaking)
    result = extract_bytes(sample, "dump.txt")
    assert [f.project_name for f in result.forms] == [f.project_name for f in good.forms]
    assert [i.code for i in result.issues] == ["reading_failed"]


def test_a_target_in_the_name_column_costs_the_reading_more_than_a_lost_name() -> None:
    """`=100%` as a 三级指标 is the row's cells moved one column left: such a reading must lose to the
    one whose names are words, however many cells it filled."""
    forms = extract_bytes(WEB_COPY.encode("utf-8"), filename="web.txt").forms
    read_right = plausibility(forms)[0]
    shifted = [form.model_copy(deep=True) for form in forms]
    for ind in shifted[0].indicators:
        ind.level3, ind.target, ind.actual = ind.target, ind.actual, None
    unnamed = [form.model_copy(deep=True) for form in forms]
    for ind in unnamed[0].indicators:
        ind.level3 = None
    assert plausibility(shifted)[0] < plausibility(unnamed)[0] < read_right
