"""Document management in the API (no worker): newest first, filters, paging, delete, failure reasons in
Chinese without Python internals, offline /docs and a favicon (SQLite, embedded queue)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from models import Form, Result, Source
from workers.blobs import blob_path
from workers.settings import Settings
from workers.storage import Document, store_failure, store_result, transaction

HEADERS = {"X-API-Key": "api-key"}
RAW = "the image cannot be read: cannot identify image file <_io.BytesIO object at 0x7fb4a1c2d0>"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(data_dir=tmp_path / "data", api_keys="tester:api-key,other:other-key")
    with TestClient(create_app(settings, sweep=False)) as made:
        yield made


def upload(client: TestClient, name: str, key: str = "api-key") -> str:
    response = client.post("/v1/documents", headers={"X-API-Key": key}, files=[("files", (name, name.encode() * 3))])
    return str(response.json()["documents"][0]["id"])


def finish(client: TestClient, document_id: str, forms: list[Form]) -> None:
    result = Result(source=Source(sha256="0" * 64, media_type="text/plain", route="text"), forms=forms)
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_result(session, document_id, result.model_dump(mode="json"))


def test_the_list_is_newest_first_filtered_and_paged(client: TestClient) -> None:
    from models import Issue

    ids = []
    for n in range(5):
        ids.append(upload(client, f"file-{n}.txt"))
        time.sleep(0.01)  # distinct created_at
    upload(client, "theirs.txt", key="other-key")
    finish(client, ids[0], [Form(year=2023, department="区财政局", project_name="道路养护"),
                            Form(year=2023, project_name="校舍维修",
                                 issues=[Issue(code="weights_do_not_sum", severity="error", message="x")])])
    finish(client, ids[1], [Form(year=2022, department="区教育局", project_name="课后服务")])
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_failure(session, ids[2], "corrupt_image",
                      "the image cannot be read: cannot identify image file <_io.BytesIO object at 0x7fb4a1c2d0>")

    def listed(**params: object) -> list[str]:
        body = client.get("/v1/documents", headers=HEADERS, params=params).json()
        return [item["filename"] for item in body["items"]]

    assert listed() == [f"file-{n}.txt" for n in reversed(range(5))]
    assert listed(sort="oldest") == [f"file-{n}.txt" for n in range(5)]
    assert listed(status="done") == ["file-1.txt", "file-0.txt"]
    assert listed(year=2023) == ["file-0.txt"] and listed(year=2022) == ["file-1.txt"]
    assert listed(q="道路") == ["file-0.txt"] and listed(q="file-3") == ["file-3.txt"]
    assert listed(validation="failed") == ["file-0.txt"] and listed(department="区教育局") == ["file-1.txt"]
    page = client.get("/v1/documents", headers=HEADERS, params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 5 and [item["filename"] for item in page["items"]] == ["file-2.txt", "file-1.txt"]
    items = {item["filename"]: item for item in client.get("/v1/documents", headers=HEADERS).json()["items"]}
    assert (items["file-0.txt"]["forms"], items["file-0.txt"]["validation"]) == (2, "failed")
    assert (items["file-1.txt"]["forms"], items["file-1.txt"]["validation"]) == (1, "passed")
    failed = items["file-2.txt"]
    assert "0x" not in failed["error_message"] and "BytesIO" not in failed["error_message"]
    assert failed["error_explanation"].startswith("图片文件已损坏或不是图片")
    english = client.get(f"/v1/documents/{ids[2]}", headers=HEADERS, params={"lang": "en"}).json()
    assert english["error_explanation"].startswith("the image is damaged or not an image")


def test_delete_removes_the_document_and_its_original(client: TestClient) -> None:
    first, second = upload(client, "a.txt"), upload(client, "b.txt")
    finish(client, first, [Form(year=2023, project_name="道路养护")])
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        sha = session.get(Document, first).sha256
    assert blob_path(settings.blob_dir, sha).exists()
    assert client.delete(f"/v1/documents/{first}", headers={"X-API-Key": "other-key"}).status_code == 404
    assert client.delete(f"/v1/documents/{first}", headers=HEADERS).status_code == 204
    assert client.get(f"/v1/documents/{first}", headers=HEADERS).status_code == 404
    assert not blob_path(settings.blob_dir, sha).exists()
    assert client.get("/v1/forms", headers=HEADERS).json()["total"] == 0
    assert [item["id"] for item in client.get("/v1/documents", headers=HEADERS).json()["items"]] == [second]
    assert "delete" in client.get("/openapi.json").json()["paths"]["/v1/documents/{document_id}"]


def test_docs_work_offline_and_there_is_a_favicon(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "https:" not in docs.text and "/ui/docs.js" in docs.text
    script = client.get("/ui/docs.js")
    assert script.status_code == 200 and "/openapi.json" in script.text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"


def test_the_catalogue_and_config_give_the_language_and_zone(client: TestClient) -> None:
    config = client.get("/v1/review/config", headers=HEADERS).json()
    assert (config["language"], config["timezone"]) == ("zh", "Asia/Shanghai")
    zh = client.get("/v1/review/catalogue").json()
    en = client.get("/v1/review/catalogue", params={"lang": "en"}).json()
    assert zh["codes"]["weights_do_not_sum"] == "指标分值之和与总分值不符"
    assert en["fields"]["actual"] == "actual" and zh["fields"]["actual"] == "实际完成值"


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        Settings(timezone="Mars/Olympus")


def test_refusals_are_in_chinese_first(client: TestClient) -> None:
    assert client.get("/v1/documents").json()["detail"].startswith("需要有效的 API 密钥")
    missing = client.get("/v1/documents/" + "0" * 32, headers=HEADERS).json()["detail"]
    assert missing == "没有这个文档 / no such document"
    waiting = client.get(f"/v1/documents/{upload(client, 'w.txt')}/result", headers=HEADERS)
    assert waiting.status_code == 409 and waiting.json()["detail"]["message"].startswith("此文档还没有结果（queued）")


def test_a_selection_is_run_again(client: TestClient) -> None:
    done, failed, waiting = upload(client, "d.txt"), upload(client, "f.txt"), upload(client, "q.txt")
    mine_elsewhere = upload(client, "x.txt", key="other-key")
    finish(client, done, [Form(year=2023, project_name="道路养护")])
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_failure(session, failed, "corrupt_image", RAW)
    answer = client.post("/v1/documents/rerun", headers=HEADERS, json={"ids": [done, failed, waiting, mine_elsewhere]})
    assert answer.status_code == 202
    assert {item["id"]: item["status"] for item in answer.json()} == {done: "queued", failed: "queued", waiting: "queued"}
    again = client.get(f"/v1/documents/{failed}", headers=HEADERS).json()
    assert (again["status"], again["error_code"], again["attempts"]) == ("queued", None, 0)
    assert client.get(f"/v1/documents/{mine_elsewhere}", headers={"X-API-Key": "other-key"}).json()["status"] == "queued"
