"""The logical table of one form, independent of how it is rendered.

`layout(form, style)` lays a Form dict (the output contract's shape) out as it is printed: title lines
above, then a grid of `LCell`s with row/column spans and a role tag per cell. The text/HTML renderers
(samples.generate.text) and the PDF/scan renderer both draw this one table, so every rendering of a form
shares one expected result: `expected_form(form, style)`.

`Style` holds the seeded variations real archives show (see "Variants in the wild" in the output
contract): column order, missing 年初预算数, targets split over 指标性质/指标值/度量单位, 万元 amounts, weighted
level-1 labels, operator glyphs, header spellings, titles. `Style.plain()` is the sample's own look.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import asdict, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

FUND_ROWS = ("total", "appropriation", "carryover", "other")
FUND_COLS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")
DEFAULT_IND_ORDER = ("l1", "l2", "l3", "target", "actual", "weight", "score", "note")
WEIGHT_FIRST_ORDER = ("l1", "l2", "l3", "weight", "target", "actual", "score", "note")
PROJECT_TITLES = ("财政项目支出绩效自评表", "项目支出绩效自评表", "绩效目标自评表")
DEPARTMENT_TITLE = "部门整体支出绩效自评表"

# Role tags of LCell. Labels are printed scaffolding; the rest carry a value of the form.
ROLES = (
    "title", "label", "header", "value",  # generic
    "project_name", "department", "implementing_unit",
    "fund_label", "amount", "fund_weight", "rate", "fund_score",
    "goal_expected", "goal_actual",
    "perf", "l1", "l2", "l3", "target", "target_op", "target_value", "target_unit",
    "actual", "weight", "score", "note", "total_weight", "total_score", "empty",
)

_OPS = (">=", "<=", ">", "<", "=")
OP_GLYPHS = {
    "ascii": {">=": ">=", "<=": "<=", ">": ">", "<": "<", "=": "="},
    "unicode": {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": "＝"},
    "jis": {">=": "≧", "<=": "≦", ">": "＞", "<": "＜", "=": "﹦"},
    "box": {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "═"},
    "latex": {">=": "\\geq", "<=": "\\leq", ">": ">", "<": "<", "=": "="},
}


@dataclass(frozen=True, slots=True)
class LCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    role: str = "value"


@dataclass(slots=True)
class Table:
    """One form as printed: title lines above a grid of cells (each grid slot covered by exactly one cell).

    `rows[r]` holds the cells whose top-left corner is in row r, left to right. `row_kinds[r]` names the block
    a row belongs to: header, funds, goals, ind_header, indicator, total.
    """

    title_lines: list[str]
    rows: list[list[LCell]]
    n_cols: int
    row_kinds: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def cells(self) -> list[LCell]:
        return [c for row in self.rows for c in row]

    def dense(self) -> list[list[LCell | None]]:
        """Grid slots -> the cell covering them (None where nothing is; a valid layout has no None)."""
        grid: list[list[LCell | None]] = [[None] * self.n_cols for _ in self.rows]
        for c in self.cells():
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    grid[r][k] = c
        return grid


@dataclass(frozen=True, slots=True)
class Style:
    """How a form is printed. Every field changes the look only; `expected_form` says what the result is."""

    title: str | None = "财政项目支出绩效自评表"  # None: the form's own title
    year_format: str = "({year} 年度)"
    perf_column: bool = True  # leftmost 绩效指标 column merged over the indicator block
    amount_unit: str = "元"  # 元 or 万元 (amounts converted)
    wan_decimals: int = 2  # decimals printed for 万元 amounts
    wan_suffix: bool = False  # 万元 amounts printed with a 万 suffix inside the cell
    thousands: str = "total_executed"  # none | total_executed | all
    rate_decimals: int = 2  # execution rate printed as 100.00% (2), 100% (0)
    null_weight_mark: str = "—"  # what the 分值 cell of a fund row without weight shows
    has_initial: bool = True  # the 年初预算数 column is printed
    funds_label: str = "项目资金 ({unit})"
    annual_label: str = "全年预算数"
    executed_label: str = "全年执行数"
    rate_label: str = "执行率"
    appropriation_label: str = "其中：当年财政拨款"
    ind_order: tuple[str, ...] = DEFAULT_IND_ORDER
    target_split: bool = False  # 指标性质 | 指标值 | 度量单位
    l1_weight: str = "none"  # none | suffix (产出指标(50分)) | only ((50分))
    op_style: str = "ascii"  # ascii | unicode | jis | box | latex
    goal_split: int = 3  # 预期目标 spans this many columns; 实际完成情况 the rest

    @classmethod
    def plain(cls) -> Style:
        """The sample's look: 元, 绩效指标 column, ASCII operators, the usual header spellings."""
        return cls()

    @classmethod
    def random(cls, seed: int) -> Style:
        rng = random.Random(f"style-{seed}")
        wan = rng.random() < 0.35
        return cls(
            title=rng.choice(PROJECT_TITLES),
            year_format=rng.choice(["({year} 年度)", "（{year}年度）", "({year}年度)", "{year}年度"]),
            perf_column=rng.random() < 0.6,
            amount_unit="万元" if wan else "元",
            wan_decimals=rng.choice([2, 2, 4, 6]),
            wan_suffix=wan and rng.random() < 0.3,
            thousands=rng.choice(["none", "total_executed", "all"]),
            rate_decimals=rng.choice([0, 1, 2, 2]),
            null_weight_mark=rng.choice(["—", "", "—"]),
            has_initial=rng.random() < 0.8,
            funds_label=rng.choice(["项目资金 ({unit})", "项目资金（{unit}）", "项目资金({unit})"]),
            annual_label=rng.choice(["全年预算数", "全年预算数(A)", "全年预算数（A）"]),
            executed_label=rng.choice(["全年执行数", "全年执行数(B)"]),
            rate_label=rng.choice(["执行率", "执行率(B/A)", "执行率（B/A）"]),
            appropriation_label=rng.choice(
                ["其中：当年财政拨款", "其中：本年财政拨款", "财政拨款", "其中:当年财政拨款", "  当年财政拨款"]
            ),
            ind_order=WEIGHT_FIRST_ORDER if rng.random() < 0.3 else DEFAULT_IND_ORDER,
            target_split=rng.random() < 0.3,
            l1_weight=rng.choices(["none", "suffix", "only"], weights=[6, 3, 1])[0],
            op_style=rng.choice(["ascii", "ascii", "unicode", "jis", "box", "latex"]),
            goal_split=rng.choice([2, 3, 4]),
        )

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ind_order"] = list(self.ind_order)
        return d

    def with_(self, **changes) -> Style:
        return replace(self, **changes)


