"""Per-field confidence: the engine's score moved by the form's evidence, and the warnings it gives."""

from __future__ import annotations

from decimal import Decimal

from extractor.confidence import ConfidenceSettings, assess_confidence, goal_doubts, review_priority
from extractor.grid import Cell
from extractor.normalize import parse_amount, parse_number, parse_rate
from extractor.validate import validate_form
from models import CellRef, Form, FundRow, Funds, Indicator, Issue, Total

D = Decimal


def ref(confidence: float) -> CellRef:
    return CellRef(page=1, bbox=(0, 0, 1, 1), source="ocr", confidence=confidence)


def scanned_form(target: str, actual: str, conf: float) -> Form:
    refs = {"name": ref(1.0), "target": ref(conf), "actual": ref(conf), "weight": ref(conf), "score": ref(conf)}
    return Form(
        project_name="河道整治",
        funds=Funds(total=FundRow(weight=D(10), score=D(10), provenance={"weight": ref(0.85)})),
        indicators=[Indicator(level1="产出指标", level2="数量指标", level3="河道养护面积", target=target,
                              actual=actual, weight=D(50), score=D(50), provenance=refs),
                    Indicator(level1="满意度指标", level2="服务对象满意度指标", level3="满意度", target=">=90%",
                              actual="95%", weight=D(40), score=D(40))],
        total=Total(weight=D(100), score=D(100)))


def judged(form: Form, settings: ConfidenceSettings | None = None) -> list[str]:
    form.issues.extend(validate_form(form))
    return [i.field or "" for i in assess_confidence(form, settings)]


def test_agreement_and_sums_raise_a_middling_engine_score() -> None:
    form = scanned_form(">170万㎡", "182万㎡", 0.8)
    assert judged(form) == []  # same unit on both sides, sums that hold: no doubt left
    refs = form.indicators[0].provenance
    assert refs["actual"].confidence > 0.95 and refs["actual"].ocr_confidence == 0.8
    assert refs["weight"].confidence > 0.95


def test_a_unit_misfit_lowers_a_confident_read_below_what_a_reviewer_trusts() -> None:
    form = scanned_form(">170万㎡", ">170万m", 0.994)  # the issue's case: 0.994 and no issue before
    judged(form)
    assert form.indicators[0].provenance["actual"].confidence < 0.9
    assert any(i.code == "unit_mismatch" and i.field == "indicators[0].actual" for i in form.issues)


def test_an_unsupported_low_read_is_a_low_confidence_warning_with_its_reason() -> None:
    form = scanned_form("提升", "显著", 0.6)  # words that do not agree, nothing else to go on
    form.indicators[0].weight = form.indicators[0].score = None
    form.indicators[0].provenance.pop("weight")
    form.indicators[0].provenance.pop("score")
    form.total = Total()
    found = judged(form)
    assert "indicators[0].actual" in found and "indicators[0].target" in found
    assert all(i.message.startswith("第 1 行") for i in assess_confidence(form) if i.field == "indicators[0].actual")


def test_a_dash_in_a_number_column_is_sure_whatever_its_stroke_scored() -> None:
    form = scanned_form(">170万㎡", "182万㎡", 0.99)
    form.funds.appropriation = FundRow(provenance={"weight": ref(0.5)})  # `一` read for a printed dash
    judged(form)
    assert form.funds.appropriation.provenance["weight"].confidence > 0.95


def test_assessing_twice_starts_from_the_engine_score_again() -> None:
    form = scanned_form(">170万㎡", "182万㎡", 0.8)
    judged(form)
    first = form.indicators[0].provenance["actual"].confidence
    assess_confidence(form)
    assert form.indicators[0].provenance["actual"].confidence == first


def test_the_threshold_is_a_setting() -> None:
    form = scanned_form("提升", "显著", 0.95)
    assert "indicators[0].actual" not in judged(form)
    assert "indicators[0].actual" in judged(scanned_form("提升", "显著", 0.95), ConfidenceSettings(doubt_below=0.99))


def test_printed_dashes_as_ocr_reads_them_are_dashes_in_number_columns() -> None:
    for dash in ("一", "二", "_", "~", "–", "-", "—"):
        assert parse_number(dash) is None and parse_rate(dash) is None and parse_amount(dash, "元") == (None, None)


