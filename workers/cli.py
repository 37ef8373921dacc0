"""Service commands added to `docextract`: serve, worker, keys, ingest, export, requeue."""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import click

from workers.archive import ArchiveLimits, ArchiveRefused, Member, is_archive, iter_archive
from workers.export import (
    FAILED_COLUMNS,
    FORM_COLUMNS,
    FUND_COLUMNS,
    INDICATOR_COLUMNS,
    Workbook,
    failed_form_row,
    failed_row,
    form_row,
    fund_rows,
    indicator_rows,
)
from workers.settings import Settings, get_settings

# --- helpers shared by the commands ---------------------------------------------------------------


def _sessions(settings: Settings) -> Any:
    from workers.migrate import upgrade_to_head
    from workers.storage import make_engine, make_sessions

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    upgrade_to_head(engine)
    return make_sessions(engine)


def _worker_argv(queues: str, concurrency: int, loglevel: str, name: str) -> list[str]:
    return ["worker", "-Q", queues, "-c", str(concurrency), "--loglevel", loglevel, "-n", name,
            "--without-gossip", "--without-mingle"]


def _ensure_a_key(settings: Settings) -> None:
    """Out of the box: with no key configured anywhere, make one and write it to DATA_DIR/api-key."""
    from sqlalchemy import func, select

    from workers.storage import ApiKey, add_key, transaction

    if settings.env_api_keys():
        return
    sessions = _sessions(settings)
    with transaction(sessions) as session:
        if session.scalar(select(func.count()).select_from(ApiKey)):
            return
        key = secrets.token_urlsafe(32)
        add_key(session, "default", key)
    key_file = settings.data_dir / "api-key"
    key_file.touch(mode=0o600)
    key_file.write_text(key + "\n")
    click.echo(f"docextract: no API key was configured; created key 'default', written to {key_file}", err=True)


# --- serve / worker -------------------------------------------------------------------------------


