// The review page: upload, follow progress, read each form as the printed table, correct values.
// Plain JS, no build step, no network beyond this server. Every value cell carries data-field with
// the path Issue.field uses (indicators[3].score, funds.total.executed), which ties together issues,
// provenance boxes on the page image, corrections and the history.
"use strict";

const KEY_STORE = "docextract.key";
const LIST_SIZE = 200;  // documents shown in the list: the newest that match the search (server-side)
const FUND_ROWS = [["total", "年度资金总额"], ["appropriation", "其中：当年财政拨款"],
  ["carryover", "上年结转资金"], ["other", "其他资金"]];
const FUND_FIELDS = ["initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"];
const FUND_HEADS = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率(%)", "得分"];
const IND_HEADS = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"];
// Column keys the reader uses in provenance and issue fields, as the model field they fill.
const READER_KEYS = {name: "level3", target_op: "target", target_unit: "target", note: "deviation_note"};

const state = {
  docs: [], docId: null, formIndex: 0, result: null, history: null, pages: [], version: "corrected",
  docTotal: 0, selected: null, lowConfidence: 0.8, pollTimer: null, pageShown: null, pageUrls: new Map(),
  timezone: "Asia/Shanghai", codes: {}, labels: new Map(),
  pagesLoaded: 1, nextCursor: null, chosen: new Set(),  // list pages shown (cursor paging), ticked documents
};


const $ = (id) => document.getElementById(id);

// --- language, form terms and local time ----------------------------------------------------------

async function loadCatalogue() {
  const cat = await (await fetch(`/v1/review/catalogue?lang=${LANG}`)).json();
  state.codes = cat.codes;
}

async function loadLabels(paths) {
  // Field paths said in form terms by the server (extractor/form/codes.py field_label).
  const wanted = [...new Set(paths.filter((p) => p && !state.labels.has(p)))];
  if (!wanted.length) return;
  const labels = await apiJson("/v1/review/labels", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({fields: wanted, lang: LANG})});
  for (const [path, label] of Object.entries(labels)) state.labels.set(path, label);
}

const label = (path) => state.labels.get(path) || (path ? path : (LANG === "en" ? "form" : "表格"));
const explain = (code) => state.codes[code] || code;
const statusWord = (status) => t(`status_${status}`);
const validationWord = (v) => t(`val_${v}`);

function issueText(issue) {
  // 第 3 行 实际完成值：此值可疑，请核对原件（'o起' …）
  const sep = LANG === "en" ? ": " : "：";
  return `${label(issue.field)}${sep}${explain(issue.code)}${issue.message ? (LANG === "en" ? ` (${issue.message})` : `（${issue.message}）`) : ""}`;
}

$("lang").addEventListener("change", async (e) => {
  LANG = e.target.value;
  localStorage.setItem(LANG_STORE, LANG);
  state.labels.clear();
  applyStaticText();
  await loadCatalogue();
  if (apiKey()) start();
});

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// --- API key and requests -------------------------------------------------------------------------

function apiKey() { return sessionStorage.getItem(KEY_STORE); }

function askKey(message = "") {
  $("key-error").textContent = message;
  $("key-input").value = "";
  if (!$("key-dialog").open) $("key-dialog").showModal();
  $("key-input").focus();
}

class ApiError extends Error {
  constructor(status, detail) { super(typeof detail === "string" ? detail : JSON.stringify(detail)); this.status = status; this.detail = detail; }
}

async function api(path, options = {}) {
  const key = apiKey();
  if (!key) { askKey(); throw new ApiError(401, "no API key"); }
  const response = await fetch(path, {...options, headers: {...(options.headers || {}), "X-API-Key": key}});
  if (response.status === 401) {
    sessionStorage.removeItem(KEY_STORE);
    askKey(t("key_refused"));
    throw new ApiError(401, "key refused");
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail; } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return response;
}

const apiJson = async (path, options) => (await api(path, options)).json();

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("key-input").value.trim();
  if (!key) return;
  const response = await fetch("/v1/documents?limit=1", {headers: {"X-API-Key": key}});
  if (response.status === 401) { $("key-error").textContent = t("key_refused"); return; }
  sessionStorage.setItem(KEY_STORE, key);
  $("key-dialog").close();
  start();
});
$("change-key").addEventListener("click", () => askKey());

// --- upload -----------------------------------------------------------------------------------------

function postFiles(form, onProgress) {
  // XMLHttpRequest, not fetch: only it reports upload progress (large scans take a while to send).
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/v1/documents");
    xhr.setRequestHeader("X-API-Key", apiKey() || "");
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      if (xhr.status === 401) { sessionStorage.removeItem(KEY_STORE); askKey(t("key_refused")); }
      if (xhr.status >= 200 && xhr.status < 300) { resolve(JSON.parse(xhr.responseText)); return; }
      let detail = xhr.statusText;
      try { detail = JSON.parse(xhr.responseText).detail; } catch (_) { /* not JSON */ }
      reject(new ApiError(xhr.status, detail));
    };
    xhr.onerror = () => reject(new ApiError(0, t("unreachable")));
    xhr.send(form);
  });
}

