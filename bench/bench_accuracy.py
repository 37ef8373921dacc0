"""Field accuracy of the text and HTML routes on synthetic documents the tests never saw.

    python3 bench/bench_accuracy.py                  # 40 documents per shape, 3 forms each
    python3 bench/bench_accuracy.py --docs 100 --shapes tsv,html --middle
    python3 bench/bench_accuracy.py --docs 20 --shapes xlsx,docx,xls,doc  # Office files (xls/doc: LibreOffice)

Each document: synthetic forms (samples.generate.synth) in a random printed style (column orders,
split targets, 万元, new cost template, …) rendered with random dump noise (page breaks, page numbers
in cells, split names, preambles, footers) into one shape, in a random encoding. Scored by
../shared/spec/score.py over the whole directory per shape. `--middle` prints merged labels in the
middle row of their span instead of the first (a convention some converters use; positions alone
cannot resolve it). Office shapes (samples.generate.office) write the same forms as .xlsx/.docx in a
random look (sheets, offsets, typed numbers with number formats, hidden parts, Word title placement);
xls/doc convert those with LibreOffice first. `s/doc` is the extraction time per document.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.errors import ExtractionError  # noqa: E402
from extractor.pipeline import extract_bytes  # noqa: E402
from samples.generate.layout import Style, expected_result, layout  # noqa: E402
from samples.generate.synth import synth_form  # noqa: E402
from samples.generate.text import TextOptions, encode, render  # noqa: E402

SCORER = REPO.parent / "shared" / "spec" / "score.py"
SHAPES = ("tsv", "lines", "pipe", "html", "flat", "nospace")
OFFICE = ("xlsx", "docx", "xls", "doc")


def make_office(shape: str, seed: int, forms: list[dict], styles: list[Style]) -> bytes:
    from samples.generate.office import OfficeLook, render_docx, render_xlsx, to_legacy

    tables = [layout(f, s) for f, s in zip(forms, styles, strict=True)]
    render = render_xlsx if shape in ("xlsx", "xls") else render_docx
    data = render(tables, OfficeLook.random(seed), seed=seed)
    return data if shape in ("xlsx", "docx") else to_legacy(data, shape)


def make_document(shape: str, seed: int, middle: bool) -> tuple[bytes, dict]:
    rng = random.Random(f"accuracy-{shape}-{seed}")
    forms = [synth_form(900_000 + seed * 10 + k) for k in range(3)]
    styles = [Style.random(900_000 + seed * 10 + k) for k in range(3)]
    if shape in OFFICE:
        return make_office(shape, seed, forms, styles), expected_result(forms, styles)
    options = TextOptions.noisy(seed, span_text="middle" if middle else "first")
    text = render(shape, [layout(f, s) for f, s in zip(forms, styles, strict=True)], options, forms)
    encoding = rng.choice(["utf-8", "utf-8", "gb18030", "utf-16"]) if shape != "html" else "utf-8"
    return encode(text, encoding, crlf=rng.random() < 0.3), expected_result(forms, styles)


def score_shape(shape: str, docs: int, middle: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        expected_dir, actual_dir = Path(tmp, "expected"), Path(tmp, "actual")
        expected_dir.mkdir()
        actual_dir.mkdir()
        failures = 0
        seconds = 0.0
        for seed in range(docs):
            data, expected = make_document(shape, seed, middle)
            name = f"{shape}-{seed}.json"
            (expected_dir / name).write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
            started = time.perf_counter()
            try:
                result = extract_bytes(data, name)
            except ExtractionError:
                failures += 1
                continue
            finally:
                seconds += time.perf_counter() - started
            (actual_dir / name).write_text(result.to_json(), encoding="utf-8")
        out = subprocess.run([sys.executable, str(SCORER), str(expected_dir), str(actual_dir), "--json"],
                             capture_output=True, text=True, check=True)
        summary = json.loads(out.stdout.strip().splitlines()[-1])
        summary["unreadable"] = failures
        summary["seconds_per_doc"] = seconds / max(1, docs)
        return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--middle", action="store_true", help="merged labels in the middle row of their span")
    args = parser.parse_args(argv)
    print(f"{'shape':10s} {'docs':>5s} {'field acc':>10s} {'hierarchy':>10s} {'indicators':>11s} {'funds':>7s} "
          f"{'s/doc':>7s}")
    for shape in args.shapes.split(","):
        s = score_shape(shape, args.docs, args.middle)
        print(f"{shape:10s} {args.docs:5d} {s['field_accuracy']:10.4f} {s.get('hierarchy', 0):10.4f} "
              f"{s.get('indicators', 0):11.4f} {s.get('funds', 0):7.4f} {s['seconds_per_doc']:7.3f}")
    print("command: python3 bench/bench_accuracy.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
