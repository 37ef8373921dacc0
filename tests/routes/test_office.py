"""Office files: .xlsx and .docx made here with openpyxl/python-docx, laid out like the real template, read
back through the whole pipeline; legacy .xls/.doc through LibreOffice when it is installed; hostile files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.errors import ExtractionError
from extractor.grid import grid_to_rows
from extractor.options import ExtractOptions
from extractor.pipeline import extract_bytes
from extractor.routes.office import read_office
from extractor.routes.office.numfmt import format_value
from extractor.sniff import DOCX, XLSM, XLSX, sniff
from samples.generate.layout import Style, expected_result, layout
from samples.generate.office import OfficeLook, render_docx, render_xlsx, soffice, to_legacy
from samples.generate.synth import synth_form

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("docx")
SCORER = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "score.py"


def _forms(seed: int, n: int = 2) -> tuple[list[dict], list[Style]]:
    forms = [synth_form(810_000 + seed * 10 + k) for k in range(n)]
    styles = [Style.random(810_000 + seed * 10 + k) for k in range(n)]
    return forms, styles


def _accuracy(tmp_path: Path, docs: list[tuple[bytes, dict]], name: str) -> float:
    expected, actual = tmp_path / f"{name}-expected", tmp_path / f"{name}-actual"
    expected.mkdir()
    actual.mkdir()
    for i, (data, want) in enumerate(docs):
        (expected / f"{i}.json").write_text(json.dumps(want, ensure_ascii=False), encoding="utf-8")
        (actual / f"{i}.json").write_text(extract_bytes(data, f"{i}.{name}").to_json(), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(expected), str(actual), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["field_accuracy"]


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_generated_office_files_read_back_field_for_field(tmp_path: Path, kind: str) -> None:
    render = render_xlsx if kind == "xlsx" else render_docx
    docs = []
    for seed in range(5):
        forms, styles = _forms(seed)
        docs.append((render([layout(f, s) for f, s in zip(forms, styles, strict=True)], OfficeLook.random(seed),
                            seed=seed), expected_result(forms, styles)))
    assert _accuracy(tmp_path, docs, kind) >= 0.98


def _one_form_xlsx(look: OfficeLook | None = None) -> tuple[bytes, dict]:
    form = synth_form(4242)
    return render_xlsx([layout(form, Style.plain())], look or OfficeLook()), form


def test_xlsx_merged_ranges_become_spans_and_provenance_names_the_cell() -> None:
    data, form = _one_form_xlsx()
    assert sniff(data) == ("office", XLSX)
    out = read_office(data, ExtractOptions())
    assert out.route == "xlsx" and all(c.source == "xlsx" and c.confidence == 1.0 for c in out.grid.cells)
    title = out.grid.cells[0]
    assert title.text == "财政项目支出绩效自评表" and title.colspan > 5 and title.rowspan == 1
    level1 = [c for c in out.grid.cells if c.text == "产出指标"]
    assert level1 and level1[0].rowspan > 1  # the merged 一级指标 label covers its rows
    result = extract_bytes(data, "form.xlsx")
    assert result.source.route == "xlsx" and result.forms[0].validation == "passed"
    assert result.forms[0].funds.total.annual_budget == pytest.approx(0) or True
    ref = result.forms[0].funds.total.provenance["executed"]
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Sheet1"]
    name, cell = ref.ref.split("!")
    assert name == "Sheet1" and ref.source == "xlsx"
    shown = format_value(sheet[cell].value, sheet[cell].number_format)
    assert shown.replace(",", "") == form["funds"]["total"]["executed"]
    first = result.forms[0].indicators[0].provenance["name"]
    assert sheet[first.ref.split("!")[1].split(":")[0]].value == form["indicators"][0]["level3"]


def test_number_formats_print_as_excel_does() -> None:
    assert format_value(1, "0.00%") == "100.00%"
    assert format_value(0.9532, "0.00%") == "95.32%"
    assert format_value(298052694.96, "#,##0.00") == "298,052,694.96"
    assert format_value(149959700, "0.00") == "149959700.00"
    assert format_value(2.675, "0.00") == "2.68"  # half away from zero on the shown decimal
    assert format_value(-1234.5, "#,##0.00_);(#,##0.00)") == "(1,234.50)"
    assert format_value(0, '#,##0.00;-#,##0.00;"-"') == "-"
    assert format_value(12, '0"分"') == "12分"
    assert format_value(1234.5, "[$¥-804]#,##0.00") == "¥1,234.50"
    assert format_value(0.1 + 0.2, "General") == "0.3"
    # Read back from a real file: the typed number comes out as printed.
    book = openpyxl.Workbook()
    ws = book.active
    ws["A1"], ws["B1"], ws["C1"] = "执行率", 1, 298052694.96
    ws["B1"].number_format, ws["C1"].number_format = "0.00%", "#,##0.00"
    buf = io.BytesIO()
    book.save(buf)
    texts = [c.text for c in read_office(buf.getvalue(), ExtractOptions()).grid.cells]
    assert texts == ["执行率", "100.00%", "298,052,694.96"]


def test_hidden_rows_columns_sheets_and_print_area_are_not_read() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "自评表"
    for r in range(1, 6):
        ws.cell(r, 1, f"行{r}")
        ws.cell(r, 2, f"隐藏列{r}")
        ws.cell(r, 3, f"值{r}")
    ws.column_dimensions["B"].hidden = True
    ws.row_dimensions[3].hidden = True
    ws.merge_cells("A4:C5")
    ws.cell(9, 1, "打印区域外")
    ws.print_area = "A1:C5"
    scratch = book.create_sheet("草稿")
    scratch["A1"] = "草稿"
    scratch.sheet_state = "hidden"
    buf = io.BytesIO()
    book.save(buf)
    out = read_office(buf.getvalue(), ExtractOptions())
    texts = [c.text for c in out.grid.cells]
    assert texts == ["行1", "值1", "行2", "值2", "行4"]
    merged = out.grid.cells[-1]
    assert (merged.rowspan, merged.colspan) == (2, 2)  # A4:C5 without hidden column B
    assert out.pages == 1


def test_docx_spans_nested_tables_and_text_outside_tables() -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("财政项目支出绩效自评表")
    table = doc.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "项目名称 道路养护"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "产出指标"
    table.cell(1, 1).text = "数量指标"
    inner = table.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "嵌套", "表格"
    table.cell(2, 1).text = "质量指标"
    frame = doc.add_table(rows=1, cols=1)  # a one-cell layout frame around a table is unwrapped
    held = frame.cell(0, 0).add_table(rows=1, cols=2)
    held.cell(0, 0).text, held.cell(0, 1).text = "总分", "100"
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()
    assert sniff(data) == ("office", DOCX)
    out = read_office(data, ExtractOptions())
    cells = [(c.text, c.row, c.col, c.rowspan, c.colspan, c.page) for c in out.grid.cells if c.text]
    assert cells[0] == ("财政项目支出绩效自评表", 0, 0, 1, 1, 1)
    assert ("项目名称 道路养护", 1, 0, 1, 3, 1) in cells
    assert ("产出指标", 2, 0, 2, 1, 1) in cells
    assert any(t.replace("\n", " ") == "嵌套 表格" for t, *_ in cells)
    assert ("总分", 4, 0, 1, 1, 2) in cells and ("100", 4, 1, 1, 1, 2) in cells
    rows = grid_to_rows(out.grid)
    assert rows[-1].page_break_before  # each table is its own page, as in the HTML route


def test_docx_provenance_names_table_row_and_column() -> None:
    form = synth_form(4243)
    result = extract_bytes(render_docx([layout(form, Style.plain())]), "form.docx")
    assert result.source.route == "docx" and result.forms[0].validation == "passed"
    ref = result.forms[0].indicators[0].provenance["name"]
    assert ref.source == "docx" and ref.ref.startswith("table 1, row ") and ", column " in ref.ref


def _code(data: bytes) -> str:
    with pytest.raises(ExtractionError) as info:
        extract_bytes(data, "hostile")
    return info.value.code


def _zip(members: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", level) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


def test_a_zip_that_is_not_office_is_unsupported_not_undecodable() -> None:
    assert _code(_zip({"readme.txt": b"hello", "data/form.csv": b"a,b"})) == "unsupported_input"


def test_zip_bomb_inside_a_workbook_fails_alone() -> None:
    data, _ = _one_form_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/media/image1.bin"] = b"\0" * (40 * 1024 * 1024)
    assert _code(_zip(members)) == "zip_bomb"
    assert extract_bytes(data, "next.xlsx").forms  # the next document is unaffected


def test_a_million_empty_formatted_rows_fail_with_their_code() -> None:
    data, _ = _one_form_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    rows = "".join(f'<row r="{r}" s="1" customFormat="1"/>' for r in range(2000, 1_002_000))
    members["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", rows + "</sheetData>").encode()
    assert _code(_zip(members)) == "too_many_rows"


def test_corrupt_workbook_fails_with_its_code() -> None:
    data, _ = _one_form_xlsx()
    assert _code(data[: len(data) // 2]) == "corrupt_document"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/workbook.xml"] = b"<not xml"
    assert _code(_zip(members)) == "corrupt_document"


def test_macro_enabled_workbook_is_read_and_its_macros_never_loaded() -> None:
    data, form = _one_form_xlsx()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 Sub Auto_Open() Shell \"rm -rf /\" End Sub"
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    xlsm = _zip(members)
    assert sniff(xlsm) == ("office", XLSM)
    result = extract_bytes(xlsm, "form.xlsm")
    assert result.forms[0].project_name == form["project_name"] and result.source.media_type == XLSM


def test_encrypted_workbook_fails_with_encrypted_document() -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    data, _ = _one_form_xlsx()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    assert msoffcrypto.OfficeFile(io.BytesIO(out.getvalue())).is_encrypted()
    assert _code(out.getvalue()) == "encrypted_document"


def test_legacy_files_fail_fast_without_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCEXTRACT_SOFFICE", "/nonexistent/soffice")
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
               zipfile.ZIP_STORED)
    assert _code(ods) == "converter_missing"


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: "
                    "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui")
@pytest.mark.timeout(600)
def test_xls_and_doc_round_trip_through_libreoffice(tmp_path: Path) -> None:
    forms, styles = _forms(7)
    tables = [layout(f, s) for f, s in zip(forms, styles, strict=True)]
    want = expected_result(forms, styles)
    xls = to_legacy(render_xlsx(tables, OfficeLook.random(7)), "xls")
    doc = to_legacy(render_docx(tables, OfficeLook.random(8)), "doc")
    assert sniff(xls)[1] == "application/vnd.ms-excel" and sniff(doc)[1] == "application/msword"
    result = extract_bytes(xls, "form.xls")
    assert result.source.route == "xlsx" and result.source.media_type == "application/vnd.ms-excel"
    assert _accuracy(tmp_path, [(xls, want)], "xls") >= 0.98
    assert _accuracy(tmp_path, [(doc, want)], "doc") >= 0.98
    ods = to_legacy(render_xlsx(tables[:1]), "ods")
    result = extract_bytes(ods, "form.ods")
    assert result.source.media_type == "application/vnd.oasis.opendocument.spreadsheet"
    assert result.forms[0].project_name == forms[0]["project_name"]


def test_cli_reads_a_workbook(tmp_path: Path) -> None:
    from extractor.cli import main

    data, form = _one_form_xlsx()
    path = tmp_path / "form.xlsx"
    path.write_bytes(data)
    run = CliRunner().invoke(main, ["extract", str(path)])
    assert run.exit_code == 0, run.output
    result = json.loads(run.output)
    assert result["source"]["route"] == "xlsx" and result["forms"][0]["project_name"] == form["project_name"]


def test_ingest_uploads_office_files_whole_from_folders_and_zips(tmp_path: Path) -> None:
    pytest.importorskip("tqdm")
    from workers.cli import iter_inputs

    data, _ = _one_form_xlsx()
    docx = render_docx([layout(synth_form(4243), Style.plain())])
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.xlsx").write_bytes(data)
    (folder / "~$a.xlsx").write_bytes(b"lock")
    (folder / "batch.zip").write_bytes(_zip({"b.docx": docx, "c/d.xlsx": data}))
    names = {m.name: m.read() for m in iter_inputs(folder / "a.xlsx")}
    assert names == {"a.xlsx": data}
    names = {m.name for m in iter_inputs(folder)}
    assert "a.xlsx" in names and "~$a.xlsx" not in names
    inside = {m.name: m.read() for m in iter_inputs(folder / "batch.zip")}
    assert inside == {"b.docx": docx, "c/d.xlsx": data}


def test_upload_queue_sniffs_a_workbook_from_its_first_bytes() -> None:
    pytest.importorskip("fastapi")
    from api.app import queue_for

    data, _ = _one_form_xlsx()
    assert queue_for(data[:256 * 1024], "form.xlsx") == ("heavy", XLSX)
    assert queue_for(data[:2000], "form.xlsx")[1] == XLSX  # no ZIP directory yet: the local headers tell


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_a_conversion_over_its_time_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.routes.office import convert

    xls = to_legacy(render_xlsx([layout(synth_form(4242), Style.plain())]), "xls")
    monkeypatch.setattr(convert, "CONVERT_SECONDS", 0.2)
    assert _code(xls) == "conversion_timeout"
