"""extractor.script: a page a site converted to traditional characters with pinyin glosses reads as the
simplified form it was; a simplified text is left as it is."""

from __future__ import annotations

from pathlib import Path

from extractor.pipeline import extract_bytes
from extractor.script import to_simplified

SIMPLIFIED = "项目支出绩效自评表\n项目名称\t河道保洁\n主管部门\t水务局\t实施单位\t河道管理所\n"


def test_glosses_dropped_and_characters_simplified():
    text, done = to_simplified("項(xiàng)目支出績效自評表\n項(xiàng)目名稱\t河道保潔\n主管部門\t水務(wù)局\t實(shí)施單位\t河道管理所\n")
    assert text == SIMPLIFIED
    assert len(done) == 2 and "pinyin" in done[0]


def test_a_simplified_text_is_left_alone():
    assert to_simplified(SIMPLIFIED) == (SIMPLIFIED, [])
    assert to_simplified("备注(xx)：见附件")[0] == "备注(xx)：见附件"  # one bracketed word is no converter's gloss


def test_the_result_says_the_text_was_converted():
    raw = "項(xiàng)目支出績效自評表\n項(xiàng)目名稱\t河道保潔\n主管部門\t水務(wù)局\t實(shí)施單位\t河道管理所\n"
    result = extract_bytes(raw.encode("utf-8"), "t.txt")
    assert [i.code for i in result.issues] == ["text_converted"]
    assert result.forms and result.forms[0].project_name == "河道保洁"


def test_a_text_the_table_changes_nothing_in_is_not_converted():
    """The converter is skipped over a text none of its changing entries occurs in: such a text must be
    one the converter returns unchanged, and a text with one traditional character is still converted."""
    import opencc

    from extractor.script import _changing, _converter, converter_would_change

    converter = _converter()
    assert _changing() is not None
    sample = (Path(__file__).resolve().parents[2] / "samples" / "sources" / "self-eval-2023-songjiang.txt")
    lines = sample.read_text(encoding="utf-8").splitlines()
    traditional = opencc.OpenCC("s2t").convert("\n".join(lines)).splitlines()
    skipped = [line for line in lines + traditional if not converter_would_change(line)]
    assert all(converter.convert(line) == line for line in skipped)
    assert len(skipped) >= len(lines) // 2  # the simplified lines, which are most of the skipped
    assert converter_would_change("项目名稱") and converter_would_change("反覆")  # a character; a phrase
    chars, _phrases = _changing()
    astral = min(c for c in chars if ord(c) >= 0x10000)  # beyond the BMP: tested apart from the class
    assert converter_would_change("项目" + astral) and not converter_would_change("项目\U0002a6a5名称")


def test_the_changing_entries_read_off_the_table_are_those_the_converter_changes():
    """_changing reads each entry's conversion off the table (its first choice); that must be what the
    converter itself makes of every entry, characters and phrases alike."""
    from extractor.script import _changing, _converter

    converter = _converter()
    keys = {key for group in converter._dict_chain_data for table in group for key in table[2]}
    changed = {key for key in keys if converter.convert(key) != key}
    chars, phrases = _changing()
    assert chars | {phrase for found in phrases.values() for phrase, _ in found} == changed
    assert "覆" not in chars and "覆" in keys  # an entry whose first choice is itself (覆 复) changes nothing