async function upload(files) {
  const list = [...files];
  if (!list.length) return;
  if (!apiKey()) { askKey(); return; }
  const batch = 20;  // several requests keep each one well under the size limit times its file count
  const total = list.reduce((sum, f) => sum + f.size, 0) || 1;
  let sent = 0;
  const show = (bytes) => {
    $("upload-state").textContent = t("uploading", {n: list.length, pct: Math.round(100 * bytes / total)});
  };
  show(0);
  try {
    for (let i = 0; i < list.length; i += batch) {
      const part = list.slice(i, i + batch);
      const size = part.reduce((sum, f) => sum + f.size, 0);
      const form = new FormData();
      for (const f of part) form.append("files", f, f.name);
      await postFiles(form, (share) => show(sent + share * size));
      sent += size;
    }
    $("upload-state").textContent = t("uploaded", {n: list.length});
  } catch (err) {
    $("upload-state").textContent = t("upload_failed", {msg: err.message});
  }
  refreshDocs();
}

const drop = $("drop");
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
}
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  upload(e.dataTransfer.files);
});
drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") $("file-input").click(); });
$("file-input").addEventListener("change", (e) => { upload(e.target.files); e.target.value = ""; });

// --- document list (polled) -------------------------------------------------------------------------

function listParams() {
  // Newest first (or the chosen order), searched and filtered by the server.
  const params = new URLSearchParams({limit: LIST_SIZE, lang: LANG, sort: $("doc-sort").value});
  const q = $("doc-search").value.trim();
  if (q) params.set("q", q);
  for (const [id, name] of [["doc-status", "status"], ["doc-validation", "validation"], ["doc-reviewed", "reviewed"],
    ["doc-year", "year"]]) {
    const value = $(id).value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function fetchDocs(pages) {
  // The first `pages` list pages, one cursor after another (polling keeps what "show more" loaded).
  const params = listParams();
  let items = [], first = null, cursor = null;
  for (let n = 0; n < pages; n++) {
    if (cursor) params.set("cursor", cursor);
    const page = await apiJson(`/v1/documents?${params}`);
    first = first || page;
    items = items.concat(page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return {first, items, cursor};
}

async function refreshDocs() {
  clearTimeout(state.pollTimer);
  try {
    const {first, items, cursor} = await fetchDocs(state.pagesLoaded);
    state.docTotal = first.total;
    state.nextCursor = cursor;
    const before = new Map(state.docs.map((d) => [d.id, d.status]));
    state.docs = items;
    renderDocList();
    renderCounts(first.counts);
    $("list-note").textContent = first.total > items.length ? t("shown_of", {n: items.length, total: first.total}) : "";
    $("doc-more").hidden = !cursor;
    if (state.docs.length !== before.size || state.docs.some((d) => before.get(d.id) !== d.status)) refreshQueue();
    const current = state.docs.find((d) => d.id === state.docId);
    if (current && (before.get(current.id) !== current.status || current.status === "running")) {
      if (current.status === "running" && before.get(current.id) === "running") showWaiting(current);
      else openDocument(current.id, state.formIndex);
    }
  } catch (err) {
    if (err.status === 401) return;  // polling resumes once a key is given
  }
  const busy = state.docs.some((d) => d.status === "queued" || d.status === "running");
  state.pollTimer = setTimeout(refreshDocs, busy ? 1000 : 5000);
}

function renderCounts(counts) {
  // Each status option says how many documents it holds under the other filters.
  const all = Object.values(counts || {}).reduce((a, b) => a + b, 0);
  for (const option of $("doc-status").options) {
    const label = option.value ? statusWord(option.value) : t("all_statuses");
    option.textContent = t("count_of", {label, n: option.value ? (counts[option.value] || 0) : all});
  }
}

function duration(seconds) {
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = Math.round(seconds % 60);
  return h ? t("hour_min", {h, m}) : m ? t("min_sec", {m, s}) : t("sec", {s});
}

function currentPage(d) {
  // The page being read of a running document (pages_done are finished), or null before the count is known.
  return d.status === "running" && d.pages_total ? Math.min((d.pages_done || 0) + 1, d.pages_total) : null;
}

function etaText(d) {
  if (d.eta_seconds === null || d.eta_seconds === undefined) return "";
  return d.eta_seconds === 0 ? t("eta_soon") : t("eta", {left: duration(d.eta_seconds)});
}

function pageProgress(d) {
  // 第 3 / 21 页 · 约剩 1 分 20 秒 (the server's estimate once a page is done)
  const p = currentPage(d);
  if (p === null) return "";
  const left = etaText(d);
  return t("pages_progress", {p, n: d.pages_total}) + (left ? ` · ${left}` : "");
}

function renderDocList() {
  const list = $("doc-list");
  for (const id of [...state.chosen]) if (!state.docs.some((d) => d.id === id)) state.chosen.delete(id);
  list.replaceChildren(...state.docs.map((d) => {
    const box = el("input", {type: "checkbox", class: "pick-doc", "aria-label": t("select_doc", {name: d.filename || d.id}),
      onclick: (e) => { e.stopPropagation(); }, onchange: (e) => {
        if (e.target.checked) state.chosen.add(d.id); else state.chosen.delete(d.id);
        renderBulk();
      }});
    box.checked = state.chosen.has(d.id);
    const item = el("li", {class: `doc ${d.id === state.docId ? "current" : ""}`, "data-id": d.id,
      "data-status": d.status, onclick: () => { location.hash = `#/doc/${d.id}`; }},
    el("span", {class: "name"}, box, " ", d.filename || d.id),
    el("span", {class: `status status-${d.status}`, text: statusWord(d.status)}),
    el("span", {class: "meta when", text: when(d.created_at, false)}),
    d.status === "done" ? el("span", {class: "meta forms"}, t("forms_n", {n: d.forms || 0}), " ",
      d.validation ? el("span", {class: `badge v-${d.validation}`, text: validationWord(d.validation)}) : null) : null);
    if (d.status === "queued" || d.status === "running") {
      item.append(el("progress", {max: 1, value: d.progress}));
      const pages = pageProgress(d);
      if (pages) item.append(el("span", {class: "meta pages", text: pages}));
    }
    if (d.status === "failed") {
      item.append(el("span", {class: "error", text: `${d.error_code}: ${d.error_explanation || d.error_message || ""}`}));
    }
    return item;
  }));
  renderBulk();
}

function renderBulk() {
  const n = state.chosen.size;
  $("bulk-rerun").textContent = t("bulk_rerun", {n});
  $("bulk-delete").textContent = t("bulk_delete", {n});
  $("bulk-rerun").disabled = $("bulk-delete").disabled = n === 0;
  $("select-all").checked = n > 0 && state.docs.every((d) => state.chosen.has(d.id));
}

$("select-all").addEventListener("change", (e) => {
  state.chosen = new Set(e.target.checked ? state.docs.map((d) => d.id) : []);
  renderDocList();
});

$("bulk-rerun").addEventListener("click", async () => {
  const ids = [...state.chosen];
  try {
    const queued = await apiJson("/v1/documents/rerun", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({ids})});
    $("upload-state").textContent = t("bulk_rerun_done", {n: queued.filter((d) => d.status === "queued").length});
  } catch (err) { $("upload-state").textContent = err.message; return; }
  state.chosen.clear();
  refreshDocs();
});

$("bulk-delete").addEventListener("click", async () => {
  const ids = [...state.chosen];
  if (!confirm(t("confirm_bulk_delete", {n: ids.length}))) return;
  let answer;
  try {
    answer = await apiJson("/v1/documents/delete", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({ids})});
  } catch (err) { $("upload-state").textContent = err.message; return; }
  // Refused: gone already (another tab, another clerk of the key) or not this key's.
  const refused = answer.refused.length ? t("bulk_refused", {n: answer.refused.length}) : "";
  $("upload-state").textContent = t("bulk_deleted", {n: answer.deleted.length}) + refused;
  if (answer.deleted.includes(state.docId)) location.hash = "";
  state.chosen.clear();
  refreshDocs();
});

$("doc-more").addEventListener("click", () => { state.pagesLoaded += 1; refreshDocs(); });

// --- forms that need a person (failed or with warnings, not reviewed) -------------------------------

async function refreshQueue() {
  try {
    const queue = await apiJson("/v1/review/queue?limit=500");
    $("queue-count").textContent = `(${queue.total})`;
    $("queue-list").replaceChildren(...queue.items.map((f) => el("li", {
      class: `doc queue-item ${f.document_id === state.docId && f.index === state.formIndex ? "current" : ""}`,
      "data-id": f.document_id, "data-index": f.index,
      onclick: () => { location.hash = `#/doc/${f.document_id}/form/${f.index}`; }},
    el("span", {class: "name", text: `${f.index + 1}. ${f.project_name || f.department || t("no_name")}`}),
    el("span", {class: `badge v-${f.validation}`, "data-v": f.validation, text: validationWord(f.validation)}),
    el("span", {class: "meta file", text: f.filename || f.document_id}))));
  } catch (_) { /* shown again on the next refresh */ }
}

function showPane(name) {
  $("doc-list").hidden = name !== "docs";
  $("queue-list").hidden = name !== "queue";
  for (const node of document.querySelectorAll(".filters, .bulk, #list-note")) node.hidden = name !== "docs";
  $("doc-more").hidden = name !== "docs" || !state.nextCursor;
  $("tab-docs").classList.toggle("current", name === "docs");
  $("tab-queue").classList.toggle("current", name === "queue");
  if (name === "queue") refreshQueue();
}
$("tab-docs").addEventListener("click", () => showPane("docs"));
let searchTimer = null;
$("doc-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(refreshDocs, 250); });
function filtersChanged() { state.pagesLoaded = 1; state.chosen.clear(); refreshDocs(); }
$("doc-search").addEventListener("input", () => { state.pagesLoaded = 1; });
for (const id of ["doc-status", "doc-validation", "doc-reviewed", "doc-sort"]) $(id).addEventListener("change", filtersChanged);
$("doc-year").addEventListener("change", filtersChanged);
$("tab-queue").addEventListener("click", () => showPane("queue"));

// --- one document ----------------------------------------------------------------------------------

function showWaiting(doc) {
  // Running: which page of how many, and the time left; queued: waiting for a worker.
  if (doc.id !== state.docId) return;
  const p = currentPage(doc), left = etaText(doc);
  $("doc-message").textContent = p !== null
    ? t("running_pages", {p, n: doc.pages_total, eta: left ? (LANG === "en" ? `, ${left}` : `，${left}`) : ""})
    : t("waiting", {status: statusWord(doc.status), pct: Math.round(doc.progress * 100)});
}

function route() {
  const m = location.hash.match(/^#\/doc\/([0-9a-f]+)(?:\/form\/(\d+))?/);
  if (!m) { state.docId = null; $("doc-view").hidden = true; $("doc-empty").hidden = false; return; }
  const form = m[2] ? Number(m[2]) : 0;
  // Another form of the loaded document: no need to fetch it again.
  if (m[1] === state.docId && state.result && form < state.result.forms.length) showForm(form);
  else openDocument(m[1], form);
}
window.addEventListener("hashchange", route);

async function openDocument(id, formIndex) {
  const changed = id !== state.docId;
  state.docId = id;
  state.formIndex = formIndex;
  if (changed) { state.pageUrls.forEach((u) => URL.revokeObjectURL(u)); state.pageUrls.clear(); state.pageShown = null; }
  renderDocList();
  $("doc-empty").hidden = true;
  $("doc-view").hidden = false;
  const doc = await apiJson(`/v1/documents/${id}?lang=${LANG}`);
  $("doc-title").textContent = doc.filename || doc.id;
  $("doc-meta").textContent = `${statusWord(doc.status)} · ${doc.media_type} · ${when(doc.created_at)}`;
  // A failed document has no JSON or CSV to give; it can be run again (after a fix or a new pipeline).
  $("dl-json").hidden = $("dl-csv").hidden = doc.status !== "done";
  $("doc-rerun").hidden = doc.status === "queued" || doc.status === "running";
  if (doc.status !== "done") {
    if (doc.status === "failed") $("doc-message").textContent = t("failed", {code: doc.error_code, why: doc.error_explanation || doc.error_message || ""});
    else showWaiting(doc);
    $("form-list").replaceChildren();
    $("form-view").hidden = true;
    state.result = null;
    return;
  }
  $("doc-message").textContent = "";
  const [result, history, pages] = await Promise.all([
    apiJson(`/v1/documents/${id}/result?version=${state.version}`),
    apiJson(`/v1/documents/${id}/history`),
    apiJson(`/v1/documents/${id}/pages`),
  ]);
  if (id !== state.docId) return;  // another document was opened meanwhile
  await loadLabels([...result.forms.flatMap((f) => f.issues.map((i) => i.field)), ...history.events.map((e) => e.field)]);
  state.result = result;
  state.history = history;
  state.pages = pages.pages;
  $("doc-meta").textContent = `${result.source.route} · ${t("forms_n", {n: result.forms.length})}` +
    (result.source.pages ? ` · ${t("pages_n", {n: result.source.pages})}` : "") + ` · ${when(doc.created_at)}`;
  const docIssues = result.issues.map((i) => `${i.code}: ${explain(i.code)}（${i.message}）`).join("; ");
  if (docIssues) $("doc-message").textContent = docIssues;
  renderFormList();
  if (result.forms.length) showForm(Math.min(formIndex, result.forms.length - 1));
  else $("form-view").hidden = true;
}

function renderFormList() {
  const reviews = state.history.forms;
  $("form-list").replaceChildren(...state.result.forms.map((f, n) => el("li", {},
    el("a", {href: `#/doc/${state.docId}/form/${n}`, class: `form-tab ${n === state.formIndex ? "current" : ""}`,
      "data-index": n},
    el("span", {class: "n", text: String(n + 1)}),
    el("span", {class: "pname", text: f.project_name || f.department || t("no_name")}),
    el("span", {class: `badge v-${f.validation}`, "data-v": f.validation, text: validationWord(f.validation)}),
    reviews[n] && reviews[n].reviewed ? el("span", {class: "reviewed-mark", title: t("reviewed_mark"), text: "✓"}) : null))));
}

$("version").addEventListener("change", (e) => {
  state.version = e.target.value;
  if (state.docId) openDocument(state.docId, state.formIndex);
});

// --- the form as the printed table ------------------------------------------------------------------

function when(iso, withZone = true) {
  // The server's zone (DOCEXTRACT_TIMEZONE, default Asia/Shanghai), shown with the time.
  const at = new Date(iso.endsWith("Z") || /[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  const text = new Intl.DateTimeFormat(LANG === "en" ? "en-GB" : "zh-CN", {timeZone: state.timezone,
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false}).format(at);
  return withZone ? `${text} (${state.timezone})` : text;
}

function display(value) {
  return value === null || value === undefined ? "" : String(value);
}

function valueCell(tag, field, value, attrs = {}) {
  return el(tag, {class: "v", "data-field": field, tabindex: 0, ...attrs, text: display(value)});
}

function indicatorGroups(indicators, key, from = 0, to = indicators.length) {
  // Runs of equal `key` between from and to: the merged cells of the paper form.
  const runs = [];
  for (let i = from; i < to; i++) {
    const last = runs[runs.length - 1];
    if (last && indicators[i][key] === indicators[last.start][key]) last.length++;
    else runs.push({start: i, length: 1});
  }
  return runs;
}

function buildTable(form) {
  const table = el("table", {class: "form-table", id: "form-table"});
  const caption = el("caption", {},
    valueCell("span", "title", form.title || "项目支出绩效自评表"), " (",
    valueCell("span", "year", form.year), " 年度)");
  table.append(caption, el("colgroup", {}, ...Array.from({length: 8}, () => el("col"))));
  const body = el("tbody");
  const th = (text, attrs = {}) => el("th", {...attrs, text});
  body.append(el("tr", {}, th("项目名称", {colspan: 2}), valueCell("td", "project_name", form.project_name, {colspan: 6})));
  body.append(el("tr", {}, th("主管部门", {colspan: 2}), valueCell("td", "department", form.department, {colspan: 2}),
    th("实施单位", {colspan: 2}), valueCell("td", "implementing_unit", form.implementing_unit, {colspan: 2})));
  // funds
  const unit = el("span", {}, "项目资金（", valueCell("span", "amount_unit", form.amount_unit || ""), "）");
  body.append(el("tr", {"data-row": "funds", class: "head"}, el("th", {colspan: 2}, unit), ...FUND_HEADS.map((h) => th(h))));
  const fundRows = [...FUND_ROWS.map(([k, label]) => [`funds.${k}`, label, form.funds[k]]),
    ...(form.funds.more || []).map((row, i) => [`funds.more[${i}]`, row.label, row])];
  for (const [path, label, row] of fundRows) {
    body.append(el("tr", {"data-row": path}, th(label, {colspan: 2}),
      ...FUND_FIELDS.map((f) => valueCell("td", `${path}.${f}`, row[f], {class: "v num"}))));
  }
  // goals
  body.append(el("tr", {class: "head"}, th("年度总体目标", {rowspan: 2, colspan: 1}), th("预期目标", {colspan: 3}),
    th("实际完成情况", {colspan: 4})));
  body.append(el("tr", {}, valueCell("td", "goals.expected", form.goals.expected, {colspan: 3, class: "v long"}),
    valueCell("td", "goals.actual", form.goals.actual, {colspan: 4, class: "v long"})));
  // indicators: 一级 and 二级 are merged down their runs, as on paper
  body.append(el("tr", {"data-row": "indicators", class: "head"}, ...IND_HEADS.map((h) => th(h))));
  const inds = form.indicators;
  const rows = inds.map((ind, i) => el("tr", {"data-row": `indicators[${i}]`}));
  for (const run1 of indicatorGroups(inds, "level1")) {
    rows[run1.start].append(mergedCell(inds, "level1", run1, "l1"));
    for (const run2 of indicatorGroups(inds, "level2", run1.start, run1.start + run1.length)) {
      rows[run2.start].append(mergedCell(inds, "level2", run2, "l2"));
    }
  }
  inds.forEach((ind, i) => {
    for (const f of ["level3", "target", "actual", "weight", "score", "deviation_note"]) {
      rows[i].append(valueCell("td", `indicators[${i}].${f}`, ind[f],
        {class: `v ${f === "weight" || f === "score" ? "num" : ""}`}));
    }
  });
  body.append(...rows);
  body.append(el("tr", {"data-row": "total", class: "total"}, th("总分", {colspan: 5}),
    valueCell("td", "total.weight", form.total.weight, {class: "v num"}),
    valueCell("td", "total.score", form.total.score, {class: "v num"}), el("td")));
  table.append(body);
  return table;
}

function mergedCell(inds, key, run, cls) {
  // One cell stands for the run: an edit applies to every indicator under it.
  const fields = Array.from({length: run.length}, (_, k) => `indicators[${run.start + k}].${key}`);
  return valueCell("td", fields[0], inds[run.start][key],
    {rowspan: run.length, class: `v ${cls}`, "data-fields": JSON.stringify(fields)});
}

// Issue.field -> the cell(s) it concerns: a value, a row (indicators[3], funds.total) or a section.
function issueTargets(field) {
  if (!field) return [];
  const head = field.replace(/\.([a-z_]+)$/, (m, k) => `.${READER_KEYS[k] || k}`);
  const table = $("form-table");
  const exact = [...table.querySelectorAll(".v")].filter((c) => cellFields(c).includes(head));
  if (exact.length) return exact;
  const row = table.querySelector(`tr[data-row="${CSS.escape(field)}"]`);
  return row ? [row] : [];
}

function cellFields(cell) {
  return cell.dataset.fields ? JSON.parse(cell.dataset.fields) : [cell.dataset.field];
}

function provenanceRefs(form) {
  // field -> [{page, bbox, source, confidence}]; several reader columns may fill one field (target).
  const refs = new Map();
  const add = (field, ref) => { if (ref && ref.bbox) refs.set(field, [...(refs.get(field) || []), ref]); };
  for (const [k] of FUND_ROWS) for (const [key, ref] of Object.entries(form.funds[k].provenance || {})) add(`funds.${k}.${key}`, ref);
  (form.funds.more || []).forEach((row, i) => {
    for (const [key, ref] of Object.entries(row.provenance || {})) add(`funds.more[${i}].${key}`, ref);
  });
  form.indicators.forEach((ind, i) => {
    for (const [key, ref] of Object.entries(ind.provenance || {})) add(`indicators[${i}].${READER_KEYS[key] || key}`, ref);
  });
  return refs;
}

function showForm(n) {
  state.formIndex = n;
  state.selected = null;
  $("editor").hidden = true;
  const form = state.result.forms[n];
  renderFormList();
  $("form-view").hidden = false;
  const review = state.history.forms[n] || {reviewed: false};
  $("review-btn").textContent = review.reviewed ? t("unmark") : t("mark");
  $("review-state").textContent = review.reviewed
    ? t("reviewed_by", {who: review.reviewed_by, at: when(review.reviewed_at)}) : t("not_reviewed");
  $("review-state").className = `review-state ${review.reviewed ? "is-reviewed" : ""}`;
  $("review-btn").disabled = state.version !== "corrected";
  $("review-next").disabled = state.version !== "corrected";

  const table = buildTable(form);
  $("table-wrap").replaceChildren(table);
  state.refs = provenanceRefs(form);
  markCells(table, form, review);
  renderIssues(form);
  renderHistory();
  renderPage(form);
}

function markCells(table, form, review) {
  const corrected = new Set(state.version === "corrected" ? review.corrected_fields || [] : []);
  for (const cell of table.querySelectorAll(".v")) {
    const fields = cellFields(cell);
    if (fields.some((f) => corrected.has(f))) cell.classList.add("corrected");
    const refs = fields.flatMap((f) => state.refs.get(f) || []);
    if (refs.length) cell.classList.add("has-box");
    if (!cell.classList.contains("corrected") && refs.some((r) => r.confidence < state.lowConfidence)) {
      cell.classList.add("low-conf");
    }
  }
  for (const issue of form.issues) {
    for (const target of issueTargets(issue.field)) {
      target.classList.add(`issue-${issue.severity}`);
      if (issue.code === "low_confidence") target.classList.add("low-conf");
      target.title = [target.title, issueText(issue)].filter(Boolean).join("\n");
    }
  }
}

function renderIssues(form) {
  $("issue-list").replaceChildren(...form.issues.map((issue) => el("li", {
    class: `issue sev-${issue.severity}`, "data-code": issue.code, "data-field": issue.field || "",
    onclick: () => flash(issueTargets(issue.field))},
  el("span", {class: "where", text: label(issue.field)}), " ",
  el("span", {class: "code", text: explain(issue.code)}), " ", el("span", {class: "detail", text: issue.message}),
  " ", el("code", {class: "meta", text: issue.code}))));
}

function flash(nodes) {
  for (const node of nodes) {
    node.scrollIntoView({block: "center", behavior: "smooth"});
    node.classList.remove("flash");
    void node.offsetWidth;  // restart the animation
    node.classList.add("flash");
  }
}

function renderHistory() {
  const events = state.history.events.filter((e) => e.form_index === state.formIndex).reverse();
  $("history-list").replaceChildren(...(events.length ? events.map((e) => el("li", {class: `event ${e.kind}`},
    el("time", {text: when(e.at)}), " ", el("strong", {text: e.author}), " ",
    e.kind === "edit"
      ? el("span", {}, el("span", {class: "where", title: e.field, text: label(e.field)}),
        `${LANG === "en" ? ": " : "："}${display(e.old_value) || "∅"} → ${display(e.new_value) || "∅"}`,
        e.stale ? el("em", {text: t("stale")}) : null)
      : el("span", {text: e.kind === "review" ? t("reviewed_event") : t("unreviewed_event")})))
    : [el("li", {class: "none", text: t("no_corrections")})]));
}

// --- selection and editing -------------------------------------------------------------------------

$("table-wrap").addEventListener("click", (e) => {
  const cell = e.target.closest(".v");
  if (cell) select(cell);
});
$("table-wrap").addEventListener("keydown", (e) => {
  const cell = e.target.closest(".v");
  if (cell && e.key === "Enter") { e.preventDefault(); select(cell); }
});

function select(cell) {
  for (const old of document.querySelectorAll(".v.selected")) old.classList.remove("selected");
  cell.classList.add("selected");
  state.selected = cell;
  const fields = cellFields(cell);
  $("editor").hidden = false;
  loadLabels(fields).then(() => {
    $("ed-field").textContent = label(fields[0]) + (fields.length > 1 ? t("merged", {n: fields.length - 1}) : "");
  }).catch(() => { $("ed-field").textContent = fields[0]; });
  $("ed-field").title = fields[0];
  $("ed-field").textContent = label(fields[0]);
  const refs = fields.flatMap((f) => state.refs.get(f) || []);
  // An Office original has no page image: its cell is named instead (Sheet1!D12, table 2, row 3, column 1).
  $("ed-prov").textContent = !refs.length ? ""
    : refs[0].ref ? `${refs.map((r) => r.ref).join(" + ")} · ${refs[0].source}`
    : t("prov", {page: refs[0].page, source: refs[0].source, conf: refs[0].confidence});
  const form = state.result.forms[state.formIndex];
  const issues = form.issues.filter((i) => issueTargets(i.field).includes(cell));
  $("ed-issues").replaceChildren(...issues.map((i) => el("li", {class: `issue sev-${i.severity}`, text: issueText(i)})));
  $("ed-input").value = cell.textContent;
  $("ed-error").textContent = "";
  const editable = state.version === "corrected";
  $("ed-input").disabled = !editable;
  $("ed-save").disabled = !editable;
  if (!editable) $("ed-error").textContent = t("read_only");
  else $("ed-input").focus();
  showBoxes(fields, true);
}

$("ed-cancel").addEventListener("click", () => {
  $("editor").hidden = true;
  if (state.selected) state.selected.classList.remove("selected");
  state.selected = null;
  showBoxes([], false);
});
$("ed-input").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("ed-form").requestSubmit(); }
});

$("ed-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const cell = state.selected;
  if (!cell) return;
  const value = $("ed-input").value;
  $("ed-save").disabled = true;
  $("ed-error").textContent = "";
  try {
    for (const field of cellFields(cell)) {
      await apiJson(`/v1/documents/${state.docId}/forms/${state.formIndex}/corrections`, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({field, value})});
    }
    const field = cellFields(cell)[0];
    await openDocument(state.docId, state.formIndex);
    refreshQueue();
    const again = [...$("form-table").querySelectorAll(".v")].find((c) => cellFields(c)[0] === field);
    if (again) select(again);
  } catch (err) {
    $("ed-error").textContent = err.message;
  } finally {
    $("ed-save").disabled = state.version !== "corrected";
  }
});

$("review-btn").addEventListener("click", async () => {
  const reviewed = !(state.history.forms[state.formIndex] || {}).reviewed;
  await apiJson(`/v1/documents/${state.docId}/forms/${state.formIndex}/review`, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({reviewed})});
  await openDocument(state.docId, state.formIndex);
  refreshQueue();
});

