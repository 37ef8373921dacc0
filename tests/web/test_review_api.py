"""Correction, history, page-image and CSV routes on SQLite and PostgreSQL (a fresh database), with
results stored as the worker stores them (workers.storage.store_result of a real extraction)."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from web_helpers import EXPECTED, SAMPLE

from api.app import create_app
from extractor.confidence import review_priority
from extractor.pipeline import extract_bytes
from tests.service.conftest import scratch_database
from workers.settings import Settings
from workers.storage import store_result, transaction


@pytest.fixture(scope="module")
def sample_result() -> dict[str, Any]:
    return extract_bytes(SAMPLE.read_bytes(), SAMPLE.name).model_dump(mode="json")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp(f"review-{request.param}")
    with contextlib.ExitStack() as stack:
        database_url = stack.enter_context(scratch_database()) if request.param == "postgresql" else None
        settings = Settings(data_dir=root, database_url=database_url,
                            api_keys="alice:key-alice,bob:key-bob,carol:key-carol,dan:key-dan")
        with TestClient(create_app(settings, sweep=False)) as test_client:
            yield test_client


ALICE = {"X-API-Key": "key-alice"}
BOB = {"X-API-Key": "key-bob"}
CAROL = {"X-API-Key": "key-carol"}  # the reviewed filter's documents, apart from the other tests'
DAN = {"X-API-Key": "key-dan"}  # the deleted selection's


def upload(client: TestClient, name: str, data: bytes, headers: dict[str, str] = ALICE) -> str:
    response = client.post("/v1/documents", headers=headers, files=[("files", (name, data))])
    assert response.status_code == 202
    return str(response.json()["documents"][0]["id"])


def stored(client: TestClient, name: str, result: dict[str, Any], headers: dict[str, str] = ALICE) -> str:
    """A document whose worker finished with `result` (distinct bytes per call: a new document)."""
    doc_id = upload(client, name, SAMPLE.read_bytes() + f"\n附注 {uuid.uuid4().hex}\n".encode(), headers)
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_result(session, doc_id, result)
    return doc_id


def correct(client: TestClient, doc_id: str, form: int, field: str, value: Any,
            headers: dict[str, str] = ALICE) -> Any:
    return client.post(f"/v1/documents/{doc_id}/forms/{form}/corrections", headers=headers,
                       json={"field": field, "value": value})


def codes(form: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(i["code"], i["field"]) for i in form["issues"]}


def test_a_correction_is_validated_again_and_kept_beside_the_original(client: TestClient,
                                                                       sample_result: dict[str, Any]) -> None:
    doc_id = stored(client, "a.txt", sample_result)
    form = sample_result["forms"][0]
    weight = Decimal(str(form["indicators"][1]["weight"]))
    response = correct(client, doc_id, 0, "indicators[1].weight", str(weight + 5))
    assert response.status_code == 200, response.text
    corrected = response.json()["form"]
    assert Decimal(str(corrected["indicators"][1]["weight"])) == weight + 5
    assert ("weights_do_not_sum", "indicators") in codes(corrected)
    assert corrected["validation"] == "failed"
    failed = client.get("/v1/forms", headers=ALICE, params={"status": "failed"}).json()["items"]
    assert {(f["document_id"], f["index"]) for f in failed} >= {(doc_id, 0)}

    # Correcting it back: the rules run on the values, the error is gone again.
    response = correct(client, doc_id, 0, "indicators[1].weight", str(weight))
    assert ("weights_do_not_sum", "indicators") not in codes(response.json()["form"])
    original = client.get(f"/v1/documents/{doc_id}/result", headers=ALICE, params={"version": "original"}).json()
    assert original == sample_result
    history = client.get(f"/v1/documents/{doc_id}/history", headers=ALICE).json()
    edits = [e for e in history["events"] if e["kind"] == "edit"]
    assert [(e["field"], e["author"], e["stale"]) for e in edits] == [("indicators[1].weight", "alice", False)] * 2
    assert Decimal(str(edits[0]["old_value"])) == weight and Decimal(str(edits[1]["old_value"])) == weight + 5
    assert history["forms"][0]["corrected_fields"] == ["indicators[1].weight"]


def test_a_typed_value_replaces_the_reader_warning_on_it(client: TestClient, sample_result: dict[str, Any]) -> None:
    result = copy.deepcopy(sample_result)
    form = result["forms"][2]
    # As the reader reports an OCR value it doubts: on its column key ("name" is the level3 cell).
    form["issues"].append({"code": "low_confidence", "severity": "warning", "field": "indicators[0].name",
                           "message": "read with confidence 0.41"})
    form["issues"].append({"code": "low_confidence", "severity": "warning", "field": "indicators[1].actual",
                           "message": "read with confidence 0.52"})
    doc_id = stored(client, "ocr.txt", result)
    response = correct(client, doc_id, 2, "indicators[0].level3", "  改正后的名称 ")
    corrected = response.json()["form"]
    assert corrected["indicators"][0]["level3"] == "改正后的名称"
    assert ("low_confidence", "indicators[0].name") not in codes(corrected)
    assert ("low_confidence", "indicators[1].actual") in codes(corrected)  # not corrected: still doubtful
    assert corrected["validation"] == "warnings"


@pytest.mark.parametrize(("field", "value", "status"), [
    ("indicators[0].score", "three", 422),
    ("funds.total.executed", "12,5 元", 422),
    ("indicators[0].provenance", "x", 422),
    ("indicators[9999].score", "1", 422),
    ("validation", "passed", 422),
])
def test_values_that_do_not_fit_are_refused(client: TestClient, sample_result: dict[str, Any], field: str,
                                            value: str, status: int) -> None:
    doc_id = stored(client, "bad.txt", sample_result)
    response = correct(client, doc_id, 0, field, value)
    assert response.status_code == status, response.text
    assert client.get(f"/v1/documents/{doc_id}/history", headers=ALICE).json()["events"] == []


def test_only_the_owner_corrects_and_only_finished_documents(client: TestClient,
                                                             sample_result: dict[str, Any]) -> None:
    doc_id = stored(client, "owned.txt", sample_result)
    assert correct(client, doc_id, 0, "project_name", "x", headers=BOB).status_code == 404
    assert client.get(f"/v1/documents/{doc_id}/history", headers=BOB).status_code == 404
    assert client.get(f"/v1/documents/{doc_id}/history").status_code == 401
    assert correct(client, doc_id, len(sample_result["forms"]), "project_name", "x").status_code == 404
    waiting = upload(client, "waiting.txt", b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert correct(client, waiting, 0, "project_name", "x").status_code == 404
    assert client.get(f"/v1/documents/{waiting}/history", headers=ALICE).status_code == 409


def test_review_marks_and_a_rerun_that_changes_the_original(client: TestClient,
                                                            sample_result: dict[str, Any]) -> None:
    doc_id = stored(client, "rerun.txt", sample_result)
    assert correct(client, doc_id, 1, "project_name", "新名称").status_code == 200
    for reviewed in (True, False, True):
        response = client.post(f"/v1/documents/{doc_id}/forms/1/review", headers=ALICE, json={"reviewed": reviewed})
        assert response.status_code == 200
    forms = client.get(f"/v1/documents/{doc_id}/history", headers=ALICE).json()["forms"]
    assert (forms[1]["reviewed"], forms[1]["reviewed_by"]) == (True, "alice")
    assert not forms[0]["reviewed"]
    assert client.get("/v1/forms", headers=ALICE, params={"q": "新名称"}).json()["total"] == 1

    # A newer pipeline prints another name: the correction still wins, the history says it was made
    # against a value the original no longer holds.
    rerun = copy.deepcopy(sample_result)
    rerun["forms"][1]["project_name"] = "另一个名称"
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_result(session, doc_id, rerun)
    corrected = client.get(f"/v1/documents/{doc_id}/result", headers=ALICE).json()
    assert corrected["forms"][1]["project_name"] == "新名称"
    edit = next(e for e in client.get(f"/v1/documents/{doc_id}/history", headers=ALICE).json()["events"]
                if e["kind"] == "edit")
    assert edit["stale"] is True and edit["old_value"] == sample_result["forms"][1]["project_name"]
    # The queryable form rows follow the corrected result after the rerun too.
    assert client.get("/v1/forms", headers=ALICE, params={"q": "新名称"}).json()["total"] == 1
    assert client.get("/v1/forms", headers=ALICE, params={"q": "另一个名称"}).json()["total"] == 0


def test_indicator_csv(client: TestClient, sample_result: dict[str, Any]) -> None:
    doc_id = stored(client, "csv.txt", sample_result)
    correct(client, doc_id, 3, "indicators[2].actual", "99%")
    for version, actual in (("corrected", "99%"), ("original", sample_result["forms"][3]["indicators"][2]["actual"])):
        response = client.get(f"/v1/documents/{doc_id}/indicators.csv", headers=ALICE, params={"version": version})
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == sum(len(f["indicators"]) for f in sample_result["forms"])
        row = [r for r in rows if r["form_index"] == "3"][2]
        assert row["actual"] == actual
        assert row["level3"] == sample_result["forms"][3]["indicators"][2]["level3"]


def test_page_images_in_bbox_units(client: TestClient, tmp_path: Path) -> None:
    from samples.generate.layout import Style, layout
    from samples.generate.pdf import PdfStyle, render_pdf

    text_doc = upload(client, "plain.txt", b"\xef\xbb\xbf" + SAMPLE.read_bytes() + b"\n-")
    assert client.get(f"/v1/documents/{text_doc}/pages", headers=ALICE).json() == {"pages": []}
    assert client.get(f"/v1/documents/{text_doc}/pages/1.png", headers=ALICE).status_code == 404

    # An image: pixels are the unit (the image route reads boxes in pixels).
    buf = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(buf, format="PNG", dpi=(150, 150))
    png_doc = upload(client, "scan.png", buf.getvalue())
    assert client.get(f"/v1/documents/{png_doc}/pages", headers=ALICE).json()["pages"] == [
        {"page": 1, "width": 1240.0, "height": 1754.0, "unit": "px"}]
    shown = Image.open(io.BytesIO(client.get(f"/v1/documents/{png_doc}/pages/1.png", headers=ALICE,
                                             params={"width": 620}).content))
    assert shown.size == (620, 877)

    # A PDF: points, whatever width the page is drawn at.
    forms = json.loads(EXPECTED.read_text())["forms"]
    rendered = render_pdf([layout(forms[2], Style.plain())], PdfStyle(), seed=0)
    pdf_doc = upload(client, "form.pdf", rendered.pdf)
    pages = client.get(f"/v1/documents/{pdf_doc}/pages", headers=ALICE).json()["pages"]
    assert [p["page"] for p in pages] == list(range(1, rendered.pages + 1))
    assert {(round(p["width"]), round(p["height"]), p["unit"]) for p in pages} == {(595, 842, "pt")}
    response = client.get(f"/v1/documents/{pdf_doc}/pages/{rendered.pages}.png", headers=ALICE,
                          params={"width": 800})
    assert response.headers["content-type"] == "image/png"
    page_image = Image.open(io.BytesIO(response.content))
    assert page_image.size == (800, round(842 * 800 / 595.28))
    assert page_image.convert("L").getextrema()[0] < 128  # something is printed on it
    assert client.get(f"/v1/documents/{pdf_doc}/pages/{rendered.pages + 1}.png", headers=ALICE).status_code == 404
    assert client.get(f"/v1/documents/{pdf_doc}/pages/1.png", headers=BOB).status_code == 404
    assert client.get(f"/v1/documents/{pdf_doc}/pages/1.png", headers=ALICE,
                      params={"width": 99999}).status_code == 422


def test_page_images_drop_colour_only_when_there_is_none() -> None:
    from PIL import ImageDraw

    from api.review import without_colour

    page = Image.new("RGB", (1200, 1700), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((100, 100, 1100, 400), outline=(0, 0, 0), width=3)
    draw.text((150, 150), "4004754.00", fill=(40, 40, 40))
    assert without_colour(page).mode == "L"
    draw.ellipse((850, 1350, 1100, 1600), outline=(210, 30, 30), width=8)  # a red seal
    kept = without_colour(page)
    assert kept.mode == "RGB" and kept.getpixel((975, 1354))[0] > 150


def test_review_queue_holds_unreviewed_forms_that_need_a_person(client: TestClient,
                                                               sample_result: dict[str, Any]) -> None:
    first = stored(client, "queue-1.txt", sample_result, headers=BOB)
    second = stored(client, "queue-2.txt", sample_result, headers=BOB)

    def queue() -> list[tuple[str, int, str]]:
        body = client.get("/v1/review/queue", headers=BOB).json()
        assert body["total"] == len(body["items"])
        return [(f["document_id"], f["index"], f["validation"]) for f in body["items"]]

    needy = [n for n, f in enumerate(sample_result["forms"]) if f["validation"] != "passed"]
    calm = [n for n, f in enumerate(sample_result["forms"]) if f["validation"] == "passed"]
    assert needy and calm  # the sample has both kinds
    in_upload_order = [(doc, n, sample_result["forms"][n]["validation"]) for doc in (first, second) for n in needy]
    by_evidence = sorted(in_upload_order, key=lambda q: review_priority(sample_result["forms"][q[1]]))
    assert queue() == by_evidence
    statuses = [q[2] for q in by_evidence]
    assert statuses == sorted(statuses, key=lambda v: v != "failed")  # errors before doubts and notes
    alices = client.get("/v1/review/queue", headers=ALICE).json()["items"]
    assert not {f["document_id"] for f in alices} & {first, second}  # a key sees only its own forms

    # A correction that breaks a sum puts a passed form in front (failed first); a review mark takes it out.
    weight = Decimal(str(sample_result["forms"][calm[0]]["indicators"][0]["weight"]))
    assert correct(client, second, calm[0], "indicators[0].weight", str(weight + 1), headers=BOB).status_code == 200
    assert queue()[0] == (second, calm[0], "failed")
    client.post(f"/v1/documents/{second}/forms/{calm[0]}/review", headers=BOB, json={"reviewed": True})
    client.post(f"/v1/documents/{first}/forms/{needy[0]}/review", headers=BOB, json={"reviewed": True})
    assert (second, calm[0], "failed") not in queue() and (first, needy[0]) not in [q[:2] for q in queue()]
    client.post(f"/v1/documents/{first}/forms/{needy[0]}/review", headers=BOB, json={"reviewed": False})
    assert (first, needy[0]) in [q[:2] for q in queue()]


@pytest.mark.parametrize("value", ["1e1200000", "-1E-1200000", "9" * 5000, "Infinity", "NaN"])
def test_a_hostile_number_is_refused_before_it_is_converted(client: TestClient, sample_result: dict[str, Any],
                                                            value: str) -> None:
    """Issue 14: `1e1200000` as a score froze the API for 42 s (one C call converting it) then 500."""
    import time

    doc_id = stored(client, "hostile-number.txt", sample_result)
    start = time.monotonic()
    response = correct(client, doc_id, 0, "indicators[1].score", value)
    assert response.status_code == 422, response.text
    assert time.monotonic() - start < 5
    assert client.get("/healthz").status_code == 200


def test_csv_cells_are_never_formulas(client: TestClient, sample_result: dict[str, Any]) -> None:
    """Issue 14: `=HYPERLINK(...)` and `@SUM(...)` came out unescaped in indicators.csv and the export."""
    from workers.cli import form_csv_row

    doc_id = stored(client, "formula.txt", sample_result)
    assert correct(client, doc_id, 0, "indicators[0].level3", '=HYPERLINK("http://evil","x")').status_code == 200
    assert correct(client, doc_id, 0, "project_name", "@SUM(A1:A9)").status_code == 200
    text = client.get(f"/v1/documents/{doc_id}/indicators.csv", headers=ALICE).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][rows[0].index("level3")] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert rows[1][rows[0].index("project_name")] == "'@SUM(A1:A9)"
    assert not any(cell.startswith(("=", "@", "+")) for row in rows[1:] for cell in row)
    row = form_csv_row("d", "=cmd|' /C calc'!A0", 0, {"project_name": "+1+1", "total": {"score": -3}})
    assert row[1] == "'=cmd|' /C calc'!A0" and row[8] == "'+1+1" and row[12] == -3


@pytest.mark.parametrize("query", ["q=a%00b", "department=%00", "offset=99999999999999999999", "year=10000000000000",
                                   "year=-1"])
def test_hostile_query_values_are_a_422_not_a_500(client: TestClient, query: str) -> None:
    """Issue 14: NUL in `q` and huge `offset`/`year` values were 500s (PostgreSQL refused them)."""
    assert client.get(f"/v1/forms?{query}", headers=ALICE).status_code == 422
    if query.startswith("offset"):
        assert client.get(f"/v1/documents?{query}", headers=ALICE).status_code == 422
    assert client.get("/v1/forms?q=%E9%A1%B9%E7%9B%AE&offset=5&year=2023", headers=ALICE).status_code == 200


def review(client: TestClient, doc_id: str, form: int, reviewed: bool, headers: dict[str, str]) -> None:
    response = client.post(f"/v1/documents/{doc_id}/forms/{form}/review", headers=headers, json={"reviewed": reviewed})
    assert response.status_code == 200, response.text


def test_the_list_filters_reviewed_documents_as_the_history_says(client: TestClient,
                                                                 sample_result: dict[str, Any]) -> None:
    """`reviewed=false`: the documents with a form that needs a person and carries no review mark (those of
    the review queue); `reviewed=true`: the finished others. Checked against each document's history (its
    forms' last marks) and corrected result (their validation), on SQLite and PostgreSQL."""
    from workers.storage import store_failure

    needy = [n for n, f in enumerate(sample_result["forms"]) if f["validation"] != "passed"]
    calm = [n for n, f in enumerate(sample_result["forms"]) if f["validation"] == "passed"]
    assert len(needy) >= 2 and calm
    marked_all, marked_some, taken_back, untouched = (stored(client, f"r-{n}.txt", sample_result, CAROL)
                                                      for n in range(4))
    passed_only = stored(client, "r-passed.txt", {**sample_result, "forms": [sample_result["forms"][n] for n in calm]},
                         CAROL)
    failed, queued = upload(client, "r-failed.txt", b"x" * 9, CAROL), upload(client, "r-queued.txt", b"y" * 9, CAROL)
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_failure(session, failed, "corrupt_pdf", "the PDF cannot be read")
    for n in needy:
        review(client, marked_all, n, True, CAROL)
    review(client, marked_some, needy[0], True, CAROL)
    review(client, taken_back, needy[0], True, CAROL)
    review(client, taken_back, needy[0], False, CAROL)
    review(client, untouched, calm[0], True, CAROL)  # a mark on a form that needed none changes nothing

    def listed(**params: object) -> set[str]:
        page = client.get("/v1/documents", headers=CAROL, params={"limit": 1000, **params}).json()
        assert page["total"] == len(page["items"]) == (page["counts"].get(params["status"], 0) if "status" in params
                                                       else sum(page["counts"].values()))
        return {item["id"] for item in page["items"]}

    def as_history_says() -> tuple[set[str], set[str]]:
        waiting, finished = set(), set()
        for doc_id in listed():
            if client.get(f"/v1/documents/{doc_id}", headers=CAROL).json()["status"] != "done":
                continue
            finished.add(doc_id)
            forms = client.get(f"/v1/documents/{doc_id}/result", headers=CAROL).json()["forms"]
            marks = client.get(f"/v1/documents/{doc_id}/history", headers=CAROL).json()["forms"]
            if any(form["validation"] != "passed" and not mark["reviewed"] for form, mark in zip(forms, marks, strict=True)):
                waiting.add(doc_id)
        return waiting, finished - waiting

    waiting, reviewed = as_history_says()
    assert waiting == {marked_some, taken_back, untouched} and reviewed == {marked_all, passed_only}
    assert listed(reviewed="false") == waiting and listed(reviewed="true") == reviewed
    queue = client.get("/v1/review/queue", headers=CAROL, params={"limit": 1000}).json()["items"]
    assert {f["document_id"] for f in queue} == waiting
    assert failed not in listed(reviewed="true") | listed(reviewed="false") and queued in listed()
    # With the other filters: a name searched, a status.
    assert listed(reviewed="true", q="r-passed") == {passed_only}
    assert listed(reviewed="false", status="failed") == set()
    counts = client.get("/v1/documents", headers=CAROL, params={"reviewed": "false", "status": "failed"}).json()["counts"]
    assert counts == {"done": 3}  # per status under the other filters, for the page's status choices

    # A correction that breaks a passed form's weights makes it need a person again.
    weight = Decimal(str(sample_result["forms"][calm[0]]["indicators"][0]["weight"]))
    assert correct(client, marked_all, calm[0], "indicators[0].weight", str(weight + 1), CAROL).status_code == 200
    review(client, marked_some, needy[0], False, CAROL)
    for n in needy:
        review(client, marked_some, n, True, CAROL)
    waiting, reviewed = as_history_says()
    assert marked_all in waiting and marked_some in reviewed
    assert listed(reviewed="false") == waiting and listed(reviewed="true") == reviewed
    assert client.get("/v1/documents", headers=CAROL, params={"reviewed": "maybe"}).status_code == 422
    parameters = client.get("/openapi.json").json()["paths"]["/v1/documents"]["get"]["parameters"]
    assert "review" in next(p for p in parameters if p["name"] == "reviewed")["description"]


