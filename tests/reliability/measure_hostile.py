"""Run one hostile input through extract_bytes in a child process under an address-space cap and report
its outcome, seconds and peak RSS: `python3 tests/reliability/measure_hostile.py CASE [--cap-mb N]`.

Cases are the issue 14 files of make_corpus.py. The child is capped (RLIMIT_AS), so a regression fails
with MemoryError instead of taking the machine down. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "span-grid-bomb.html": "html_span_grid_bomb()",
    "huge-tj.pdf": "pdf_huge_tj()",
    "many-segments.pdf": "pdf_many_segments()",
    "huge-image.pdf": "pdf_huge_image()",
    "one-line.txt": "one_line_dump()",
    "many-pages.pdf": "pdf_many_pages()",
}

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {here!r})
from extractor.errors import ExtractionError
from extractor.pipeline import extract_bytes
data = open(sys.argv[1], 'rb').read()
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
start = time.monotonic()
try:
    result = extract_bytes(data, sys.argv[2])
    outcome = 'forms' if result.forms else ','.join(i.code for i in result.issues if i.severity == 'error')
except ExtractionError as err:
    outcome = err.code
except MemoryError:
    outcome = 'MemoryError'
# VmHWM: this process's own peak (ru_maxrss may carry the forking parent's RSS over the exec)
hwm = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM'))
print(json.dumps({{'outcome': outcome, 'seconds': round(time.monotonic() - start, 2),
                  'peak_rss_mb': round(hwm / 1024)}}))
"""


def build(case: str) -> bytes:
    sys.path.insert(0, str(HERE))
    import make_corpus

    return eval(CASES[case], vars(make_corpus))  # noqa: S307 - our own table above


def measure(case: str, cap_mb: int = 3000, timeout: float = 600) -> dict:
    data = build(case)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / case
        path.write_bytes(data)
        code = CHILD.format(here=str(HERE), cap=cap_mb * 1024 * 1024)
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", code, str(path), case], capture_output=True, text=True,
                              timeout=timeout)
        wall = time.monotonic() - start
    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    out = {"case": case, "bytes": len(data), **json.loads(line), "wall_seconds": round(wall, 2),
           "rc": proc.returncode}
    if proc.returncode and not proc.stdout.strip():
        out["stderr"] = proc.stderr[-500:]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--cap-mb", type=int, default=3000)
    args = parser.parse_args()
    print(json.dumps(measure(args.case, args.cap_mb)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