def _stop_with_parent() -> None:
    """In the local worker's process: get SIGTERM (a warm shutdown) when `serve` exits, however it exits.
    uvicorn re-raises the signal that stopped it, so a `finally` in serve alone does not run."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:  # not Linux: the finally below still stops it on a normal exit
        pass


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--worker/--no-worker", "with_worker", default=None,
              help="also run a local worker (default: only in embedded mode, without REDIS_URL)")
@click.option("--concurrency", type=int, default=None, help="local worker processes (DOCEXTRACT_CONCURRENCY)")
def serve(host: str, port: int, with_worker: bool | None, concurrency: int | None) -> None:
    """Run the HTTP API (and, in embedded mode, a local worker)."""
    import uvicorn

    from api.app import create_app

    settings = get_settings()
    _sessions(settings)  # migrations before anything is served
    _ensure_a_key(settings)
    worker: subprocess.Popen[bytes] | None = None
    if with_worker if with_worker is not None else settings.embedded:
        argv = _worker_argv("light,heavy", concurrency or settings.concurrency, "info", "local@%h")
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "workers.app", *argv], env=os.environ.copy(),
                                  preexec_fn=_stop_with_parent)
        click.echo(f"docextract: local worker started (pid {worker.pid})", err=True)
    try:
        log_config = None
        if settings.log_format == "json":
            from workers.logs import uvicorn_log_config

            log_config = uvicorn_log_config()
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info",
                    **({"log_config": log_config} if log_config else {}))
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                worker.kill()


@click.command()
@click.option("-Q", "--queues", default="light,heavy", show_default=True, help="light (text/HTML), heavy (PDF/OCR)")
@click.option("-c", "--concurrency", type=int, default=None, help="processes (DOCEXTRACT_CONCURRENCY)")
@click.option("--loglevel", default="info", show_default=True)
@click.option("-n", "--hostname", default=None, help="worker node name (default docextract-QUEUES@HOST)")
def worker(queues: str, concurrency: int | None, loglevel: str, hostname: str | None) -> None:
    """Run a Celery worker on the given queues (migrating the database first)."""
    settings = get_settings()
    _sessions(settings)
    from workers.app import app

    name = hostname or f"docextract-{queues.replace(',', '-')}@%h"
    app.worker_main(_worker_argv(queues, concurrency or settings.concurrency, loglevel, name))


@click.command()
def requeue() -> None:
    """Publish again every document that is stalled (queued or running for too long)."""
    from workers.app import app
    from workers.sweeper import sweep_once

    settings = get_settings()
    click.echo(f"{sweep_once(_sessions(settings), settings, app)} stalled documents published again")


# --- keys -----------------------------------------------------------------------------------------


@click.group()
def keys() -> None:
    """Manage API keys (stored as sha256 hashes)."""


@keys.command("add")
@click.argument("name")
def keys_add(name: str) -> None:
    """Create a key NAME and print it once."""
    from sqlalchemy.exc import IntegrityError

    from workers.storage import add_key, transaction

    key = secrets.token_urlsafe(32)
    try:
        with transaction(_sessions(get_settings())) as session:
            add_key(session, name, key)
    except IntegrityError as err:
        raise click.ClickException(f"a key named {name!r} exists already") from err
    click.echo(key)


@keys.command("list")
def keys_list() -> None:
    """List key names (never the keys)."""
    from sqlalchemy import select

    from workers.storage import ApiKey

    with _sessions(get_settings())() as session:
        for row in session.scalars(select(ApiKey).order_by(ApiKey.name)):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            click.echo(f"{row.name}\t{state}\tcreated {row.created_at:%Y-%m-%d %H:%M}")


@keys.command("revoke")
@click.argument("name")
def keys_revoke(name: str) -> None:
    """Revoke the key NAME; its documents stay stored."""
    from sqlalchemy import select

    from workers.storage import ApiKey, transaction, utcnow

    with transaction(_sessions(get_settings())) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.name == name))
        if row is None:
            raise click.ClickException(f"no key named {name!r}")
        row.revoked_at = utcnow()
    click.echo(f"revoked {name}")


# --- ingest ---------------------------------------------------------------------------------------


def iter_inputs(source: Path, limits: ArchiveLimits | None = None) -> Iterator[Member]:
    """Every file in a folder tree or a ZIP (hidden files and Office lock files skipped), read lazily; an
    .xlsx/.docx/.ods/.odt is a ZIP but a document, uploaded whole. A ZIP is read within
    `limits` (workers.archive): a member over a limit is yielded with its error; a bomb raises ArchiveRefused."""
    limits = limits or ArchiveLimits()
    if source.is_file() and is_archive(source):
        with open(source, "rb") as stream:
            yield from iter_archive(stream, limits)
        return
    if source.is_file():
        yield _file_member(source.name, source, limits)
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not path.is_symlink() and not any(part.startswith(".") for part in relative.parts) \
                and not path.name.startswith("~$"):  # Office lock files beside open workbooks
            yield _file_member(relative.as_posix(), path, limits)


def _file_member(name: str, path: Path, limits: ArchiveLimits) -> Member:
    """A file of the folder, its size checked from the directory entry before a byte is read (a 3 GB file
    cost 6.3 GB of memory when it was read whole first, issue 14)."""
    size = path.stat().st_size
    if size > limits.max_member_bytes:
        return Member(name, None, ("file_too_large", f"{size:,} bytes, above the limit of "
                                   f"{limits.max_member_bytes:,} (--max-member-bytes); not read, not uploaded"))
    return Member(name, path.read_bytes, path=path)


def _load_state(path: Path) -> dict[str, dict[str, Any]]:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _save_state(path: Path, state: dict[str, dict[str, Any]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)  # a crash mid-write never leaves a half state file


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--server", default="http://127.0.0.1:8000", show_default=True, envvar="DOCEXTRACT_SERVER")
@click.option("--api-key", required=True, envvar="DOCEXTRACT_API_KEY")
@click.option("--state", "state_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="progress file for resuming (default: .docextract-ingest.json beside SOURCE)")
@click.option("--wait/--no-wait", default=True, show_default=True, help="wait until every document is finished")
@click.option("--timeout", default=3600.0, show_default=True, help="seconds to wait for processing")
@click.option("--max-member-bytes", type=click.IntRange(min=1), default=None,
              help="largest file in a folder, or in a ZIP once unpacked (100 MiB)")
@click.option("--max-archive-bytes", type=click.IntRange(min=1), default=None,
              help="all files of a ZIP together, unpacked (4 GiB)")
@click.option("--max-archive-members", type=click.IntRange(min=1), default=None, help="files in a ZIP (10000)")
@click.option("--max-archive-depth", type=click.IntRange(min=1), default=None,
              help="ZIP levels opened (2: a ZIP in the ZIP is read)")
def ingest(source: Path, server: str, api_key: str, state_file: Path | None, wait: bool, timeout: float,
           max_member_bytes: int | None, max_archive_bytes: int | None, max_archive_members: int | None,
           max_archive_depth: int | None) -> None:
    """Upload every file in SOURCE (a folder or a ZIP) and wait for the results.

    Resumable: files recorded in the state file are not uploaded again. Exits 1 if any failed. A ZIP
    member over a limit (or with an unsafe path) is recorded as failed and not uploaded; an archive
    over the total limits (a zip bomb) is refused before anything is uploaded."""
    import httpx

    try:
        _ingest(source, server, api_key, state_file, wait, timeout, ArchiveLimits(**{
            name: value for name, value in {"max_member_bytes": max_member_bytes, "max_total_bytes": max_archive_bytes,
                                            "max_members": max_archive_members, "max_depth": max_archive_depth}.items()
            if value is not None}))
    except httpx.TransportError as err:
        # One line, not a traceback: the clerk needs to know the server is not answering, nothing more.
        reason = ("连接超时" if isinstance(err, httpx.TimeoutException) else
                  "连接被拒绝或找不到该地址" if isinstance(err, httpx.ConnectError) else "网络错误")
        click.echo(f"docextract: 无法连接服务器 {server}（{reason}）。请确认服务已启动（docextract serve）且地址正确；"
                   "已上传的文件记录在进度文件中，重新运行会继续。", err=True)
        sys.exit(2)


def _ingest(source: Path, server: str, api_key: str, state_file: Path | None, wait: bool, timeout: float,
            limits: ArchiveLimits) -> None:
    import httpx

    state_path = state_file or source.parent / f".docextract-ingest-{source.name}.json"
    state = _load_state(state_path)
    headers = {"X-API-Key": api_key}
    if source.is_file() and is_archive(source):
        try:  # a dry pass checks the whole archive's limits before the first upload, one member in memory
            for _ in iter_inputs(source, limits):
                pass
        except ArchiveRefused as err:
            raise click.ClickException(f"{source}: {err}") from err
    saved_at = time.monotonic()
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=120) as client:
        with Progress("上传", "个文件") as bar:
            for member in iter_inputs(source, limits):
                name = member.name
                bar.update(1)
                if name in state:
                    continue
                if member.read is None:
                    code, message = member.error or ("unreadable", "")
                    state[name] = {"id": None, "status": "failed", "error": f"{code}: {message}"}
                    if member.note:
                        state[name]["note"] = member.note
                    continue
                if member.path is not None:  # streamed from the file in chunks, never read whole
                    with open(member.path, "rb") as stream:
                        response = client.post("/v1/documents", files=[("files", (Path(name).name, stream))])
                else:
                    response = client.post("/v1/documents", files=[("files", (Path(name).name, member.read()))])
                if response.status_code == 401:
                    raise click.ClickException("the server refused the API key")
                if response.status_code != 202:
                    state[name] = {"id": None, "status": "failed", "error": f"HTTP {response.status_code}: "
                                   f"{response.text[:200]}"}
                    continue
                document = response.json()["documents"][0]
                state[name] = {"id": document["id"], "status": document["status"]}
                if member.note:  # a ZIP member renamed because its name collided with another's (issue 14)
                    state[name]["note"] = member.note
                if document["status"] == "failed":  # the server had this file already, failed: keep why
                    state[name]["error"] = _failure_reason(client, document["id"])
                if time.monotonic() - saved_at > 1:
                    # At most once a second: rewriting the state per file is quadratic in a large batch, and a
                    # file uploaded again after a crash costs only bandwidth (the server returns the same id).
                    _save_state(state_path, state)
                    saved_at = time.monotonic()
        _save_state(state_path, state)
        if wait:
            _wait_for(client, state, state_path, timeout)
    counts: dict[str, int] = {}
    for entry in state.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    click.echo("汇总 summary: " + ", ".join(f"{n} {STATUS_ZH.get(status, status)} {status}"
                                          for status, n in sorted(counts.items())))
    for name, entry in sorted(state.items()):
        if entry.get("note"):
            click.echo(f"  改名 renamed: {name}: {entry['note']}", err=True)
        if entry["status"] == "failed":
            click.echo(f"  失败 failed: {name}: {entry.get('error') or '原因未知（服务器未给出）'}", err=True)
    if counts.get("failed") or (wait and set(counts) - {"done", "failed"}):
        sys.exit(1)


STATUS_ZH = {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "失败"}


def _failure_reason(client: Any, document_id: str) -> str:
    """`code: explanation（detail）` of a failed document, read from the server."""
    from extractor.form.codes import describe_failure

    response = client.get(f"/v1/documents/{document_id}")
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    body = response.json()
    return f"{body.get('error_code')}: {describe_failure(body.get('error_code'), body.get('error_message'))}"


class Progress:
    """tqdm's bar on a terminal; piped, a plain line at most every 5 s (and at the end), so a log or a
    CI job shows that a long batch is moving."""

    def __init__(self, desc: str, unit: str, total: int | None = None, initial: int = 0,
                 stream: IO[str] | None = None) -> None:
        self.desc, self.unit, self.total, self.done = desc, unit, total, initial
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.note = ""
        self.shown_at = time.monotonic()
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc=desc, unit=unit, total=total, initial=initial, file=self.stream)

    def __enter__(self) -> Progress:
        return self

    def update(self, n: int, note: str | None = None) -> None:
        """`note`: what is going on besides the count (the page a running document is on), shown beside it."""
        self.done += n
        if note is not None:
            self.note = note
            if self.bar is not None:
                self.bar.set_postfix_str(note)
        if self.bar is not None:
            self.bar.update(n)
        elif time.monotonic() - self.shown_at >= PROGRESS_EVERY:  # also while nothing finishes: still alive
            self._line()

    def _line(self) -> None:
        of = f" / {self.total}" if self.total is not None else ""
        note = f"；{self.note}" if self.note else ""
        self.stream.write(f"{self.desc}：{self.done}{of} {self.unit}{note}\n")
        self.stream.flush()
        self.shown_at = time.monotonic()

    def __exit__(self, kind: object, *_: object) -> None:
        if self.bar is not None:
            self.bar.close()
        elif kind is None:  # a failure says its own line; no progress line before it
            self._line()


PROGRESS_EVERY = float(os.environ.get("DOCEXTRACT_PROGRESS_EVERY", "5"))


def _wait_for(client: Any, state: dict[str, dict[str, Any]], state_path: Path, timeout: float) -> None:
    from extractor.form.codes import describe_failure

    deadline = time.monotonic() + timeout
    pending = {entry["id"]: name for name, entry in state.items() if entry["status"] not in ("done", "failed")}
    pause = 0.5
    with Progress("处理", "个文档", total=len(state), initial=len(state) - len(pending)) as bar:
        while pending and time.monotonic() < deadline:
            finished = 0
            running = []
            for document in _statuses(client, list(pending)):
                name = pending.get(document["id"])
                if name is not None and document["status"] == "running" and document.get("pages_total"):
                    running.append(f"{name} {page_progress(document)}")
                if name is None or document["status"] not in ("done", "failed"):
                    continue
                state[name]["status"] = document["status"]
                if document["status"] == "failed":
                    state[name]["error"] = (f"{document['error_code']}: "
                                            f"{describe_failure(document['error_code'], document['error_message'])}")
                del pending[document["id"]]
                finished += 1
            more = f" 等 {len(running)} 个" if len(running) > 1 else ""
            bar.update(finished, note=f"正在处理 {running[0]}{more}" if running else "")
            _save_state(state_path, state)
            if pending:
                pause = 0.5 if finished else min(5.0, pause * 1.5)  # back off while nothing moves
                time.sleep(pause)


def page_progress(document: dict[str, Any]) -> str:
    """`第 3 / 21 页，约剩 1 分 20 秒` for a running document (the page being read, and the server's ETA)."""
    total = int(document["pages_total"])
    page = min(int(document.get("pages_done") or 0) + 1, total)
    eta = document.get("eta_seconds")
    left = "" if eta is None else "，即将完成" if eta == 0 else f"，约剩 {duration_zh(int(eta))}"
    return f"第 {page} / {total} 页{left}"


def duration_zh(seconds: int) -> str:
    """45 秒, 1 分 20 秒, 2 小时 5 分."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分"
    return f"{minutes} 分 {secs} 秒" if minutes else f"{secs} 秒"


def _statuses(client: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Current status of the documents `ids`: one request each for a few, else the key's paged listing
    (1000 per request) instead of thousands of single requests."""
    if len(ids) <= 20:
        found = [client.get(f"/v1/documents/{document_id}") for document_id in ids]
        return [response.json() for response in found if response.status_code == 200]
    documents: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = client.get("/v1/documents", params={"limit": 1000, **({"cursor": cursor} if cursor else {})})
        if page.status_code != 200:
            return documents
        body = page.json()
        documents += body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return documents


# --- export ---------------------------------------------------------------------------------------

CSV_COLUMNS = FORM_COLUMNS
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it; without, the Chinese is garbled
TABLES = {"forms": FORM_COLUMNS, "indicators": INDICATOR_COLUMNS, "funds": FUND_COLUMNS, "failed": FAILED_COLUMNS}
ROWS: dict[str, Callable[[str, str | None, int, dict[str, Any]], list[list[Any]]]] = {
    "forms": lambda *form: [form_row(*form)], "indicators": indicator_rows, "funds": fund_rows}


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "xlsx"]), default="jsonl", show_default=True,
              help="xlsx: one workbook with a sheet per table (needs -o FILE)")
