"""Field accuracy of the text and HTML routes on synthetic documents the tests never saw.

    python3 bench/bench_accuracy.py                  # 40 documents per shape: every shape that can run here
    python3 bench/bench_accuracy.py --docs 100 --shapes tsv,html --middle
    python3 bench/bench_accuracy.py --shapes converters           # only the real-converter shapes
    python3 bench/bench_accuracy.py --shapes w3m,lynx,pdftotext-raw --docs 10
    python3 bench/bench_accuracy.py --docs 20 --shapes xlsx,docx,xls,doc  # Office files (xls/doc: LibreOffice)

Each document: synthetic forms (samples.generate.synth) in a random printed style (column orders,
split targets, 万元, new cost template, …) rendered with random dump noise (page breaks, page numbers
in cells, split names, preambles, footers) into one shape, in a random encoding. Scored by
../shared/spec/score.py over the whole directory per shape. `--middle` prints merged labels in the
middle row of their span instead of the first (a convention some converters use; positions alone
cannot resolve it).

Real-converter shapes (samples.generate.converters: chromium-innertext, html2text, markdownify, w3m, lynx,
bs4-newline, bs4-space, pandoc-plain, pandoc-markdown, pdftotext, pdftotext-raw, pdftotext-layout, pdfminer,
pdfplumber, pypdfium2, lo-xlsx-csv, lo-xlsx-txt, lo-docx-txt): each document (1-3 synthetic forms in random
styles) is rendered once as an HTML page, a text-layer PDF, an .xlsx and a .docx, and every converter shape
turns its source into text with the real tool; the text (UTF-8) is what the extractor reads. A shape whose
tool is missing is skipped with the reason. A progress line per document goes to stderr. Office shapes (samples.generate.office) write the same forms as .xlsx/.docx in a
random look (sheets, offsets, typed numbers with number formats, hidden parts, Word title placement);
xls/doc convert those with LibreOffice first.
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
from samples.generate.converters import BENCH_BASE, CONVERTERS, make_doc  # noqa: E402
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


def _score_dirs(expected_dir: Path, actual_dir: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORER), str(expected_dir), str(actual_dir), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
        summary = _score_dirs(expected_dir, actual_dir)
        summary["unreadable"] = failures
        summary["seconds_per_doc"] = seconds / max(1, docs)
        return summary


def score_converters(shapes: list[str], docs: int) -> dict[str, dict]:
    """Each document is made once and goes through every converter shape; then each shape is scored."""
    with tempfile.TemporaryDirectory() as tmp:
        expected_dir = Path(tmp, "expected")
        expected_dir.mkdir()
        actual = {shape: Path(tmp, shape) for shape in shapes}
        for d in actual.values():
            d.mkdir()
        unreadable = dict.fromkeys(shapes, 0)
        failed = dict.fromkeys(shapes, 0)
        started = time.monotonic()
        for seed in range(docs):
            doc = make_doc(seed, base=BENCH_BASE)
            name = f"doc-{seed}.json"
            (expected_dir / name).write_text(json.dumps(doc.expected, ensure_ascii=False), encoding="utf-8")
            for shape in shapes:
                conv = CONVERTERS[shape]
                try:
                    text = conv(doc)
                except Exception as exc:  # a tool that crashed or timed out: the document counts as unread
                    failed[shape] += 1
                    print(f"  {shape}: conversion failed on doc {seed}: {type(exc).__name__}: {exc}"[:300],
                          file=sys.stderr)
                    continue
                try:
                    result = extract_bytes(text.encode("utf-8"), f"{shape}-{seed}.{conv.ext}")
                except ExtractionError:
                    unreadable[shape] += 1
                    continue
                (actual[shape] / name).write_text(result.to_json(), encoding="utf-8")
            print(f"[{seed + 1}/{docs}] doc {seed}: {len(doc.forms)} forms through {len(shapes)} converters, "
                  f"{time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        out = {}
        for shape in shapes:
            out[shape] = _score_dirs(expected_dir, actual[shape])
            out[shape]["unreadable"] = unreadable[shape]
            out[shape]["conversion_failed"] = failed[shape]
        return out


def _print_row(shape: str, docs: int, s: dict) -> None:
    print(f"{shape:18s} {docs:5d} {s['field_accuracy']:10.4f} {s.get('hierarchy', 0):10.4f} "
          f"{s.get('indicators', 0):11.4f} {s.get('funds', 0):7.4f} {s.get('unreadable', 0):5d}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=40)
    parser.add_argument("--shapes", default="all",
                        help="comma-separated shapes; 'all' (default: every shape that can run here), "
                             "'synthetic' or 'converters' for either group. "
                             f"Synthetic: {','.join(SHAPES)}. Converters: {','.join(CONVERTERS)}")
    parser.add_argument("--middle", action="store_true", help="merged labels in the middle row of their span")
    args = parser.parse_args(argv)
    wanted: list[str] = []
    for item in args.shapes.split(","):
        if item in ("all", "synthetic"):
            wanted += SHAPES
        if item in ("all", "converters"):
            wanted += list(CONVERTERS)
        if item not in ("all", "synthetic", "converters"):
            if item not in SHAPES and item not in CONVERTERS and item not in OFFICE:
                parser.error(f"unknown shape {item!r}")
            wanted.append(item)
    converters = []
    for shape in dict.fromkeys(wanted):
        if shape in CONVERTERS:
            reason = CONVERTERS[shape].missing()
            if reason:
                print(f"skipped {reason}", file=sys.stderr)
            else:
                converters.append(shape)
    print(f"{'shape':18s} {'docs':>5s} {'field acc':>10s} {'hierarchy':>10s} {'indicators':>11s} {'funds':>7s} "
          f"{'unread':>5s}", flush=True)
    for shape in dict.fromkeys(wanted):
        if shape in SHAPES or shape in OFFICE:
            _print_row(shape, args.docs, score_shape(shape, args.docs, args.middle))
    if converters:
        for shape, s in score_converters(converters, args.docs).items():
            _print_row(shape, args.docs, s)
            if s["conversion_failed"]:
                print(f"  ({shape}: {s['conversion_failed']} documents failed to convert)")
    print("command: python3 bench/bench_accuracy.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
