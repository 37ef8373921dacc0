"""The issue and error codes as data (code -> severity, zh and en explanation), the words of the form,
and the one function that says a field path (`indicators[2].actual`) in form terms (`第 3 行 实际完成值`).

The review page, the API's messages and the CLI all read this catalogue; nothing here runs the pipeline.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"


class Code(NamedTuple):
    severity: str  # "error", "warning", "error/warning", or "input" for a file that gives no result
    zh: str
    en: str
    # A warning is a doubt (a value may be wrong: check it) or a note (what the reader did, or what the
    # page itself prints or lacks, said for the record). The review queue puts doubts before notes.
    note: bool = False


CODES: dict[str, Code] = {
    # Validation: issues on a form.
    "weights_do_not_sum": Code("error", "指标分值之和与总分值不符", "indicator weights + funds weight ≠ total weight"),
    "scores_do_not_sum": Code("error", "指标得分之和与总得分不符", "indicator scores + funds score ≠ total score"),
    "score_exceeds_weight": Code("error", "得分高于分值", "a score above its weight"),
    "funds_do_not_add_up": Code("error", "年度资金总额不等于各项资金之和", "年度资金总额 ≠ the sum of its parts"),
    "execution_rate_mismatch": Code("error", "执行率不等于全年执行数 / 全年预算数",
                                    "执行率 ≠ 全年执行数 / 全年预算数"),
    "funds_score_inconsistent": Code("warning", "资金得分与分值 × 执行率不符",
                                     "funds score ≠ weight × min(rate, 100%)"),
    "missing_level": Code("error", "指标缺少一级或二级指标", "an indicator without level 1 or level 2"),
    "unknown_level1": Code("warning", "一级指标名称不在指标体系中", "a level 1 label not in the taxonomy"),
    "unknown_level2": Code("warning", "二级指标名称不在指标体系中", "a level 2 label not in the taxonomy"),
    "no_indicators": Code("error", "表中没有绩效指标", "no indicator table in the form"),
    "missing_total": Code("warning", "没有总分行", "no 总分 row", note=True),
    "missing_field": Code("warning", "缺少分值、得分、实际完成值或项目名称",
                          "a missing weight, score, actual (where the other rows print one) or project name"),
    "no_points_columns": Code("warning", "指标表头没有分值、得分栏（模板如此），各行分值、得分为空",
                              "the indicator header prints no 分值/得分 columns (the template's): rows carry no points",
                              note=True),
    "scored_by_block": Code("warning", "该表在右侧「自评得分」栏按板块评分，指标表没有分值栏：各行分值为空，得分合计不与总分核对",
                            "the form scores each block in a right-hand 自评得分 column and prints no 分值: rows carry "
                            "no weight, and their scores are not summed against the 总分 (the goals' block score has "
                            "no field)", note=True),
    "number_unparsed": Code("error", "不是可识别的数字（未采用，也未猜测）",
                            "does not read as a number (kept out, never guessed)"),
    "block_weight_mismatch": Code("warning", "指标块标注的分值与其指标分值之和不符",
                                  "a block's printed weight differs from its indicators' weights"),
    "page_number_dropped": Code("warning", "单元格中的页码已去除", "a page number in a cell was not read as a value", note=True),
    "name_joined": Code("warning", "跨页拆开的指标名称已合并", "an indicator name split over a page break was joined", note=True),
    "form_incomplete": Code("warning", "表格未能完整读出：多处应有的单元格为空，请核对原件",
                            "the form was not read completely: many cells every form prints are empty"),
    "row_without_values": Code("warning", "只有名称、没有数值的行已略去", "a row with a name and nothing else was dropped"),
    "text_ends_in_row": Code("warning", "文字在表格的一行中截断，末尾的片段已略去", "the text ends inside a table row: its fragment was dropped",
                             note=True),
    "rate_as_fraction": Code("warning", "执行率印为小数，与全年执行数 / 全年预算数相符，已读作百分数",
                             "a rate printed as a fraction (0.958) that equals executed / budget was read as a percent",
                             note=True),
    "amount_converted": Code("warning", "带“万”的金额已换算为元", "a 万 amount was converted to 元", note=True),
    "low_confidence": Code("warning", "识别置信度低，请核对原件", "read by OCR with low confidence: check the original"),
    "doubtful_value": Code("warning", "此值可疑，请核对原件", "a doubtful value: check the original"),
    "fund_row_unread": Code("warning", "资金表中有一行行名未能识别，该行数值未归入，请核对原件",
                            "a fund row whose name was misread: its figures are not in their row"),
    "key_unread": Code("warning", "表头一栏的名称未能识别（像是项目名称、主管部门或实施单位），其内容未读入，请核对原件",
                       "a key cell misread (it looks like 项目名称/主管部门/实施单位): its value is not read"),
    "value_unread": Code("error/warning", "单元格内容未能归入任何栏目", "a printed cell that fits none of the columns"),
    "number_grammar": Code("warning", "扫描读到的数值不合数字写法（多余的前导 0，或“万”后是数字），可能漏读或误读，请核对原件",
                           "a scanned value is not how a number is printed (a leading 0, a digit after 万): check it"),
    "total_incomplete": Code("warning", "总分行只读到分值或得分之一，另一项未读到，请核对原件",
                             "the 总分 row's weight or score was not read: check the original"),
    "header_mismatch": Code("warning", "主管部门与实施单位只差个别字，可能有一处识别有误，请核对原件",
                            "主管部门 and 实施单位 differ by a character (one is misread, likely): check the original"),
    "header_grammar": Code("warning", "项目名称以数字开头（可能混入了页码），请核对原件",
                           "the project name starts with a number other than its year: check the original"),
    "word_mismatch": Code("warning", "实际完成值与年度指标值只差一个字，可能有一处识别有误，请核对原件",
                          "the actual's word and the target's differ by one character: check the original"),
    "scan_degraded": Code("warning", "扫描质量差（大量字符识别把握不足），此段长文本很可能有误读，请核对原件",
                          "a poor scan (many characters read unsurely): this long text is likely misread somewhere"),
    "unit_mismatch": Code("warning", "实际完成值与年度指标值的单位不同（可能识别有误），请核对原件",
                          "the actual's unit differs from the target's (a misread, likely): check the original"),
    "full_score_on_missed_target": Code("warning", "实际完成值未达到年度指标值却得满分（按原表记录）",
                                        "full marks on a target the actual misses (as printed)", note=True),
    "amount_repaired": Code("warning", "千分位符号有误，已按唯一可能的金额读取",
                            "misprinted thousands separators read as the one amount they can mean", note=True),
    "text_layer_untrusted": Code("warning", "PDF 文字层乱码，该页已改用 OCR 识别",
                                 "a PDF page's text layer was garbled and the page was OCRed", note=True),
    "text_repaired": Code("warning", "文本中有少量损坏字节或混用两种编码，已修复读取，请核对所示行",
                          "a few damaged bytes, or lines in two encodings, were repaired: check the lines named"),
    "no_form_found": Code("error", "文件可读，但其中没有绩效自评表", "readable input without a self-evaluation form"),
    "text_converted": Code("warning", "文本为繁体字或带拼音注音，已转为简体读取", "traditional characters or pinyin "
                           "glosses in the text were converted back to simplified", note=True),
    "table_dropped": Code("warning", "转换工具没有输出表格（文本中只有 [TABLE] 占位），请用原文件或其他工具重新导出",
                          "the converter printed [TABLE] instead of the table: export the original again"),
    # Input and service errors: a file that gives no result.
    "empty_input": Code("input", "文件为空", "the file is empty"),
    "undecodable_text": Code("input", "文本编码无法识别", "the text encoding cannot be read"),
    "unsupported_input": Code("input", "不支持的文件类型", "a file type that is not supported"),
    "file_too_large": Code("input", "文件过大", "the file is too large"),
    "too_many_cells": Code("input", "表格单元格过多", "too many table cells"),
    "encrypted_pdf": Code("input", "PDF 已加密，无法读取", "the PDF is encrypted"),
    "corrupt_pdf": Code("input", "PDF 文件已损坏", "the PDF is damaged"),
    "corrupt_image": Code("input", "图片文件已损坏或不是图片", "the image is damaged or not an image"),
    "too_many_pages": Code("input", "页数过多", "too many pages"),
    # Office files (.xlsx/.docx, and legacy formats through LibreOffice).
    "encrypted_document": Code("input", "文件设有密码，无法读取", "the document is password-protected"),
    "corrupt_document": Code("input", "Office 文件已损坏", "the Office file is damaged"),
    "converter_missing": Code("input", "未安装 LibreOffice，无法转换旧版 Office 文件",
                              "LibreOffice is not installed; legacy Office files cannot be converted"),
    "conversion_failed": Code("input", "LibreOffice 转换失败", "LibreOffice could not convert the file"),
    "conversion_timeout": Code("input", "LibreOffice 转换超时", "the LibreOffice conversion took too long"),
    "office_too_large": Code("input", "Office 文件解压后过大", "the Office file is too large once unpacked"),
    "zip_too_many_members": Code("input", "压缩包内文件过多", "the file holds too many archive members"),
    "too_many_sheets": Code("input", "工作表过多", "too many sheets"),
    "too_many_rows": Code("input", "表格行数过多", "too many rows"),
    "page_too_large": Code("input", "页面图像过大", "a page image is too large"),
    "page_timeout": Code("input", "单页处理超时", "a page took too long"),
    "ocr_model_missing": Code("input", "缺少 OCR 模型", "the OCR model is missing"),
    "ocr_engine_unavailable": Code("input", "OCR 引擎不可用", "the OCR engine is not available"),
    "unknown_ocr_engine": Code("input", "未知的 OCR 引擎", "unknown OCR engine"),
    "time_limit": Code("input", "处理超时", "processing took too long"),
    "too_many_attempts": Code("input", "多次处理均未完成，不再重试", "started too many times without finishing"),
    "original_missing": Code("input", "原件已不在存储中", "the original is no longer stored"),
    "storage_error": Code("input", "结果无法保存", "the result could not be stored"),
    "internal_error": Code("input", "程序内部错误", "an internal error"),
    "reading_failed": Code("warning", "一种读法出错，已略去，结果取自其他读法", "a candidate reading failed and was left out", note=True),
    "archive_too_large": Code("input", "压缩包解压后过大", "the archive is too large unpacked"),
    "archive_too_many_members": Code("input", "压缩包内文件过多", "too many files in the archive"),
    "archive_member_too_large": Code("input", "压缩包内的文件过大", "a file in the archive is too large"),
    "zip_bomb": Code("input", "压缩包疑为压缩炸弹，已拒绝", "the archive looks like a zip bomb"),
    "archive_too_deep": Code("input", "压缩包嵌套层数过多", "archives nested too deep"),
    "unsafe_archive_path": Code("input", "压缩包内路径不安全", "an unsafe path in the archive"),
    "encrypted_archive_member": Code("input", "压缩包内文件已加密", "an encrypted file in the archive"),
    "corrupt_archive": Code("input", "压缩包已损坏", "the archive is damaged"),
    "unreadable": Code("input", "文件无法读取", "the file cannot be read"),
}

# The form's printed words for the model's fields (the column heads of 绩效自评表).
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("标题", "title"), "year": ("年度", "year"), "project_name": ("项目名称", "project name"),
    "department": ("主管部门", "department"), "implementing_unit": ("实施单位", "implementing unit"),
    "amount_unit": ("金额单位", "amount unit"),
    "level1": ("一级指标", "level 1"), "level2": ("二级指标", "level 2"), "level3": ("三级指标", "level 3"),
    "target": ("年度指标值", "target"), "actual": ("实际完成值", "actual"), "weight": ("分值", "weight"),
    "score": ("得分", "score"), "deviation_note": ("偏差原因分析及改进措施", "deviation note"),
    "initial_budget": ("年初预算数", "initial budget"), "annual_budget": ("全年预算数", "annual budget"),
    "executed": ("全年执行数", "executed"), "execution_rate": ("执行率", "execution rate"),
    "expected": ("预期目标", "expected goal"), "label": ("名称", "label"),
    # What a reader of a table calls a column in provenance keys.
    "name": ("三级指标", "level 3"), "target_op": ("年度指标值", "target"), "target_unit": ("年度指标值", "target"),
    "note": ("偏差原因分析及改进措施", "deviation note"),
}
FUND_ROWS: dict[str, tuple[str, str]] = {
    "total": ("年度资金总额", "total funds"), "appropriation": ("当年财政拨款", "appropriation"),
    "carryover": ("上年结转资金", "carry-over"), "other": ("其他资金", "other funds"),
}
SECTIONS: dict[str, tuple[str, str]] = {
    "indicators": ("绩效指标", "indicators"), "funds": ("项目资金", "funds"),
    "goals": ("年度总体目标", "goals"), "total": ("总分", "total"),
}
GOALS: dict[str, tuple[str, str]] = {"expected": ("预期目标", "expected goal"), "actual": ("实际完成情况", "actual result")}

_INDEX = re.compile(r"^(\w+)\[(\d+)\]$")


def _pick(words: tuple[str, str], lang: Lang) -> str:
    return words[0] if lang == "zh" else words[1]


def field_label(path: str | None, lang: Lang = DEFAULT_LANG) -> str:
    """A field path as the form prints it: `indicators[2].actual` -> `第 3 行 实际完成值` (en: `row 3 actual`),
    `funds.total.executed` -> `年度资金总额 全年执行数`, `goals.actual` -> `年度总体目标 实际完成情况`.
    An empty path is the whole form (表格); an unknown part is kept as printed."""
    if not path:
        return "表格" if lang == "zh" else "form"
    parts = path.split(".")
    words: list[str] = []
    head = _INDEX.match(parts[0])
    if head and head.group(1) == "indicators":
        row = int(head.group(2)) + 1
        words.append(f"第 {row} 行" if lang == "zh" else f"row {row}")
        rest = parts[1:]
    elif parts[0] == "indicators":
        words.append(_pick(SECTIONS["indicators"], lang))
        rest = parts[1:]
    elif parts[0] == "funds" and len(parts) > 1:
        more = _INDEX.match(parts[1])
        if more and more.group(1) == "more":
            n = int(more.group(2)) + 1
            words.append(f"资金第 {n} 项其他行" if lang == "zh" else f"funds extra row {n}")
        else:
            words.append(_pick(FUND_ROWS.get(parts[1], (parts[1], parts[1])), lang))
        rest = parts[2:]
    elif parts[0] == "goals" and len(parts) > 1:
        words.append(_pick(SECTIONS["goals"], lang))
        words.append(_pick(GOALS.get(parts[1], (parts[1], parts[1])), lang))
        rest = parts[2:]
    elif parts[0] == "total":
        words.append(_pick(SECTIONS["total"], lang))
        rest = parts[1:]
    else:
        rest = parts
    for part in rest:
        words.append(_pick(FIELDS.get(part, SECTIONS.get(part, (part, part))), lang))
    return " ".join(words)


def explain(code: str | None, lang: Lang = DEFAULT_LANG) -> str:
    """The code's explanation in `lang`; an unknown code is returned as it is."""
    entry = CODES.get(code or "")
    if entry is None:
        return code or ""
    return entry.zh if lang == "zh" else entry.en


