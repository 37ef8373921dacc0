"""Passes of the text route over one corpus, for counting instructions (the steady measure on a loaded
machine): run under callgrind with N passes and with none, and subtract (imports and set-up cancel).

    PY=$(python3 -c 'import sys; print(sys.executable)')      # the real interpreter, not a pyenv shim
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.20 $PY bench/text_passes.py --passes 20
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.0  $PY bench/text_passes.py --passes 0
    # (Collected 20 - Collected 0) / 20 = instructions per extraction of the sample

    # synthetic tsv: the same documents for every version compared (written once, then read)
    valgrind --tool=callgrind $PY bench/text_passes.py --corpus tsv --docs-file /tmp/tsv60.pkl --passes 2

A second pass sees caches warm, as the best round of bench_text.py does; the first sees them cold. The
first pass also imports the text route's modules (the --passes 0 run never does) and loads the converter's
table, so (20 - 0) / 20 carries a twentieth of that one-time cost; the steady cost per pass, which forms/s
follow, is (21 - 1) / 20:

    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.21 $PY bench/text_passes.py --passes 21
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.1  $PY bench/text_passes.py --passes 1
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from extractor.pipeline import extract_bytes  # noqa: E402


def corpus(kind: str, docs: int, docs_file: Path | None) -> list[tuple[str, bytes]]:
    if kind == "sample":
        from bench_text import SAMPLE
        return [(SAMPLE.name, SAMPLE.read_bytes())]
    if docs_file is not None and docs_file.exists():
        return [(name, data) for name, data, *_ in pickle.loads(docs_file.read_bytes())]
    from bench_text import synthetic_corpus
    made = synthetic_corpus(docs, ("tsv",) if kind == "tsv" else ("tsv", "pipe", "lines", "html"))
    if docs_file is not None:
        docs_file.write_bytes(pickle.dumps(made))
    return [(name, data) for name, data, _ in made]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passes", type=int, default=20)
    parser.add_argument("--corpus", choices=("sample", "tsv", "mixed"), default="sample")
    parser.add_argument("--docs", type=int, default=60, help="synthetic documents (3 forms each)")
    parser.add_argument("--docs-file", type=Path, help="pickled synthetic documents: read if present, else written")
    args = parser.parse_args(argv)
    docs = corpus(args.corpus, args.docs, args.docs_file)
    for _ in range(args.passes):
        for name, data in docs:
            extract_bytes(data, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
