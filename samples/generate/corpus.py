"""The committed variant corpus: samples/variants/<name>.<ext> and samples/variants/expected/<name>.json.

Real sample variants render the nine forms of samples/expected/self-eval-2023-songjiang.json in the sample's
own look (Style.plain()) in every text shape and encoding; synthetic documents render a few synth_form forms
with a random Style per document. manifest.json records how each file was made.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from samples.generate.layout import Style, expected_result, layout
from samples.generate.synth import synth_form
from samples.generate.text import EXTENSIONS, TextOptions, encode, render

REPO = Path(__file__).resolve().parents[2]
SAMPLE_EXPECTED = REPO / "samples" / "expected" / "self-eval-2023-songjiang.json"

_SAMPLE_LOOK = {"page_rows": (26, 40), "goals_p": True}

# name, shape, encoding, crlf, text options
REAL_VARIANTS: list[tuple[str, str, str, bool, dict]] = [
    ("real-tsv", "tsv", "utf-8", False, {**_SAMPLE_LOOK, "page_numbers": 0.2}),
    ("real-tsv-gbk", "tsv", "gbk", False, {**_SAMPLE_LOOK}),
    ("real-tsv-gb18030-crlf", "tsv", "gb18030", True, {**_SAMPLE_LOOK, "trim_trailing": True}),
    ("real-tsv-crlf-bom", "tsv", "utf-8-sig", True, {**_SAMPLE_LOOK}),
    ("real-tsv-utf16", "tsv", "utf-16", False, {**_SAMPLE_LOOK}),
    ("real-tsv-pagenoise", "tsv", "utf-8", False,
     {"page_rows": (18, 30), "page_numbers": 0.6, "split_names": 0.6, "repeat_after_break": True,
      "wrap_spaces": 0.05, "preamble": 0, "footer": 0}),
    ("real-tsv-after-break", "tsv", "utf-8", False, {**_SAMPLE_LOOK, "text_after_break": True,
                                                      "title_as_row": False}),
    ("real-lines", "lines", "utf-8", False, {}),
    ("real-pipe", "pipe", "utf-8", False, {"page_rows": (26, 40)}),
    ("real-html", "html", "utf-8", False, {"html_flavour": "word", "html_nbsp": True}),
    ("real-html-ppstructure", "html", "utf-8", False, {"html_flavour": "ppstructure", "html_p": True,
                                                       "html_br": True, "html_nbsp": False}),
    ("real-html-gbk", "html", "gbk", True, {"html_flavour": "bare", "preamble": 1, "footer": 2}),
    ("real-flat", "flat", "utf-8", False, {}),
    ("real-nospace", "nospace", "utf-8", False, {}),
]

# name, shape, encoding, crlf, forms in the document
SYNTH_VARIANTS: list[tuple[str, str, str, bool, int]] = [
    ("synth-01-tsv", "tsv", "utf-8", False, 3),
    ("synth-02-tsv-gb18030-crlf", "tsv", "gb18030", True, 2),
    ("synth-03-html", "html", "utf-8", False, 3),
    ("synth-04-pipe", "pipe", "utf-8", False, 2),
    ("synth-05-lines", "lines", "utf-8-sig", False, 2),
    ("synth-06-flat", "flat", "utf-8", False, 2),
    ("synth-07-tsv-utf16", "tsv", "utf-16", True, 3),
    ("synth-08-html-ppstructure", "html", "utf-8", False, 2),
]


def _write(out: Path, name: str, shape: str, encoding: str, crlf: bool, text: str, expected: dict,
           manifest: dict, info: dict) -> list[Path]:
    path = out / f"{name}.{EXTENSIONS[shape]}"
    path.write_bytes(encode(text, encoding, crlf=crlf))
    exp = out / "expected" / f"{name}.json"
    exp.write_text(json.dumps(expected, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest[path.name] = {"shape": shape, "encoding": encoding, "crlf": crlf, "expected": f"expected/{name}.json",
                           **info}
    return [path, exp]


def build_variants(out: Path) -> list[Path]:
    out = Path(out)
    (out / "expected").mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.txt"), *out.glob("*.md"), *out.glob("*.html"), *(out / "expected").glob("*.json")]:
        old.unlink()
    manifest: dict[str, dict] = {}
    written: list[Path] = []

    forms = json.loads(SAMPLE_EXPECTED.read_text(encoding="utf-8"))["forms"]
    plain = Style.plain()
    tables = [layout(f, plain) for f in forms]
    expected = expected_result(forms, plain)
    for i, (name, shape, encoding, crlf, options) in enumerate(REAL_VARIANTS):
        opts = TextOptions(seed=100 + i, **options)
        text = render(shape, tables, opts, forms, encoding=encoding)
        written += _write(out, name, shape, encoding, crlf, text, expected, manifest,
                          {"source": "real", "style": "plain", "options": _opts_dict(opts)})

    for i, (name, shape, encoding, crlf, n) in enumerate(SYNTH_VARIANTS):
        seed = 1 + i
        style = Style.random(seed)
        doc_forms = [synth_form(seed * 100 + k) for k in range(n)]
        opts = TextOptions.noisy(seed)
        if shape == "html":
            opts.html_flavour = "ppstructure" if "ppstructure" in name else "word"
        text = render(shape, [layout(f, style) for f in doc_forms], opts, doc_forms, encoding=encoding)
        written += _write(out, name, shape, encoding, crlf, text, expected_result(doc_forms, style), manifest,
                          {"source": "synthetic", "form_seeds": [seed * 100 + k for k in range(n)],
                           "style": style.to_dict(), "options": _opts_dict(opts)})
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [*written, out / "manifest.json"]


def _opts_dict(opts: TextOptions) -> dict:
    d = asdict(opts)
    d.pop("context", None)
    if d.get("page_rows"):
        d["page_rows"] = list(d["page_rows"])
    return d
