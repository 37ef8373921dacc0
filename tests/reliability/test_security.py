"""Security properties of the API: hashed keys, per-key ownership on every document route, request size
limits at the server, uploads kept inside the data directory, CORS closed by default."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_fixtures import SAMPLE
from sqlalchemy import select

from api.app import create_app
from workers.settings import Settings
from workers.storage import ApiKey, Document, key_for, store_result, transaction

OWNER, OTHER = {"X-API-Key": "owner-secret-key"}, {"X-API-Key": "other-secret-key"}


def make_client(tmp_path: Path, **overrides: object) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", api_keys="owner:owner-secret-key,other:other-secret-key",
                        **overrides)  # type: ignore[arg-type]
    return TestClient(create_app(settings, sweep=False))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, max_request_bytes=3 * 1024 * 1024) as made:
        yield made


def test_keys_are_stored_only_as_hashes(client: TestClient) -> None:
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    with sessions() as session:
        rows = session.scalars(select(ApiKey)).all()
        assert {row.name for row in rows} == {"owner", "other"}
        stored = " ".join(f"{row.name} {row.key_hash}" for row in rows)
        assert "owner-secret-key" not in stored and "other-secret-key" not in stored
        assert hashlib.sha256(b"owner-secret-key").hexdigest() in stored
        assert key_for(session, "owner-secret-key") is not None
        for wrong in ("owner-secret-ke", "owner-secret-key ", hashlib.sha256(b"owner-secret-key").hexdigest()):
            assert key_for(session, wrong) is None  # neither a prefix nor the stored hash itself opens it


def test_every_document_route_hides_another_keys_document(client: TestClient) -> None:
    response = client.post("/v1/documents", headers=OWNER, files=[("files", ("mine.txt", SAMPLE.read_bytes()))])
    assert response.status_code == 202
    doc_id = response.json()["documents"][0]["id"]
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    from extractor.pipeline import extract_path

    with transaction(sessions) as session:  # finish it, so result routes have something to leak
        store_result(session, doc_id, extract_path(SAMPLE).model_dump(mode="json"))
    paths = client.get("/openapi.json").json()["paths"]  # every published route, included routers too
    routes = [(method.upper(), path) for path, ops in paths.items() if "{document_id}" in path for method in ops]
    assert len(routes) >= 4, routes
    for method, path in routes:
        url = path.replace("{form_index}", "0").replace("{page}", "1")
        body = {} if method == "POST" else None
        theirs = client.request(method, url.replace("{document_id}", doc_id), headers=OTHER, json=body)
        ghost = client.request(method, url.replace("{document_id}", "0" * 32), headers=OTHER, json=body)
        nobody = client.request(method, url.replace("{document_id}", doc_id), json=body)
        # Another key's document answers exactly like one that does not exist.
        assert (theirs.status_code, theirs.text) == (ghost.status_code, ghost.text), (method, path)
        assert theirs.status_code in (404, 422), (method, path, theirs.status_code)
        assert nobody.status_code in (401, 422), (method, path, nobody.status_code)
    # A selection naming another key's document is refused for it exactly as for one that does not exist.
    refused = client.post("/v1/documents/delete", headers=OTHER, json={"ids": [doc_id, "0" * 32]}).json()
    assert refused["deleted"] == [] and len({(r["reason"], r["message"]) for r in refused["refused"]}) == 1
    for url in (f"/v1/documents/{doc_id}", f"/v1/documents/{doc_id}/result"):
        assert client.get(url, headers=OWNER).status_code == 200  # the owner does see it
    listed = client.get("/v1/documents", headers=OTHER).json()
    assert listed["total"] == 0
    assert client.get("/v1/forms", headers=OTHER).json()["total"] == 0


def test_request_bodies_are_limited_at_the_server(client: TestClient, tmp_path: Path) -> None:
    big = b"x" * (4 * 1024 * 1024)
    declared = client.post("/v1/documents", headers=OWNER, files=[("files", ("big.txt", big))])
    assert declared.status_code == 413, declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        boundary = b"--b0undary\r\n"
        yield boundary + b'Content-Disposition: form-data; name="files"; filename="c.txt"\r\n\r\n'
        for _ in range(64):
            yield b"y" * 65536
        yield b"\r\n--b0undary--\r\n"

    streamed = client.post("/v1/documents", headers={**OWNER, "Content-Type": "multipart/form-data; boundary=b0undary"},
                           content=chunks())
    assert streamed.status_code == 413, streamed.text
    blobs = [p for p in (tmp_path / "data" / "originals").rglob("*") if p.is_file()] \
        if (tmp_path / "data" / "originals").exists() else []
    assert blobs == []  # nothing refused was stored
    assert client.get("/v1/documents", headers=OWNER).json()["total"] == 0


def test_uploads_stay_inside_the_data_directory(tmp_path: Path) -> None:
    before = tempfile.gettempdir()
    hostile = ["../../../../../../tmp/escaped.txt", "/etc/passwd", "..\\..\\win.txt", "a/b/../../../c.txt"]
    with make_client(tmp_path) as client:
        data_dir = (tmp_path / "data").resolve()
        # Multipart parts above 1 MiB are spooled to a temporary file: it must be under DATA_DIR/tmp.
        assert Path(tempfile.gettempdir()).resolve() == data_dir / "tmp"
        big = SAMPLE.read_bytes() * (2 * 1024 * 1024 // len(SAMPLE.read_bytes()) + 1)
        files = [("files", (name, big + name.encode())) for name in hostile]
        response = client.post("/v1/documents", headers=OWNER, files=files)
        assert response.status_code == 202, response.text
        stored = [p for p in data_dir.rglob("*") if p.is_file() and "originals" in p.parts]
        assert len(stored) == len(hostile)
        for path in stored:  # content-addressed: originals/ab/cd/<sha256>, never the user's name
            assert path.name == hashlib.sha256(path.read_bytes()).hexdigest()
            assert path.parent.parent.parent == data_dir / "originals"
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            names = set(session.scalars(select(Document.filename)))
        assert names == set(hostile)  # kept as a label only
    assert not Path("/tmp/escaped.txt").exists() and not (tmp_path / "c.txt").exists()
    assert tempfile.gettempdir() == before  # restored when the app stops


def test_cors_is_closed_by_default_and_opens_only_for_listed_origins(tmp_path: Path) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "X-API-Key"}
    with make_client(tmp_path / "closed") as client:
        simple = client.get("/v1/documents", headers={**OWNER, "Origin": "https://evil.example"})
        assert simple.status_code == 200
        assert not any(h.lower().startswith("access-control-") for h in simple.headers)
        options = client.options("/v1/documents", headers=preflight)
        assert "access-control-allow-origin" not in options.headers
        assert simple.headers["x-content-type-options"] == "nosniff"
    with make_client(tmp_path / "open", cors_origins="https://forms.example") as client:
        ok = client.options("/v1/documents", headers={**preflight, "Origin": "https://forms.example"})
        assert ok.headers.get("access-control-allow-origin") == "https://forms.example"
        evil = client.options("/v1/documents", headers=preflight)
        assert evil.headers.get("access-control-allow-origin") != "https://evil.example"


def test_database_outage_is_503_but_a_database_bug_is_500(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    with make_client(tmp_path) as client:
        app = client.app

        @app.get("/boom/{kind}")  # type: ignore[attr-defined, untyped-decorator]
        def boom(kind: str) -> None:
            if kind == "outage":
                raise OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))
            raise IntegrityError("INSERT", {}, ValueError("duplicate key"))

        outage, bug = client.get("/boom/outage"), client.get("/boom/bug")
    assert outage.status_code == 503 and outage.headers["retry-after"]
    assert outage.json()["error_code"] == "database_unavailable"
    assert bug.status_code == 500 and bug.json()["error_code"] == "database_error"


def test_a_nul_in_a_multipart_filename_is_a_422_and_stores_nothing(tmp_path: Path, pg_url: str) -> None:
    """Issue 14 item 10: PostgreSQL refused the NUL in the label (500) after the original was stored (an
    orphan blob). Now every file name is checked before any byte is stored."""
    with make_client(tmp_path, database_url=pg_url) as client:
        # Built by hand: httpx would percent-encode the NUL, an attacker's client does not.
        boundary = "hostileboundary"
        parts = [(b"good.txt", SAMPLE.read_bytes()), (b"bad\x00name.txt", b"x" * 100)]
        body = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"files\"; filename=\"%s\"\r\n"
                        b"Content-Type: text/plain\r\n\r\n%s\r\n" % (boundary.encode(), name, data)
                        for name, data in parts) + b"--%s--\r\n" % boundary.encode()
        response = client.post("/v1/documents", content=body, headers={
            **OWNER, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert response.status_code == 422, response.text
        assert "控制字符" in response.json()["detail"]
        originals = tmp_path / "data" / "originals"
        assert not originals.exists() or not [p for p in originals.rglob("*") if p.is_file()]
        assert client.get("/v1/documents", headers=OWNER).json()["total"] == 0
        good = client.post("/v1/documents", headers=OWNER, files=[("files", ("good.txt", SAMPLE.read_bytes()))])
        assert good.status_code == 202