def severity(code: str) -> str | None:
    entry = CODES.get(code)
    return entry.severity if entry else None


def is_note(code: str) -> bool:
    """A warning said for the record (a repair made, a row the page lacks), not a doubt about a value."""
    entry = CODES.get(code)
    return bool(entry and entry.note)


# Python's reprs in a library's message: `<_io.BytesIO object at 0x7fb4…>`, `<PIL.Image … at 0x…>`.
_OBJECT_REPR = re.compile(r"\s*<[\w.]+(?: [\w.]+)* object at 0x[0-9a-fA-F]+>")


def clean_message(message: str | None) -> str:
    """A stored error message without Python internals (object reprs), said about the file."""
    if not message:
        return ""
    cleaned = _OBJECT_REPR.sub("", message)
    cleaned = re.sub(r":?\s*cannot identify image file\s*", "", cleaned)  # PIL's words for "not an image"
    return re.sub(r"\s+", " ", cleaned).strip(" :")


def describe_failure(code: str | None, message: str | None, lang: Lang = DEFAULT_LANG) -> str:
    """One line for a failed document: the explanation in `lang`, then the cleaned detail."""
    detail = clean_message(message)
    if not code:
        return detail or ("原因未知" if lang == "zh" else "reason unknown")
    text = explain(code, lang)
    return f"{text}（{detail}）" if lang == "zh" and detail else f"{text} ({detail})" if detail else text


