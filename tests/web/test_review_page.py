"""The review page in a real headless Chromium against a real `docextract serve` (embedded queue, local
worker): upload by drag and drop, follow progress, read the nine forms of the sample as tables with
merged 一级/二级 cells, correct a value, reload, keep the correction and its history; a PDF shows its page
with the cell of a value outlined where the generator drew it, and pointing at the page finds the value."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPECTED,
    SAMPLE,
    Served,
    runs,
    same_value,
    shown,
    start_serve,
    wait_for,
)

from extractor.confidence import review_priority

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} missing (apt-get install chromium)")]
expect = playwright_api.expect
DONE_TIMEOUT = 120_000  # ms: the local worker may still be importing the pipeline on first use

# The reader's column keys as the field they fill (the page maps them the same way).
READER_KEYS = {"name": "level3", "target_op": "target", "target_unit": "target", "note": "deviation_note"}
EXPECTED_FORMS: list[dict[str, Any]] = json.loads(EXPECTED.read_text())["forms"]
# The form with the most indicators: the most merged cells to check.
FORM = max(range(len(EXPECTED_FORMS)), key=lambda n: len(EXPECTED_FORMS[n]["indicators"]))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start_serve(tmp_path_factory.mktemp("web"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, served: Served, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    # These tests read the English words; test_chinese_by_default_and_english_selectable checks the default.
    context.add_init_script("localStorage.setItem('docextract.lang', 'en')")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    # Refused requests (a 422 for a bad value) log "Failed to load resource"; anything else is a fault,
    # e.g. a Content-Security-Policy violation.
    tab.on("console", lambda msg: errors.append(msg.text)
           if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    response = tab.goto(served.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(tab.locator("#key-dialog")).to_be_visible()
    tab.fill("#key-input", served.key)
    tab.click("#key-save")
    expect(tab.locator("#who")).to_have_text(f"signed in as {served.key_name}")
    yield tab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def drop_files(tab: Any, files: list[tuple[str, bytes]]) -> None:
    """A real drop event on the drop zone, carrying File objects built in the page."""
    payload = [{"name": name, "b64": base64.b64encode(data).decode()} for name, data in files]
    transfer = tab.evaluate_handle("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name));
        }
        return dt;
    }""", payload)
    tab.dispatch_event("#drop", "dragenter", {"dataTransfer": transfer})
    tab.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


def wait_done(tab: Any, filename: str) -> Any:
    item = tab.locator("#doc-list li.doc", has_text=filename)
    expect(item).to_have_attribute("data-status", "done", timeout=DONE_TIMEOUT)
    return item


def test_wrong_key_is_refused_and_asked_again(browser: Any, served: Served) -> None:
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(served.url + "/ui/")
    tab.fill("#key-input", "not-a-key")
    tab.click("#key-save")
    expect(tab.locator("#key-error")).to_contain_text("服务器不接受此密钥")  # Chinese by default
    assert tab.evaluate("sessionStorage.getItem('docextract.key')") is None
    context.close()


