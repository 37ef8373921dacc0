"""Command line of the sample generator.

    python -m samples.generate variants --out samples/variants   the committed variant corpus
    python -m samples.generate synth --seed 3 --count 2          synthetic forms as a result JSON
    python -m samples.generate render FORMS.json --shape html --style 5 > out.html
    python -m samples.generate pdf --out forms.pdf [--forms FORMS.json] [--seed 3] [--garble]
    python -m samples.generate scan forms.pdf --out scan.pdf [--dpi 200] [--preset noisy] [--seed 1]

Paths are relative to the current folder; the default forms are the sample's own
(samples/expected/self-eval-2023-songjiang.json in this checkout). `pdf` needs the CJK fonts of
Debian's fonts-wqy-zenhei, fonts-wqy-microhei, fonts-arphic-uming and fonts-arphic-ukai.
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

# The sample's own forms, found from this checkout (not from the folder it is run in).
SAMPLE_FORMS = Path(__file__).parents[1] / "expected" / "self-eval-2023-songjiang.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples.generate")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("variants", help="write the variant corpus and its expected results")
    v.add_argument("--out", default=SAMPLE_FORMS.parents[1] / "variants", type=Path,
                   help="default: samples/variants in this checkout")
    s = sub.add_parser("synth", help="print synthetic forms as a result JSON")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--count", type=int, default=1)
    r = sub.add_parser("render", help="render the forms of a result JSON as text")
    r.add_argument("forms", type=Path)
    r.add_argument("--shape", choices=sorted(RENDERERS), default="tsv")
    r.add_argument("--style", default="plain", help="plain, or a seed for Style.random")
    r.add_argument("--noise", type=int, default=None, help="seed for TextOptions.noisy (default: no noise)")
    d = sub.add_parser("pdf", help="print the forms of a result JSON as a PDF with a text layer (reportlab)")
    d.add_argument("--forms", type=Path, default=SAMPLE_FORMS,
                   help="a result JSON (default: the sample's forms in this checkout)")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--seed", type=int, default=0, help="0: the plain print; else a seed for PdfStyle.random")
    d.add_argument("--garble", action="store_true", help="no Unicode maps: looks right, extracts as junk")
    c = sub.add_parser("scan", help="scan a PDF: an image-only .pdf, a .tif, or a folder of PNG pages")
    c.add_argument("pdf", type=Path)
    c.add_argument("--out", type=Path, required=True, help=".pdf, .tif or a folder for PNG pages")
    c.add_argument("--dpi", type=int, default=200)
    c.add_argument("--preset", default="clean", choices=["clean", "noisy", "heavy"])
    c.add_argument("--seed", type=int, default=0)
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
    if args.command == "pdf":
        from samples.generate.pdf import FontsMissing, write_pdf

        try:
            pages = write_pdf(args.forms, args.out, seed=args.seed, garble=args.garble)
        except FontsMissing as err:
            print(f"python -m samples.generate pdf: {err}", file=sys.stderr)
            return 2
        except FileNotFoundError as err:
            print(f"python -m samples.generate pdf: 找不到文件 file not found: {err.filename}", file=sys.stderr)
            return 2
        print(f"{args.out}: {pages} pages")
        return 0
    if args.command == "scan":
        from samples.generate.scan import write_scan

        if not args.pdf.is_file():
            print(f"python -m samples.generate scan: 找不到文件 file not found: {args.pdf}", file=sys.stderr)
            return 2
        pages = write_scan(args.pdf, args.out, dpi=args.dpi, preset=args.preset, seed=args.seed)
        print(f"{args.out}: {pages} pages at {args.dpi} dpi ({args.preset})")
        return 0
    forms = json.loads(args.forms.read_text(encoding="utf-8"))["forms"]
    style = Style.plain() if args.style == "plain" else Style.random(int(args.style))
    opts = TextOptions() if args.noise is None else TextOptions.noisy(args.noise)
    sys.stdout.write(render(args.shape, [layout(f, style) for f in forms], opts, forms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