def catalogue(lang: Lang) -> dict[str, dict[str, str]]:
    """The codes and form words in one language, for the review page."""
    return {
        "codes": {code: explain(code, lang) for code in CODES},
        "severities": {code: entry.severity for code, entry in CODES.items()},
        "notes": sorted(code for code, entry in CODES.items() if entry.note),
        "fields": {key: _pick(words, lang) for key, words in FIELDS.items()},
        "fund_rows": {key: _pick(words, lang) for key, words in FUND_ROWS.items()},
    }


# The API's refusals, in both languages (Chinese first: the users are finance clerks; the English stays
# for scripts and operators).
API_MESSAGES: dict[str, tuple[str, str]] = {
    "key_required": ("需要有效的 API 密钥（X-API-Key 请求头）", "a valid API key is required in the X-API-Key header"),
    "no_document": ("没有这个文档", "no such document"),
    "too_large": ("每个文件最大 {limit} 字节", "each file may have at most {limit} bytes"),
    "no_result": ("此文档还没有结果（{status}）", "the document has no result yet ({status})"),
    "bad_filename": ("文件名含有控制字符（如 NUL），未接收任何文件：{name}",
                     "a file name holds a control character (such as NUL); no file was accepted: {name}"),
    "not_a_page": ("{name} 是 {media_type}，不是页面图像：只有图像可以作为同一文件的各页合并",
                   "{name} is {media_type}, not a page image: only images are joined as the pages of one document"),
    "pages_refused": ("各页图像未能合并为一份文件：{reason}", "the page images could not be joined: {reason}"),
    "bad_cursor": ("cursor 无效：请使用上一页返回的 next_cursor（且排序方式相同）",
                   "invalid cursor: pass the previous page's next_cursor, with the same sort"),
}


def api_message(key: str, **params: object) -> str:
    """`中文 / English` for an API refusal."""
    zh, en = API_MESSAGES[key]
    return f"{zh.format(**params)} / {en.format(**params)}"
