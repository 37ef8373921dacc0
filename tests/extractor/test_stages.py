"""Stage by stage, with golden files (regenerate with UPDATE_GOLDEN=1): text shapes -> grid,
HTML -> grid, rows -> form runs, and the whole text pipeline on the real sample."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.grid import grid_to_rows
from extractor.routes.html import html_to_grid
from extractor.routes.text import detect_shape, text_to_grid
from extractor.segment import rows_to_form_runs
from tests.extractor.conftest import check_golden

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "sources" / "self-eval-2023-songjiang.txt"
EXPECTED = REPO / "samples" / "expected" / "self-eval-2023-songjiang.json"
SCORER = REPO.parent / "shared" / "spec" / "score.py"

ROWS = [["项目名称", "道路养护"], ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "养护里程", ">=10公里", "12公里", "5", "5"], ["", "", "养护面积", "1万㎡", "1万㎡", "5", "4"],
        ["总分", "", "", "", "", "10", "9"]]
SHAPES = {
    "tsv": "\n".join("\t".join(r) for r in ROWS),
    "pipe": "| a | b |\n|---|---|\n" + "\n".join("| " + " | ".join(r) + " |" for r in ROWS),
    "lines": "\n".join(c for r in ROWS for c in r if c),
}


def rows_of(grid) -> list[list[str]]:
    return [r.texts for r in grid_to_rows(grid)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_text_shapes_to_grid(shape: str) -> None:
    text = SHAPES[shape]
    assert detect_shape(text) == shape
    check_golden(f"grid-{shape}", rows_of(text_to_grid(text)))


def test_html_spans_to_grid() -> None:
    html = """<h1>财政项目支出绩效自评表</h1><table>
    <tr><td rowspan=2>产出指标</td><td>数量指标</td><td>里程</td><td colspan=2>10</td></tr>
    <tr><td>质量指标</td><td>合格率<br>（%）</td><td>100</td><td>100</td></tr></table>
    <table><tr><td rowspan=9999999>总分</td><td>100</td></tr></table><p>填报人</p>"""
    grid = html_to_grid(html)
    check_golden("grid-html", {"rows": rows_of(grid), "pages": grid.pages,
                               "spans": [[c.row, c.col, c.rowspan, c.colspan] for c in grid.cells]})


def test_sample_segments_into_nine_forms() -> None:
    grid = text_to_grid(SAMPLE.read_text(encoding="utf-8"))
    runs = rows_to_form_runs(grid_to_rows(grid))
    check_golden("segments-sample", [[run[0].texts[0], run[-1].texts[0], len(run)] for run in runs])


def test_cli_on_the_sample_scores_one(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(SAMPLE), "-o", str(out)], check=True)
    score = subprocess.run([sys.executable, str(SCORER), str(EXPECTED), str(out), "--json"],
                           capture_output=True, text=True, check=True)
    assert json.loads(score.stdout.strip().splitlines()[-1])["field_accuracy"] == 1.0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["source"]["route"] == "text" and len(result["forms"]) == 9


def test_whitespace_lost_text_is_cut_into_cells() -> None:
    from extractor.unspaced import split_unspaced

    text = ("项目支出绩效自评表(2021年度)项目名称道路养护主管部门建设局实施单位养护所项目资金(元)年初预算数全年预算数"
            "全年执行数分值执行率得分年度资金总额1,000.00800.00800.0010100.00%10其中：当年财政拨款1000800.00800.00—"
            "一级指标二级指标三级指标年度指标值实际完成值分值得分产出指标数量指标养护里程>=10公里12公里55"
            "时效指标办结及时性及时及时54开展培训>=2次444总分10099")
    tokens = split_unspaced(text)
    assert tokens[:4] == ["项目支出绩效自评表", "(2021年度)", "项目名称", "道路养护"]
    funds = tokens[tokens.index("年度资金总额"):tokens.index("一级指标")]
    assert funds == ["年度资金总额", "1,000.00", "800.00", "800.00", "10", "100.00%", "10",
                     "其中：当年财政拨款", "1000", "800.00", "800.00", "—"]
    rows = tokens[tokens.index("产出指标"):]
    assert rows == ["产出指标", "数量指标", "养护里程", ">=10公里", "12公里", "5", "5",
                    "时效指标", "办结及时性", "及时", "及时", "5", "4", "开展培训", ">=2次", "4", "4", "4",
                    "总分", "100", "99"]


def _ocr_grid(rows: list[list[str]]):
    from extractor.grid import rows_from_texts

    return rows_from_texts(enumerate(rows), source="ocr")


FORM_ROWS = [["财政项目支出绩效自评表"], ["项目名称", "{name}"], ["主管部门", "建设局", "实施单位", "养护所"],
             ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
             ["产出指标", "数量指标", "养护里程", ">=10公里", "12公里", "50", "50"], ["{total}", "", "", "", "", "100", "100"]]


def _form(name: str, total: str = "总分", key: str = "项目名称") -> list[list[str]]:
    rows = [[c.format(name=name, total=total) for c in r] for r in FORM_ROWS]
    rows[1][0] = key
    return rows


def test_a_scanned_title_starts_its_form_when_the_total_and_the_next_key_are_misread() -> None:
    # 总分 read as '89' and 项目名称 as '项目名你': only the title says where the second form starts.
    rows = _form("道路养护", total="89") + _form("河道整治", key="项目名你")
    runs = rows_to_form_runs(grid_to_rows(_ocr_grid(rows)))
    assert [len(run) for run in runs] == [6, 6]
    # Text in drawing order still holds a title that comes before the open form's last rows.
    text_runs = rows_to_form_runs(grid_to_rows(text_to_grid("\n".join("\t".join(r) for r in rows))))
    assert len(text_runs) == 1


def test_rows_in_one_pass_are_the_regrouped_rows() -> None:
    """grid_to_rows' one-pass reading of a span-free grid in row order gives exactly the rows the general
    regrouping gives (empty cells, rows of empty cells only, colspans, page changes); other grids fall back."""
    import random

    from extractor.grid import Cell, _rows_in_order, _rows_regrouped

    def fields(rows: list) -> list:
        return [(r.index, r.page, [id(c) for c in r.cells], r.page_break_before, r.width, r.blank_spans) for r in rows]

    rng = random.Random(15)
    for _ in range(300):
        cells, page = [], 1
        for r in sorted(rng.sample(range(40), rng.randint(1, 25))):
            page += rng.random() < 0.1
            for c in sorted(rng.sample(range(9), rng.randint(1, 6))):
                cells.append(Cell(page, r, c, rng.choice(["", " ", "分值", "10"]), colspan=rng.choice([1, 1, 2])))
        fast = _rows_in_order(cells)
        assert fast is not None and fields(fast) == fields(_rows_regrouped(cells))
        assert _rows_in_order([*cells, Cell(page, 0, 0, "x")]) is None  # out of order
        assert _rows_in_order([*cells, Cell(page, cells[-1].row, cells[-1].col, "x")]) is None  # a column twice
        assert _rows_in_order([Cell(1, 0, 0, "x", rowspan=2), *cells]) is None  # a merged cell
