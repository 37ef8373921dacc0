"""Every real converter that can run here turns generated forms into text that holds the forms' words.

No extraction accuracy here (bench/bench_accuracy.py measures that): only that the tool ran for real and its
output carries the form keys and the indicator names. Converters whose tool is missing are skipped.
"""

from __future__ import annotations

import re

import pytest

from samples.generate.converters import CONVERTERS, ConverterUnavailable, FormDoc, convert, make_doc

# Tools that lay a table out as text columns wrap a long cell over lines, interleaved with its neighbours'
# lines, so a name or header can be cut apart. Per tool: the share of words that must still come out whole
# (every character must be there in any case).
WRAPPING = {"pdftotext": 0.6, "pdfminer": 0.6, "pypdfium2": 0.6, "pdftotext-layout": 0.2, "pdfplumber": 0.2,
            "w3m": 0.0, "pandoc-plain": 0.0, "pandoc-markdown": 0.0}
KEYS = ("项目名称", "三级指标", "一级指标", "二级指标", "年度指标值", "实际完成值")


def _squash(text: str) -> str:
    """Whitespace and markup the converters put inside texts (wrapped lines, table rules, escapes) removed."""
    return re.sub(r"[\s|*_\\#>+=:\-\u2500-\u257f]+", "", text)


@pytest.fixture(scope="module", autouse=True)
def _close_chromium():  # type: ignore[no-untyped-def]
    """The converters' Chromium runs playwright's sync loop in this thread: stop it when the module ends,
    or later browser tests in the same session find a running event loop."""
    yield
    from samples.generate.converters import _CHROMIUM

    _CHROMIUM.close()


@pytest.fixture(scope="module")
def docs() -> list[FormDoc]:
    return [make_doc(0, base=100_000, n_forms=2), make_doc(1, base=100_000, n_forms=1)]


def test_registry_names_and_sources():
    assert len(CONVERTERS) >= 18
    assert {c.source for c in CONVERTERS.values()} == {"html", "pdf", "xlsx", "docx"}


@pytest.mark.parametrize("name", list(CONVERTERS))
def test_converter_output_holds_the_forms(name: str, docs: list[FormDoc]):
    conv = CONVERTERS[name]
    reason = conv.missing()
    if reason:
        with pytest.raises(ConverterUnavailable):
            convert(name, docs[0])
        pytest.skip(reason)
    for doc in docs:
        text = convert(name, doc)
        assert text.strip(), f"{name}: empty output"
        flat = _squash(text)
        printed = " ".join(c.text for t in doc.tables for c in t.cells())
        keys = [k for k in KEYS if k in printed]  # a department-wide form has no 项目名称
        assert len(keys) >= 4
        names = [ind["level3"] for form in doc.expected["forms"] for ind in form["indicators"]]
        words = keys + names
        found = [w for w in words if _squash(w) in flat]
        if name in WRAPPING:
            assert len(found) >= WRAPPING[name] * len(words), f"{name}: only {len(found)}/{len(words)} whole"
            for w in words:
                assert set(_squash(w)) <= set(flat), f"{name}: {w} lost"
        else:
            assert found == words, f"{name}: missing {[w for w in words if w not in found]}"