def test_upload_review_correct_and_reload(page: Any, served: Served, tmp_path: Path) -> None:
    tab = page
    # Three files in one drop: the sample, the same forms as an HTML dump, and a broken PDF.
    html = SAMPLE.parents[1] / "variants/real-html.html"
    drop_files(tab, [(SAMPLE.name, SAMPLE.read_bytes()), (html.name, html.read_bytes()),
                     ("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8)])
    expect(tab.locator("#upload-state")).to_have_text("Uploaded 3 file(s)")
    broken = tab.locator("#doc-list li.doc", has_text="broken.pdf")
    expect(broken).to_have_attribute("data-status", "failed", timeout=DONE_TIMEOUT)
    code = served.get(f"/v1/documents/{broken.get_attribute('data-id')}").json()["error_code"]
    assert code
    expect(broken.locator(".error")).to_contain_text(code)
    broken.click()
    expect(tab.locator("#doc-message")).to_contain_text(f"Failed: {code}")
    expect(tab.locator("#form-view")).to_be_hidden()
    # A failed document offers no JSON/CSV (its 409 is never thrown at the page) but a re-run.
    expect(tab.locator("#dl-json")).to_be_hidden()
    expect(tab.locator("#dl-csv")).to_be_hidden()
    expect(tab.locator("#doc-rerun")).to_be_visible()
    assert "0x" not in broken.locator(".error").inner_text()
    item = tab.locator("#doc-list li.doc", has_text=SAMPLE.name)
    expect(item).to_have_count(1)
    expect(tab.locator("#doc-list li.doc", has_text=html.name)).to_have_count(1)
    wait_done(tab, SAMPLE.name)
    wait_done(tab, html.name)
    expect(item.locator("progress")).to_have_count(0)  # finished: a form count, no bar
    expect(item.locator(".forms")).to_contain_text(f"{len(EXPECTED_FORMS)} form(s)")
    item.click()
    tabs = tab.locator(".form-tab")
    expect(tabs).to_have_count(len(EXPECTED_FORMS))
    for n, form in enumerate(EXPECTED_FORMS):
        expect(tabs.nth(n).locator(".pname")).to_have_text(form["project_name"])

    # Issues are marked where they point: a value, a row or a section (page_number_dropped on "funds").
    doc_id = item.get_attribute("data-id")
    result = served.get(f"/v1/documents/{doc_id}/result").json()
    located = [(n, i) for n, f in enumerate(result["forms"]) for i in f["issues"] if i["field"]]
    assert located
    for n, issue in located:
        tab.click(f".form-tab[data-index='{n}']")
        expect(tab.locator(f"#issue-list li[data-code='{issue['code']}']")).to_have_count(1)
        marked = tab.locator(f"#form-table .issue-{issue['severity']}[data-field='{issue['field']}'], "
                             f"#form-table tr.issue-{issue['severity']}[data-row='{issue['field']}']")
        expect(marked).to_have_count(1)

    tab.click(f".form-tab[data-index='{FORM}']")
    expected = EXPECTED_FORMS[FORM]
    inds = expected["indicators"]
    table = tab.locator("#form-table")
    expect(table.locator(f"[data-field='indicators[{len(inds) - 1}].level3']")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "review-1280-form.png"), full_page=True)

    # Merged cells: one 一级 cell per run of equal level1, rowspan = its length; 二级 likewise within it.
    l1_runs = runs([i["level1"] for i in inds])
    l2_runs = runs([(i["level1"], i["level2"]) for i in inds])
    assert len(l1_runs) > 1 and len(l2_runs) > len(l1_runs)  # the chosen form really has merged cells
    cells = table.evaluate("""(t) => [...t.querySelectorAll('td.l1, td.l2')].map((c) => ({
        field: c.dataset.field, rowspan: c.rowSpan, text: c.textContent, cls: c.classList.contains('l1') ? 1 : 2,
        row: c.parentElement.dataset.row}))""")
    got_l1 = [(c["field"], c["rowspan"], c["text"]) for c in cells if c["cls"] == 1]
    got_l2 = [(c["field"], c["rowspan"], c["text"]) for c in cells if c["cls"] == 2]
    assert got_l1 == [(f"indicators[{s}].level1", n, inds[s]["level1"]) for s, n in l1_runs]
    assert sorted(got_l2) == sorted((f"indicators[{s}].level2", n, shown(inds[s]["level2"])) for s, n in l2_runs)
    # Every merged cell sits in the row of its first indicator, and each row has 8 columns on paper.
    assert all(c["row"] == c["field"].rsplit(".", 1)[0] for c in cells)
    widths = table.evaluate("""(t) => {
        const grid = []; const rows = [...t.tBodies[0].rows];
        rows.forEach((r, y) => { let x = 0; for (const c of r.cells) {
            while (grid[y] && grid[y][x]) x++;
            for (let dy = 0; dy < c.rowSpan; dy++) for (let dx = 0; dx < c.colSpan; dx++) {
                (grid[y + dy] = grid[y + dy] || [])[x + dx] = 1; }
            x += c.colSpan; } });
        return grid.map((r) => r.filter(Boolean).length); }""")
    assert set(widths) == {8}

    # Values against the expected JSON, cell by cell.
    values = table.evaluate("(t) => Object.fromEntries([...t.querySelectorAll('td.v')].map((c) => "
                            "[c.dataset.field, c.textContent]))")
    for i, ind in enumerate(inds):
        for key in ("level3", "target", "actual", "weight", "score", "deviation_note"):
            assert same_value(key, ind[key], values[f"indicators[{i}].{key}"]), (i, key, ind[key])
    for row in ("total", "appropriation", "carryover", "other"):
        for key, value in expected["funds"][row].items():
            assert same_value(key, value, values[f"funds.{row}.{key}"]), (row, key, value)
    for key in ("project_name", "department", "implementing_unit"):
        assert values[key] == shown(expected[key])
    assert same_value("score", expected["total"]["score"], values["total.score"])

    # Correct one score: the form is validated again and the sum no longer holds.
    target = 0
    old_score = inds[target]["score"]
    new_score = shown(old_score - 1)
    cell = table.locator(f"td[data-field='indicators[{target}].score']")
    cell.click()
    expect(tab.locator("#editor")).to_be_visible()
    expect(tab.locator("#ed-field")).to_have_text(f"row {target + 1} score")  # form terms, not the path
    expect(tab.locator("#ed-field")).to_have_attribute("title", f"indicators[{target}].score")
    tab.fill("#ed-input", new_score)
    tab.click("#ed-save")
    cell = tab.locator(f"#form-table td[data-field='indicators[{target}].score']")
    expect(cell).to_have_text(new_score)
    expect(cell).to_have_class(_has("corrected"))
    expect(tab.locator("#issue-list li[data-code='scores_do_not_sum']")).to_have_count(1)
    expect(tab.locator("#form-table tr[data-row='indicators']")).to_have_class(_has("issue-error"))
    expect(tab.locator(f".form-tab[data-index='{FORM}'] .badge")).to_have_text("failed")

    # A value that does not fit the field is refused with the reason, nothing is stored.
    tab.locator(f"#form-table td[data-field='indicators[{target}].weight']").click()
    tab.fill("#ed-input", "three")
    tab.click("#ed-save")
    expect(tab.locator("#ed-error")).to_contain_text("does not fit")

    tab.click("#review-btn")
    expect(tab.locator("#review-state")).to_contain_text(f"reviewed by {served.key_name}")

    # Reload: the key is still in sessionStorage, the hash keeps the form, the correction and history stay.
    tab.reload()
    expect(tab.locator("#key-dialog")).not_to_be_visible()
    cell = tab.locator(f"#form-table td[data-field='indicators[{target}].score']")
    expect(cell).to_have_text(new_score)
    expect(cell).to_have_class(_has("corrected"))
    history = tab.locator("#history-list li.event")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text(f"row {target + 1} score")
    expect(history.nth(1)).to_contain_text(f"{shown(old_score)} → {new_score}")
    expect(history.nth(1)).to_contain_text(served.key_name)
    expect(history.nth(0)).to_contain_text("reviewed")
    expect(tab.locator(f".form-tab[data-index='{FORM}'] .reviewed-mark")).to_have_count(1)
    tab.screenshot(path=str(ARTIFACTS / "review-1280-corrected.png"), full_page=True)

    # The review queue: forms of the sample that failed or have warnings, minus the one just reviewed.
    tab.click("#tab-queue")
    forms_now = served.get(f"/v1/documents/{doc_id}/result").json()["forms"]
    waiting = [str(n) for n, f in enumerate(forms_now) if f["validation"] != "passed" and n != FORM]
    queued = tab.locator(f"#queue-list li.queue-item[data-id='{doc_id}']")
    expect(queued).to_have_count(len(waiting))
    assert [queued.nth(k).get_attribute("data-index") for k in range(len(waiting))] == sorted(
        waiting, key=lambda n: review_priority(forms_now[int(n)]))
    if len(waiting) >= 2:
        queued.first.click()
        first = queued.first.get_attribute("data-index")
        expect(tab.locator(f".form-tab[data-index='{first}']")).to_have_class(_has("current"))
        # Reviewed → next: the form leaves the queue and the next one in the queue opens.
        tab.click("#review-next")
        expect(queued).to_have_count(len(waiting) - 1)
        assert served.get(f"/v1/documents/{doc_id}/history").json()["forms"][int(first)]["reviewed"]
        following = served.get("/v1/review/queue").json()["items"][0]
        expect(tab).to_have_url(re.compile(rf"#/doc/{following['document_id']}/form/{following['index']}$"))
        tab.evaluate(f"location.hash = '#/doc/{doc_id}/form/{FORM}'")
        expect(tab.locator(f".form-tab[data-index='{FORM}']")).to_have_class(_has("current"))
    tab.click("#tab-docs")

    # The API serves both versions and the history.
    original = served.get(f"/v1/documents/{doc_id}/result", version="original").json()
    corrected = served.get(f"/v1/documents/{doc_id}/result").json()
    assert original["forms"][FORM]["indicators"][target]["score"] == old_score
    assert shown(corrected["forms"][FORM]["indicators"][target]["score"]) == new_score
    events = [e for e in served.get(f"/v1/documents/{doc_id}/history").json()["events"] if e["form_index"] == FORM]
    assert [(e["kind"], e["field"], e["author"]) for e in events] == [
        ("edit", f"indicators[{target}].score", served.key_name), ("review", None, served.key_name)]

    # The original version shows the extracted value, read-only.
    tab.select_option("#version", "original")
    cell = tab.locator(f"#form-table td[data-field='indicators[{target}].score']")
    expect(cell).to_have_text(shown(old_score))
    expect(cell).not_to_have_class(_has("corrected"))
    cell.click()
    expect(tab.locator("#ed-save")).to_be_disabled()
    tab.select_option("#version", "corrected")
    expect(tab.locator(f"#form-table td[data-field='indicators[{target}].score']")).to_have_text(new_score)

    # Downloads: the corrected JSON and one CSV line per indicator of every form.
    with tab.expect_download() as download:
        tab.click("#dl-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == sum(len(f["indicators"]) for f in EXPECTED_FORMS)
    mine = [r for r in rows if r["form_index"] == str(FORM)]
    assert mine[target]["level3"] == inds[target]["level3"] and mine[target]["score"] == new_score
    with tab.expect_download() as download:
        tab.click("#dl-json")
    downloaded = json.loads(Path(download.value.path()).read_text())
    assert shown(downloaded["forms"][FORM]["indicators"][target]["score"]) == new_score

    # Tablet width: everything stacks, the page itself does not scroll sideways (the table may).
    tab.set_viewport_size({"width": 768, "height": 1024})
    expect(tab.locator("#form-table")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pane = tab.locator("#docs-pane").bounding_box()
    doc_pane = tab.locator("#doc-pane").bounding_box()
    assert doc_pane["y"] >= pane["y"] + pane["height"] - 1  # documents above the form, not beside it
    tab.screenshot(path=str(ARTIFACTS / "review-768.png"), full_page=True)


def _has(name: str) -> Any:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_pdf_page_image_outlines_the_cell_of_a_value(page: Any, served: Served, tmp_path: Path) -> None:
    from samples.generate.layout import Style, layout
    from samples.generate.pdf import PdfStyle, render_pdf

    n = min(range(len(EXPECTED_FORMS)), key=lambda k: len(EXPECTED_FORMS[k]["indicators"]))
    rendered = render_pdf([layout(EXPECTED_FORMS[n], Style.plain())], PdfStyle(), seed=0)
    pdf = tmp_path / "one-form.pdf"
    pdf.write_bytes(rendered.pdf)
    tab = page
    tab.set_input_files("#file-input", str(pdf))
    wait_done(tab, pdf.name).click()
    expect(tab.locator(".form-tab")).to_have_count(1)
    img = tab.locator("#page-img")
    expect(img).to_have_attribute("data-page", "1")
    assert tab.evaluate("document.getElementById('page-img').naturalWidth") == 1400

    doc_id = tab.locator("#doc-list li.doc", has_text=pdf.name).get_attribute("data-id")
    result = served.get(f"/v1/documents/{doc_id}/result").json()
    pages = served.get(f"/v1/documents/{doc_id}/pages").json()["pages"]
    assert len(pages) == rendered.pages and pages[0]["unit"] == "pt"
    form = result["forms"][0]
    cells = [p for p in rendered.placed if p.kind == "cell"]

    def drawn(ref: dict[str, Any]) -> Any:
        """The cell the generator drew where the result says the value was read."""
        cx, cy = (ref["bbox"][0] + ref["bbox"][2]) / 2, (ref["bbox"][1] + ref["bbox"][3]) / 2
        hits = [c for c in cells if c.page == ref["page"] and c.bbox[0] <= cx <= c.bbox[2]
                and c.bbox[1] <= cy <= c.bbox[3]]
        assert len(hits) == 1, hits
        return hits[0]

    def on_screen(bbox: tuple[float, ...] | list[float], page_width: float) -> list[float]:
        box = img.bounding_box()
        scale = box["width"] / page_width
        return [box["x"] + bbox[0] * scale, box["y"] + bbox[1] * scale, box["x"] + bbox[2] * scale,
                box["y"] + bbox[3] * scale]

    # Pointing at the executed amount outlines the cell the generator printed it in.
    ref = form["funds"]["total"]["provenance"]["executed"]
    cell = drawn(ref)
    assert cell.text.replace(",", "") .startswith(form["funds"]["total"]["executed"].split(".")[0])
    tab.locator("#form-table td[data-field='funds.total.executed']").hover()
    outline = tab.locator("#outline rect.outline")
    expect(outline).to_have_count(1)
    got = outline.bounding_box()
    want = on_screen(cell.bbox, pages[ref["page"] - 1]["width"])
    for a, b in zip([got["x"], got["y"], got["x"] + got["width"], got["y"] + got["height"]], want, strict=True):
        assert abs(a - b) < 4, (got, want)  # px: the outline stroke and the ruling-line width
    tab.screenshot(path=str(ARTIFACTS / "review-pdf-outline.png"), full_page=True)

    # Pointing at the page where an indicator's score was printed lights that value in the table.
    last = len(form["indicators"]) - 1
    ref = form["indicators"][last]["provenance"]["score"]
    x0, y0, x1, y1 = on_screen(drawn(ref).bbox, pages[ref["page"] - 1]["width"])
    if ref["page"] != 1:
        tab.select_option("#page-jump", str(ref["page"]))
        expect(img).to_have_attribute("data-page", str(ref["page"]))
        x0, y0, x1, y1 = on_screen(drawn(ref).bbox, pages[ref["page"] - 1]["width"])
    tab.mouse.move((x0 + x1) / 2, (y0 + y1) / 2)
    linked = tab.locator("#form-table td.linked")
    expect(linked).to_have_count(1)
    expect(linked).to_have_attribute("data-field", f"indicators[{last}].score")
    expect(linked).to_have_text(shown(form["indicators"][last]["score"]))


def test_scanned_page_outlines_the_ocr_cell(page: Any, served: Served, tmp_path: Path) -> None:
    """A 150 dpi scan (PNG): boxes are image pixels, the page is shown at another size, the outline still
    falls on the cell the generator printed the value in."""
    from samples.generate.layout import Style, layout
    from samples.generate.pdf import PdfStyle, render_pdf
    from samples.generate.scan import ScanStyle, scan_pages, to_png

    dpi = 150
    rendered = render_pdf([layout(EXPECTED_FORMS[2], Style.plain())], PdfStyle(), seed=0)
    scan = tmp_path / "scan-page-1.png"
    scan.write_bytes(to_png(scan_pages(rendered.pdf, ScanStyle.preset("clean", dpi, 0), 0, pages=[0])[0], dpi))
    tab = page
    tab.set_input_files("#file-input", str(scan))
    wait_done(tab, scan.name).click()
    expect(tab.locator(".form-tab")).to_have_count(1)
    img = tab.locator("#page-img")
    expect(img).to_have_attribute("data-page", "1")
    doc_id = tab.locator("#doc-list li.doc", has_text=scan.name).get_attribute("data-id")
    result = served.get(f"/v1/documents/{doc_id}/result").json()
    assert result["source"]["route"] == "image"
    info = served.get(f"/v1/documents/{doc_id}/pages").json()["pages"][0]
    assert info["unit"] == "px"

    ref = result["forms"][0]["funds"]["total"]["provenance"]["executed"]
    assert ref["source"] == "ocr"
    px_per_pt = dpi / 72
    cx, cy = ((ref["bbox"][0] + ref["bbox"][2]) / 2 / px_per_pt, (ref["bbox"][1] + ref["bbox"][3]) / 2 / px_per_pt)
    [cell] = [c for c in rendered.placed if c.page == 1 and c.kind == "cell"
              and c.bbox[0] <= cx <= c.bbox[2] and c.bbox[1] <= cy <= c.bbox[3]]
    tab.locator("#form-table td[data-field='funds.total.executed']").hover()
    outline = tab.locator("#outline rect.outline")
    expect(outline).to_have_count(1)
    got, box = outline.bounding_box(), img.bounding_box()
    scale = box["width"] / info["width"] * px_per_pt  # screen pixels per PDF point
    want = [box["x"] + cell.bbox[0] * scale, box["y"] + cell.bbox[1] * scale,
            box["x"] + cell.bbox[2] * scale, box["y"] + cell.bbox[3] * scale]
    for a, b in zip([got["x"], got["y"], got["x"] + got["width"], got["y"] + got["height"]], want, strict=True):
        assert abs(a - b) < 4, (got, want)
    tab.screenshot(path=str(ARTIFACTS / "review-scan-outline.png"), full_page=True)

    # At 1280×800 the scanned form's table is in its pane (the last column 偏差原因 reachable by scrolling
    # the pane, not cut by the page), the page image beside it, and the outline of the hovered value on screen.
    tab.set_viewport_size({"width": 1280, "height": 800})
    wrap, frame = tab.locator("#table-wrap").bounding_box(), tab.locator("#page-frame").bounding_box()
    assert wrap["x"] + wrap["width"] <= frame["x"] + 1 and frame["x"] + frame["width"] <= 1280
    last_head = tab.locator("#form-table tr[data-row='indicators'] th").last
    last_head.scroll_into_view_if_needed()
    head = last_head.bounding_box()
    assert wrap["x"] - 1 <= head["x"] and head["x"] + head["width"] <= wrap["x"] + wrap["width"] + 1
    assert tab.locator("#page-nav").bounding_box()["height"] < 40  # one compact row, not rows of buttons
    tab.locator("#form-table td[data-field='funds.total.executed']").hover()
    mark = tab.locator("#outline rect.outline").bounding_box()
    assert 0 <= mark["y"] and mark["y"] + mark["height"] <= 800 and mark["x"] + mark["width"] <= 1280
    tab.screenshot(path=str(ARTIFACTS / "review-scan-1280x800.png"))

    # At 768×1024 the same: the table scrolls in its pane within the page's width, the image stays beside
    # it, and once the value is scrolled to, its outline on the page is on screen too.
    tab.set_viewport_size({"width": 768, "height": 1024})
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap, frame = tab.locator("#table-wrap").bounding_box(), tab.locator("#page-frame").bounding_box()
    assert wrap["x"] + wrap["width"] <= frame["x"] + 1 and frame["x"] + frame["width"] <= 768
    last_head.scroll_into_view_if_needed()
    head = last_head.bounding_box()
    assert wrap["x"] - 1 <= head["x"] and head["x"] + head["width"] <= wrap["x"] + wrap["width"] + 1
    value = tab.locator("#form-table td[data-field='funds.total.executed']")
    value.scroll_into_view_if_needed()
    value.hover()
    cell_box, mark = value.bounding_box(), tab.locator("#outline rect.outline").bounding_box()
    assert 0 <= cell_box["y"] and cell_box["y"] + cell_box["height"] <= 1024
    assert 0 <= mark["y"] and mark["y"] + mark["height"] <= 1024 and 0 <= mark["x"] and mark["x"] + mark["width"] <= 768
    tab.screenshot(path=str(ARTIFACTS / "review-scan-768x1024.png"))

    # Low confidence is underlined exactly where the reader doubted a value (none is a valid outcome
    # for a clean scan; then no cell may be marked).
    threshold = served.get("/v1/review/config").json()["low_confidence"]
    form = result["forms"][0]

    def as_field(path: str, key: str) -> str:
        return f"{path}.{READER_KEYS.get(key, key)}"

    rows = [(f"funds.{k}", form["funds"][k]) for k in ("total", "appropriation", "carryover", "other")]
    rows += [(f"indicators[{n}]", ind) for n, ind in enumerate(form["indicators"])]
    boxed = {as_field(path, key): ref for path, row in rows for key, ref in (row.get("provenance") or {}).items()}
    low = {as_field(path, key) for path, row in rows for key, ref in (row.get("provenance") or {}).items()
           if ref["confidence"] < threshold}
    low |= {as_field(*i["field"].rsplit(".", 1)) for i in form["issues"]
            if i["code"] == "low_confidence" and i["field"] and "." in i["field"]}
    for field in boxed:
        cell = tab.locator(f"#form-table .v[data-field='{field}']")
        if field in low:
            expect(cell).to_have_class(_has("low-conf"))
        else:
            expect(cell).not_to_have_class(_has("low-conf"))


def test_workbook_value_names_its_sheet_and_cell(page: Any, served: Served, tmp_path: Path) -> None:
    """An Office original has no page image: selecting a value shows the cell it came from instead."""
    pytest.importorskip("openpyxl")
    from samples.generate.layout import Style, layout
    from samples.generate.office import render_xlsx

    n = min(range(len(EXPECTED_FORMS)), key=lambda k: len(EXPECTED_FORMS[k]["indicators"]))
    book = tmp_path / "one-form.xlsx"
    book.write_bytes(render_xlsx([layout(EXPECTED_FORMS[n], Style.plain())]))
    tab = page
    tab.set_input_files("#file-input", str(book))
    wait_done(tab, book.name).click()
    expect(tab.locator(".form-tab")).to_have_count(1)
    expect(tab.locator("#page-wrap")).to_be_hidden()
    doc_id = tab.locator("#doc-list li.doc", has_text=book.name).get_attribute("data-id")
    ref = served.get(f"/v1/documents/{doc_id}/result").json()["forms"][0]["funds"]["total"]["provenance"]["executed"]
    assert re.fullmatch(r"Sheet1![A-Z]+\d+", ref["ref"])
    tab.locator("#form-table td[data-field='funds.total.executed']").click()
    expect(tab.locator("#ed-prov")).to_have_text(f"{ref['ref']} · xlsx")


def test_chinese_by_default_and_english_selectable(browser: Any, served: Served) -> None:
    """A new clerk sees Chinese (labels, statuses, times in Asia/Shanghai); English is one choice away;
    the list searches on the server and a document can be deleted. At 768 px the page image stays beside
    the table. Screenshots go to tests/artifacts."""
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.goto(served.url + "/")
    tab.fill("#key-input", served.key)
    tab.click("#key-save")
    expect(tab.locator("#who")).to_have_text(f"当前用户：{served.key_name}")
    assert tab.evaluate("document.documentElement.lang") == "zh-CN"
    expect(tab.locator("#tab-docs")).to_have_text("文档")
    drop_files(tab, [("删除我.txt", b"not a form at all"), (SAMPLE.name, SAMPLE.read_bytes())])
    expect(tab.locator("#upload-state")).to_have_text("已上传 2 个文件")
    sample = tab.locator("#doc-list li.doc", has_text=SAMPLE.name)
    expect(sample).to_have_attribute("data-status", "done", timeout=DONE_TIMEOUT)
    expect(sample.locator(".status")).to_have_text("已完成")
    expect(sample.locator(".forms")).to_contain_text(f"{len(EXPECTED_FORMS)} 张表")
    sample.click()
    expect(tab.locator("#doc-meta")).to_contain_text("(Asia/Shanghai)")
    expect(tab.locator("#form-table")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "review-zh-768.png"), full_page=True)
    # The table scrolls inside its pane instead of being cut: its right edge is reachable.
    wrap = tab.locator("#table-wrap")
    assert tab.evaluate("getComputedStyle(document.getElementById('table-wrap')).overflowX") == "auto"
    assert wrap.bounding_box()["x"] + wrap.bounding_box()["width"] <= 768

    # Search on the server: only the matching document is listed.
    tab.fill("#doc-search", "删除")
    expect(tab.locator("#doc-list li.doc")).to_have_count(1)
    victim = tab.locator("#doc-list li.doc", has_text="删除我.txt")
    expect(victim).not_to_have_attribute("data-status", "queued", timeout=DONE_TIMEOUT)
    victim.click()
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.click("#doc-delete")
    expect(tab.locator("#doc-list li.doc")).to_have_count(0)
    tab.fill("#doc-search", "")
    expect(tab.locator("#doc-list li.doc", has_text=SAMPLE.name)).to_have_count(1)

    tab.select_option("#lang", "en")
    expect(tab.locator("#who")).to_have_text(f"signed in as {served.key_name}")
    expect(tab.locator("#tab-docs")).to_have_text("Documents")
    expect(tab.locator("#doc-list li.doc", has_text=SAMPLE.name).locator(".status")).to_have_text("done")
    expect(tab.locator("#doc-reviewed option[value='false']")).to_have_text("forms to review")
    tab.select_option("#doc-reviewed", "false")  # the sample has forms with warnings, none reviewed yet
    expect(tab.locator("#doc-list li.doc", has_text=SAMPLE.name)).to_have_count(1)
    tab.select_option("#doc-reviewed", "")
    tab.screenshot(path=str(ARTIFACTS / "review-en-768.png"), full_page=True)
    context.close()
    assert not errors, errors


def test_many_documents_are_paged_filtered_rerun_and_deleted(browser: Any, served: Served) -> None:
    """A clerk's own 450 documents (a second key, so the other tests' uploads stay apart), at 1280×800 then
    768×1024, in Chinese: pages of 200 by cursor (显示更多), counts per status, year filter and search on the
    server, the failed ones re-run from the page through the real worker (their originals are not in the
    store, so they fail again, with that reason), a selection deleted, a running scan's page and time left."""
    from datetime import timedelta

    from sqlalchemy import select

    from bench.bench_listing import fill
    from workers.storage import (
        Document,
        add_key,
        claim_document,
        make_engine,
        make_sessions,
        reset_for_rerun,
        set_progress,
        transaction,
        utcnow,
    )

    sessions = make_sessions(make_engine(served.settings.effective_database_url))
    clerk = "clerk-" + base64.b16encode(served.key[:6].encode()).decode().lower()
    with transaction(sessions) as session:
        add_key(session, "clerk", clerk)
    fill(sessions, 450, key_name="clerk")  # every 20th failed; years 2020-2023; every 50th 道路养护
    failed = len(range(0, 450, 20))

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    tab.goto(served.url + "/")
    tab.fill("#key-input", clerk)
    tab.click("#key-save")
    expect(tab.locator("#who")).to_have_text("当前用户：clerk")
    items = tab.locator("#doc-list li.doc")
    expect(items).to_have_count(200)
    expect(items.first.locator(".name")).to_have_text("自评表-00449.pdf")
    expect(tab.locator("#list-note")).to_have_text("共 450 个文档，已显示 200 个")
    expect(tab.locator("#doc-status option[value='failed']")).to_have_text(f"失败（{failed}）")
    expect(tab.locator("#doc-status option[value='']")).to_have_text("全部状态（450）")
    tab.click("#doc-more")
    expect(items).to_have_count(400)
    tab.click("#doc-more")
    expect(items).to_have_count(450)
    expect(tab.locator("#doc-more")).to_be_hidden()
    expect(items.last.locator(".name")).to_have_text("自评表-00000.pdf")

    tab.fill("#doc-year", "2021")
    tab.dispatch_event("#doc-year", "change")
    expect(items).to_have_count(len(range(1, 450, 4)))
    tab.fill("#doc-year", "")
    tab.dispatch_event("#doc-year", "change")
    tab.fill("#doc-search", "道路")
    expect(items).to_have_count(4)  # 50, 150, 250, 350: 0 and the hundreds failed, with no forms
    tab.fill("#doc-search", "")
    tab.select_option("#doc-sort", "oldest")
    expect(items.first.locator(".name")).to_have_text("自评表-00000.pdf")
    tab.select_option("#doc-sort", "newest")

    # Reviewed or still to review: the review log replayed here (a form's last mark decides), against the
    # documents the page lists under each choice, walked to the end with 显示更多.
    from workers.corrections import Correction
    from workers.storage import ApiKey, StoredForm

    with sessions() as session:
        owner = select(Document.id).join(ApiKey, ApiKey.id == Document.owner_key_id).where(ApiKey.name == "clerk")
        last = {(c.document_id, c.form_index): c.kind for c in session.scalars(
            select(Correction).where(Correction.document_id.in_(owner), Correction.kind != "edit")
            .order_by(Correction.created_at, Correction.id))}
        waiting = {f.document_id for f in session.scalars(select(StoredForm).where(StoredForm.document_id.in_(owner)))
                   if f.validation != "passed" and last.get((f.document_id, f.index)) != "review"}
        finished = set(session.scalars(owner.where(Document.status == "done")))
    expect(tab.locator("#doc-reviewed option[value='false']")).to_have_text("有待审核")
    expect(tab.locator("#doc-reviewed option[value='true']")).to_have_text("无待审核")
    for choice, expected in (("false", waiting), ("true", finished - waiting)):
        tab.select_option("#doc-reviewed", choice)
        expect(tab.locator("#doc-status option[value='']")).to_have_text(f"全部状态（{len(expected)}）")
        for shown_n in range(200, len(expected), 200):  # 显示更多 until the last page
            expect(items).to_have_count(shown_n)
            tab.click("#doc-more")
        expect(items).to_have_count(len(expected))
        expect(tab.locator("#doc-more")).to_be_hidden()
        assert {item.get_attribute("data-id") for item in items.all()} == expected, choice
        if choice == "true":
            tab.screenshot(path=str(ARTIFACTS / "manage-1280x800-reviewed.png"))
    tab.select_option("#doc-reviewed", "")
    expect(items).to_have_count(200)

    # A scan being read (claimed by a worker on another machine): its page of how many and the time left,
    # in the list and in the document.
    tab.fill("#doc-search", "自评表-00001")
    running = tab.locator("#doc-list li.doc", has_text="自评表-00001.pdf")
    running_id = running.get_attribute("data-id")
    with transaction(sessions) as session:
        reset_for_rerun(session, running_id)
        claim_document(session, running_id, max_attempts=3, pipeline_version="t", worker="scanner:1",
                       lease_seconds=3600, now=utcnow() - timedelta(seconds=30))
        set_progress(session, running_id, 0.41, pages=(4, 10))
    expect(running.locator(".pages")).to_have_text(re.compile(r"^第 5 / 10 页 · 约剩 \d+ 秒$"), timeout=15_000)
    running.click()
    expect(tab.locator("#doc-message")).to_have_text(re.compile(r"^处理中：第 5 / 10 页，约剩 \d+ 秒$"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "manage-1280x800-running.png"))
    tab.fill("#doc-search", "")

    # The failed ones, re-run from the page.
    tab.select_option("#doc-status", "failed")
    expect(items).to_have_count(failed)
    tab.check("#select-all")
    expect(tab.locator("#bulk-rerun")).to_have_text(f"重新处理所选（{failed}）")
    tab.screenshot(path=str(ARTIFACTS / "manage-1280x800-selected.png"))
    tab.click("#bulk-rerun")
    expect(tab.locator("#upload-state")).to_have_text(f"已重新排队 {failed} 个文档")
    tab.select_option("#doc-status", "")
    tab.fill("#doc-search", "自评表-00000")  # the oldest: past the first page
    again = tab.locator("#doc-list li.doc", has_text="自评表-00000.pdf")
    expect(again).to_have_attribute("data-status", "failed", timeout=DONE_TIMEOUT)
    expect(again.locator(".error")).to_contain_text("original_missing")
    def all_failed_again() -> bool:
        with sessions() as session:
            rerun = session.scalars(select(Document).where(Document.filename.in_(
                [f"自评表-{n:05}.pdf" for n in range(0, 450, 20)]))).all()
            return len(rerun) == failed and {doc.error_code for doc in rerun} == {"original_missing"}

    wait_for(all_failed_again, DONE_TIMEOUT / 1000, "the re-run documents to fail again without their originals")

    # A selection deleted in one request, confirmed in the dialog (in Chinese); one of the ten was deleted
    # meanwhile elsewhere (another tab), and the page says so.
    tab.set_viewport_size({"width": 768, "height": 1024})
    tab.fill("#doc-search", "自评表-0044")
    expect(items).to_have_count(10)
    tab.check("#select-all")
    asked: list[str] = []
    elsewhere = items.first.get_attribute("data-id")

    def confirm(dialog: Any) -> None:
        # While the page waits on the question (no poll can refresh the list), the other tab deletes one.
        asked.append(dialog.message)
        assert httpx.delete(f"{served.url}/v1/documents/{elsewhere}", headers={"X-API-Key": clerk}).status_code == 204
        dialog.accept()

    tab.once("dialog", confirm)
    tab.screenshot(path=str(ARTIFACTS / "manage-768x1024-selected.png"), full_page=True)
    tab.click("#bulk-delete")
    expect(tab.locator("#upload-state")).to_have_text("已删除 9 个文档；1 个未删除（已不存在或不属于此密钥）")
    assert asked == ["删除所选的 10 个文档？原件、结果和更正都会删除。"]
    expect(items).to_have_count(0)
    tab.fill("#doc-search", "")
    expect(tab.locator("#doc-status option[value='']")).to_have_text("全部状态（440）")
    context.close()
    assert not errors, errors
