"""Real forms, as real pages and tools gave their text, through `docextract extract`, scored by the
contract's scorer. ../shared/real-dev (the development set) reads at >= 0.98 per form. samples/real
holds real forms found since (source addresses in samples/real/index.md): the bar is the same, and a
form not there yet is held to the floor recorded in samples/real/floors.json (what it reads today,
with the reason it falls short), so that nothing that reads today can quietly stop reading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCORER = REPO.parent / "shared" / "spec" / "score.py"
SETS = [REPO.parent / "shared" / "real-dev", REPO / "samples" / "real"]
BAR = 0.98
FLOORS_FILE = REPO / "samples" / "real" / "floors.json"
FLOORS: dict[str, dict[str, object]] = json.loads(FLOORS_FILE.read_text(encoding="utf-8")) if FLOORS_FILE.exists() else {}


def _cases() -> list[tuple[Path, Path]]:
    cases = []
    for root in SETS:
        for raw in sorted((root / "raw").glob("*.txt")) if (root / "raw").is_dir() else []:
            expected = root / "expected" / f"{raw.stem}.json"
            if expected.exists():
                cases.append((raw, expected))
    return cases


CASES = _cases()


def _accuracy(expected: Path, actual: Path) -> float:
    out = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual)], capture_output=True,
                         text=True, check=True).stdout
    return float(out.strip().splitlines()[-1].split()[2])


@pytest.mark.skipif(not SCORER.exists(), reason="the contract's scorer (../shared/spec) is not beside the checkout")
@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[f"{r.parent.parent.name}/{r.stem}" for r, _ in CASES])
def test_real_form_reads_through_the_cli(raw: Path, expected: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(raw), "-o", str(out)], check=True,
                   cwd=REPO)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["source"]["reading"], "a text dump says which reading of its shape was chosen"
    floor = FLOORS.get(raw.stem, {}).get("floor", BAR) if raw.parent.parent == SETS[1] else BAR
    assert _accuracy(expected, out) >= min(BAR, float(floor))  # type: ignore[arg-type]


@pytest.mark.skipif(not SCORER.exists(), reason="the contract's scorer (../shared/spec) is not beside the checkout")
def test_development_set_together(tmp_path: Path) -> None:
    dev = SETS[0]
    outdir = tmp_path / "out"
    outdir.mkdir()
    raws = sorted((dev / "raw").glob("*.txt"))
    subprocess.run([sys.executable, "-m", "extractor.cli", "extract", *map(str, raws), "--out-dir", str(outdir)],
                   check=True, cwd=REPO)
    assert _accuracy(dev / "expected", outdir) >= BAR
