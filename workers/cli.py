"""Service commands added to `docextract`: serve, worker, keys, ingest, export, requeue."""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from workers.archive import ArchiveLimits, ArchiveRefused, Member, iter_archive
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
    """Every file in a folder tree or a ZIP (hidden files skipped), read lazily. A ZIP is read within
    `limits` (workers.archive): a member over a limit is yielded with its error; a bomb raises ArchiveRefused."""
    limits = limits or ArchiveLimits()
    if source.is_file() and zipfile.is_zipfile(source):
        with open(source, "rb") as stream:
            yield from iter_archive(stream, limits)
        return
    if source.is_file():
        yield Member(source.name, source.read_bytes)
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not path.is_symlink() and not any(part.startswith(".") for part in relative.parts):
            yield Member(relative.as_posix(), path.read_bytes)


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
              help="largest file in a ZIP once unpacked (100 MiB)")
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
    from tqdm import tqdm

    chosen = {"max_member_bytes": max_member_bytes, "max_total_bytes": max_archive_bytes,
              "max_members": max_archive_members, "max_depth": max_archive_depth}
    limits = ArchiveLimits(**{name: value for name, value in chosen.items() if value is not None})
    state_path = state_file or source.parent / f".docextract-ingest-{source.name}.json"
    state = _load_state(state_path)
    headers = {"X-API-Key": api_key}
    if source.is_file() and zipfile.is_zipfile(source):
        try:  # a dry pass checks the whole archive's limits before the first upload, one member in memory
            for _ in iter_inputs(source, limits):
                pass
        except ArchiveRefused as err:
            raise click.ClickException(f"{source}: {err}") from err
    saved_at = time.monotonic()
    with httpx.Client(base_url=server.rstrip("/"), headers=headers, timeout=120) as client:
        with tqdm(desc="upload", unit="file", disable=None) as bar:
            for member in iter_inputs(source, limits):
                name = member.name
                bar.update(1)
                if name in state:
                    continue
                if member.read is None:
                    code, message = member.error or ("unreadable", "")
                    state[name] = {"id": None, "status": "failed", "error": f"{code}: {message}"}
                    continue
                response = client.post("/v1/documents", files=[("files", (Path(name).name, member.read()))])
                if response.status_code == 401:
                    raise click.ClickException("the server refused the API key")
                if response.status_code != 202:
                    state[name] = {"id": None, "status": "failed", "error": f"HTTP {response.status_code}: "
                                   f"{response.text[:200]}"}
                    continue
                document = response.json()["documents"][0]
                state[name] = {"id": document["id"], "status": document["status"]}
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
    click.echo("summary: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for name, entry in sorted(state.items()):
        if entry["status"] == "failed":
            click.echo(f"  failed: {name}: {entry.get('error')}", err=True)
    if counts.get("failed") or (wait and set(counts) - {"done", "failed"}):
        sys.exit(1)


def _wait_for(client: Any, state: dict[str, dict[str, Any]], state_path: Path, timeout: float) -> None:
    from tqdm import tqdm

    deadline = time.monotonic() + timeout
    pending = {entry["id"]: name for name, entry in state.items() if entry["status"] not in ("done", "failed")}
    pause = 0.5
    with tqdm(total=len(state), initial=len(state) - len(pending), desc="process", unit="doc", disable=None) as bar:
        while pending and time.monotonic() < deadline:
            finished = 0
            for document in _statuses(client, list(pending)):
                name = pending.get(document["id"])
                if name is None or document["status"] not in ("done", "failed"):
                    continue
                state[name]["status"] = document["status"]
                if document["status"] == "failed":
                    state[name]["error"] = f"{document['error_code']}: {document['error_message']}"
                del pending[document["id"]]
                finished += 1
            bar.update(finished)
            _save_state(state_path, state)
            if pending:
                pause = 0.5 if finished else min(5.0, pause * 1.5)  # back off while nothing moves
                time.sleep(pause)


def _statuses(client: Any, ids: list[str]) -> list[dict[str, Any]]:
    """Current status of the documents `ids`: one request each for a few, else the key's paged listing
    (1000 per request) instead of thousands of single requests."""
    if len(ids) <= 20:
        found = [client.get(f"/v1/documents/{document_id}") for document_id in ids]
        return [response.json() for response in found if response.status_code == 200]
    documents: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = client.get("/v1/documents", params={"limit": 1000, "offset": offset})
        if page.status_code != 200:
            return documents
        body = page.json()
        documents += body["items"]
        offset += len(body["items"])
        if not body["items"] or offset >= body["total"]:
            return documents


# --- export ---------------------------------------------------------------------------------------

CSV_COLUMNS = ["document_id", "filename", "form_index", "year", "department", "project_name",
               "implementing_unit", "validation", "total_weight", "total_score", "issues"]


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-", show_default=True)
@click.option("--key", "key_name", default=None, help="only documents of this API key name")
def export(fmt: str, output: IO[str], key_name: str | None) -> None:
    """Write stored results: jsonl (one document per line) or csv (one form per line)."""
    from sqlalchemy import select

    from workers.corrections import Correction, corrected_result, corrections_for
    from workers.storage import ApiKey, Document, StoredResult

    sessions = _sessions(get_settings())
    with sessions() as session:
        corrected = set(session.scalars(select(Correction.document_id).distinct()))
        query = (select(Document, StoredResult.result).join(StoredResult, StoredResult.document_id == Document.id)
                 .order_by(Document.created_at, Document.id))
        if key_name:
            query = query.join(ApiKey, ApiKey.id == Document.owner_key_id).where(ApiKey.name == key_name)
        writer = csv.writer(output) if fmt == "csv" else None
        if writer:
            writer.writerow(CSV_COLUMNS)
        for doc, result in session.execute(query).yield_per(200):
            if doc.id in corrected:  # downstream gets what the reviewer corrected, as the API serves it
                result = corrected_result(result, corrections_for(session, doc.id))
            if writer is None:
                output.write(json.dumps({"document_id": doc.id, "filename": doc.filename, "result": result},
                                        ensure_ascii=False) + "\n")
                continue
            for n, form in enumerate(result.get("forms", [])):
                writer.writerow(form_csv_row(doc.id, doc.filename, n, form))


def form_csv_row(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[Any]:
    total = form.get("total") or {}
    from workers.csvsafe import csv_cell

    return [csv_cell(v) for v in (
        document_id, filename, index, form.get("year"), form.get("department"), form.get("project_name"),
        form.get("implementing_unit"), form.get("validation"), total.get("weight"), total.get("score"),
        ";".join(issue["code"] for issue in form.get("issues", [])))]


commands: list[click.Command] = [serve, worker, requeue, keys, ingest, export]
