"""Command line of the sample generator.

    python -m samples.generate variants --out samples/variants   the committed variant corpus
    python -m samples.generate synth --seed 3 --count 2          synthetic forms as a result JSON
    python -m samples.generate render FORMS.json --shape html --style 5 > out.html
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from samples.generate.corpus import build_variants
from samples.generate.layout import Style, expected_result, layout
from samples.generate.synth import synth_forms
from samples.generate.text import RENDERERS, TextOptions, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.generate")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("variants", help="write the variant corpus and its expected results")
    v.add_argument("--out", default="samples/variants", type=Path)
    s = sub.add_parser("synth", help="print synthetic forms as a result JSON")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--count", type=int, default=1)
    r = sub.add_parser("render", help="render the forms of a result JSON as text")
    r.add_argument("forms", type=Path)
    r.add_argument("--shape", choices=sorted(RENDERERS), default="tsv")
    r.add_argument("--style", default="plain", help="plain, or a seed for Style.random")
    r.add_argument("--noise", type=int, default=None, help="seed for TextOptions.noisy (default: no noise)")
    args = parser.parse_args(argv)

    if args.command == "variants":
        written = build_variants(args.out)
        total = sum(p.stat().st_size for p in written)
        print(f"wrote {len(written)} files ({total / 1024:.0f} KiB) to {args.out}")
        return 0
    if args.command == "synth":
        forms = synth_forms(args.seed, args.count)
        print(json.dumps(expected_result(forms, Style(title=None)), ensure_ascii=False, indent=2))
        return 0
    forms = json.loads(args.forms.read_text(encoding="utf-8"))["forms"]
    style = Style.plain() if args.style == "plain" else Style.random(int(args.style))
    opts = TextOptions() if args.noise is None else TextOptions.noisy(args.noise)
    sys.stdout.write(render(args.shape, [layout(f, style) for f in forms], opts, forms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
