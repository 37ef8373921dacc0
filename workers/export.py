"""The tables `docextract export` writes: forms, indicators, funds and failed documents, as rows of plain
values (CSV and the Excel workbook take the same rows), and the Excel workbook itself (one sheet per
table, 一级/二级 merged over their rows as the form prints them, streamed so thousands of documents fit)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from extractor.form.codes import FIELDS, FUND_ROWS, describe_failure

FORM_COLUMNS = ["document_id", "filename", "status", "error_code", "error_message", "form_index", "year",
                "department", "project_name", "implementing_unit", "validation", "total_weight", "total_score",
                "issues"]
INDICATOR_COLUMNS = ["document_id", "filename", "form_index", "year", "department", "project_name", "row",
                     "level1", "level2", "level3", "target", "actual", "weight", "score", "deviation_note",
                     "form_validation", "issues"]
FUND_FIELDS = ["initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"]
FUND_COLUMNS = ["document_id", "filename", "form_index", "year", "department", "project_name", "amount_unit",
                "fund_row", *FUND_FIELDS, "issues"]
FAILED_COLUMNS = ["document_id", "filename", "error_code", "error_explanation", "error_message"]
AMOUNT_FIELDS = frozenset({"initial_budget", "annual_budget", "executed"})

# Column heads of the workbook, in the form's own words where it has them (extractor/form/codes.py FIELDS).
HEADS_ZH = {name: words[0] for name, words in FIELDS.items()} | {
    "document_id": "文档编号", "filename": "文件名", "status": "状态", "error_code": "错误代码",
    "error_message": "错误详情", "error_explanation": "错误说明", "form_index": "第几张表", "validation": "校验结果",
    "form_validation": "本表校验结果", "total_weight": "总分值", "total_score": "总得分", "issues": "问题代码",
    "row": "行", "fund_row": "资金项目", "execution_rate": "执行率(%)"}
SHEETS = {"forms": "表格 forms", "indicators": "指标 indicators", "funds": "资金 funds", "failed": "失败 failed"}


def _codes_on(form: dict[str, Any], prefix: str) -> str:
    """The issue codes whose field is `prefix` or inside it (indicators[2], indicators[2].actual)."""
    return ";".join(issue["code"] for issue in form.get("issues", [])
                    if (field := issue.get("field") or "") == prefix or field.startswith(prefix + "."))


def form_row(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[Any]:
    total = form.get("total") or {}
    return [document_id, filename, "done", None, None, index, form.get("year"), form.get("department"),
            form.get("project_name"), form.get("implementing_unit"), form.get("validation"), total.get("weight"),
            total.get("score"), ";".join(issue["code"] for issue in form.get("issues", []))]


def failed_form_row(document_id: str, filename: str | None, code: str | None, message: str | None) -> list[Any]:
    return [document_id, filename, "failed", code, message] + [None] * (len(FORM_COLUMNS) - 5)


def failed_row(document_id: str, filename: str | None, code: str | None, message: str | None) -> list[Any]:
    return [document_id, filename, code, describe_failure(code, message), message]


def indicator_rows(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[list[Any]]:
    """One row per indicator with its form's project, department, year and the hierarchy; `issues` are the
    codes whose field is on that row (indicators[n] or indicators[n].column)."""
    head = [document_id, filename, index, form.get("year"), form.get("department"), form.get("project_name")]
    return [[*head, n + 1, *(indicator.get(key) for key in ("level1", "level2", "level3", "target", "actual",
                                                             "weight", "score", "deviation_note")),
             form.get("validation"), _codes_on(form, f"indicators[{n}]")]
            for n, indicator in enumerate(form.get("indicators", []))]


def fund_rows(document_id: str, filename: str | None, index: int, form: dict[str, Any]) -> list[list[Any]]:
    """One row per printed fund row (年度资金总额, 其中：当年财政拨款, 上年结转资金, 其他资金, then any other
    labelled rows), amounts in the form's own unit; rows with nothing printed are left out."""
    funds = form.get("funds") or {}
    head = [document_id, filename, index, form.get("year"), form.get("department"), form.get("project_name"),
            form.get("amount_unit")]
    named = [(FUND_ROWS[key][0], funds.get(key) or {}, f"funds.{key}") for key in FUND_ROWS]
    more = [(row.get("label"), row, f"funds.more[{n}]") for n, row in enumerate(funds.get("more", []))]
    return [[*head, label, *(row.get(key) for key in FUND_FIELDS), _codes_on(form, path)]
            for label, row, path in named + more if any(row.get(key) is not None for key in FUND_FIELDS)]


