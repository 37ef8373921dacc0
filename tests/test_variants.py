"""Every file of the variant corpus (samples/variants), extracted by the real CLI and scored by the real scorer.

Thresholds (field accuracy): real sample variants >= 0.99 (whitespace-lost: >= 0.90), synthetic documents
>= 0.97, the real sample itself 1.0. Regenerate the corpus with `python -m samples.generate variants`.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VARIANTS = REPO / "samples" / "variants"
SCORER = REPO.parent / "shared" / "spec" / "score.py"
SAMPLE = REPO / "samples" / "sources" / "self-eval-2023-songjiang.txt"
SAMPLE_EXPECTED = REPO / "samples" / "expected" / "self-eval-2023-songjiang.json"
FILES = sorted(p for p in VARIANTS.iterdir() if p.suffix in (".txt", ".md", ".html"))


def threshold(name: str) -> float:
    if name.startswith("real-"):
        return 0.90 if "nospace" in name else 0.99
    return 0.97


def _cli() -> list[str]:
    exe = shutil.which("docextract")
    return [exe] if exe else [sys.executable, "-c", "from extractor.cli import main; main()"]


def _extract(path: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*_cli(), "extract", str(path), "-o", str(out)], capture_output=True, text=True,
                          timeout=120, cwd=REPO)


def _score(expected: Path, actual: Path) -> dict:
    assert SCORER.is_file(), f"the scorer is missing: {SCORER}"
    run = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual), "--json", "--verbose"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    summary["report"] = "\n".join(lines[:60])
    return summary


def test_corpus_is_complete():
    names = {p.name for p in FILES}
    for required in ("real-flat.txt", "real-lines.txt", "real-html.html", "real-tsv-gbk.txt",
                     "real-tsv-crlf-bom.txt", "real-pipe.md", "real-tsv-utf16.txt", "real-nospace.txt"):
        assert required in names
    assert any(n.startswith("synth-") for n in names)
    for p in FILES:
        assert (VARIANTS / "expected" / f"{p.stem}.json").is_file(), p.name


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_variant_scores(path: Path, tmp_path: Path):
    out = tmp_path / "result.json"
    run = _extract(path, out)
    assert run.returncode == 0, f"docextract failed on {path.name}: {run.stderr.strip()}"
    summary = _score(VARIANTS / "expected" / f"{path.stem}.json", out)
    want = threshold(path.name)
    assert summary["field_accuracy"] >= want, (
        f"{path.name}: field accuracy {summary['field_accuracy']:.4f} < {want}\n{summary['report']}")


def test_real_sample_scores_one(tmp_path: Path):
    out = tmp_path / "result.json"
    run = _extract(SAMPLE, out)
    assert run.returncode == 0, run.stderr
    summary = _score(SAMPLE_EXPECTED, out)
    assert summary["field_accuracy"] == 1.0, summary["report"]


JUNK = {
    "empty": b"",
    "random-bytes": random.Random(5).randbytes(20_000),
    "binary-junk": b"\x00\x01\x02\xff\xfe\x00" * 700 + bytes(range(256)) * 8,
}


@pytest.mark.parametrize("content", list(JUNK.values()), ids=list(JUNK))
def test_unreadable_input_fails_cleanly(content: bytes, tmp_path: Path):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    run = _extract(path, tmp_path / "out.json")
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
