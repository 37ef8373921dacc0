"""API behaviour that needs no worker: keys, limits, schema, health, form queries (SQLite, embedded queue)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import free_port
from fastapi.testclient import TestClient

from api.app import create_app
from models import Form, Result, Source
from workers.settings import Settings
from workers.storage import transaction

HEADERS = {"X-API-Key": "api-key"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", api_keys="tester:api-key,other:other-key", max_upload_bytes=1000)
    with TestClient(create_app(settings, sweep=False)) as made:
        yield made


def test_a_file_over_the_limit_is_refused_and_nothing_is_recorded(client: TestClient) -> None:
    response = client.post("/v1/documents", headers=HEADERS,
                           files=[("files", ("small.txt", b"x" * 10)), ("files", ("big.txt", b"x" * 1001))])
    assert response.status_code == 413 and "big.txt" in response.json()["detail"]
    assert client.get("/v1/documents", headers=HEADERS).json()["total"] == 0


def test_upload_routes_by_content_not_name(client: TestClient) -> None:
    response = client.post("/v1/documents", headers=HEADERS, files=[
        ("files", ("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 50)), ("files", ("table.pdf", b"<table><tr><td>1</td></tr></table>"))])
    queues = {d["id"]: d for d in response.json()["documents"]}
    statuses = {client.get(f"/v1/documents/{i}", headers=HEADERS).json()["filename"]:
                client.get(f"/v1/documents/{i}", headers=HEADERS).json() for i in queues}
    assert (statuses["scan.txt"]["queue"], statuses["scan.txt"]["media_type"]) == ("heavy", "image/png")
    assert (statuses["table.pdf"]["queue"], statuses["table.pdf"]["media_type"]) == ("light", "text/html")


def test_unknown_and_withdrawn_keys_are_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", api_keys="tester:api-key,other:other-key")
    with TestClient(create_app(settings, sweep=False)) as client:
        assert client.get("/v1/forms").status_code == 401
        assert client.get("/v1/forms", headers={"X-API-Key": "api-key "}).status_code == 401
        assert client.get("/v1/forms", headers={"X-API-Key": "other-key"}).status_code == 200
    # The operator removes a key from DOCEXTRACT_API_KEYS: after the restart it no longer works.
    with TestClient(create_app(settings.model_copy(update={"api_keys": "tester:api-key"}), sweep=False)) as client:
        assert client.get("/v1/forms", headers={"X-API-Key": "other-key"}).status_code == 401
        assert client.get("/v1/forms", headers=HEADERS).status_code == 200


def test_schema_health_and_readiness(client: TestClient, tmp_path: Path) -> None:
    schema = client.get("/v1/schema").json()
    assert {"source", "forms", "issues"} <= set(schema["properties"])
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "/v1/documents" in client.get("/openapi.json").json()["paths"]
    client.post("/v1/documents", headers=HEADERS, files=[("files", ("m.txt", b"metrics"))])
    metrics = client.get("/metrics").text
    assert 'docextract_documents{queue="light",status="queued"} 1.0' in metrics
    assert 'route="/v1/documents",status="202"' in metrics
    down = Settings(data_dir=tmp_path / "down", redis_url=f"redis://127.0.0.1:{free_port()}/0")
    with TestClient(create_app(down, sweep=False)) as unready:
        response = unready.get("/readyz")
    assert response.status_code == 503 and response.json()["broker"].startswith("error")


def store(client: TestClient, key: str, name: str, forms: list[Form]) -> str:
    from workers.storage import store_result

    document_id = client.post("/v1/documents", headers={"X-API-Key": key},
                              files=[("files", (name, name.encode() * 3))]).json()["documents"][0]["id"]
    result = Result(source=Source(sha256="0" * 64, media_type="text/plain", route="text"), forms=forms)
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_result(session, document_id, result.model_dump(mode="json"))
    return document_id


def test_forms_query_filters_pages_and_stays_within_the_key(client: TestClient) -> None:
    from models import Issue

    warned = [Issue(code="w", severity="warning", message="repaired")]
    first = store(client, "api-key", "a.txt", [Form(year=2023, department="219-区财政局", project_name="道路养护"),
                                               Form(year=2022, department="区教育局", project_name="校舍_维修 100%",
                                                    issues=warned)])
    store(client, "api-key", "b.txt", [Form(year=2023, department="区教育局", project_name="课后服务")])
    store(client, "other-key", "c.txt", [Form(year=2023, department="219-区财政局", project_name="道路养护")])

    def names(**params: object) -> list[str]:
        body = client.get("/v1/forms", headers=HEADERS, params=params).json()
        return sorted(item["project_name"] for item in body["items"])

    assert names() == ["校舍_维修 100%", "课后服务", "道路养护"]
    assert names(year=2023) == ["课后服务", "道路养护"]
    assert names(department="区教育局") == ["校舍_维修 100%", "课后服务"]
    assert names(q="财政") == ["道路养护"]
    assert names(q="_维修 100%") == ["校舍_维修 100%"] and names(q="%") == ["校舍_维修 100%"]
    assert names(status="warnings") == ["校舍_维修 100%"]
    page = client.get("/v1/forms", headers=HEADERS, params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    rerun = client.post(f"/v1/documents/{first}/rerun", headers=HEADERS).json()
    assert rerun["status"] == "queued" and rerun["attempts"] == 0
    assert client.get(f"/v1/documents/{first}/result", headers=HEADERS).status_code == 200  # kept until replaced


def _png(width: int = 40, height: int = 60) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_page_images_upload_as_one_document(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", api_keys="tester:api-key")
    with TestClient(create_app(settings, sweep=False)) as client:
        response = client.post("/v1/documents?pages=true", headers=HEADERS,
                               files=[("files", ("第1页.png", _png())), ("files", ("第2页.png", _png(50)))])
        [doc] = response.json()["documents"]
        status = client.get(f"/v1/documents/{doc['id']}", headers=HEADERS).json()
        assert (status["filename"], status["media_type"], status["queue"]) == ("第1页（共 2 页）.tif", "image/tiff", "heavy")
        # A file that is not an image is no page: refused with the reason, nothing recorded.
        refused = client.post("/v1/documents?pages=true", headers=HEADERS,
                              files=[("files", ("第1页.png", _png())), ("files", ("说明.txt", "项目名称".encode()))])
        assert refused.status_code == 422 and refused.json()["detail"].startswith("说明.txt 是 text/plain，不是页面图像")
        assert client.get("/v1/documents", headers=HEADERS).json()["total"] == 1
