"""The generator's forms through the real converters that make the dumps people have, run for real.

A `FormDoc` is one document of synthetic forms (samples.generate.synth) in random printed styles, with its
expected result and, made on demand and cached, its renderings: the HTML page (samples.generate.text,
Word/Excel-exported look with real rowspan/colspan), the text-layer PDF (samples.generate.pdf), an .xlsx
(openpyxl, merged cells) and a .docx (python-docx, merged table cells). Each converter shape turns one
rendering into text with a real tool:

  HTML    chromium-innertext (playwright + /usr/bin/chromium), html2text, markdownify, w3m, lynx,
          bs4-newline / bs4-space (BeautifulSoup get_text("\\n") / get_text(" ")), pandoc-plain, pandoc-markdown
  PDF     pdftotext (default reading order), pdftotext-raw (-raw: content-stream order), pdftotext-layout,
          pdfminer, pdfplumber, pypdfium2
  Office  lo-xlsx-csv, lo-xlsx-txt (tab-separated), lo-docx-txt (LibreOffice headless, private profile)

`CONVERTERS[name].missing()` says why a tool cannot run here (None when it can); `convert(name, doc)` raises
`ConverterUnavailable` with that message. Every tool runs with its ordinary defaults (line widths, separators)
except where a charset must be named so that Chinese survives.

    python -m samples.generate.converters --list
    python -m samples.generate.converters --corpus samples/converted      # the committed corpus
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import io
import json
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from samples.generate.layout import Style, Table, expected_result, layout
from samples.generate.synth import synth_form
from samples.generate.text import TextOptions, _around, _ctx, render_html

TIMEOUT = 120  # seconds for one external tool run
CORPUS_BASE = 500_000  # form seeds of the committed corpus (the bench uses others)
BENCH_BASE = 800_000


class ConverterUnavailable(RuntimeError):
    """The converter's tool is not installed here."""


# ----------------------------------------------------------------------------------------------------------
# Documents


@dataclass
class FormDoc:
    """Synthetic forms in random styles, and their renderings (made lazily, cached)."""

    seed: int
    forms: list[dict]
    styles: list[Style]
    opts: TextOptions
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def tables(self) -> list[Table]:
        if "tables" not in self._cache:
            self._cache["tables"] = [layout(f, s) for f, s in zip(self.forms, self.styles, strict=True)]
        return self._cache["tables"]

    @property
    def expected(self) -> dict:
        return expected_result(self.forms, self.styles)

    @property
    def html(self) -> str:
        if "html" not in self._cache:
            self._cache["html"] = render_html(self.tables, self.opts, self.forms)
        return self._cache["html"]

    @property
    def pdf(self) -> bytes:
        if "pdf" not in self._cache:
            from samples.generate.pdf import PdfStyle, render_pdf

            self._cache["pdf"] = render_pdf(self.tables, PdfStyle.random(self.seed + 1), seed=self.seed).pdf
        return self._cache["pdf"]

    @property
    def xlsx(self) -> bytes:
        if "xlsx" not in self._cache:
            self._cache["xlsx"] = write_xlsx(self)
        return self._cache["xlsx"]

    @property
    def docx(self) -> bytes:
        if "docx" not in self._cache:
            self._cache["docx"] = write_docx(self)
        return self._cache["docx"]

    def around(self) -> tuple[list[str], list[str]]:
        """Preamble and footer lines (the same as the HTML page has)."""
        return _around(self.opts, _ctx(self.tables, self.opts, self.forms))


def make_doc(seed: int, *, base: int = BENCH_BASE, n_forms: int | None = None) -> FormDoc:
    """One document: 1-3 synthetic forms (seeded), random styles, random HTML noise (no page breaks)."""
    rng = random.Random(f"convert-{base}-{seed}")
    n = n_forms or rng.randint(1, 3)
    first = base + seed * 10
    forms = [synth_form(first + k) for k in range(n)]
    styles = [Style.random(first + k) for k in range(n)]
    opts = TextOptions.noisy(first, page_rows=None)
    return FormDoc(seed=first, forms=forms, styles=styles, opts=opts)


# ----------------------------------------------------------------------------------------------------------
# Office files


