"""Real parts for the service tests: a private redis-server, a fresh PostgreSQL database, celery workers
and `docextract serve` as subprocesses. (tests/reliability loads this file too, as service_fixtures.)"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from workers.settings import Settings, settings_to_env

REPO = Path(__file__).parents[2]
SAMPLE = REPO / "samples/sources/self-eval-2023-songjiang.txt"
EXPECTED = REPO / "samples/expected/self-eval-2023-songjiang.json"
SCORER = (REPO / "../shared/spec/score.py").resolve()
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextlib.contextmanager
def api_in_thread(settings: Settings) -> Iterator[str]:
    """The real API on a loopback port (uvicorn in a thread, no sweeper): its base URL."""
    import uvicorn

    from api.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, sweep=False), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 20, "uvicorn to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class RedisServer:
    """redis-server without persistence on a free port: a restart loses every queued message."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._pings, 10, "redis-server to answer")

    def _pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """A PostgreSQL database of its own on the machine's server, dropped afterwards: its URL."""
    name = f"docextract_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with scratch_database() as url:
        yield url


def process_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCEXTRACT_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(settings_to_env(settings))
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Worker:
    """`celery -A workers.app worker` in its own process group, logging to a file."""

    def __init__(self, settings: Settings, log: Path, concurrency: int = 1, queues: str = "light,heavy") -> None:
        self.settings, self.log, self.concurrency, self.queues = settings, log, concurrency, queues
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.app", "worker", "-Q", self.queues,
                 "-c", str(self.concurrency), "--loglevel", "info", "-n", f"test-{uuid.uuid4().hex[:6]}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env=process_env(self.settings), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                cwd=self.log.parent)
        wait_for(lambda: " ready." in self.log.read_text(errors="replace")[offset:], 30, "the worker to be ready")
        return self

    def children(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash or the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(settings: Settings, concurrency: int = 1, name: str = "worker", queues: str = "light,heavy") -> Worker:
        log = tmp_path_factory.mktemp("logs") / f"{name}.log"
        worker = Worker(settings, log, concurrency, queues).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def score(expected: Path, actual: Path) -> str:
    """The scorer's last line, e.g. "field accuracy 1.0000 (1824/1824)"."""
    out = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual)], capture_output=True,
                         text=True, check=True).stdout
    return out.strip().splitlines()[-1]


def variant(n: int, tag: str = "") -> bytes:
    """A distinct copy of the sample (a trailing line changes its hash, not its forms)."""
    return SAMPLE.read_bytes() + f"\n附注 {tag}{n}\n".encode()