$("review-next").addEventListener("click", async () => {
  const [docId, index] = [state.docId, state.formIndex];
  await apiJson(`/v1/documents/${docId}/forms/${index}/review`, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({reviewed: true})});
  const queue = await apiJson("/v1/review/queue?limit=2");
  const next = queue.items.find((f) => f.document_id !== docId || f.index !== index);
  refreshQueue();
  if (next) location.hash = `#/doc/${next.document_id}/form/${next.index}`;
  else await openDocument(docId, index);
});

// --- downloads -------------------------------------------------------------------------------------

async function download(path, name) {
  let blob;
  try {
    blob = await (await api(path)).blob();
  } catch (err) {  // e.g. 409: the document has no result (failed, or running again)
    const detail = err.detail && err.detail.status ? t("not_available", {status: statusWord(err.detail.status)}) : err.message;
    $("doc-message").textContent = detail;
    return;
  }
  const url = URL.createObjectURL(blob);
  const a = el("a", {href: url, download: name});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

function stem() {
  const doc = state.docs.find((d) => d.id === state.docId);
  return (doc && doc.filename ? doc.filename.replace(/\.[^.]+$/, "") : state.docId);
}

$("dl-json").addEventListener("click", () =>
  download(`/v1/documents/${state.docId}/result?version=${state.version}`, `${stem()}-${state.version}.json`));
$("dl-csv").addEventListener("click", () =>
  download(`/v1/documents/${state.docId}/indicators.csv?version=${state.version}`, `${stem()}-indicators.csv`));

$("doc-rerun").addEventListener("click", async () => {
  try {
    await apiJson(`/v1/documents/${state.docId}/rerun`, {method: "POST"});
    $("doc-message").textContent = t("rerun_done");
  } catch (err) { $("doc-message").textContent = err.message; return; }
  refreshDocs();
});

$("doc-delete").addEventListener("click", async () => {
  const doc = state.docs.find((d) => d.id === state.docId);
  if (!confirm(t("confirm_delete", {name: (doc && doc.filename) || state.docId}))) return;
  try {
    await api(`/v1/documents/${state.docId}`, {method: "DELETE"});
  } catch (err) { $("doc-message").textContent = err.message; return; }
  location.hash = "";
  refreshDocs();
});

// --- the page image with provenance boxes ----------------------------------------------------------

function renderPage(form) {
  if (!state.pages.length) { $("page-wrap").hidden = true; $("split").classList.remove("with-page"); return; }
  $("page-wrap").hidden = false;
  $("split").classList.add("with-page");
  const pageNumbers = state.pages.map((p) => p.page);
  // Compact: previous / jump / next, however many pages (a 21-page scan took three rows of buttons).
  const step = (by) => {
    const at = pageNumbers.indexOf(state.pageShown);
    const to = pageNumbers[Math.min(pageNumbers.length - 1, Math.max(0, at + by))];
    if (to !== undefined) showPage(to);
  };
  const jump = el("select", {id: "page-jump", class: "page-jump", "aria-label": t("page_alt"),
    onchange: (e) => showPage(Number(e.target.value))},
  ...pageNumbers.map((p) => el("option", {value: p, class: form.pages.includes(p) ? "of-form" : null},
    t("page_of", {p, n: pageNumbers.length}) + (form.pages.includes(p) ? " ●" : ""))));
  $("page-nav").replaceChildren(
    el("button", {type: "button", id: "page-prev", class: "page-step", title: t("prev"), onclick: () => step(-1)}, "‹"),
    jump,
    el("button", {type: "button", id: "page-next", class: "page-step", title: t("next"), onclick: () => step(1)}, "›"),
    el("button", {type: "button", id: "page-wide", class: "page-wide", title: t("wider_title"),
      onclick: () => $("split").classList.toggle("page-wide")}, t("wider")));
  showPage(state.pageShown && form.pages.includes(state.pageShown) ? state.pageShown : form.pages[0] || 1);
}

async function showPage(number) {
  const info = state.pages.find((p) => p.page === number);
  if (!info) return;
  state.pageShown = number;
  if ($("page-jump")) $("page-jump").value = String(number);
  const svg = $("page-svg");
  svg.setAttribute("viewBox", `0 0 ${info.width} ${info.height}`);
  svg.dataset.page = number;
  svg.dataset.unit = info.unit;
  const img = $("page-img");
  img.style.aspectRatio = `${info.width} / ${info.height}`;
  // Boxes of every value on this page: pointing at one lights its cell in the table.
  const boxes = [];
  for (const [field, refs] of state.refs) {
    for (const ref of refs) {
      if (ref.page !== number) continue;
      const [x0, y0, x1, y1] = ref.bbox;
      boxes.push(svgEl("rect", {class: "box", x: x0, y: y0, width: x1 - x0, height: y1 - y0, "data-field": field}));
    }
  }
  svg.replaceChildren(...boxes, svgEl("g", {id: "outline"}));
  let url = state.pageUrls.get(number);
  if (!url) {
    url = URL.createObjectURL(await (await api(`/v1/documents/${state.docId}/pages/${number}.png?width=1400`)).blob());
    state.pageUrls.set(number, url);
  }
  if (state.pageShown === number) {
    img.src = url;
    await img.decode().catch(() => {});
    img.dataset.page = number;
  }
}

function svgEl(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

async function showBoxes(fields, switchPage) {
  const refs = fields.flatMap((f) => state.refs.get(f) || []);
  if (switchPage && refs.length && refs[0].page !== state.pageShown) await showPage(refs[0].page);
  const outline = $("outline");
  if (!outline) return;
  outline.replaceChildren(...refs.filter((r) => r.page === state.pageShown).map((r) => {
    const [x0, y0, x1, y1] = r.bbox;
    return svgEl("rect", {class: "outline", x: x0, y: y0, width: x1 - x0, height: y1 - y0, "data-field": fields[0]});
  }));
}

// Pointing at a value outlines its cell on the page ...
$("table-wrap").addEventListener("mouseover", (e) => {
  const cell = e.target.closest(".v");
  if (cell && !$("page-wrap").hidden) showBoxes(cellFields(cell), true);
});
$("table-wrap").addEventListener("mouseleave", () => {
  showBoxes(state.selected ? cellFields(state.selected) : [], false);
});
// ... and pointing at the page lights the value it holds.
$("page-svg").addEventListener("mouseover", (e) => {
  const box = e.target.closest("rect.box");
  for (const old of document.querySelectorAll(".v.linked")) old.classList.remove("linked");
  if (!box) return;
  const field = box.dataset.field;
  const cell = [...$("form-table").querySelectorAll(".v")].find((c) => cellFields(c).includes(field));
  if (cell) cell.classList.add("linked");
  showBoxes([field], false);
});
$("page-svg").addEventListener("click", (e) => {
  const box = e.target.closest("rect.box");
  if (!box) return;
  const cell = [...$("form-table").querySelectorAll(".v")].find((c) => cellFields(c).includes(box.dataset.field));
  if (cell) select(cell);
});

// --- start ------------------------------------------------------------------------------------------

async function start() {
  applyStaticText();
  $("lang").value = LANG || "zh";
  if (!apiKey()) { askKey(); return; }
  try {
    const config = await apiJson("/v1/review/config");
    state.lowConfidence = config.low_confidence;
    state.timezone = config.timezone;
    if (!LANG) { LANG = config.language; $("lang").value = LANG; applyStaticText(); }
    await loadCatalogue();
    $("who").textContent = t("signed_in", {name: config.key_name});
  } catch (_) { return; }
  await refreshDocs();
  route();
}

start();
