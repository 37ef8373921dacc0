"""`docextract ingest` and `export` as a clerk runs them: server down, piped output, a failed file seen
again, exports with failed documents, indicator rows and a BOM, a wrong folder. The API runs in this
process (uvicorn in a thread, SQLite, no worker); the CLI runs as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import free_port, wait_for

from api.app import create_app
from models import Form, FundRow, Funds, Indicator, Issue, Result, Source
from workers.settings import Settings
from workers.storage import claim_document, set_progress, store_failure, store_result, transaction, utcnow

DOCEXTRACT = [sys.executable, "-c", "from extractor.cli import main; main()"]
KEY = "api-key"
RAW = "the image cannot be read: cannot identify image file <_io.BytesIO object at 0x7fb4a1c2d0>"


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCEXTRACT_")}
    return subprocess.run([*DOCEXTRACT, *args], capture_output=True, text=True, timeout=120,
                          env={**base, **(env or {})}, cwd=cwd)


class Server:
    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings, sweep=False)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("cli")
    server = Server(Settings(data_dir=root / "data", api_keys=f"tester:{KEY}"))
    server.thread.start()
    wait_for(lambda: _up(server.url), 30, "the API")
    yield server
    server.server.should_exit = True
    server.thread.join(10)


def _up(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_version() -> None:
    shown = run("--version")
    assert shown.returncode == 0 and shown.stdout.startswith("docextract ")


def test_ingest_with_the_server_down_prints_one_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    down = run("ingest", str(tmp_path), "--server", f"http://127.0.0.1:{free_port()}", "--api-key", KEY,
               "--state", str(tmp_path / "state.json"))
    lines = [line for line in down.stderr.splitlines() if line.strip()]
    assert down.returncode == 2 and "Traceback" not in down.stderr
    assert len(lines) == 1 and "无法连接服务器" in lines[0], down.stderr


def test_piped_ingest_prints_progress_and_a_failed_file_keeps_its_reason(served: Server, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(3):
        (folder / f"f{n}.txt").write_text(f"file {n}", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\0garbage")
    env = {"DOCEXTRACT_PROGRESS_EVERY": "0"}
    first = run("ingest", str(folder), "--server", served.url, "--api-key", KEY, "--no-wait",
                "--state", str(tmp_path / "one.json"), env=env)
    assert first.returncode == 0, first.stderr
    assert "上传：4 个文件" in first.stderr and "上传：1 个文件" in first.stderr  # plain lines, not a bar
    # The worker failed the scan; a re-run with a fresh state file is told why, not `None`.
    photo = next(d for d in httpx.get(served.url + "/v1/documents", headers={"X-API-Key": KEY}).json()["items"]
                 if d["filename"] == "photo.png")
    with transaction(served.app.state.sessions) as session:
        store_failure(session, photo["id"], "corrupt_image", RAW)
    again = run("ingest", str(folder), "--server", served.url, "--api-key", KEY, "--no-wait",
                "--state", str(tmp_path / "fresh.json"), env=env)
    assert again.returncode == 1
    failed = [line for line in again.stderr.splitlines() if "photo.png" in line]
    assert failed == ["  失败 failed: photo.png: corrupt_image: 图片文件已损坏或不是图片（the image cannot be read）"]
    assert "None" not in again.stderr and "0x" not in again.stderr


def test_ingest_shows_the_page_a_running_document_is_on(served: Server, tmp_path: Path) -> None:
    """While a document runs, the piped progress line says its page and the time left: the worker's page
    count (written through storage, as the worker does) and the API's ETA, read back by ingest."""
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "long-scan.txt").write_text("第 1 页 …", encoding="utf-8")
    log = tmp_path / "ingest.err"
    with open(log, "w") as err:
        ingest = subprocess.Popen([*DOCEXTRACT, "ingest", str(folder), "--server", served.url, "--api-key", KEY,
                                   "--state", str(tmp_path / "state.json")], stderr=err, stdout=subprocess.PIPE,
                                  env={**{k: v for k, v in os.environ.items() if not k.startswith("DOCEXTRACT_")},
                                       "DOCEXTRACT_PROGRESS_EVERY": "0"})
    try:
        listed = wait_for(lambda: [d for d in httpx.get(served.url + "/v1/documents", headers={"X-API-Key": KEY},
                                                        params={"q": "long-scan"}).json()["items"]], 60, "the upload")
        document_id = listed[0]["id"]
        with transaction(served.app.state.sessions) as session:  # a worker started 8 s ago, 4 of 10 pages read
            claim_document(session, document_id, max_attempts=3, pipeline_version="t", worker="elsewhere:1",
                           lease_seconds=600, now=utcnow() - timedelta(seconds=8))
            set_progress(session, document_id, 0.41, pages=(4, 10))
        shown = httpx.get(f"{served.url}/v1/documents/{document_id}", headers={"X-API-Key": KEY}).json()
        assert (shown["pages_done"], shown["pages_total"]) == (4, 10) and 11 <= shown["eta_seconds"] <= 16
        line = wait_for(lambda: re.search(r"处理：0 / 1 个文档；正在处理 long-scan\.txt 第 5 / 10 页，约剩 1\d 秒",
                                          log.read_text()), 30, "a progress line with the page")
        assert line
        finish = Result(source=Source(sha256="0" * 64, media_type="text/plain", route="text"), forms=[Form()])
        with transaction(served.app.state.sessions) as session:
            store_result(session, document_id, finish.model_dump(mode="json"))
        assert ingest.wait(60) == 0, log.read_text()
    finally:
        if ingest.poll() is None:
            ingest.kill()
    done = httpx.get(f"{served.url}/v1/documents/{document_id}", headers={"X-API-Key": KEY}).json()
    assert (done["status"], done["pages_done"], done["eta_seconds"]) == ("done", None, None)
    assert "Traceback" not in log.read_text()


