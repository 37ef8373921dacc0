"""Accuracy on PDFs and scans from renderers that are not ours: Chromium prints, Poppler rasterises.

    python3 bench/bench_foreign.py                      # the real sample's HTML variant, all conditions
    python3 bench/bench_foreign.py --inputs samples/variants/synth-03-html.html --conditions pdf,scan-200

Our generator (samples/generate/pdf.py, scan.py) draws the test PDFs the suite uses; a user's PDFs come
from Word, WPS, Excel, browsers and scanners. Here Chromium (Skia, its own fonts, hairline borders,
rows split across pages) prints an HTML variant to PDF, with a style sheet that changes the font and
the border weight per run, and Poppler's pdftoppm rasterises it (another anti-aliasing, greyscale,
JPEG). Needs /usr/bin/chromium and pdftoppm (Debian packages chromium, poppler-utils).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.pipeline import extract_bytes  # noqa: E402

SCORER = REPO.parent / "shared" / "spec" / "score.py"
STYLES = {
    "default": "",
    "kai-hairline": "td,th{border:0.5px solid #555 !important;font-family:'AR PL UKai CN',serif !important}",
    "hei-thick": "td,th{border:1.5px solid #000 !important;font-family:'WenQuanYi Zen Hei',sans-serif !important}",
}
CONDITIONS = ("pdf", "scan-200", "scan-150-jpeg")


def print_pdf(html: Path, css: str, out: Path) -> None:
    source = html.read_text(encoding="utf-8", errors="replace")
    if css:
        source = source.replace("</head>", f"<style>{css}</style></head>", 1) if "</head>" in source \
            else f"<style>{css}</style>" + source
    page = out.with_suffix(".html")
    page.write_text(source, encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={out.parent / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", str(page)], check=True, capture_output=True, timeout=180)


def scan(pdf: Path, dpi: int, jpeg: bool) -> bytes:
    """Rasterise with Poppler, then pack the pages into an image-only PDF (as a scanner would)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True, timeout=600)
        pages = []
        for png in sorted(Path(tmp).glob("p-*.pgm")) or sorted(Path(tmp).glob("p-*.png")):
            image = Image.open(png).convert("L")
            if jpeg:
                buffer = io.BytesIO()
                image.save(buffer, "JPEG", quality=55)
                image = Image.open(io.BytesIO(buffer.getvalue()))
            pages.append(image)
        out = io.BytesIO()
        pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
        return out.getvalue()


def score(expected: Path, result_json: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        actual = Path(tmp, "actual.json")
        actual.write_text(result_json, encoding="utf-8")
        out = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual), "--json"],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", nargs="*", default=[str(REPO / "samples/variants/real-html.html")])
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    args = parser.parse_args(argv)
    print(f"{'input':24s} {'style':13s} {'condition':14s} {'pages':>5s} {'s/page':>7s} {'cpu/page':>8s} "
          f"{'field acc':>9s} {'hierarchy':>9s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.inputs:
            html = Path(name)
            expected = html.parent / "expected" / (html.stem + ".json")
            for style in args.styles.split(","):
                pdf = Path(tmp, f"{html.stem}-{style}.pdf")
                print_pdf(html, STYLES[style], pdf)
                for condition in args.conditions.split(","):
                    if condition == "pdf":
                        data = pdf.read_bytes()
                    else:
                        dpi = int(condition.split("-")[1])
                        data = scan(pdf, dpi, jpeg=condition.endswith("jpeg"))
                    start, cpu = time.perf_counter(), time.process_time()
                    result = extract_bytes(data, pdf.name)
                    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                    s = score(expected, result.to_json())
                    pages = result.source.pages or 1
                    print(f"{html.stem[:24]:24s} {style:13s} {condition:14s} {pages:5d} {seconds / pages:7.2f} "
                          f"{cpu / pages:8.2f} {s['field_accuracy']:9.4f} {s.get('hierarchy', 0):9.4f}", flush=True)
    print("command: python3 bench/bench_foreign.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
