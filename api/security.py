"""Guards around the API that do not depend on any one route.

- Request bodies are limited at the server: a declared Content-Length above the limit is refused with
  413 before a byte is read, and a chunked body is cut off with 413 once it passes the limit.
- Multipart uploads that Starlette spools to a temporary file (parts above 1 MiB) are spooled inside
  DATA_DIR/tmp, not the system temporary directory: an upload is never written outside the data directory.
- Storage and database outages answer with a status a client can act on, never a bare 500 and never a
  202 for something that was not stored: a full disk is 507, an unreachable database 503 + Retry-After.
- CORS stays closed (no Access-Control-* headers at all) unless DOCEXTRACT_CORS_ORIGINS lists origins.
- Plain hardening headers on every response.
"""

from __future__ import annotations

import errno
import json
import logging
import tempfile
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from workers.settings import Settings

log = logging.getLogger("docextract.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FULL_DISK = {errno.ENOSPC, errno.EDQUOT}
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY")]


class _BodyTooLarge(Exception):
    pass


def _json_message(status: int, detail: str) -> tuple[Message, Message]:
    body = json.dumps({"detail": detail}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close")]}
    return start, {"type": "http.response.body", "body": body}


class BodySizeLimit:
    """ASGI middleware: at most `max_bytes` of request body, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        detail = f"the request body may have at most {self.max_bytes:,} bytes"
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            for message in _json_message(413, detail):
                await send(message)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                # The parser turned our interruption into its own error response: answer 413 instead.
                if message["type"] == "http.response.start":
                    started = True
                    for replacement in _json_message(413, detail):
                        await send(replacement)
                return
            if exceeded:
                return
            if message["type"] == "http.response.start":
                started = True
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                for message in _json_message(413, detail):
                    await send(message)


class SpoolInDataDir:
    """ASGI middleware for the lifespan: while the app runs, temporary files (Starlette's spooled
    uploads) go to DATA_DIR/tmp; the previous temporary directory is restored at shutdown."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.previous: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watching_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                spool = self.settings.data_dir / "tmp"
                spool.mkdir(parents=True, exist_ok=True)
                self.previous, tempfile.tempdir = tempfile.tempdir, str(spool.resolve())
            elif message["type"] == "lifespan.shutdown":
                tempfile.tempdir = self.previous
            return message

        await self.app(scope, watching_receive, send)


def is_full_disk(err: BaseException | None) -> bool:
    while err is not None:
        if isinstance(err, OSError) and err.errno in FULL_DISK:
            return True
        err = err.__cause__ or err.__context__
    return False


def storage_full() -> JSONResponse:
    return JSONResponse({"detail": "the document store is full; nothing was accepted, retry later",
                         "error_code": "storage_full"}, status_code=507, headers={"Retry-After": "60"})


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Wire every guard of this module into `app` (call once, in create_app)."""

    async def on_os_error(_: Request, exc: Exception) -> Response:
        if is_full_disk(exc):
            log.error("upload refused: storage full: %s", exc)
            return storage_full()
        log.exception("I/O error", exc_info=exc)
        return JSONResponse({"detail": "internal I/O error", "error_code": "io_error"}, status_code=500)

    async def on_database_error(_: Request, exc: Exception) -> Response:
        if is_full_disk(exc) or "disk is full" in str(exc):  # SQLite's way of saying ENOSPC
            return storage_full()
        unreachable = isinstance(exc, OperationalError | PoolTimeout) or getattr(exc, "connection_invalidated", False)
        if not unreachable:  # a constraint or a bug, not an outage: retrying will not help
            log.exception("database error", exc_info=exc)
            return JSONResponse({"detail": "internal database error", "error_code": "database_error"},
                                status_code=500)
        log.error("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"detail": "the database is unavailable; nothing was accepted, retry later",
                             "error_code": "database_unavailable"}, status_code=503,
                            headers={"Retry-After": "30"})

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400 and is_full_disk(exc.__cause__):  # spooling the upload hit a full disk
            return storage_full()
        from fastapi.exception_handlers import http_exception_handler

        return await http_exception_handler(request, exc)

    app.add_exception_handler(OSError, on_os_error)
    app.add_exception_handler(OperationalError, on_database_error)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(PoolTimeout, on_database_error)  # every pooled connection busy: overloaded
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origin_list(), allow_methods=["GET", "POST"],
                           allow_headers=["X-API-Key", "Content-Type"], allow_credentials=False)
    app.add_middleware(SpoolInDataDir, settings=settings)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