def write_xlsx(doc: FormDoc) -> bytes:
    """All forms on one sheet, one after another (a blank row between); titles merged across the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    pre, post = doc.around()
    r = 1
    for line in pre:
        ws.cell(r, 1, line)
        r += 1
    for i, table in enumerate(doc.tables):
        if i:
            r += 1
        for t in table.title_lines:
            ws.cell(r, 1, t).alignment = Alignment(horizontal="center")
            if table.n_cols > 1:
                ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=table.n_cols)
            r += 1
        top = r
        for cell in table.cells():
            target = ws.cell(top + cell.row, 1 + cell.col, cell.text or None)
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.rowspan > 1 or cell.colspan > 1:
                ws.merge_cells(start_row=top + cell.row, start_column=1 + cell.col,
                               end_row=top + cell.row + cell.rowspan - 1,
                               end_column=cell.col + cell.colspan)
        r = top + table.n_rows
    for line in post:
        ws.cell(r, 1, line.replace("\t", "　"))
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_docx(doc: FormDoc) -> bytes:
    """Each form a Word table with merged cells, its title lines as paragraphs above, a page break between."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK

    d = Document()
    pre, post = doc.around()
    for line in pre:
        d.add_paragraph(line)
    for i, table in enumerate(doc.tables):
        if i:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for t in table.title_lines:
            d.add_paragraph(t).alignment = WD_ALIGN_PARAGRAPH.CENTER
        grid = d.add_table(rows=table.n_rows, cols=table.n_cols)
        grid.style = "Table Grid"
        for cell in table.cells():
            target = grid.cell(cell.row, cell.col)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
            target.text = cell.text
    for line in post:
        d.add_paragraph(line.replace("\t", "　"))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------------------
# Tools


def _run(args: list[str], data: bytes | None = None, **kw) -> str:
    out = subprocess.run(args, input=data, capture_output=True, timeout=TIMEOUT, check=True, **kw)
    return out.stdout.decode("utf-8", errors="replace")


def _with_file(data: bytes | str, suffix: str, fn: Callable[[Path], str]) -> str:
    with tempfile.TemporaryDirectory(prefix="docextract-conv-") as tmp:
        path = Path(tmp, "form" + suffix)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return fn(path)


class _Chromium:
    """One headless Debian chromium (playwright, executable_path: no browser download), reused."""

    def __init__(self) -> None:
        self._pw = self._browser = None

    def inner_text(self, html: str) -> str:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=shutil.which("chromium"),
                                                     args=["--no-sandbox", "--disable-gpu"])
            atexit.register(self.close)
        page = self._browser.new_page()
        try:
            page.set_content(html, wait_until="load", timeout=TIMEOUT * 1000)
            return page.evaluate("document.body.innerText")
        finally:
            page.close()

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._pw.stop()
            self._browser = self._pw = None


_CHROMIUM = _Chromium()


def chromium_innertext(doc: FormDoc) -> str:
    return _CHROMIUM.inner_text(doc.html)


def html2text_(doc: FormDoc) -> str:
    import html2text

    return html2text.html2text(doc.html)


def markdownify_(doc: FormDoc) -> str:
    from markdownify import markdownify

    return markdownify(doc.html)


def w3m(doc: FormDoc) -> str:
    return _with_file(doc.html, ".html", lambda p: _run(["w3m", "-dump", "-I", "UTF-8", "-O", "UTF-8",
                                                         "-T", "text/html", str(p)]))


def lynx(doc: FormDoc) -> str:
    return _with_file(doc.html, ".html", lambda p: _run(["lynx", "-dump", "-nolist", "-assume_charset=utf-8",
                                                         "-display_charset=utf-8", str(p)]))


def bs4_newline(doc: FormDoc) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(doc.html, "html.parser").get_text("\n")


def bs4_space(doc: FormDoc) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(doc.html, "html.parser").get_text(" ")


def pandoc(to: str) -> Callable[[FormDoc], str]:
    def convert(doc: FormDoc) -> str:
        return _run(["pandoc", "-f", "html", "-t", to], doc.html.encode("utf-8"))

    return convert


def pdftotext(*flags: str) -> Callable[[FormDoc], str]:
    def convert(doc: FormDoc) -> str:
        return _with_file(doc.pdf, ".pdf", lambda p: _run(["pdftotext", *flags, "-enc", "UTF-8", str(p), "-"]))

    return convert


def pdfminer_(doc: FormDoc) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(doc.pdf))


