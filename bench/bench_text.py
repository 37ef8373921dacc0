"""Text-route throughput in forms per second, on one core, through extractor.pipeline.extract_bytes.

    taskset -c 0 python3 bench/bench_text.py            # or without taskset: the process pins itself to one core
    python3 bench/bench_text.py --docs 60 --rounds 5

Corpora: the real sample (nine forms, tab-separated dump) and synthetic documents (samples.generate: three
forms each, random styles, tsv/pipe/lines/html shapes). Prints one row per corpus and the command that ran.
The target is >= 1000 forms/s for the text route.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.pipeline import extract_bytes  # noqa: E402
from samples.generate.layout import Style, layout  # noqa: E402
from samples.generate.synth import synth_form  # noqa: E402
from samples.generate.text import TextOptions, encode, render  # noqa: E402

SAMPLE = REPO / "samples" / "sources" / "self-eval-2023-songjiang.txt"


def synthetic_corpus(n_docs: int, shapes: tuple[str, ...]) -> list[tuple[str, bytes, int]]:
    docs = []
    for d in range(n_docs):
        shape = shapes[d % len(shapes)]
        forms = [synth_form(50_000 + d * 10 + k) for k in range(3)]
        style = Style.random(50_000 + d)
        text = render(shape, [layout(f, style) for f in forms], TextOptions.noisy(d), forms)
        name = f"synth-{d}.{'html' if shape == 'html' else 'txt'}"
        docs.append((name, encode(text), len(forms)))
    return docs


def run(docs: list[tuple[str, bytes, int]], rounds: int) -> tuple[int, int, float]:
    """(forms expected per round, forms extracted per round, best seconds per round)."""
    expected = sum(n for _, _, n in docs)
    extracted = 0
    best = float("inf")
    for _ in range(rounds):
        extracted = 0
        start = time.perf_counter()
        for name, data, _ in docs:
            extracted += len(extract_bytes(data, name).forms)
        best = min(best, time.perf_counter() - start)
    return expected, extracted, best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=60, help="synthetic documents (3 forms each)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds; the best one counts")
    parser.add_argument("--sample-copies", type=int, default=20, help="copies of the sample per round")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    sample = SAMPLE.read_bytes()
    corpora = {
        "sample (tsv)": [(SAMPLE.name, sample, 9)] * args.sample_copies,
        "synthetic tsv": synthetic_corpus(args.docs, ("tsv",)),
        "synthetic mixed": synthetic_corpus(args.docs, ("tsv", "pipe", "lines", "html")),
    }
    for docs in corpora.values():  # warm-up: imports, regex compilation
        run(docs[:2], 1)
    print(f"python {platform.python_version()} on {platform.machine()}, one core "
          f"(affinity {sorted(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'})")
    print(f"{'corpus':18s} {'docs':>5s} {'forms':>6s} {'found':>6s} {'seconds':>8s} {'forms/s':>9s}")
    rows = []
    for label, docs in corpora.items():
        expected, found, secs = run(docs, args.rounds)
        rate = found / secs if secs else float("inf")
        rows.append(rate)
        print(f"{label:18s} {len(docs):5d} {expected:6d} {found:6d} {secs:8.3f} {rate:9.0f}")
    print("command: " + " ".join(["python3", "bench/bench_text.py", *(argv if argv is not None else sys.argv[1:])]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
