"""Field accuracy through the real PDF-to-text converters, on generated documents the code never saw.

A small, fixed set (three documents) with floors a little under what it reads today, so that a change
which breaks a converter's reading fails here; bench/bench_accuracy.py measures the 40-document figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.pipeline import extract_bytes
from samples.generate.converters import CONVERTERS, convert, make_doc

REPO = Path(__file__).resolve().parents[2]
SCORER = REPO.parent / "shared" / "spec" / "score.py"
BASE = 300_000  # apart from the bench's and the development documents
FLOORS = {"pdftotext-layout": 0.96, "pdftotext-raw": 0.94, "pypdfium2": 0.93, "pdfplumber": 0.84}


@pytest.mark.skipif(not SCORER.exists(), reason="the contract's scorer (../shared/spec) is not beside the checkout")
@pytest.mark.parametrize("shape", list(FLOORS))
def test_a_converter_shape_reads_at_its_floor(shape: str, tmp_path: Path) -> None:
    if reason := CONVERTERS[shape].missing():
        pytest.skip(reason)
    (tmp_path / "expected").mkdir()
    (tmp_path / "actual").mkdir()
    for i in range(3):
        doc = make_doc(i, base=BASE)
        text = convert(shape, doc)
        result = extract_bytes(text.encode("utf-8"), filename=f"doc-{i}.txt")
        (tmp_path / "expected" / f"{i}.json").write_text(json.dumps(doc.expected, ensure_ascii=False), encoding="utf-8")
        (tmp_path / "actual" / f"{i}.json").write_text(result.model_dump_json(by_alias=True), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(tmp_path / "expected"), str(tmp_path / "actual"), "--json"],
                         capture_output=True, text=True, check=True)
    accuracy = json.loads(out.stdout.strip().splitlines()[-1])["field_accuracy"]
    assert accuracy >= FLOORS[shape], f"{shape}: field accuracy {accuracy:.4f} below {FLOORS[shape]}"