def pdfplumber_(doc: FormDoc) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(doc.pdf)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pypdfium2_(doc: FormDoc) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(doc.pdf)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(texts)
    finally:
        pdf.close()


@functools.cache
def _lo_profile() -> str:
    path = Path(tempfile.gettempdir(), f"docextract-lo-profile-{os.getpid()}")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path.as_uri()


def libreoffice(kind: str, target: str, out_ext: str) -> Callable[[FormDoc], str]:
    """`soffice --headless --convert-to TARGET` of the document's .xlsx/.docx, in a private profile."""

    def convert(doc: FormDoc) -> str:
        data = doc.xlsx if kind == "xlsx" else doc.docx
        with tempfile.TemporaryDirectory(prefix="docextract-lo-") as tmp:
            src = Path(tmp, f"form.{kind}")
            src.write_bytes(data)
            subprocess.run([_soffice(), f"-env:UserInstallation={_lo_profile()}", "--headless", "--norestore",
                            "--convert-to", target, "--outdir", tmp, str(src)],
                           capture_output=True, timeout=TIMEOUT, check=True)
            out = Path(tmp, f"form.{out_ext}")
            if not out.exists():
                raise RuntimeError(f"LibreOffice wrote no {out.name} for {src.name}")
            return out.read_bytes().decode("utf-8-sig", errors="replace")

    return convert


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# ----------------------------------------------------------------------------------------------------------
# Registry


def _module(name: str, install: str) -> Callable[[], str | None]:
    return lambda: None if importlib.util.find_spec(name) else f"python module {name} missing: pip install {install}"


def _program(name: str, install: str) -> Callable[[], str | None]:
    return lambda: None if shutil.which(name) else f"{name} missing: apt-get install -y {install}"


def _chromium_missing() -> str | None:
    return (_module("playwright", "playwright")() or
            (None if shutil.which("chromium") else "chromium missing: apt-get install -y chromium"))


def _soffice_missing() -> str | None:
    if not _soffice():
        return "soffice missing: apt-get install -y libreoffice-calc-nogui libreoffice-writer-nogui"
    return None


@dataclass(frozen=True)
class Converter:
    name: str
    source: str  # html | pdf | xlsx | docx
    fn: Callable[[FormDoc], str]
    requires: tuple[Callable[[], str | None], ...]
    ext: str = "txt"  # what the dump would be saved as
    about: str = ""

    def missing(self) -> str | None:
        for check in self.requires:
            reason = check()
            if reason:
                return f"{self.name}: {reason}"
        return None

    def __call__(self, doc: FormDoc) -> str:
        reason = self.missing()
        if reason:
            raise ConverterUnavailable(reason)
        return self.fn(doc)


def _fonts_missing() -> str | None:
    from samples.generate.pdf import FONTS

    lost = [path for path, _ in FONTS.values() if not Path(path).exists()]
    if lost:
        return (f"CJK fonts missing ({', '.join(lost)}): apt-get install -y fonts-wqy-zenhei fonts-wqy-microhei "
                "fonts-arphic-uming fonts-arphic-ukai")
    return None


_PDF = (_module("reportlab", "reportlab"), _fonts_missing)
_XLSX = (_module("openpyxl", "openpyxl"), _soffice_missing)
_DOCX = (_module("docx", "python-docx"), _soffice_missing)

