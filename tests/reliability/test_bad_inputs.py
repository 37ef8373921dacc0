"""The bad-input corpus (make_corpus.py) through the library, the CLI and the service.

Every file must end in one of its accepted outcomes: a typed ExtractionError code, or a Result carrying
the expected issue. Nothing may escape as an untyped exception, print a traceback at a user, or kill a
worker.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from make_corpus import Case, accepted, cases, outcomes_of, write_corpus
from service_fixtures import RedisServer, Worker, wait_for

from api.app import create_app
from extractor.errors import ExtractionError
from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from workers.settings import Settings

CASES = cases()
BY_NAME = {case.name: case for case in CASES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("badcorpus")
    write_corpus(out)
    return out


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_library_gives_the_expected_typed_outcome(case: Case, corpus: Path) -> None:
    data = (corpus / case.name).read_bytes()
    try:
        result = extract_bytes(data, case.name, ExtractOptions(**case.options))
    except ExtractionError as err:
        assert err.code in accepted(case), f"{case.name}: {err}"
        assert err.message and "\n" not in str(err), "an error is one line"
        return
    got = outcomes_of(result)
    assert got & accepted(case), f"{case.name}: got {sorted(got)}, expected one of {case.outcomes}"


def _cli_groups() -> dict[tuple[tuple[str, Any], ...], list[Case]]:
    groups: dict[tuple[tuple[str, Any], ...], list[Case]] = {}
    for case in CASES:
        groups.setdefault(tuple(sorted(case.options.items())), []).append(case)
    return groups


def test_cli_prints_one_line_per_failed_file_and_exits_non_zero(corpus: Path, tmp_path: Path) -> None:
    for options, group in _cli_groups().items():
        flags = [arg for name, value in options for arg in (f"--{name.replace('_', '-')}", str(value))]
        out_dir = tmp_path / f"out-{len(flags)}-{group[0].name}"
        files = [str(corpus / case.name) for case in group]
        run = subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()", "extract",
                              "--out-dir", str(out_dir), *flags, *files], capture_output=True, text=True, timeout=180)
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        failed_lines = [line for line in run.stderr.splitlines() if line.startswith("docextract: ")]
        for case, path in zip(group, files, strict=True):
            mine = [line for line in failed_lines if line.startswith(f"docextract: {path}: ")]
            written = out_dir / (Path(case.name).stem + ".json")
            if mine:
                assert len(mine) == 1, mine
                code = mine[0].removeprefix(f"docextract: {path}: ").split(":", 1)[0]
                assert code in accepted(case), mine[0]
                assert not written.exists()
            else:
                from models import Result

                result = Result.model_validate_json(written.read_text(encoding="utf-8"))
                assert outcomes_of(result) & accepted(case), f"{case.name}: {outcomes_of(result)}"
        assert run.returncode == (1 if failed_lines else 0), run.stderr[-2000:]


KEY = {"X-API-Key": "corpus-key"}


@pytest.fixture(scope="module")
def service(redis_server: RedisServer, pg_url: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[TestClient, Worker]]:
    data = tmp_path_factory.mktemp("svc")
    settings = Settings(data_dir=data, redis_url=redis_server.url, database_url=pg_url,
                        api_keys="c:corpus-key", concurrency=1)
    with TestClient(create_app(settings, sweep=False)) as client:
        worker = Worker(settings, data / "worker.log", concurrency=1).start()
        yield client, worker
        worker.stop()


def test_service_stores_each_failure_and_no_worker_dies(service: tuple[TestClient, Worker], corpus: Path) -> None:
    """Default limits only (the API has no per-upload options): cases that need smaller limits are skipped."""
    client, worker = service
    children_before = set(worker.children())
    chosen = [case for case in CASES if not case.options]
    response = client.post("/v1/documents", headers=KEY,
                           files=[("files", (case.name, (corpus / case.name).read_bytes())) for case in chosen])
    assert response.status_code == 202, response.text
    ids = {doc["filename"]: doc["id"] for doc in response.json()["documents"]}
    assert len(ids) == len(chosen)

    def all_finished() -> list[dict[str, Any]] | None:
        page = client.get("/v1/documents", headers=KEY, params={"limit": 1000}).json()["items"]
        return page if all(doc["status"] in ("done", "failed") for doc in page) else None

    docs = wait_for(all_finished, 150, "every corpus document to finish", interval=0.5)
    assert len(docs) == len(chosen)
    for doc in docs:
        case = BY_NAME[doc["filename"]]
        if doc["status"] == "failed":
            assert doc["error_code"] in accepted(case), doc
            assert doc["error_message"] and "Traceback" not in doc["error_message"], doc
        else:
            from models import Result

            result = Result.model_validate(client.get(f"/v1/documents/{doc['id']}/result", headers=KEY).json())
            assert outcomes_of(result) & accepted(case), (case.name, outcomes_of(result))
        assert doc["attempts"] == 1, doc  # no run was lost to a dying worker
    assert worker.process is not None and worker.process.poll() is None, "the worker main process died"
    assert set(worker.children()) == children_before, "a pool child died or was replaced"
    assert "Traceback" not in worker.text()
