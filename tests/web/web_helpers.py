"""Real parts for the review page tests: `docextract serve` (embedded queue, its own worker) and the
Debian chromium driven by Playwright (no browser download: executable_path)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from workers.settings import Settings, settings_to_env

REPO = Path(__file__).parents[2]
SAMPLE = REPO / "samples/sources/self-eval-2023-songjiang.txt"
EXPECTED = REPO / "samples/expected/self-eval-2023-songjiang.json"
ARTIFACTS = REPO / "tests/artifacts"
CHROMIUM = Path(os.environ.get("DOCEXTRACT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
DOCEXTRACT = [sys.executable, "-c", "from extractor.cli import main; main()"]


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


@dataclass
class Served:
    url: str
    key: str
    key_name: str
    settings: Settings
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}

    def get(self, path: str, **params: Any) -> httpx.Response:
        return httpx.get(self.url + path, headers=self.headers, params=params, timeout=30)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def start_serve(root: Path, key_name: str = "reviewer") -> Served:
    """`docextract serve` with no Redis: SQLite, the filesystem queue and a local worker."""
    key = secrets.token_hex(16)
    settings = Settings(data_dir=root / "data", concurrency=1, sweep_interval=5, api_keys=f"{key_name}:{key}")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCEXTRACT_") and k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(settings_to_env(settings))
    env["REDIS_URL"] = ""
    env["PYTHONUNBUFFERED"] = "1"
    port = free_port()
    log = root / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([*DOCEXTRACT, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}", key, key_name, settings, process, log)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            return httpx.get(served.url + "/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, 60, "docextract serve to be ready")
        wait_for(lambda: b"Connected to filesystem://" in log.read_bytes(), 30, "the local worker")
    except BaseException:
        served.stop()
        raise
    return served


def shown(value: Any) -> str:
    """A JSON value as the page prints it (JavaScript's String(): 100.0 is "100", null is "")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def same_value(field: str, expected: Any, text: str) -> bool:
    """Amounts compare as numbers ("4004754" and "4004754.00" are one amount), the rest as printed."""
    if field in ("initial_budget", "annual_budget", "executed") and expected is not None and text:
        return Decimal(str(expected)) == Decimal(text)
    if isinstance(expected, int | float) and text:
        return Decimal(str(expected)) == Decimal(text)
    return shown(expected) == text


def runs(values: list[Any]) -> list[tuple[int, int]]:
    """(start, length) of each run of equal consecutive values: the merged cells of the paper form."""
    out: list[tuple[int, int]] = []
    for i, value in enumerate(values):
        if out and values[out[-1][0]] == value:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((i, 1))
    return out