class Workbook:
    """The export as .xlsx: one sheet per table, rows appended as documents stream by.

    openpyxl's write-only mode keeps memory flat however many rows; merged ranges are only written at
    the end of each sheet, so they are collected (ws.merged_cells) while the rows go out."""

    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook as OpenpyxlWorkbook

        self.path = path
        self.book = OpenpyxlWorkbook(write_only=True)
        self.sheets: dict[str, Any] = {}
        self.rows: dict[str, int] = {}
        for table, columns in (("forms", FORM_COLUMNS), ("indicators", INDICATOR_COLUMNS), ("funds", FUND_COLUMNS),
                               ("failed", FAILED_COLUMNS)):
            sheet = self.book.create_sheet(SHEETS[table])
            sheet.freeze_panes = "A2"
            self.sheets[table] = sheet
            self._append(table, [HEADS_ZH.get(name, name) for name in columns], columns, head=True)

    def _append(self, table: str, values: list[Any], columns: list[str], head: bool = False) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        sheet = self.sheets[table]
        cells = []
        for name, value in zip(columns, values, strict=True):
            cell = WriteOnlyCell(sheet, _excel_value(name, value) if not head else value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: a target such as `=100%` is not a formula
            elif isinstance(cell.value, Decimal):
                cell.number_format = _amount_format(cell.value)
            if head:
                cell.font = Font(bold=True)
            cells.append(cell)
        sheet.append(cells)
        self.rows[table] = self.rows.get(table, 0) + 1

    def add_failed(self, document_id: str, filename: str | None, code: str | None, message: str | None) -> None:
        self._append("forms", failed_form_row(document_id, filename, code, message), FORM_COLUMNS)
        self._append("failed", failed_row(document_id, filename, code, message), FAILED_COLUMNS)

    def add_result(self, document_id: str, filename: str | None, result: dict[str, Any]) -> None:
        for n, form in enumerate(result.get("forms", [])):
            self._append("forms", form_row(document_id, filename, n, form), FORM_COLUMNS)
            first = self.rows["indicators"] + 1
            rows = indicator_rows(document_id, filename, n, form)
            for column, start, end in level_runs(rows):
                for row in rows[start + 1:end]:
                    row[column] = None  # shown once, in the merged cell, as printed
                letter = _column_letter(column + 1)
                self.sheets["indicators"].merged_cells.add(f"{letter}{first + start}:{letter}{first + end - 1}")
            for row in rows:
                self._append("indicators", row, INDICATOR_COLUMNS)
            for row in fund_rows(document_id, filename, n, form):
                self._append("funds", row, FUND_COLUMNS)

    def save(self) -> None:
        self.book.save(self.path)


def level_runs(rows: list[list[Any]]) -> list[tuple[int, int, int]]:
    """(column, first row, end row) of each run of two or more indicator rows under one 一级, and of each run
    under one 二级 inside its 一级: the cells the printed form merges."""
    level1, level2 = INDICATOR_COLUMNS.index("level1"), INDICATOR_COLUMNS.index("level2")
    runs = []
    for column, depth in ((level1, 1), (level2, 2)):
        start = 0
        for end in range(1, len(rows) + 1):
            same = end < len(rows) and rows[end][level1:level1 + depth] == rows[start][level1:level1 + depth]
            if same:
                continue
            if end - start > 1 and rows[start][column]:
                runs.append((column, start, end))
            start = end
    return runs


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _excel_value(column: str, value: Any) -> Any:
    """Amounts (exact decimal strings) as Decimal numbers Excel can add; everything else as it is."""
    if column in AMOUNT_FIELDS and isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _amount_format(value: Decimal) -> str:
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return "#,##0" + ("." + "0" * places if places else "")