# ----------------------------------------------------------------------------------------------------------
# Expected result


def _convert_amount(value: str | None, style: Style) -> str | None:
    if value is None or style.amount_unit == "元":
        return value
    q = Decimal(1).scaleb(-style.wan_decimals)
    return format((Decimal(str(value).replace(",", "")) / 10000).quantize(q, rounding=ROUND_HALF_UP), "f")


def expected_form(form: dict, style: Style) -> dict:
    """The contract-shaped form a correct extractor returns for `form` rendered with `style`."""
    out = copy.deepcopy(form)
    out["title"] = _title(form, style)
    if style.amount_unit != (form.get("amount_unit") or "元"):
        if (form.get("amount_unit") or "元") != "元":
            raise ValueError("forms to convert must be in 元")
        out["amount_unit"] = style.amount_unit
        for row in _fund_rows(out):
            for key in ("initial_budget", "annual_budget", "executed"):
                row[key] = _convert_amount(row.get(key), style)
    if not style.has_initial:
        for row in _fund_rows(out):
            row["initial_budget"] = None
    out.pop("pages", None)
    out.pop("issues", None)
    return out


def expected_result(forms: list[dict], styles: list[Style] | Style) -> dict:
    if isinstance(styles, Style):
        styles = [styles] * len(forms)
    return {"schema_version": "1", "forms": [expected_form(f, s) for f, s in zip(forms, styles, strict=True)]}


def _fund_rows(form: dict) -> list[dict]:
    funds = form.get("funds") or {}
    rows = [funds[k] for k in FUND_ROWS if funds.get(k)]
    return rows + list(funds.get("more") or [])


def _title(form: dict, style: Style) -> str:
    own = form.get("title") or "财政项目支出绩效自评表"
    if form.get("project_name") is None or "部门整体" in own or style.title is None:
        return own
    return style.title


# ----------------------------------------------------------------------------------------------------------
# Cell texts


