"""Field accuracy on real forms: ../shared/real-dev (the development set) and samples/real (real forms
found since, each with its source address in samples/real/index.md).

    python3 bench/bench_real.py             # one line per form, then one per set
    python3 bench/bench_real.py --set samples/real
    python3 bench/bench_real.py --redump one-line --redump no-gaps   # the same pages as other tools dump them

`--redump` turns each page's text into the shape another tool would have made of the same page before it
is read: `one-line` (every run of whitespace one space: a page's get_text(" "), a spreadsheet flattened),
`no-gaps` (spaces and tabs inside lines removed, lines kept: OCR of a table image without gaps). The
expected result is the same; only the dump's shape changes.

Each raw dump goes through extractor.pipeline.extract_bytes exactly as `docextract extract` would run
it; ../shared/spec/score.py scores it. The reading the form's arithmetic chose is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.pipeline import extract_bytes  # noqa: E402

SCORER = REPO.parent / "shared" / "spec" / "score.py"
SETS = (REPO.parent / "shared" / "real-dev", REPO / "samples" / "real")


REDUMPS = {
    "as-found": lambda text: text,
    "one-line": lambda text: re.sub(r"\s+", " ", text),
    "no-gaps": lambda text: re.sub(r"[ \t\u3000]+", "", text),
}


def score(expected: Path, actual: Path) -> float:
    out = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["field_accuracy"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", type=Path, help="a folder with raw/ and expected/ (repeatable)")
    parser.add_argument("--redump", action="append", choices=sorted(REDUMPS), help="dump shape (repeatable)")
    args = parser.parse_args(argv)
    for redump in args.redump or ["as-found"]:
        if redump != "as-found":
            print(f"== pages re-dumped {redump}")
        _bench(args.set or SETS, REDUMPS[redump], per_form=redump == "as-found")
    print("command: python3 bench/bench_real.py" + "".join(f" --redump {r}" for r in args.redump or []))
    return 0


def _bench(roots: list[Path], redump: Callable[[str], str], *, per_form: bool) -> None:
    for root in roots:
        raws = sorted((root / "raw").glob("*.txt")) if (root / "raw").is_dir() else []
        if not raws:
            print(f"{root.name}: no raw forms yet")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out_dir, exp_dir = Path(tmp, "actual"), Path(tmp, "expected")
            out_dir.mkdir()
            exp_dir.mkdir()
            for raw in raws:
                expected = root / "expected" / f"{raw.stem}.json"
                if not expected.exists():
                    continue
                data = raw.read_bytes()
                if not per_form:
                    data = redump(data.decode("utf-8")).encode("utf-8")
                result = extract_bytes(data, raw.name)
                actual = out_dir / f"{raw.stem}.json"
                actual.write_text(result.to_json(), encoding="utf-8")
                (exp_dir / expected.name).write_bytes(expected.read_bytes())
                accuracy = score(expected, actual)
                if per_form or accuracy < 0.95:
                    print(f"  {raw.stem:12s} {accuracy:.4f}  reading={result.source.reading}")
            print(f"{root.relative_to(REPO.parent) if root.is_relative_to(REPO.parent) else root}: "
                  f"field accuracy {score(exp_dir, out_dir):.4f} over {len(list(out_dir.iterdir()))} forms")


if __name__ == "__main__":
    raise SystemExit(main())
