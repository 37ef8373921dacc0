"""Accuracy and speed of the PDF and scan routes on the nine sample forms, rendered by our generators.

    python bench/bench_scan.py                       # all conditions, timing on 3 pages each
    python bench/bench_scan.py --conditions text,200-noisy --timing-pages 2
    python bench/bench_scan.py --engine paddleocr    # PaddleOCR rows beside RapidOCR's (paddle venv)

Conditions: text (text-layer PDF), 300-clean, 200-noisy (noise + 1–2° skew), 150-heavy (blur, noise,
speckle, uneven light, JPEG). Scans go through the PDF route as image-only PDFs. Per condition:
field accuracy (../shared/spec/score.py, beside the checkout, against the layout's expected result), grid fidelity
(non-empty cells whose text matches the rendered cell at the same place), seconds per page, peak
RSS and CPU seconds per page of the extracting process (CPU: all its threads, model loading
excluded). `--engine paddleocr` extracts every scan condition with PaddleOCR as well as RapidOCR
(needs the [paddle] extra and DOCEXTRACT_PADDLE_MODEL_DIR; see README, PaddleOCR). Side by side on the same page images: our page pipeline, RapidOCR's
plain whole-page OCR (as shipped, without its line classifier, and as shipped but on the sessions
our adapter runs, whose idle threads sleep: `cpu-rq`, the ratio that counts only work saved), and
img2table + RapidOCR when /tmp/peerenv exists (see bench/peer_img2table.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMS = ROOT / "samples" / "expected" / "self-eval-2023-songjiang.json"
SCORER = ROOT.parent / "shared" / "spec" / "score.py"  # shared/ lies beside the checkout
PEER_PYTHON = Path(os.environ.get("DOCEXTRACT_PEER_PYTHON", "/tmp/peerenv/bin/python"))
CONDITIONS = {"text": None, "300-clean": (300, "clean"), "200-noisy": (200, "noisy"), "150-heavy": (150, "heavy")}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def make_document(condition: str, seed: int) -> tuple[bytes, list, dict]:
    from samples.generate.layout import Style, expected_result, layout
    from samples.generate.pdf import PdfStyle, render_pdf
    from samples.generate.scan import ScanStyle, scan_pages, to_pdf

    forms = json.loads(FORMS.read_text())["forms"]
    tables = [layout(f, Style.plain()) for f in forms]
    pdf_style = PdfStyle.random(seed) if seed else PdfStyle()
    if CONDITIONS[condition] and CONDITIONS[condition][1] == "heavy":
        pdf_style = PdfStyle(**{**{k: getattr(pdf_style, k) for k in pdf_style.__dataclass_fields__},
                                "line_gray": 0.45, "line_gaps": 0.15, "line_width": 0.5})
    rendered = render_pdf(tables, pdf_style, seed=seed)
    expected = expected_result(forms, Style.plain())
    if CONDITIONS[condition] is None:
        return rendered.pdf, rendered.placed, expected
    dpi, preset = CONDITIONS[condition]
    pages = scan_pages(rendered.pdf, ScanStyle.preset(preset, dpi, seed), seed)
    return to_pdf(pages, dpi), rendered.placed, expected


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss would carry the parent's size over fork+exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _extract_worker(data: bytes, engine: str, queue: mp.Queue) -> None:
    from extractor.ocr import get_engine
    from extractor.options import ExtractOptions
    from extractor.pipeline import extract_bytes
    from extractor.routes.pdf import read_pdf

    get_engine(engine)  # model loading is not per page
    start, cpu = time.perf_counter(), time.process_time()
    result = extract_bytes(data, "bench.pdf", ExtractOptions(ocr_engine=engine))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu

    # The grid alone, for fidelity (a second pass on the text-layer route only costs a second).
    grid = read_pdf(data, ExtractOptions()).grid if result.source.route == "pdf-text" else None
    cells = [(c.page, c.bbox, c.text) for c in grid.cells] if grid else None
    queue.put({"result": result.model_dump(mode="json"), "seconds": seconds, "cpu": cpu,
               "pages": result.source.pages,
               "route": result.source.route, "rss_mb": _peak_rss_mb(),
               "cells": cells})


def extract_in_child(data: bytes, engine: str = "rapidocr") -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_extract_worker, args=(data, engine, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def score(expected: dict, actual: dict) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        e, a = Path(tmp, "e.json"), Path(tmp, "a.json")
        e.write_text(json.dumps(expected, ensure_ascii=False))
        a.write_text(json.dumps(actual, ensure_ascii=False))
        out = subprocess.run([sys.executable, str(SCORER), "--json", str(e), str(a)], capture_output=True,
                             text=True, check=True).stdout.strip().splitlines()[-1]
    summary = json.loads(out)
    return float(summary.get("field_accuracy", summary.get("accuracy", 0.0)))


def fidelity(placed: list, cells: list[tuple[int, tuple, str]]) -> float:
    """Share of non-empty rendered cells whose text the grid holds in the cell at the same place."""
    truth = [p for p in placed if p.kind == "cell" and p.text]
    hits = 0
    for p in truth:
        cx, cy = (p.bbox[0] + p.bbox[2]) / 2, (p.bbox[1] + p.bbox[3]) / 2
        for page, bbox, text in cells:
            if page == p.page and bbox and bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]:
                hits += _norm(text) == _norm(p.text)
                break
    return hits / len(truth) if truth else 1.0


def grid_cells_of_pages(pdf: bytes, pages: list[int], engine: str = "rapidocr") -> list[tuple[int, tuple, str]]:
    import io

    import pdfplumber
    import pypdfium2 as pdfium

    from extractor.ocr import get_engine
    from extractor.routes.pdf import render_page, scan_dpi
    from extractor.vision.assemble import pages_to_grid
    from extractor.vision.scan import read_page_image

    doc = pdfium.PdfDocument(pdf)
    plumber = pdfplumber.open(io.BytesIO(pdf))
    contents = []
    for i in pages:
        dpi = scan_dpi(plumber.pages[i].images, 200)
        gray = render_page(doc, i, dpi, 10**9)
        contents.append(read_page_image(gray, dpi, get_engine(engine), i + 1, 72 / dpi).content)
    return [(c.page, c.bbox, c.text) for c in pages_to_grid(contents).cells]


def _cpu() -> float:
    """CPU seconds of this process, all threads: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def text_recall(placed: list, pages: list[int], found: list[list[str]]) -> float:
    """Share of non-empty rendered cell texts of `pages` (0-based) found verbatim among `found[i]`."""
    hits = total = 0
    for i, page in enumerate(pages):
        have = {_norm(t) for t in found[i]}
        for p in placed:
            if p.page == page + 1 and p.kind == "cell" and p.text:
                total += 1
                hits += _norm(p.text) in have
    return hits / total if total else 1.0