CONVERTERS: dict[str, Converter] = {c.name: c for c in [
    Converter("chromium-innertext", "html", chromium_innertext, (_chromium_missing,),
              about="document.body.innerText in headless Debian chromium (playwright)"),
    Converter("html2text", "html", html2text_, (_module("html2text", "html2text"),), "md",
              about="html2text.html2text(page), defaults"),
    Converter("markdownify", "html", markdownify_, (_module("markdownify", "markdownify"),), "md",
              about="markdownify.markdownify(page), defaults"),
    Converter("w3m", "html", w3m, (_program("w3m", "w3m"),), about="w3m -dump (80 columns)"),
    Converter("lynx", "html", lynx, (_program("lynx", "lynx"),), about="lynx -dump -nolist"),
    Converter("bs4-newline", "html", bs4_newline, (_module("bs4", "beautifulsoup4"),),
              about='BeautifulSoup(page, "html.parser").get_text("\\n")'),
    Converter("bs4-space", "html", bs4_space, (_module("bs4", "beautifulsoup4"),),
              about='BeautifulSoup(page, "html.parser").get_text(" ")'),
    Converter("pandoc-plain", "html", pandoc("plain"), (_program("pandoc", "pandoc"),),
              about="pandoc -f html -t plain"),
    Converter("pandoc-markdown", "html", pandoc("markdown"), (_program("pandoc", "pandoc"),), "md",
              about="pandoc -f html -t markdown"),
    Converter("pdftotext", "pdf", pdftotext(), (*_PDF, _program("pdftotext", "poppler-utils")),
              about="pdftotext (default reading order)"),
    Converter("pdftotext-raw", "pdf", pdftotext("-raw"), (*_PDF, _program("pdftotext", "poppler-utils")),
              about="pdftotext -raw (content-stream order)"),
    Converter("pdftotext-layout", "pdf", pdftotext("-layout"), (*_PDF, _program("pdftotext", "poppler-utils")),
              about="pdftotext -layout"),
    Converter("pdfminer", "pdf", pdfminer_, (*_PDF, _module("pdfminer", "pdfminer.six")),
              about="pdfminer.high_level.extract_text"),
    Converter("pdfplumber", "pdf", pdfplumber_, (*_PDF, _module("pdfplumber", "pdfplumber")),
              about="pdfplumber page.extract_text(), pages joined by a newline"),
    Converter("pypdfium2", "pdf", pypdfium2_, (*_PDF, _module("pypdfium2", "pypdfium2")),
              about="pypdfium2 page.get_textpage().get_text_range(), pages joined by a newline"),
    Converter("lo-xlsx-csv", "xlsx", libreoffice("xlsx", "csv:Text - txt - csv (StarCalc):44,34,76", "csv"),
              _XLSX, "csv", about="soffice --headless --convert-to csv (comma, UTF-8) of an openpyxl .xlsx"),
    Converter("lo-xlsx-txt", "xlsx", libreoffice("xlsx", "txt:Text - txt - csv (StarCalc):9,34,76", "txt"),
              _XLSX, about="soffice --headless --convert-to txt (tab-separated, UTF-8) of an openpyxl .xlsx"),
    Converter("lo-docx-txt", "docx", libreoffice("docx", "txt:Text (encoded):UTF8", "txt"), _DOCX,
              about="soffice --headless --convert-to txt (Text (encoded), UTF-8) of a python-docx .docx"),
]}


def available() -> list[str]:
    return [name for name, c in CONVERTERS.items() if c.missing() is None]


def convert(name: str, doc: FormDoc) -> str:
    return CONVERTERS[name](doc)


# ----------------------------------------------------------------------------------------------------------
# The committed corpus


def write_corpus(out: Path, docs: int = 5, shapes: list[str] | None = None) -> list[str]:
    """out/<shape>/doc-NN.<ext> and out/expected/doc-NN.json for `docs` seeded documents."""
    shapes = shapes or list(CONVERTERS)
    skipped = []
    (out / "expected").mkdir(parents=True, exist_ok=True)
    made = [make_doc(i, base=CORPUS_BASE) for i in range(docs)]
    for i, doc in enumerate(made):
        (out / "expected" / f"doc-{i:02d}.json").write_text(
            json.dumps(doc.expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name in shapes:
        conv = CONVERTERS[name]
        if conv.missing():
            skipped.append(conv.missing())
            continue
        (out / name).mkdir(exist_ok=True)
        for i, doc in enumerate(made):
            (out / name / f"doc-{i:02d}.{conv.ext}").write_text(conv(doc), encoding="utf-8")
    return skipped


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true", help="list the converters and whether each can run here")
    ap.add_argument("--corpus", type=Path, help="write the fixed corpus to this folder")
    ap.add_argument("--docs", type=int, default=5)
    ap.add_argument("--shape", help="print one converter's output of document --seed")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.shape:
        print(convert(args.shape, make_doc(args.seed, base=CORPUS_BASE)), end="")
        return 0
    if args.corpus:
        for reason in write_corpus(args.corpus, args.docs):
            print("skipped", reason)
        return 0
    for name, conv in CONVERTERS.items():
        print(f"{name:20s} {conv.source:5s} {conv.missing() or 'ok'}  ({conv.about})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
