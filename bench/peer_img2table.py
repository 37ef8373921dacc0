"""Peer timing: img2table (OpenCV tables) + its RapidOCR wrapper on the same page PNGs.

img2table needs opencv-contrib-python, which clashes with the project's opencv-python-headless,
so it runs in its own virtualenv:  python -m venv /tmp/peerenv && /tmp/peerenv/bin/pip install
"img2table[rapidocr]==2.0.0"; bench_scan.py calls this file with that interpreter.
Prints one JSON line: seconds per page and cells found.
"""

from __future__ import annotations

import json
import sys
import time


def main(paths: list[str]) -> None:
    from img2table.document import Image
    from img2table.ocr import RapidOCR

    ocr = RapidOCR()
    seconds: list[float] = []
    cells = 0
    texts: list[list[str]] = []
    for path in paths:
        start = time.perf_counter()
        # detect_rotation deskews first: without it no table is found on a page skewed by 1-2 degrees.
        tables = Image(path, detect_rotation=True).extract_tables(ocr=ocr, implicit_rows=False,
                                                                  borderless_tables=False)
        seconds.append(time.perf_counter() - start)
        page_texts: list[str] = []
        for table in tables:
            for row in table.content.values():
                for cell in row:
                    cells += 1
                    page_texts.append(cell.value or "")
        texts.append(page_texts)
    print(json.dumps({"seconds_per_page": sum(seconds) / len(seconds), "pages": len(paths), "cells": cells,
                      "texts": texts}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