def _dec_text(value) -> str:
    if value is None:
        return ""
    d = Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _with_thousands(s: str) -> str:
    neg = s.startswith("-")
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    whole = f"{int(whole):,}" if whole.isdigit() else whole
    return ("-" if neg else "") + whole + ("." + frac if frac else "")


def amount_text(value: str | None, style: Style, *, row: str, col: str) -> str:
    if value is None:
        return ""
    s = _convert_amount(value, style)
    if style.thousands == "all" or (style.thousands == "total_executed" and row == "total" and col == "executed"):
        s = _with_thousands(s)
    if style.amount_unit == "万元" and style.wan_suffix:
        s += "万"
    return s


def rate_text(value, style: Style) -> str:
    if value is None:
        return ""
    d = Decimal(str(value))
    places = max(0, -d.normalize().as_tuple().exponent)
    if places > style.rate_decimals:  # never round a rate away: the expected value is the exact one
        return format(d.normalize(), "f") + "%"
    return f"{d:.{style.rate_decimals}f}%"


def split_op(text: str | None) -> tuple[str, str]:
    """'>=90%' -> ('>=', '90%'); '及时' -> ('', '及时')."""
    if not text:
        return "", text or ""
    for op in _OPS:
        if text.startswith(op):
            return op, text[len(op):]
    return "", text


def op_text(text: str | None, style: Style) -> str:
    """A target or actual value with its leading operator drawn in the style's glyphs."""
    if not text:
        return ""
    op, rest = split_op(text)
    if not op:
        return text
    if style.op_style == "latex":
        return "$" + OP_GLYPHS["latex"][op] + " " + rest.replace("%", "\\%") + "$"
    return OP_GLYPHS[style.op_style][op] + rest


_SPLIT_RE = re.compile(r"^(\d+(?:\.\d+)?)(.*)$")


def split_target(text: str | None, style: Style) -> tuple[str, str, str]:
    """Target -> (指标性质, 指标值, 度量单位): '>=735人次' -> ('≥', '735', '人次'); '及时' -> ('', '及时', '')."""
    op, rest = split_op(text or "")
    m = _SPLIT_RE.match(rest)
    if not m:
        return ("", text or "", "")
    glyph = OP_GLYPHS["ascii" if style.op_style == "latex" else style.op_style][op] if op else ""
    return (glyph, m.group(1), m.group(2))


# ----------------------------------------------------------------------------------------------------------
# Layout

_IND_HEADERS = {
    "l1": "一级指标", "l2": "二级指标", "l3": "三级指标", "target": "年度指标值", "actual": "实际完成值",
    "weight": "分值", "score": "得分", "note": "偏差原因分析及改进措施",
}


class _Builder:
    def __init__(self, n_cols: int):
        self.n_cols = n_cols
        self.rows: list[list[LCell]] = []
        self.kinds: list[str] = []

    def new_row(self, kind: str) -> int:
        self.rows.append([])
        self.kinds.append(kind)
        return len(self.rows) - 1

    def put(self, r: int, c: int, text: str, role: str, *, rowspan: int = 1, colspan: int = 1) -> None:
        # Spans that start on an earlier row are put on that row; keep each row sorted by column.
        self.rows[r].append(LCell(text=text, row=r, col=c, rowspan=rowspan, colspan=colspan, role=role))

    def row_of(self, cells: list[tuple[str, str, int]], kind: str, *, start: int = 0) -> int:
        """One row from (text, role, colspan) triples starting at column `start`; the last cell fills the row."""
        r = self.new_row(kind)
        c = start
        for i, (text, role, span) in enumerate(cells):
            if i == len(cells) - 1:
                span = self.n_cols - c
            self.put(r, c, text, role, colspan=span)
            c += span
        return r

    def table(self, title_lines: list[str]) -> Table:
        for row in self.rows:
            row.sort(key=lambda cell: cell.col)
        return Table(title_lines=title_lines, rows=self.rows, n_cols=self.n_cols, row_kinds=self.kinds)


def _l1_label(name: str | None, weight, style: Style) -> str:
    name = name or ""
    if style.l1_weight == "none" or weight is None:
        return name
    w = f"({_dec_text(weight)}分)"
    return w if style.l1_weight == "only" else name + w


