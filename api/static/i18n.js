// The page's words in zh-CN (default) and en. Issue explanations and the form's field names are not
// here: they come from the server's catalogue (extractor/form/codes.py, GET /v1/review/catalogue), and
// field paths are said in form terms by the server (POST /v1/review/labels), so there is one source.
"use strict";

const MESSAGES = {
  zh: {
    "title": "绩效自评表审核", "api_key": "API 密钥", "key_note": "密钥只保存在本浏览器标签页中（sessionStorage）。",
    "key_use": "使用此密钥", "key_refused": "服务器不接受此密钥。", "signed_in": "当前用户：{name}",
    "drop": "把文件拖到这里", "drop_kinds": "文本、HTML、PDF、扫描件——可一次多个", "pick": "或选择文件",
    "upload_aria": "上传文件", "tab_docs": "文档", "tab_queue": "待审核",
    "empty": "请在左侧选择一个文档，或上传文件。", "version": "版本", "v_corrected": "更正后", "v_original": "原始",
    "dl_csv": "指标 CSV", "review_next": "已审核 → 下一个", "review_next_title": "标记本表已审核并打开下一张待审核的表",
    "history": "本表的修改记录", "save": "保存更正", "close": "关闭", "search": "搜索文件名、项目或部门",
    "all_statuses": "全部状态", "rerun": "重新处理", "delete": "删除", "confirm_delete": "删除 {name}？原件、结果和更正都会删除。",
    "uploading": "正在上传 {n} 个文件：{pct}%", "uploaded": "已上传 {n} 个文件", "upload_failed": "上传失败：{msg}",
    "unreachable": "无法连接服务器", "no_name": "（无名称）",
    "status_queued": "排队中", "status_running": "处理中", "status_done": "已完成", "status_failed": "失败",
    "val_passed": "通过", "val_warnings": "有警告", "val_failed": "未通过",
    "failed": "处理失败：{code} — {why}", "waiting": "等待中：{status}（{pct}%）",
    "forms_n": "{n} 张表", "pages_n": "{n} 页", "reviewed_mark": "已审核", "unmark": "取消已审核",
    "mark": "标记本表已审核", "reviewed_by": "{who} 于 {at} 审核", "not_reviewed": "未审核",
    "merged": "（另有 {n} 个合并单元格）", "prov": "第 {page} 页 · {source} · 置信度 {conf}",
    "read_only": "原始版本只读；请切换到“更正后”版本再修改。", "stale": "（原件此后有变化）",
    "reviewed_event": "标记本表已审核", "unreviewed_event": "撤销了审核标记", "no_corrections": "暂无更正。",
    "wider": "⇔ 放大页面", "wider_title": "更大的页面图像", "prev": "上一页", "next": "下一页", "page_of": "第 {p} / {n} 页",
    "page_alt": "原件页面", "rerun_done": "已重新排队", "not_available": "此文档没有结果（{status}）", "lang": "语言",
    "status_filter": "按状态筛选", "validation_filter": "按校验结果筛选", "all_validations": "全部校验结果", "year": "年度",
    "sort": "排序", "sort_newest": "最新在前", "sort_oldest": "最早在前", "sort_filename": "按文件名",
    "select_all": "全选", "bulk_rerun": "重新处理所选（{n}）", "bulk_delete": "删除所选（{n}）",
    "confirm_bulk_delete": "删除所选的 {n} 个文档？原件、结果和更正都会删除。", "bulk_rerun_done": "已重新排队 {n} 个文档",
    "bulk_deleted": "已删除 {n} 个文档", "bulk_refused": "；{n} 个未删除（已不存在或不属于此密钥）",
    "review_filter": "按审核情况筛选", "all_reviews": "全部审核情况", "rev_waiting": "有待审核", "rev_done": "无待审核",
    "review_filter_title": "有待审核：有未通过或有警告、尚未标记已审核的表；无待审核：已完成，这样的表都已审核或没有",
    "select_doc": "选择 {name}", "more": "显示更多",
    "shown_of": "共 {total} 个文档，已显示 {n} 个", "count_of": "{label}（{n}）",
    "pages_progress": "第 {p} / {n} 页", "eta": "约剩 {left}", "eta_soon": "即将完成",
    "running_pages": "处理中：第 {p} / {n} 页{eta}", "sec": "{s} 秒", "min_sec": "{m} 分 {s} 秒", "hour_min": "{h} 小时 {m} 分",
  },
  en: {
    "title": "performance self-evaluation review", "api_key": "API key",
    "key_note": "The key is kept for this browser tab only (sessionStorage).", "key_use": "Use this key",
    "key_refused": "The server did not accept this key.", "signed_in": "signed in as {name}",
    "drop": "Drop files here", "drop_kinds": "text, HTML, PDF, scans — many at once", "pick": "or choose files",
    "upload_aria": "Upload files", "tab_docs": "Documents", "tab_queue": "To review",
    "empty": "Choose a document on the left, or upload one.", "version": "Version", "v_corrected": "corrected",
    "v_original": "original", "dl_csv": "Indicators CSV", "review_next": "Reviewed → next",
    "review_next_title": "mark this form reviewed and open the next form to review", "history": "History of this form",
    "save": "Save correction", "close": "Close", "search": "search file, project or department",
    "all_statuses": "all statuses", "rerun": "Re-run", "delete": "Delete",
    "confirm_delete": "Delete {name}? The original, its result and corrections are deleted.",
    "uploading": "Uploading {n} file(s): {pct}%", "uploaded": "Uploaded {n} file(s)", "upload_failed": "Upload failed: {msg}",
    "unreachable": "the server cannot be reached",
    "no_name": "(no name)", "status_queued": "queued", "status_running": "running", "status_done": "done",
    "status_failed": "failed", "val_passed": "passed", "val_warnings": "warnings", "val_failed": "failed",
    "failed": "Failed: {code} — {why}", "waiting": "Waiting: {status} ({pct}%)", "forms_n": "{n} form(s)",
    "pages_n": "{n} page(s)", "reviewed_mark": "reviewed", "unmark": "Unmark reviewed", "mark": "Mark form reviewed",
    "reviewed_by": "reviewed by {who} at {at}", "not_reviewed": "not reviewed", "merged": " (+{n} merged)",
    "prov": "page {page} · {source} · confidence {conf}",
    "read_only": "The original is read-only; switch to the corrected version to edit.",
    "stale": " (the original changed since)", "reviewed_event": "marked the form reviewed",
    "unreviewed_event": "took back the review mark", "no_corrections": "No corrections yet.",
    "wider": "⇔ wider page", "wider_title": "a larger page image", "prev": "previous page", "next": "next page",
    "page_of": "page {p} of {n}", "page_alt": "page of the original", "rerun_done": "queued again",
    "not_available": "this document has no result ({status})", "lang": "Language",
    "status_filter": "filter by status", "validation_filter": "filter by validation", "all_validations": "all validations",
    "year": "year", "sort": "sort", "sort_newest": "newest first", "sort_oldest": "oldest first",
    "sort_filename": "by file name", "select_all": "select all", "bulk_rerun": "Re-run selected ({n})",
    "bulk_delete": "Delete selected ({n})", "confirm_bulk_delete": "Delete the {n} selected documents? Their originals, results and corrections are deleted.",
    "bulk_rerun_done": "{n} document(s) queued again", "bulk_deleted": "{n} document(s) deleted",
    "bulk_refused": "; {n} not deleted (gone already or not this key's)", "review_filter": "filter by review",
    "all_reviews": "any review state", "rev_waiting": "forms to review", "rev_done": "nothing to review",
    "review_filter_title": "forms to review: a form failed or with warnings is not marked reviewed; nothing to review: done, every such form reviewed or none",
    "select_doc": "select {name}",
    "more": "Show more", "shown_of": "{n} of {total} documents shown", "count_of": "{label} ({n})",
    "pages_progress": "page {p} of {n}", "eta": "about {left} left", "eta_soon": "almost done",
    "running_pages": "Running: page {p} of {n}{eta}", "sec": "{s} s", "min_sec": "{m} min {s} s", "hour_min": "{h} h {m} min",
  },
};

const LANG_STORE = "docextract.lang";
let LANG = localStorage.getItem(LANG_STORE) || "";

function t(key, params = {}) {
  const words = MESSAGES[LANG] || MESSAGES.zh;
  const text = words[key] !== undefined ? words[key] : (MESSAGES.en[key] || key);
  return text.replace(/\{(\w+)\}/g, (m, name) => (params[name] !== undefined ? String(params[name]) : m));
}

function applyStaticText() {
  document.documentElement.lang = LANG === "en" ? "en" : "zh-CN";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria]")) node.setAttribute("aria-label", t(node.dataset.i18nAria));
  for (const node of document.querySelectorAll("[data-i18n-alt]")) node.alt = t(node.dataset.i18nAlt);
}