def timing(pdf: bytes, pages: list[int], tmp: Path, placed: list, engine_name: str = "rapidocr") -> dict:
    """Our page pipeline vs plain whole-page RapidOCR (and the peer) on the same page images."""
    import io

    import cv2
    import pdfplumber
    import pypdfium2 as pdfium
    from rapidocr import RapidOCR

    from extractor.ocr import get_engine
    from extractor.ocr.rapid import without_spinning
    from extractor.routes.pdf import render_page, scan_dpi
    from extractor.vision.assemble import pages_to_grid
    from extractor.vision.scan import read_page_image

    doc = pdfium.PdfDocument(pdf)
    plumber = pdfplumber.open(io.BytesIO(pdf))
    engine = get_engine(engine_name)
    plain = RapidOCR(params={"Global.log_level": "warning"})
    plain_nocls = RapidOCR(params={"Global.log_level": "warning", "Global.use_cls": False})
    # The same plain OCR with the sessions our adapter runs (threads that sleep when idle), so that
    # the ratio against it counts only the work saved, not the spinning avoided.
    plain_quiet = RapidOCR(params={"Global.log_level": "warning"})
    for load in (plain_quiet._load_det_model, plain_quiet._load_cls_model, plain_quiet._load_rec_model):
        load()
    without_spinning(plain_quiet, int(os.environ.get("DOCEXTRACT_OCR_THREADS", "-1")))
    ours = base = base_nocls = 0.0
    cpu = {"ours": 0.0, "plain": 0.0, "plain_quiet": 0.0}
    paths = []
    our_texts: list[list[str]] = []
    for i in pages:
        dpi = scan_dpi(plumber.pages[i].images, 200)
        gray = render_page(doc, i, dpi, 10**9)
        bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        path = tmp / f"page-{i:03d}.png"
        cv2.imwrite(str(path), gray)
        paths.append(str(path))
        t, c = time.perf_counter(), _cpu()
        scan = read_page_image(gray, dpi, engine, i + 1, 72 / dpi)
        ours += time.perf_counter() - t
        cpu["ours"] += _cpu() - c
        our_texts.append([c.text for c in pages_to_grid([scan.content]).cells])
        t, c = time.perf_counter(), _cpu()
        plain(bgr)
        base += time.perf_counter() - t
        cpu["plain"] += _cpu() - c
        t = time.perf_counter()
        plain_nocls(bgr)
        base_nocls += time.perf_counter() - t
        c = _cpu()
        plain_quiet(bgr)
        cpu["plain_quiet"] += _cpu() - c
    n = len(pages)
    out = {"ours_s_per_page": ours / n, "plain_s_per_page": base / n, "plain_nocls_s_per_page": base_nocls / n,
           "ratio_vs_plain": ours / base, "cpu_ratio_vs_plain": cpu["ours"] / cpu["plain"],
           "cpu_ratio_vs_plain_quiet": cpu["ours"] / cpu["plain_quiet"],
           "cpu_s_per_page_ours": cpu["ours"] / n, "cpu_s_per_page_plain": cpu["plain"] / n,
           "ours_cell_text_recall": text_recall(placed, pages, our_texts)}
    if engine_name != "rapidocr":
        pass  # the img2table peer runs with RapidOCR: its figures are in the rapidocr row
    elif PEER_PYTHON.exists():
        proc = subprocess.run([str(PEER_PYTHON), str(ROOT / "bench" / "peer_img2table.py"), *paths],
                              capture_output=True, text=True)
        if proc.returncode == 0 and proc.stdout.strip():
            peer = json.loads(proc.stdout.strip().splitlines()[-1])
            out["img2table_s_per_page"] = peer["seconds_per_page"]
            out["img2table_cell_text_recall"] = text_recall(placed, pages, peer["texts"])
        else:
            out["img2table_error"] = proc.stderr.strip().splitlines()[-1:] or ["failed"]
    else:
        out["img2table_error"] = ["not installed (see bench/peer_img2table.py)"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--engine", default="rapidocr", choices=["rapidocr", "paddleocr"],
                    help="OCR engine; paddleocr rows are printed beside RapidOCR's on the same documents")
    ap.add_argument("--seed", type=int, default=0, help="PDF style seed (0: the default look)")
    ap.add_argument("--timing-pages", type=int, default=3, help="pages timed side by side per scan condition")
    ap.add_argument("--out", type=Path, default=None, help="write results and the documents here")
    args = ap.parse_args()
    engines = ["rapidocr"] + ([args.engine] if args.engine != "rapidocr" else [])
    rows = []
    for condition in args.conditions.split(","):
        data, placed, expected = make_document(condition, args.seed)
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{condition}.pdf").write_bytes(data)
        # The text-layer route reads no OCR: one engine is enough there.
        for engine in engines if CONDITIONS[condition] is not None else engines[:1]:
            row = bench_one(condition, engine, data, placed, expected, args)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"\nmachine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'condition':<10} {'engine':<9} {'route':<9} {'acc':>7} {'grid':>6} {'s/page':>7} {'cpu/pg':>7} "
          f"{'plain':>6} {'ratio':>6} {'cpu-r':>6} {'cpu-rq':>6} {'img2t':>6} {'recall':>6} {'i2t-rc':>6} {'RSS MB':>7}")
    for r in rows:
        grid = r.get("grid_fidelity", r.get("grid_fidelity_sample_pages", float("nan")))
        print(f"{r['condition']:<10} {r['engine']:<9} {r['route']:<9} {r['field_accuracy']:>7.4f} {grid:>6.3f} "
              f"{r['s_per_page']:>7.2f} {r['cpu_s_per_page']:>7.2f} {r.get('plain_s_per_page', float('nan')):>6.2f} "
              f"{r.get('ratio_vs_plain', float('nan')):>6.2f} {r.get('cpu_ratio_vs_plain', float('nan')):>6.2f} "
              f"{r.get('cpu_ratio_vs_plain_quiet', float('nan')):>6.2f} {r.get('img2table_s_per_page', float('nan')):>6.2f} "
              f"{r.get('ours_cell_text_recall', float('nan')):>6.3f} "
              f"{r.get('img2table_cell_text_recall', float('nan')):>6.3f} {r['peak_rss_mb']:>7.0f}")
    if args.out:
        (args.out / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def bench_one(condition: str, engine: str, data: bytes, placed: list, expected: dict,
              args: argparse.Namespace) -> dict:
    run = extract_in_child(data, engine)
    if args.out:
        suffix = "" if engine == "rapidocr" else f"-{engine}"
        (args.out / f"{condition}{suffix}.json").write_text(json.dumps(run["result"], ensure_ascii=False, indent=1))
    row = {"condition": condition, "engine": engine, "route": run["route"], "pages": run["pages"],
           "field_accuracy": score(expected, run["result"]),
           "s_per_page": run["seconds"] / run["pages"], "cpu_s_per_page": run["cpu"] / run["pages"],
           "peak_rss_mb": run["rss_mb"]}
    sample = list(range(min(args.timing_pages, run["pages"])))
    if run["cells"] is not None:
        row["grid_fidelity"] = fidelity(placed, run["cells"])
    elif sample:
        row["grid_fidelity_sample_pages"] = fidelity([p for p in placed if p.page - 1 in sample],
                                                     grid_cells_of_pages(data, sample, engine))
    if CONDITIONS[condition] is not None and sample:
        with tempfile.TemporaryDirectory() as tmp:
            row.update(timing(data, sample, Path(tmp), placed, engine))
    return row


if __name__ == "__main__":
    main()
