"""The committed converter corpus (samples/converted: five documents as each real converter printed them)
read through the pipeline and scored by the contract's scorer: each shape keeps its floor
(samples/converted/floors.json), so a change to one reading cannot quietly lose another."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.pipeline import extract_bytes

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "samples" / "converted"
SCORER = REPO.parent / "shared" / "spec" / "score.py"
FLOORS: dict[str, float] = {k: v for k, v in json.loads((CORPUS / "floors.json").read_text(encoding="utf-8")).items()
                            if not k.startswith("_")}
SHAPES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "expected")


def test_every_shape_has_a_floor():
    assert set(SHAPES) == set(FLOORS)


@pytest.mark.parametrize("shape", SHAPES)
def test_shape_keeps_its_floor(shape: str, tmp_path: Path):
    for dump in sorted((CORPUS / shape).iterdir()):
        result = extract_bytes(dump.read_bytes(), dump.name)
        (tmp_path / f"{dump.stem}.json").write_text(result.to_json(), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(CORPUS / "expected"), str(tmp_path), "--json"],
                         capture_output=True, text=True, check=True).stdout
    accuracy = float(json.loads(out.strip().splitlines()[-1])["field_accuracy"])
    assert accuracy >= FLOORS[shape], f"{shape}: {accuracy:.4f} < {FLOORS[shape]}"