def test_export_lists_failed_documents_and_indicator_rows_with_a_bom(served: Server) -> None:
    headers = {"X-API-Key": KEY}
    done = httpx.post(served.url + "/v1/documents", headers=headers,
                      files=[("files", ("export.txt", "导出".encode()))]).json()["documents"][0]["id"]
    broken = httpx.post(served.url + "/v1/documents", headers=headers,
                        files=[("files", ("broken.png", b"\x89PNG\r\n\x1a\nbroken"))]).json()["documents"][0]["id"]
    form = Form(year=2023, department="区财政局", project_name="道路养护", indicators=[
        Indicator(level1="产出指标", level2="数量指标", level3="养护里程", target="≥10", actual="12", weight=10, score=10),
        Indicator(level1="效益指标", level2="社会效益指标", level3="通行满意度", target="≥90%", actual="o起", weight=10,
                  score=8)], issues=[Issue(code="doubtful_value", severity="warning", field="indicators[1].actual",
                                           message="o起")])
    result = Result(source=Source(sha256="0" * 64, media_type="text/plain", route="text"), forms=[form])
    with transaction(served.app.state.sessions) as session:
        store_result(session, done, result.model_dump(mode="json"))
        store_failure(session, broken, "corrupt_image", RAW)
    env = {"DOCEXTRACT_DATA_DIR": str(served.app.state.settings.data_dir)}

    indicators = run("export", "--format", "csv", "--table", "indicators", env=env)
    assert indicators.returncode == 0, indicators.stderr
    assert indicators.stdout.startswith("\ufeff")
    rows = [row for row in csv.DictReader(io.StringIO(indicators.stdout.removeprefix("\ufeff")))
            if row["document_id"] == done]
    assert [(r["row"], r["level3"], r["project_name"], r["year"], r["issues"]) for r in rows] == [
        ("1", "养护里程", "道路养护", "2023", ""), ("2", "通行满意度", "道路养护", "2023", "doubtful_value")]

    forms = run("export", "--format", "csv", env=env)
    by_id = {row["document_id"]: row for row in csv.DictReader(io.StringIO(forms.stdout.removeprefix("\ufeff")))}
    assert by_id[broken]["status"] == "failed" and by_id[broken]["error_code"] == "corrupt_image"
    assert by_id[broken]["error_message"] == "the image cannot be read"
    assert by_id[done]["status"] == "done" and by_id[done]["project_name"] == "道路养护"

    lines = {json.loads(line)["document_id"]: json.loads(line) for line in run("export", env=env).stdout.splitlines()}
    assert lines[broken]["status"] == "failed" and lines[broken]["result"] is None
    assert lines[done]["result"]["forms"][0]["project_name"] == "道路养护"


