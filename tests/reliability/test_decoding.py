"""A few bad bytes must not lose a document (issue 14, item 12). Each file is built by make_corpus from a
synthetic form dump; the damaged one must give the forms the clean one gives, with a `text_repaired`
warning naming the lines, and real binary or heavy damage must still be refused."""

from __future__ import annotations

import pytest
from make_corpus import damaged_gb18030, form_tsv, half_utf8_half_gbk, nul_in_head, pdf_banner

from extractor.decode import decode_text
from extractor.errors import ExtractionError
from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from models import Result


def forms_of(result: Result) -> list[dict[str, object]]:
    return [form.model_dump(mode="json", exclude={"issues", "pages", "validation"}) for form in result.forms]


@pytest.fixture(scope="module")
def clean() -> tuple[str, Result]:
    text = form_tsv()
    result = extract_bytes(text.encode("utf-8"), "clean.txt")
    assert result.forms and not result.issues
    return text, result


@pytest.mark.parametrize("build", [half_utf8_half_gbk, nul_in_head, pdf_banner],
                         ids=["half-utf8-half-gbk", "nul-in-head", "pdf-banner"])
def test_a_few_odd_bytes_give_the_same_forms(clean: tuple[str, Result], build: object) -> None:
    text, expected = clean
    result = extract_bytes(build(text), "odd.txt")  # type: ignore[operator]
    assert result.source.route == "text" and result.source.media_type == "text/plain"
    assert forms_of(result) == forms_of(expected)
    codes = [issue.code for issue in result.issues]
    assert codes == ([] if build is pdf_banner else ["text_repaired"]), codes


def test_damaged_gb18030_is_read_as_gb18030_and_the_damage_named(clean: tuple[str, Result]) -> None:
    text, expected = clean
    data = damaged_gb18030(text, bad=4)
    decoded = decode_text(data)
    assert decoded.encoding == "gb18030" and decoded.repaired == 4 and len(decoded.repaired_lines) == 4
    assert all("\ufffd" in decoded.text.split("\n")[n - 1] for n in decoded.repaired_lines)
    result = extract_bytes(data, "damaged.txt")
    [warning] = [issue for issue in result.issues if issue.code == "text_repaired"]
    assert all(str(n) in warning.message for n in decoded.repaired_lines)
    # Only the four damaged lines may differ: every other indicator field comes out as in the clean dump.
    got, want = forms_of(result), forms_of(expected)
    assert len(got) == len(want)
    pairs = [(a, b) for g, w in zip(got, want, strict=True)
             for a, b in zip(g["indicators"], w["indicators"], strict=True)]  # type: ignore[call-overload]
    same = sum(a == b for a, b in pairs)
    assert same >= len(pairs) - 4, (same, len(pairs))


def test_heavy_damage_and_binary_are_still_refused(clean: tuple[str, Result]) -> None:
    text, _ = clean
    lines = len(text.split("\n"))
    with pytest.raises(ExtractionError) as refused:  # a bad byte on every line: far above 1 % of characters
        extract_bytes(damaged_gb18030(text, bad=lines - 2), "shredded.txt")
    assert refused.value.code == "undecodable_text"
    # The share is a setting: the same 4 bad bytes are refused when no repair is allowed.
    with pytest.raises(ExtractionError) as strict:
        extract_bytes(damaged_gb18030(text), "damaged.txt", ExtractOptions(max_repaired_fraction=0))
    assert strict.value.code == "undecodable_text"


def test_a_pdf_marker_without_form_text_stays_a_corrupt_pdf() -> None:
    with pytest.raises(ExtractionError) as refused:
        extract_bytes("%PDF-1.7\n会议通知：请各单位于周五前提交材料。\n".encode(), "notice.pdf")
    assert refused.value.code == "corrupt_pdf"


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5", "utf-16-le", "utf-16-be"])
def test_each_plausible_codec_is_recognised(encoding: str) -> None:
    # Traditional characters for Big5 (which has no simplified ones); the same form words otherwise.
    text = form_tsv() if encoding != "big5" else "財政項目支出績效自評表\n項目名稱\t道路養護\n主管部門\t交通運輸局\n"
    decoded = decode_text(text.encode(encoding))
    assert decoded.text == text and decoded.repaired == 0
    assert decoded.encoding == encoding