def test_a_selection_is_deleted_with_its_originals_and_logged(client: TestClient, sample_result: dict[str, Any],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """`POST /v1/documents/delete`: each document of the selection goes as `DELETE /v1/documents/{id}` takes
    one (whatever its status, with its corrections), its original unless another key's document has the
    same bytes, one audit line each; other keys' ids and ids gone already are refused, not an error."""
    import logging

    from workers.blobs import blob_path
    from workers.storage import Document, claim_document, store_failure

    done = stored(client, "d-done.txt", sample_result, DAN)
    assert correct(client, done, 0, "project_name", "删掉的名称", DAN).status_code == 200
    failed, queued, running = (upload(client, f"d-{name}.txt", name.encode() * 5, DAN)
                               for name in ("failed", "queued", "running"))
    shared_bytes = b"the same bytes twice " * 5
    shared = upload(client, "d-shared.txt", shared_bytes, DAN)
    alices_copy = upload(client, "a-shared.txt", shared_bytes, ALICE)
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        store_failure(session, failed, "corrupt_pdf", "the PDF cannot be read")
        token = claim_document(session, running, max_attempts=3, pipeline_version="t", worker="elsewhere:1",
                               lease_seconds=3600).token
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        hashes = {doc.id: doc.sha256 for doc in session.query(Document).filter(Document.id.in_(
            [done, failed, queued, running, shared]))}
    blobs = client.app.state.settings.blob_dir  # type: ignore[attr-defined]
    assert all(blob_path(blobs, sha).exists() for sha in hashes.values())
    asked = [queued, alices_copy, done, "0" * 32, failed, running, shared, done]
    with caplog.at_level(logging.INFO, logger="docextract.audit"):
        answer = client.post("/v1/documents/delete", headers=DAN, json={"ids": asked})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["deleted"] == [queued, done, failed, running, shared]
    assert [(r["id"], r["reason"]) for r in body["refused"]] == [(alices_copy, "no_document"), ("0" * 32, "no_document")]
    assert body["refused"][0]["message"].startswith("没有这个文档")
    for doc_id in body["deleted"]:
        assert client.get(f"/v1/documents/{doc_id}", headers=DAN).status_code == 404
        assert any(doc_id in r.getMessage() and "deleted by key dan" in r.getMessage() for r in caplog.records)
    assert client.get("/v1/documents", headers=DAN).json()["total"] == 0
    assert client.get("/v1/forms", headers=DAN, params={"q": "删掉的名称"}).json()["total"] == 0
    assert not any(blob_path(blobs, hashes[d]).exists() for d in (done, failed, queued, running))
    assert blob_path(blobs, hashes[shared]).exists()  # Alice's document still refers to these bytes
    assert client.get(f"/v1/documents/{alices_copy}", headers=ALICE).status_code == 200
    # The run that was reading the deleted document finds nothing to store into.
    with transaction(client.app.state.sessions) as session:  # type: ignore[attr-defined]
        assert store_result(session, running, sample_result, token=token) is False
    again = client.post("/v1/documents/delete", headers=DAN, json={"ids": [done]}).json()
    assert again["deleted"] == [] and again["refused"][0]["id"] == done
    assert client.post("/v1/documents/delete", headers=DAN, json={"ids": []}).status_code == 422
    assert client.post("/v1/documents/delete", json={"ids": [done]}).status_code == 401
    schema = client.get("/openapi.json").json()
    answer_schema = schema["paths"]["/v1/documents/delete"]["post"]["responses"]["200"]["content"]["application/json"]
    assert answer_schema["schema"]["$ref"].endswith("/Deleted")
    assert set(schema["components"]["schemas"]["Deleted"]["properties"]) == {"deleted", "refused"}
