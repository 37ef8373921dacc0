"""Accuracy on PDFs and scans made by code that is not ours: Chromium and LibreOffice print, Poppler,
Ghostscript and PDFium rasterise, and the pages wear as real scans do.

    python3 bench/bench_foreign.py                                  # 2 synthetic documents, every source and condition
    python3 bench/bench_foreign.py --docs 1 --sources docx --conditions pdf,rotated
    python3 bench/bench_foreign.py --base 950000 --docs 3 --forms 1     # a development set, not the measured one
    python3 bench/bench_foreign.py --inputs samples/variants/real-html.html --sources html --styles kai-hairline

Sources (how the PDF is printed): `html` Chromium prints the document's HTML page (or each `--inputs` HTML
file) with a style sheet per `--styles` (font, border weight); `xlsx` LibreOffice prints a bordered
spreadsheet (narrow label columns, labels wrapped to a few characters a line, fit-to-width); `docx`
LibreOffice prints a Word table (equal columns, rows split over pages, the first row repeated in some
looks). Documents: synthetic forms (samples.generate.converters.make_doc, seeds the tests never use).

Conditions (samples.generate.prints does the rasterising and the wear):
  pdf              the printed PDF, text layer
  300 / 300-gs / 300-pdfium        300 dpi greyscale by pdftoppm / Ghostscript / PDFium, lossless
  200-noisy        pdftoppm 200 dpi, noise, blur, uneven light, 1-2° skew, JPEG
  200-skew-broken  pdftoppm 200 dpi, 1-2° skew, rules with gaps
  150-heavy        Ghostscript 150 dpi, heavy noise, blur, speckle, JPEG 35-55
  rotated          pdftoppm 200 dpi, page 2 turned 90°, page 3 180°, page 4 270° (page 1 upright)
  tiff-200         Ghostscript 200 dpi pages as one multi-page TIFF (the image route)
  png-200          each page its own PNG file (the image route: extract_pages reads them as one document)
  landscape-200    portrait pages scanned on a landscape bed (turned 90° with a margin)
  toner-300        ink spread by a pixel        thin-300   strokes thinned by a pixel (hairlines break)
  tint-200         paper tint with a gradient

Needs chromium, poppler-utils, ghostscript and LibreOffice (a source or condition whose tool is missing
is skipped with the reason). Scored by ../shared/spec/score.py (beside the checkout). CPU is this
process's CPU time per page (model loading excluded).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.pipeline import extract_bytes  # noqa: E402
from samples.generate import prints  # noqa: E402

SCORER = REPO.parent / "shared" / "spec" / "score.py"
STYLES = {
    "default": "",
    "kai-hairline": "td,th{border:0.5px solid #555 !important;font-family:'AR PL UKai CN',serif !important}",
    "hei-thick": "td,th{border:1.5px solid #000 !important;font-family:'WenQuanYi Zen Hei',sans-serif !important}",
}
BENCH_BASE = 900_000  # document seeds: neither the suite's nor the text benches'


@dataclass(frozen=True, slots=True)
class Condition:
    dpi: int | None = None  # None: the PDF as printed
    rasteriser: str = "pdftoppm"
    wear: tuple[str, ...] = ()
    preset: str | None = None  # samples.generate.scan preset (noise, blur, light, JPEG)
    quarters: tuple[int, ...] = ()  # per page
    container: str = "pdf"  # pdf | tiff | png


CONDITIONS: dict[str, Condition] = {
    "pdf": Condition(),
    "300": Condition(300),
    "300-gs": Condition(300, "gs"),
    "300-pdfium": Condition(300, "pdfium"),
    "200-noisy": Condition(200, preset="noisy"),
    "200-skew-broken": Condition(200, wear=("broken", "skew")),
    "150-heavy": Condition(150, "gs", preset="heavy"),
    "rotated": Condition(200, quarters=(0, 1, 2, 3)),
    "tiff-200": Condition(200, "gs", container="tiff"),
    "png-200": Condition(200, container="png"),
    "landscape-200": Condition(200, wear=("landscape",)),
    "toner-300": Condition(300, "gs", wear=("toner",)),
    "thin-300": Condition(300, wear=("thin",)),
    "tint-200": Condition(200, "pdfium", wear=("tint",)),
}


def print_html(source: str, css: str, out: Path) -> bytes:
    if css:
        source = source.replace("</head>", f"<style>{css}</style></head>", 1) if "</head>" in source \
            else f"<style>{css}</style>" + source
    page = out.with_suffix(".html")
    page.write_text(source, encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={out.parent / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", str(page)], check=True, capture_output=True, timeout=180)
    return out.read_bytes()


def scan(pdf: bytes, cond: Condition, seed: int) -> list[tuple[str, bytes]]:
    """The files a scanner would give for `pdf` under `cond`: (name, bytes), one or more."""
    from PIL import Image

    from samples.generate.scan import ScanStyle, degrade

    assert cond.dpi is not None
    pages = prints.rasterise(pdf, cond.dpi, cond.rasteriser)
    for kind in cond.wear:
        pages = [prints.wear(p, kind, seed * 100 + i, cond.dpi) for i, p in enumerate(pages)]
    if cond.preset:
        style = ScanStyle.preset(cond.preset, cond.dpi, seed)
        pages = [degrade(p, style, seed * 100 + i) for i, p in enumerate(pages)]
    if cond.quarters:
        pages = prints.turn(pages, [cond.quarters[i % len(cond.quarters)] for i in range(len(pages))])
    images = [Image.fromarray(p) for p in pages]
    out = io.BytesIO()
    if cond.container == "png":
        files = []
        for i, image in enumerate(images, 1):
            buf = io.BytesIO()
            image.save(buf, "PNG", dpi=(cond.dpi, cond.dpi))
            files.append((f"page-{i:03d}.png", buf.getvalue()))
        return files
    if cond.container == "tiff":
        images[0].save(out, "TIFF", save_all=True, append_images=images[1:], dpi=(cond.dpi, cond.dpi),
                       compression="tiff_deflate")
        return [("scan.tif", out.getvalue())]
    images[0].save(out, "PDF", resolution=float(cond.dpi), save_all=True, append_images=images[1:])
    return [("scan.pdf", out.getvalue())]


def score(expected: dict, actual: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        e, a = Path(tmp, "expected.json"), Path(tmp, "actual.json")
        e.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
        a.write_text(json.dumps(actual, ensure_ascii=False), encoding="utf-8")
        out = subprocess.run([sys.executable, str(SCORER), str(e), str(a), "--json"],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def extract(files: list[tuple[str, bytes]], debug: Path | None) -> tuple[dict, int, float, float]:
    """Extract the scan: several files (one page image each) are the pages of one document."""
    from extractor.options import ExtractOptions
    from extractor.pipeline import extract_pages

    # No wall-clock page limit: a loaded machine must not turn an accuracy run into page_timeout.
    options = ExtractOptions(debug_dir=debug, max_seconds_per_page=None)
    start, cpu = time.perf_counter(), time.process_time()
    result = extract_pages(files, options) if len(files) > 1 else extract_bytes(files[0][1], files[0][0], options)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return json.loads(result.to_json()), result.source.pages or 1, seconds, cpu


@dataclass
class Source:
    name: str
    expected: dict
    make_pdf: Callable[[Path], bytes]
    tool: str  # what prints it: chromium or soffice


def sources(args: argparse.Namespace) -> list[Source]:
    from samples.generate.converters import make_doc

    wanted = args.sources.split(",")
    out: list[Source] = []
    for path in args.inputs or []:
        html = Path(path)
        expected = json.loads((html.parent / "expected" / (html.stem + ".json")).read_text(encoding="utf-8"))
        for style in args.styles.split(","):
            out.append(Source(f"{html.stem[:14]}/{style}", expected,
                              lambda tmp, h=html, s=style: print_html(h.read_text(encoding="utf-8", errors="replace"),
                                                                      STYLES[s], tmp / f"{h.stem}-{s}.pdf"),
                              "chromium"))
    for k in range(args.docs if not args.inputs else 0):
        doc = make_doc(k, base=args.base, n_forms=args.forms)
        look = prints.PrintLook.random(doc.seed)
        for kind in wanted:
            if kind == "html":
                style = list(STYLES)[k % len(STYLES)]
                out.append(Source(f"d{k}-html/{style}", doc.expected,
                                  lambda tmp, d=doc, s=style, i=k: print_html(d.html, STYLES[s], tmp / f"d{i}.pdf"),
                                  "chromium"))
            else:
                out.append(Source(f"d{k}-{kind}", doc.expected,
                                  lambda _tmp, d=doc, t=kind, lk=look: prints.office_pdf(d.tables, t, lk), "soffice"))
    return out


def _missing(src: Source, cond: Condition) -> str | None:
    import shutil

    if src.tool == "chromium" and not shutil.which("chromium"):
        return "chromium missing: apt-get install -y chromium"
    if src.tool == "soffice" and (reason := prints.missing("soffice")):
        return reason
    return prints.missing(cond.rasteriser) if cond.dpi is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2, help="synthetic documents (ignored with --inputs)")
    parser.add_argument("--forms", type=int, default=None, help="forms per synthetic document (default 1-3)")
    parser.add_argument("--base", type=int, default=BENCH_BASE,
                        help="seed base of the synthetic documents (default: the measurement set; develop on another)")
    parser.add_argument("--sources", default="html,xlsx,docx")
    parser.add_argument("--inputs", nargs="*", default=None, help="HTML files with expected/<stem>.json beside them")
    parser.add_argument("--styles", default=",".join(STYLES), help="Chromium style sheets for --inputs")
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--debug-dir", type=Path, default=None, help="overlays, expected and actual results per source/condition")
    args = parser.parse_args(argv)
    conditions = args.conditions.split(",")
    print(f"{'source':22s} {'condition':16s} {'pages':>5s} {'s/page':>7s} {'cpu/page':>8s} "
          f"{'field acc':>9s} {'hierarchy':>9s}", flush=True)
    by_condition: dict[str, list[float]] = {c: [] for c in conditions}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for src in sources(args):
            pdf: bytes | None = None
            for name in conditions:
                cond = CONDITIONS[name]
                if reason := _missing(src, cond):
                    print(f"{src.name:22s} {name:16s} skipped: {reason}", flush=True)
                    continue
                if pdf is None:
                    pdf = src.make_pdf(tmp)
                files = [("print.pdf", pdf)] if cond.dpi is None else scan(pdf, cond, seed=len(src.name))
                debug = args.debug_dir / src.name.replace("/", "-") / name if args.debug_dir else None
                actual, pages, seconds, cpu = extract(files, debug)
                s = score(src.expected, actual)
                if debug:
                    debug.mkdir(parents=True, exist_ok=True)
                    (debug / "actual.json").write_text(json.dumps(actual, ensure_ascii=False, indent=1), "utf-8")
                    for file_name, data in files:
                        (debug / file_name).write_bytes(data)
                    (debug / "expected.json").write_text(json.dumps(src.expected, ensure_ascii=False), "utf-8")
                by_condition[name].append(s["field_accuracy"])
                print(f"{src.name:22s} {name:16s} {pages:5d} {seconds / pages:7.2f} {cpu / pages:8.2f} "
                      f"{s['field_accuracy']:9.4f} {s.get('hierarchy', 0):9.4f}", flush=True)
    print("\nmean field accuracy per condition")
    for name, values in by_condition.items():
        if values:
            print(f"  {name:16s} {sum(values) / len(values):.4f}  ({len(values)} documents)")
    print("command: python3 bench/bench_foreign.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