def layout(form: dict, style: Style | None = None) -> Table:
    """Lay one contract-shaped form out as printed with `style`."""
    style = style or Style.plain()
    ind_cols: list[str] = []
    for role in style.ind_order:
        if role == "target" and style.target_split:
            ind_cols += ["target_op", "target_value", "target_unit"]
        else:
            ind_cols.append(role)
    lead = 1 if style.perf_column else 0
    fund_cols = [c for c in FUND_COLS if c != "initial_budget" or style.has_initial]
    n_cols = max(lead + len(ind_cols), 2 + len(fund_cols))
    b = _Builder(n_cols)
    unit = style.amount_unit

    year = form.get("year")
    title_lines = [_title(form, style)]
    if year is not None:
        title_lines.append(style.year_format.format(year=year))

    # Header rows.
    if form.get("project_name") is None:
        b.row_of([("部门（单位）名称", "label", 1), (form.get("department") or "", "department", 1)], "header")
        if form.get("implementing_unit"):
            b.row_of([("实施单位", "label", 1), (form["implementing_unit"], "implementing_unit", 1)], "header")
    else:
        b.row_of([("项目名称", "label", 1), (form.get("project_name") or "", "project_name", 1)], "header")
        left = (n_cols - 2) // 2
        b.row_of([("主管部门", "label", 1), (form.get("department") or "", "department", left),
                  ("实施单位", "label", 1), (form.get("implementing_unit") or "", "implementing_unit", 1)], "header")

    # Funds block: the 项目资金 label merged over the header row and the fund rows.
    funds = form.get("funds") or {}
    fund_rows: list[tuple[str, str, dict]] = [
        ("total", "年度资金总额", funds.get("total") or {}),
        ("appropriation", style.appropriation_label.strip(), funds.get("appropriation") or {}),
        ("carryover", "上年结转资金", funds.get("carryover") or {}),
    ]
    fund_rows += [("more", m.get("label") or "", m) for m in funds.get("more") or []]
    fund_rows.append(("other", "其他资金", funds.get("other") or {}))
    headers = {"initial_budget": "年初预算数", "annual_budget": style.annual_label, "executed": style.executed_label,
               "weight": "分值", "execution_rate": style.rate_label, "score": "得分"}
    r0 = b.new_row("funds")
    b.put(r0, 0, style.funds_label.format(unit=unit), "fund_label", rowspan=1 + len(fund_rows))
    b.put(r0, 1, "", "empty")
    for i, col in enumerate(fund_cols):
        span = n_cols - 2 - i if i == len(fund_cols) - 1 else 1
        b.put(r0, 2 + i, headers[col], "header", colspan=span)
    for key, label, row in fund_rows:
        r = b.new_row("funds")
        b.put(r, 1, label, "label")
        for i, col in enumerate(fund_cols):
            span = n_cols - 2 - i if i == len(fund_cols) - 1 else 1
            v = row.get(col)
            if col in ("initial_budget", "annual_budget", "executed"):
                text, role = amount_text(v, style, row=key, col=col), "amount"
            elif col == "execution_rate":
                text, role = rate_text(v, style), "rate"
            elif col == "weight":
                text = _dec_text(v) if v is not None else (style.null_weight_mark if key != "total" else "")
                role = "fund_weight"
            else:
                text, role = _dec_text(v), "fund_score"
            b.put(r, 2 + i, text, role, colspan=span)

    # Goals: label merged over two rows; headers then texts.
    goals = form.get("goals") or {}
    split = max(1, min(style.goal_split, n_cols - 2))
    r = b.new_row("goals")
    b.put(r, 0, "年度总体目标", "label", rowspan=2)
    b.put(r, 1, "预期目标", "header", colspan=split)
    b.put(r, 1 + split, "实际完成情况", "header", colspan=n_cols - 1 - split)
    r = b.new_row("goals")
    b.put(r, 1, goals.get("expected") or "", "goal_expected", colspan=split)
    b.put(r, 1 + split, goals.get("actual") or "", "goal_actual", colspan=n_cols - 1 - split)

    # Indicator block.
    indicators = form.get("indicators") or []
    last_span = n_cols - lead - len(ind_cols) + 1  # the last indicator column fills the row
    rh = b.new_row("ind_header")
    if lead:
        b.put(rh, 0, "绩效指标", "perf", rowspan=1 + len(indicators))
    split_headers = {"target_op": "指标性质", "target_value": "指标值", "target_unit": "度量单位"}
    for i, role in enumerate(ind_cols):
        span = last_span if i == len(ind_cols) - 1 else 1
        b.put(rh, lead + i, _IND_HEADERS.get(role) or split_headers[role], "header", colspan=span)
    l1_weights: dict[str, Decimal] = {}
    for ind in indicators:
        if ind.get("weight") is not None:
            key = ind.get("level1") or ""
            l1_weights[key] = l1_weights.get(key, Decimal(0)) + Decimal(str(ind["weight"]))
    first_row = len(b.rows)
    for n, ind in enumerate(indicators):
        r = b.new_row("indicator")
        prev = indicators[n - 1] if n else None
        for i, role in enumerate(ind_cols):
            col = lead + i
            span = last_span if i == len(ind_cols) - 1 else 1
            if role == "l1":
                if prev is not None and prev.get("level1") == ind.get("level1"):
                    continue
                run = _run_length(indicators, n, ("level1",))
                b.put(r, col, _l1_label(ind.get("level1"), l1_weights.get(ind.get("level1") or ""), style), "l1",
                      rowspan=run, colspan=span)
            elif role == "l2":
                if prev is not None and (prev.get("level1"), prev.get("level2")) == (ind.get("level1"), ind.get("level2")):
                    continue
                run = _run_length(indicators, n, ("level1", "level2"))
                b.put(r, col, ind.get("level2") or "", "l2", rowspan=run, colspan=span)
            elif role == "l3":
                b.put(r, col, ind.get("level3") or "", "l3", colspan=span)
            elif role == "target":
                b.put(r, col, op_text(ind.get("target"), style), "target", colspan=span)
            elif role in ("target_op", "target_value", "target_unit"):
                parts = split_target(ind.get("target"), style)
                text = parts[("target_op", "target_value", "target_unit").index(role)]
                b.put(r, col, text, role, colspan=span)
            elif role == "actual":
                b.put(r, col, op_text(ind.get("actual"), style), "actual", colspan=span)
            elif role == "weight":
                b.put(r, col, _dec_text(ind.get("weight")), "weight", colspan=span)
            elif role == "score":
                b.put(r, col, _dec_text(ind.get("score")), "score", colspan=span)
            elif role == "note":
                b.put(r, col, ind.get("deviation_note") or "", "note", colspan=span)
    assert len(b.rows) == first_row + len(indicators)

    # 总分: label merged up to the 分值 column.
    total = form.get("total") or {}
    r = b.new_row("total")
    w_col = lead + ind_cols.index("weight")
    s_col = lead + ind_cols.index("score")
    b.put(r, 0, "总分", "label", colspan=w_col)
    c = w_col
    while c < n_cols:
        if c == w_col:
            b.put(r, c, _dec_text(total.get("weight")), "total_weight")
            c += 1
        elif c == s_col:
            span = last_span if ind_cols[-1] == "score" else 1
            b.put(r, c, _dec_text(total.get("score")), "total_score", colspan=span)
            c += span
        else:
            span = last_span if c == lead + len(ind_cols) - 1 else 1
            b.put(r, c, "", "empty", colspan=span)
            c += span
    return b.table(title_lines)


def _run_length(indicators: list[dict], start: int, keys: tuple[str, ...]) -> int:
    head = tuple(indicators[start].get(k) for k in keys)
    n = 1
    while start + n < len(indicators) and tuple(indicators[start + n].get(k) for k in keys) == head:
        n += 1
    return n


def check_table(table: Table) -> None:
    """Raise AssertionError unless the cells cover the grid exactly once (no gap, no overlap)."""
    seen: dict[tuple[int, int], LCell] = {}
    for row_index, row in enumerate(table.rows):
        for c in row:
            assert c.row == row_index, f"cell {c} filed under row {row_index}"
            assert c.rowspan >= 1 and c.colspan >= 1, c
            assert c.row + c.rowspan <= table.n_rows and c.col + c.colspan <= table.n_cols, f"out of the grid: {c}"
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    assert (r, k) not in seen, f"overlap at {(r, k)}: {c} and {seen[(r, k)]}"
                    seen[(r, k)] = c
    missing = [(r, k) for r in range(table.n_rows) for k in range(table.n_cols) if (r, k) not in seen]
    assert not missing, f"gaps at {missing[:5]}"