@click.option("--table", type=click.Choice(list(TABLES)), default="forms", show_default=True,
              help="for csv: forms (one line per form and per failed document), indicators (one per indicator "
                   "row), funds (one per fund row) or failed (the failed documents with their reasons)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default="-",
              show_default=True)
@click.option("--key", "key_name", default=None, help="only documents of this API key name")
def export(fmt: str, table: str, output: Path, key_name: str | None) -> None:
    """Write stored results: jsonl (one document per line), csv (UTF-8 with BOM, for Excel) or xlsx.

    Failed documents are part of the export: a jsonl line with status "failed", error_code and
    error_message and no result; a forms CSV row with the same columns and no form; for the indicators and
    funds tables, a companion FILE.failed.csv beside -o FILE (on standard output: a note on stderr to run
    `--table failed`); in the workbook, the sheet 失败 failed. Refuses to run when the store
    (DOCEXTRACT_DATA_DIR) does not exist, rather than creating an empty one."""
    from sqlalchemy import select

    from extractor.form.codes import clean_message
    from workers.corrections import Correction, corrected_result, corrections_for
    from workers.storage import ApiKey, Document, StoredResult

    settings = get_settings()
    if settings.database_url is None and not (settings.data_dir / "docextract.db").exists():
        click.echo(f"docextract: 找不到数据目录 {settings.data_dir}（其中没有 docextract.db）。请在服务的目录中运行，"
                   "或设置 DOCEXTRACT_DATA_DIR 指向服务的数据目录。", err=True)
        sys.exit(1)
    to_stdout = str(output) == "-"
    if fmt == "xlsx" and to_stdout:
        click.echo("docextract: Excel 导出需要指定文件：-o 结果.xlsx / xlsx needs -o FILE", err=True)
        sys.exit(2)
    sessions = _sessions(settings)
    with sessions() as session, ExitStack() as files:
        corrected = set(session.scalars(select(Correction.document_id).distinct()))
        query = (select(Document, StoredResult.result)
                 .outerjoin(StoredResult, StoredResult.document_id == Document.id)
                 .where((Document.status == "failed") | StoredResult.document_id.is_not(None))
                 .order_by(Document.created_at, Document.id))
        if key_name:
            query = query.join(ApiKey, ApiKey.id == Document.owner_key_id).where(ApiKey.name == key_name)
        workbook = Workbook(output) if fmt == "xlsx" else None
        stream: IO[str] | None = None
        if workbook is None:
            stream = sys.stdout if to_stdout else files.enter_context(open(output, "w", encoding="utf-8", newline=""))
        writer = failed_writer = None
        companion = None if to_stdout else output.with_name(output.stem + ".failed.csv")
        if fmt == "csv":
            assert stream is not None
            stream.write(BOM)
            writer = csv.writer(stream)
            writer.writerow(TABLES[table])
        failed_count = 0
        for doc, result in session.execute(query).yield_per(200):
            failed = result is None or doc.status == "failed"
            message = clean_message(doc.error_message) or None
            if result is not None and doc.id in corrected:  # downstream gets what the reviewer corrected
                result = corrected_result(result, corrections_for(session, doc.id))
            if workbook is not None:
                if failed:
                    workbook.add_failed(doc.id, doc.filename, doc.error_code, message)
                else:
                    workbook.add_result(doc.id, doc.filename, result)
                continue
            if writer is None:
                assert stream is not None
                line: dict[str, Any] = {"document_id": doc.id, "filename": doc.filename,
                                        "status": "failed" if failed else "done", "result": None if failed else result}
                if failed:
                    line.update(error_code=doc.error_code, error_message=message)
                stream.write(json.dumps(line, ensure_ascii=False) + "\n")
                continue
            if failed:
                failed_count += 1
                if table == "forms":
                    writer.writerow(csv_row(failed_form_row(doc.id, doc.filename, doc.error_code, message)))
                elif table == "failed":
                    writer.writerow(csv_row(failed_row(doc.id, doc.filename, doc.error_code, message)))
                elif companion is not None:
                    if failed_writer is None:
                        failed_file = files.enter_context(open(companion, "w", encoding="utf-8", newline=""))
                        failed_file.write(BOM)
                        failed_writer = csv.writer(failed_file)
                        failed_writer.writerow(FAILED_COLUMNS)
                    failed_writer.writerow(csv_row(failed_row(doc.id, doc.filename, doc.error_code, message)))
                continue
            if table == "failed":
                continue
            for n, form in enumerate(result.get("forms", [])):
                writer.writerows(csv_row(row) for row in ROWS[table](doc.id, doc.filename, n, form))
        if workbook is not None:
            workbook.save()
    if failed_count and table in ("indicators", "funds"):
        where = (f"列在 {companion}" if companion is not None
                 else "未列在此表中；用 --table failed 导出其列表")
        click.echo(f"docextract: {failed_count} 个文档处理失败，{where}。", err=True)


def csv_row(values: list[Any]) -> list[Any]:
    from workers.csvsafe import csv_cell

    return [csv_cell(v) for v in values]


def form_csv_row(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[Any]:
    return csv_row(form_row(document_id, filename, index, form))


def indicator_csv_rows(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[list[Any]]:
    return [csv_row(row) for row in indicator_rows(document_id, filename, index, form)]


commands: list[click.Command] = [serve, worker, requeue, keys, ingest, export]