def test_excel_export_has_a_sheet_per_table_with_levels_merged_as_printed(served: Server, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    headers = {"X-API-Key": KEY}
    done = httpx.post(served.url + "/v1/documents", headers=headers,
                      files=[("files", ("excel.txt", "表格".encode()))]).json()["documents"][0]["id"]
    broken = httpx.post(served.url + "/v1/documents", headers=headers,
                        files=[("files", ("broken-excel.png", b"\x89PNG\r\n\x1a\nbad"))]).json()["documents"][0]["id"]
    levels = [("产出指标", "数量指标"), ("产出指标", "数量指标"), ("产出指标", "质量指标"),
              ("效益指标", "社会效益指标"), ("效益指标", "社会效益指标")]
    form = Form(year=2023, department="区财政局", project_name="道路养护", amount_unit="元",
                funds=Funds(total=FundRow(annual_budget="298052694.96", executed="298052694.96", weight=10,
                                          execution_rate=100.0, score=10),
                            appropriation=FundRow(annual_budget="298052694.96", executed="298052694.96")),
                indicators=[Indicator(level1=l1, level2=l2, level3=f"指标{n}", target="=100%", actual="100%",
                                      weight=18, score=18) for n, (l1, l2) in enumerate(levels)],
                issues=[Issue(code="doubtful_value", severity="warning", field="funds.total.executed", message="x")])
    result = Result(source=Source(sha256="0" * 64, media_type="text/plain", route="text"), forms=[form])
    with transaction(served.app.state.sessions) as session:
        store_result(session, done, result.model_dump(mode="json"))
        store_failure(session, broken, "corrupt_image", RAW)
    env = {"DOCEXTRACT_DATA_DIR": str(served.app.state.settings.data_dir)}
    book_path = tmp_path / "导出.xlsx"
    made = run("export", "--format", "xlsx", "-o", str(book_path), env=env)
    assert made.returncode == 0, made.stderr

    book = load_workbook(book_path)
    assert book.sheetnames == ["表格 forms", "指标 indicators", "资金 funds", "失败 failed"]
    sheet = book["指标 indicators"]
    heads = [cell.value for cell in sheet[1]]
    assert heads[:3] == ["文档编号", "文件名", "第几张表"] and heads[7:12] == ["一级指标", "二级指标", "三级指标",
                                                                         "年度指标值", "实际完成值"]
    mine = [row[0].row for row in sheet.iter_rows(min_row=2) if row[0].value == done]
    first = mine[0]
    l1, l2 = heads.index("一级指标") + 1, heads.index("二级指标") + 1
    merged = {str(r) for r in sheet.merged_cells.ranges}
    col = sheet.cell(1, l1).column_letter, sheet.cell(1, l2).column_letter
    assert {f"{col[0]}{first}:{col[0]}{first + 2}", f"{col[0]}{first + 3}:{col[0]}{first + 4}",
            f"{col[1]}{first}:{col[1]}{first + 1}", f"{col[1]}{first + 3}:{col[1]}{first + 4}"} <= merged
    assert [sheet.cell(first + n, l1).value for n in range(5)] == ["产出指标", None, None, "效益指标", None]
    assert [sheet.cell(first + n, l2).value for n in range(5)] == ["数量指标", None, "质量指标", "社会效益指标", None]
    target = sheet.cell(first, heads.index("年度指标值") + 1)
    assert (target.value, target.data_type) == ("=100%", "s")  # text, never a formula

    funds = book["资金 funds"]
    fund_heads = [cell.value for cell in funds[1]]
    fund_rows = [[c.value for c in row] for row in funds.iter_rows(min_row=2) if row[0].value == done]
    assert [row[fund_heads.index("资金项目")] for row in fund_rows] == ["年度资金总额", "当年财政拨款"]
    executed = funds.cell(next(r[0].row for r in funds.iter_rows(min_row=2) if r[0].value == done),
                          fund_heads.index("全年执行数") + 1)
    assert executed.value == pytest.approx(298052694.96) and executed.number_format == "#,##0.00"
    assert fund_rows[0][fund_heads.index("问题代码")] == "doubtful_value"

    failed = {row[0].value: [c.value for c in row] for row in book["失败 failed"].iter_rows(min_row=2)}
    assert failed[broken][2:] == ["corrupt_image", "图片文件已损坏或不是图片（the image cannot be read）",
                                  "the image cannot be read"]
    forms = {row[0].value: [c.value for c in row] for row in book["表格 forms"].iter_rows(min_row=2)}
    assert forms[broken][2] == "failed" and forms[done][8] == "道路养护"

    to_stdout = run("export", "--format", "xlsx", env=env)
    assert to_stdout.returncode == 2 and "-o" in to_stdout.stderr and "Traceback" not in to_stdout.stderr


def test_funds_csv_lists_failed_documents_beside_it(served: Server, tmp_path: Path) -> None:
    broken = httpx.post(served.url + "/v1/documents", headers={"X-API-Key": KEY},
                        files=[("files", ("broken-funds.png", b"\x89PNG\r\n\x1a\nno"))]).json()["documents"][0]["id"]
    with transaction(served.app.state.sessions) as session:
        store_failure(session, broken, "corrupt_image", RAW)
    env = {"DOCEXTRACT_DATA_DIR": str(served.app.state.settings.data_dir)}
    out = tmp_path / "funds.csv"
    made = run("export", "--format", "csv", "--table", "funds", "-o", str(out), env=env)
    assert made.returncode == 0, made.stderr
    companion = tmp_path / "funds.failed.csv"
    assert out.read_text(encoding="utf-8").startswith("\ufeffdocument_id,")
    failed = list(csv.DictReader(io.StringIO(companion.read_text(encoding="utf-8").removeprefix("\ufeff"))))
    assert broken in {row["document_id"] for row in failed} and all(row["error_code"] for row in failed)
    assert str(companion) in made.stderr and "处理失败" in made.stderr
    listed = run("export", "--format", "csv", "--table", "failed", env=env)
    assert len(list(csv.DictReader(io.StringIO(listed.stdout.removeprefix("\ufeff"))))) == len(failed)
    piped = run("export", "--format", "csv", "--table", "indicators", env=env)
    assert "--table failed" in piped.stderr


def test_export_refuses_a_folder_without_a_store(tmp_path: Path) -> None:
    started = time.monotonic()
    refused = run("export", cwd=tmp_path)
    assert refused.returncode == 1 and "找不到数据目录" in refused.stderr and "Traceback" not in refused.stderr
    assert not (tmp_path / "data").exists() and time.monotonic() - started < 60
