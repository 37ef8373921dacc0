"""The pipeline as an explicit list of typed stages, one direction only:

    bytes --sniff--> Reader --> readings (Grid, one or several) --> for each reading:
          grid_to_rows --> rows_to_form_runs --> run_to_form --> validate_form
    --choose_reading (the form's arithmetic)--> Result
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from extractor.choose import choose_reading
from extractor.confidence import assess_confidence, degraded_doubts, weak_share
from extractor.errors import LINE_TOO_LONG, EmptyInput, ExtractionError, LimitExceeded, UnsupportedInput
from extractor.grid import grid_to_rows
from extractor.limits import memory_budget, page_time_limit
from extractor.options import ExtractOptions
from extractor.reconcile import run_to_form
from extractor.routes import Reading, RouteOutput
from extractor.segment import rows_to_form_runs
from extractor.sniff import Kind, sniff, text_behind_pdf_marker
from extractor.timing import stage
from extractor.validate import incompleteness, validate_form
from models import Form, Issue, Result, Source

Reader = Callable[[bytes, ExtractOptions], RouteOutput]
_log = logging.getLogger(__name__)


def _reader_for(kind: Kind) -> Reader:
    # Imported on demand: the text route must work without OpenCV or OCR installed.
    if kind == "text":
        from extractor.routes.text import read_text
        return read_text
    if kind == "html":
        from extractor.routes.html import read_html
        return read_html
    try:
        if kind == "pdf":
            from extractor.routes.pdf import read_pdf
            return read_pdf
        if kind == "office":
            from extractor.routes.office import read_office
            return read_office
        from extractor.routes.image import read_image
        return read_image
    except ImportError as err:
        raise UnsupportedInput(
            f"{kind} input needs the PDF/scan extras: pip install 'docextract[pdf]' ({err.name} missing)"
        ) from err


def extract_bytes(data: bytes, filename: str | None = None, options: ExtractOptions | None = None) -> Result:
    """Extract every form in one document. Raises ExtractionError when the input is unreadable."""
    options = options or ExtractOptions()
    if len(data) > options.max_bytes:
        raise LimitExceeded(f"the file is {len(data):,} bytes, above the limit of {options.max_bytes:,}",
                            code="file_too_large")
    with stage("sniff"):
        kind, media_type = sniff(data, filename)
    if kind == "text":
        _check_line_length(data, options.max_line_chars)
    # PDFs and images limit each page inside their route; a text or HTML dump is one "page" here.
    whole = options.max_seconds_per_page if kind in ("text", "html", "office") else None
    with memory_budget(options.memory_limit), page_time_limit(whole, f"reading the {kind}"):
        with stage(f"read_{kind}"):
            try:
                output = _reader_for(kind)(data, options)
            except ExtractionError as err:
                # `%PDF-` on a text dump's first line (a converter's banner) must not lose the document.
                if err.code != "corrupt_pdf" or not text_behind_pdf_marker(
                        data, min_form_words=options.min_form_words,
                        max_repaired_fraction=options.max_repaired_fraction):
                    raise
                kind, media_type = "text", "text/plain"
                _check_line_length(data, options.max_line_chars)
                with page_time_limit(options.max_seconds_per_page, "reading the text"):
                    output = _reader_for(kind)(data, options)
        return _result(output, Source(filename=filename, sha256=hashlib.sha256(data).hexdigest(),
                                      media_type=media_type, route=output.route, pages=output.pages))


def extract_pages(files: Sequence[tuple[str | None, bytes]], options: ExtractOptions | None = None) -> Result:
    """Extract the forms of page images (PNG, JPEG, TIFF...; one or more pages each) that are the pages
    of one document, in the order given: a scanner that writes one file per page, or an upload of several
    photos. A form continued over pages is read as one, as in a multi-page TIFF. Every file must be an
    image; the source names the first file and hashes them all in order."""
    options = options or ExtractOptions()
    if not files:
        raise EmptyInput("no page images were given")
    total = sum(len(data) for _, data in files)
    if total > options.max_bytes:
        raise LimitExceeded(f"the page images are {total:,} bytes together, above the limit of "
                            f"{options.max_bytes:,}", code="file_too_large")
    media_types = []
    for name, data in files:
        with stage("sniff"):
            kind, media_type = sniff(data, name)
        if kind != "image":
            raise UnsupportedInput(f"{name or 'a file'} is {media_type}, not a page image: only page images "
                                   "are joined as the pages of one document")
        media_types.append(media_type)
    digest = hashlib.sha256()
    for _, data in files:
        digest.update(hashlib.sha256(data).digest())
    try:
        from extractor.routes.image import read_images
    except ImportError as err:
        raise UnsupportedInput(f"page images need the PDF/scan extras: pip install 'docextract[pdf]' "
                               f"({err.name} missing)") from err
    with memory_budget(options.memory_limit):
        with stage("read_image"):
            output = read_images([data for _, data in files], options)
        return _result(output, Source(filename=files[0][0], sha256=digest.hexdigest(), media_type=media_types[0],
                                      route=output.route, pages=output.pages))


def _result(output: RouteOutput, source: Source) -> Result:
    """The forms of a route's output: its readings, chosen between by the form's arithmetic."""
    readings = output.readings or [Reading(output.route, output.grid)]
    failed: list[str] = []
    with stage("choose_reading"):
        chosen = choose_reading((r.name, _forms_of(r, failed)) for r in readings)  # lazily: most stop at one
    if output.finish is not None:
        output.finish(chosen.forms)
    forms = chosen.forms
    for form in forms:
        if (gap := incompleteness(form)) is not None:
            form.issues.extend(_mark([gap], "validate"))
    issues = _mark(list(output.issues), "read")
    if failed:
        issues.append(Issue(code="reading_failed", severity="warning", field=None, stage="read",
                            message=f"读法 {'、'.join(failed)} 出错，已略去，结果取自其他读法 / the "
                                    f"{', '.join(failed)} reading failed and was left out; the result is another reading's"))
    if not forms:
        issues.append(Issue(code="no_form_found", severity="error", field=None, stage="reconcile",
                            message="文件中没有找到绩效自评表 / no performance self-evaluation form (绩效自评表) was found in the document"))
    source.reading = chosen.name if output.readings else None
    return Result(source=source, forms=forms, issues=issues)


def _forms_of(reading: Reading, failed: list[str] | None = None) -> Callable[[], list[Form]]:
    """The stages after reading, for one candidate grid, each timed on its own:

        grid_to_rows -> rows_to_form_runs (the split) -> run_to_form (reading) -> validate_form (judging)

    A candidate reading that breaks (a reader's bug on a text it was not built for) is one candidate
    less, named in `failed` and logged, never the document's failure: the others may read it whole.
    The input's own limits (time, memory, size) still end the document. Without `failed` (tests,
    benches) the error is raised."""
    def run() -> list[Form]:
        if failed is None:
            return read()
        try:
            return read()
        except ExtractionError:
            raise
        except Exception:
            _log.exception("reading %s failed", reading.name)
            failed.append(reading.name)
            return []

    def read() -> list[Form]:
        with stage("read_candidates"):
            grid = reading.grid
        with stage("rows"):
            rows = grid_to_rows(grid)
        with stage("split_forms"):
            runs = rows_to_form_runs(rows)
        with stage("reconcile"):
            forms = []
            for run in runs:
                form = run_to_form(run)
                if not _holds_anything(form):
                    continue
                _mark(form.issues, "reconcile")
                if grid.issues and run:  # what the reader could not place, on the form it concerns
                    first, last = run[0].index, run[-1].index
                    form.issues.extend(i.model_copy() for at, found in grid.issues.items()
                                       if first <= at <= last for i in found)
                forms.append(form)
        with stage("validate"):
            share = weak_share(grid.cells)
            for form in forms:
                form.issues.extend(_mark(validate_form(form), "validate"))
                form.issues.extend(_mark(assess_confidence(form), "validate"))
                form.issues.extend(_mark(degraded_doubts(form, share), "validate"))
        return forms
    return run


def _holds_anything(form: Form) -> bool:
    """A run that read no value at all, or one key's alone, is not a form: a list of the forms that
    follow (序号 | 项目名称 | 备注 over eight titles), a heading with a key word and nothing under it."""
    funds = form.funds
    fund_rows = [funds.total, funds.appropriation, funds.carryover, funds.other, *funds.more]
    meta = sum(bool(v) for v in (form.project_name, form.department, form.implementing_unit))
    return bool(meta >= 2 or form.indicators
                or form.goals.expected or form.goals.actual or form.total.weight is not None
                or form.total.score is not None
                or any(v is not None for row in fund_rows for v in row.model_dump().values() if not isinstance(v, str)))


def _mark(issues: list[Issue], stage_name: Literal["read", "reconcile", "validate"]) -> list[Issue]:
    for issue in issues:
        if issue.stage is None:
            issue.stage = stage_name
    return issues


def _check_line_length(data: bytes, limit: int) -> None:
    """A text dump whose one line runs past `limit` bytes is refused before it is decoded (a 50 MB
    one-line dump would otherwise cost gigabytes in the reader). Scans for newlines without copying."""
    if len(data) <= limit:
        return  # no line can be longer than the whole text
    start = 0
    while start < len(data):
        end = data.find(b"\n", start, start + limit + 1)
        if end < 0:
            end = min(len(data), start + limit + 1)
            if end - start > limit:
                raise LimitExceeded(f"a line of the text is longer than the limit of {limit:,} bytes",
                                    code=LINE_TOO_LONG)
        start = end + 1


def extract_path(path: str | Path, options: ExtractOptions | None = None) -> Result:
    path = Path(path)
    return extract_bytes(path.read_bytes(), path.name, options)