def test_specks_beside_a_number_are_judged_by_the_columns_grammar() -> None:
    assert parse_number("3.") == D(3) and parse_number(",5") == D(5)
    assert parse_rate("98.5%.") == D("98.5") and parse_rate("%100%") == D(100)
    for bad in ("9o", "1一0"):
        try:
            parse_number(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def cell(text: str, conf: float) -> Cell:
    return Cell(page=1, row=0, col=0, text=text, confidence=conf, source="ocr")


def test_a_clean_goal_read_gives_no_warning() -> None:
    text = "1、完成道路养护。2、提升园区环境。"
    assert goal_doubts(text, [cell(text, 0.985)]) == []
    assert goal_doubts("1、完成道路养护2、提升园区环境3、改善交通", [cell("x", 0.99)]) == []  # its style


def test_a_doubtful_goal_names_the_characters_in_doubt() -> None:
    text = "1、完成道路养护。2、提升园区环境3、改善交通。4、加强管理"
    doubts = goal_doubts(text, [cell(text, 0.99)])
    assert any("园区环境" in d and "3、" in d for d in doubts), doubts
    assert any("加强管理" in d for d in doubts)
    assert any("0.91" in d for d in goal_doubts("完成养护。", [cell("完成养护。", 0.91)]))


def test_the_review_queue_puts_errors_then_the_least_sure_then_notes() -> None:
    def form(codes: list[tuple[str, str]], least: float = 1.0) -> dict:
        return {"issues": [{"code": c, "severity": s} for c, s in codes],
                "indicators": [{"provenance": {"actual": {"confidence": least}}}], "funds": {}}
    failed = form([("scores_do_not_sum", "error")])
    doubtful = form([("low_confidence", "warning")], least=0.4)
    less_doubtful = form([("low_confidence", "warning")], least=0.8)
    noted = form([("page_number_dropped", "warning")], least=0.3)
    queue = sorted([noted, less_doubtful, failed, doubtful], key=review_priority)
    assert queue == [failed, doubtful, less_doubtful, noted]


def test_characters_the_engine_doubted_are_named_with_their_context() -> None:
    from extractor.confidence import char_doubts
    from extractor.grid import WeakSpot

    text = "完成道路养护，提升园区环境"
    sure = Cell(page=1, row=0, col=0, text=text, confidence=0.99, source="ocr",
                weak=(WeakSpot("道路养", "护", "，提升", 0.8),))  # above the setting: no doubt
    assert goal_doubts(text + "。", [sure]) == [] and char_doubts([sure]) == []
    doubtful = Cell(page=1, row=0, col=0, text=text, confidence=0.99, source="ocr",
                    weak=(WeakSpot("道路养", "护", "，提升", 0.3), WeakSpot("养护", "", "提升", 0.0),
                          WeakSpot("园区环境", "", "", 0.0), WeakSpot("提升园区", "", "", 0.0, twice=True)))
    said = char_doubts([doubtful])
    assert len(said) == 4
    assert "「护」" in said[0] and "0.30" in said[0]
    assert "「养护」与「提升」之间" in said[1] and "「园区环境」之后" in said[2] and "重复" in said[3]
    assert char_doubts([doubtful], ConfidenceSettings(char_doubt_below=0.2))[0].startswith("「养护」与")
    assert len(goal_doubts(text, [doubtful])) == 4  # one warning per goal, every place named in it


def test_a_weak_colon_is_doubted_a_weak_comma_is_not() -> None:
    from extractor.confidence import char_doubts
    from extractor.grid import WeakSpot

    text = "使用不受影响：做好招商引资，提升服务"
    colon = Cell(page=1, row=0, col=0, text=text, confidence=0.99, source="ocr",
                 weak=(WeakSpot("不受影响", "：", "做好招", 0.7),))  # a ； read as a colon
    comma = Cell(page=1, row=0, col=0, text=text, confidence=0.99, source="ocr",
                 weak=(WeakSpot("招商引资", "，", "提升", 0.7),))
    assert len(char_doubts([colon])) == 1 and char_doubts([comma]) == []
    assert char_doubts([colon], ConfidenceSettings(confusable_marks="")) == []


def test_free_texts_on_a_degraded_scan_are_doubted() -> None:
    from extractor.confidence import degraded_doubts, weak_share
    from extractor.grid import WeakSpot
    from models import Goals

    clean = Cell(page=1, row=0, col=0, text="完成道路养护" * 10, confidence=0.99, source="ocr", weak=())
    poor = Cell(page=1, row=0, col=0, text="完成道路养护" * 10, confidence=0.9, source="ocr",
                weak=tuple(WeakSpot("", "护", "", 0.6) for _ in range(3)))
    assert weak_share([clean]) == 0 and weak_share([poor]) == 0.05
    assert weak_share([Cell(page=1, row=0, col=0, text="x", source="text")]) is None  # nothing scored
    form = Form(project_name="道路养护", department="松江经济技术开发区管理委员会",
                goals=Goals(expected="完成道路养护" * 10, actual="已完成"))
    assert degraded_doubts(form, weak_share([clean])) == [] and degraded_doubts(form, None) == []
    said = {i.field: i.code for i in degraded_doubts(form, weak_share([poor]))}
    # A long text may hold a misread character; a short one (3 or 4 characters) less likely.
    assert said == {"goals.expected": "scan_degraded", "department": "scan_degraded"}
    form.issues.append(Issue(code="low_confidence", severity="warning", field="goals.expected", message="x"))
    assert "goals.expected" not in {i.field for i in degraded_doubts(form, 0.05)}  # already doubted
