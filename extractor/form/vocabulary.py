"""The words the self-evaluation forms print, as data: one place for every reader and the reconciler.

A domain expert adds a province's wording here, without reading any control flow. Matching is done
on compact text (NFKC, no whitespace; see extractor.normalize.compact). Words are listed longest
first where one is a prefix of another only when order matters (noted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# A form's title: 项目支出绩效自评表, 财政项目支出绩效自评表, 绩效目标自评表, 部门整体支出绩效自评表.
TITLE = re.compile(r"自评表|绩效自评")
TITLE_MAX_CHARS = 40  # a title is short; a sentence that mentions 自评表 is not one
DEPARTMENT_FORM = re.compile(r"部门整体|整体支出")  # a department-wide form: no 项目名称

# Meta keys (printed in a key cell, value in the next cell or after a colon) -> Form field.
META_KEYS: dict[str, str] = {
    "项目名称": "project_name",
    "专项资金名称": "project_name",  # 县级专项资金绩效目标自评表
    "专项名称": "project_name",  # 区域绩效目标自评表 of a transfer payment
    "政策名称": "project_name",  # 政策(项目)名称 of a transfer-payment form, brackets taken out
    "转移支付名称": "project_name",  # 转移支付(项目)名称
    "政策(项目)名称": "project_name",  # as printed, for text whose cells ran together
    "转移支付(项目)名称": "project_name",
    "专项(项目)名称": "project_name",
    "县级主管部门": "department",
    "项目主管部门": "department",
    "中央主管部门": "department",
    "地方主管部门": "department",
    "省级主管部门": "department",  # 区域绩效目标自评表: after 中央主管部门, the province's own
    "自治区主管部门": "department",  # the same in an autonomous region
    "市级主管部门": "department",
    "资金使用单位": "implementing_unit",
    "主管部门及代码": "department",  # 北京's template
    "主管部门": "department",
    "部门名称": "department",
    "部门(单位)名称": "department",  # a department-wide form's key, brackets folded by NFKC
    "一级预算单位名称": "department",  # 部门整体支出绩效自评表 of a province's template (湖南)
    "区级预算单位名称": "department",  # the same template at district, county and city level
    "县级预算单位名称": "department",
    "市级预算单位名称": "department",
    "预算部门": "department",
    "项目实施单位": "implementing_unit",
    "实施单位": "implementing_unit",
    "单位名称": "implementing_unit",
    "预算单位": "implementing_unit",
}
# Keys whose value gives way to a later key of the same field: a transfer-payment form names the
# central ministry (中央主管部门) and then the local department that the filer answers to (地方主管部门);
# 单位名称 above the table (the filing unit) gives way to the table's own 项目实施单位.
YIELDING_KEYS: frozenset[str] = frozenset({"中央主管部门", "单位名称"})
# Keys whose values the contract does not keep: cut out of unspaced text so that they end the value
# before them. Not form keys (a signature's 项目负责人 opens no form).
OTHER_KEYS: tuple[str, ...] = ("省级财政部门", "项目负责人", "负责人及电话", "填报日期", "填报时间", "联系电话")
# Keys that stand alone (exact cell, not a prefix): 部门 on a department-wide form.
META_KEYS_EXACT: dict[str, str] = {"部门": "department"}
META_PREFIXES: tuple[str, ...] = tuple(META_KEYS)
NEW_FORM_KEYS: tuple[str, ...] = ("项目名称", "部门名称", "单位名称", "专项资金名称", "专项名称", "政策(项目)名称", "转移支付(项目)名称", "专项(项目)名称")  # a second one starts the next form

TOTAL_WORDS: tuple[str, ...] = ("总分", "总计", "合计得分", "总得分")
# Inside the indicator table 合计 is the 总分 row too (outside it, 合计 is the funds' total row).
INDICATOR_TOTAL_WORDS: tuple[str, ...] = (*TOTAL_WORDS, "合计")

# 总分(100分): the total's cell may print the form's full points after the word.
_TOTAL_POINTS = re.compile(r"[(（](\d+(?:\.\d+)?)分?[)）]$")


@lru_cache(maxsize=1 << 16)
def total_word(word: str, *, in_table: bool = True) -> tuple[bool, str | None]:
    """Whether a compact cell is the total row's word (总分, 合计 in the indicator table, 总分(100分)),
    and the full points it prints, if any."""
    text = word.rstrip(":：")
    points = None
    if m := _TOTAL_POINTS.search(text):
        text, points = text[:m.start()], m.group(1)
    return text in (INDICATOR_TOTAL_WORDS if in_table else TOTAL_WORDS), points if text else None


# Rows printed below the indicator table where a template has no 总分 row: the table ends there.
TABLE_END_WORDS: tuple[str, ...] = ("说明", "评价结论", "存在问题", "填表人", "填报人")

# Blocks a template prints between the funds and the goals that the contract keeps no field for: their
# rows are `item | explanation` (分配科学性 | 资金分配科学合理), never fund rows.
UNKEPT_BLOCKS: tuple[str, ...] = ("资金管理情况",)

# 年度总体目标 block: its merged label, then the two column headers.
GOAL_LABELS: tuple[str, ...] = ("年度总体目标", "总体目标")
GOAL_LABEL_PARTS: tuple[str, ...] = ("年度", "总体", "目标", "年度总体目标完成情况")
GOAL_EXPECTED_HEADERS: tuple[str, ...] = ("预期目标", "年初设定目标", "项目年度目标", "年度目标", "年初目标")
GOAL_ACTUAL_HEADERS: tuple[str, ...] = ("实际完成情况", "目标实际完成情况", "全年实际完成情况", "年度总体目标完成情况综述", "年度目标完成情况",
                                        "总体目标完成情况", "目标完成情况", "实际完成", "完成情况")
GOAL_HEADERS: tuple[str, ...] = GOAL_EXPECTED_HEADERS + GOAL_ACTUAL_HEADERS
# The template's next numbered block after the goals (2.项目实施内容及过程概述): the goal texts end there.
NUMBERED_BLOCK = re.compile(r"^\d{1,2}[.、．][^\d，。；,;]{2,18}$")
GOAL_HEADER_MAX_CHARS = 14  # 年度总体目标完成情况综述 is a header; a longer text starting like one is a goal

# An operator column (指标方向, 指标性质) may spell its sign: the target is written with the sign.
OPERATOR_WORDS: dict[str, str] = {"大于等于": ">=", "不低于": ">=", "不少于": ">=", "小于等于": "<=", "不高于": "<=",
                                  "不超过": "<=", "等于": "=", "大于": ">", "小于": "<"}

# Words a target opens with when it states its value against an earlier year (同比2022年显著提高,
# 较上年有所提升): where a row's cells run together, the name ends before them.
TARGET_LEADS: tuple[str, ...] = ("同比", "较上年", "较去年", "较上一年", "比上年", "比去年", "环比")
# Words an actual states a target's completion with (12月 | 已完成, 年底前 | 按时完成).
DONE_WORDS: tuple[str, ...] = ("已完成", "按时完成", "按期完成", "全部完成", "已实现", "已达到", "已达标", "完成")

# Column headers of the indicator table -> role, in the order a template prints them.
INDICATOR_HEADER_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("l1", ("一级指标",)),
    ("l2", ("二级指标",)),
    ("name", ("三级指标", "指标名称", "绩效指标名称")),
    ("target_op", ("指标性质", "指标方向")),  # both printed: 性质 is 正向/反向, 方向 the operator (大于等于)
    ("target_unit", ("度量单位", "计量单位", "单位")),
    ("target", ("年度指标值", "全年指标值", "年度目标值", "指标值", "目标值", "预期指标值", "预期值", "年度目标")),
    ("actual", ("实际完成值", "指标实际完成值", "全年实际完成值", "全年完成值", "全年实际值", "实际完成", "完成值", "实际值")),
    ("weight", ("分值", "权重", "权重分", "指标分值权重", "分值权重")),
    ("score", ("得分", "自评得分", "评分", "指标得分")),
    ("note", ("偏差原因分析及改进措施", "未完成原因及拟采取的改进措施", "未完成原因和改进措施",
              "偏差原因", "未完成原因分析", "原因分析", "改进措施", "未完成原因", "备注")),
    # Columns the contract does not keep: how the score is worked out (北京: 完成值达到指标值,记满分…),
    # what the target rests on, last year's value, the evidence, the rate of completion (新疆's 13 columns).
    ("aside", ("得分计算方法", "计算方法", "评分标准", "指标赋分规则", "指标值设置依据", "上年完成值", "佐证资料", "完成率")),
)

# A column down the right of the whole form that scores each block (区域绩效目标自评表): its header
# stands among the key rows, the form's 总分 below it, then each block's points on the block's first
# row (funds, goals, the indicator header), then each indicator row's 得分.
BLOCK_SCORE_HEADERS: tuple[str, ...] = ("自评得分",)

# Column headers of the funds block -> role.
FUND_HEADER_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算数", "年初预算")),
    ("annual_budget", ("全年预算数", "全年预算", "调整后预算数", "转移支付预算数", "预算数")),
    ("executed", ("全年执行数", "全年执行", "实际执行数", "预算执行数", "转移支付执行数", "执行数", "实际支出")),
    ("weight", ("分值", "权重", "分值权重")),
    ("execution_rate", ("执行率", "预算执行率", "资金执行率")),
    ("score", ("得分", "自评得分")),
    ("note", ("原因",)),  # Sichuan's template explains a low rate here; not a value
    ("aside", ("得分计算方法", "计算方法")),  # 执行率*该指标分值,最高不得超过分值上限: no value
)
# Every column header word of both tables, funds first.
HEADER_WORDS: tuple[str, ...] = tuple(w for table in (FUND_HEADER_ROLES, INDICATOR_HEADER_ROLES) for _, words in table
                                      for w in words)
# The funds block's merged label: 项目资金（万元）, 资金情况（万元）.
FUND_BLOCK_LABELS: tuple[str, ...] = ("项目资金", "资金情况", "预算执行情况", "项目预算执行情况", "资金投入情况", "年度预算申请")
# Pieces of that label where it is printed down the side of the rows, a few characters a line
# (项目 / 资金 / （元 / ）, 项目资金(元): never a row's own label.
FUND_BLOCK_PIECE = re.compile(r"^(?:项目|资金|(?:项目资金)?[（(]万?元?[)）]?|项目资金|万?元?[)）])$")

# Fund row labels -> FundRow key (matched as substrings after a leading 其中).
FUND_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("年度资金总额", "资金总额", "总额", "合计")),
    ("appropriation", ("当年财政拨款", "本年财政拨款", "财政拨款", "一般公共预算拨款", "财政资金")),
    ("carryover", ("上年结转资金", "上年结转", "结转资金")),
    ("other", ("其他资金",)),
)

# A fund row that splits the money by the level of government that gives it (其中:中央财政资金,
# 地方资金, 市级财政资金): a breakdown of the total, not the form's 财政拨款 row; kept in funds.more.
FUND_BY_LEVEL = re.compile(r"^(?:中央|地方|省|市|县|区)级?(?:财政)?(?:补助)?资金")
# Such a label as a word inside a run of text (其中:中央财政补助50万元…), 补助 without 资金 too: the
# unspaced reader's word for a row.
FUND_BY_LEVEL_WORD = r"(?:其中[:：])?(?:中央|地方|省|市|县|区)级?(?:财政)?(?:补助资金|补助|资金)"
_FUND_BY_LEVEL_LABEL = re.compile(FUND_BY_LEVEL_WORD)


def is_fund_by_level(text: str) -> bool:
    """A whole label of such a row: 其中:中央财政补助, 地方资金 (compact text)."""
    return bool(_FUND_BY_LEVEL_LABEL.fullmatch(text))

# An indicator row that breaks down the row above it (其中桃树种植面积 under 补助各类瓜果蔬菜种植面积):
# it prints its target and actual, and no points of its own.
BREAKDOWN_ROW = re.compile(r"^其中[:：]?")


SENTENCE_MIN_CHARS = 20  # a scoring rule (得分计算方法) is a sentence; a name's wrapped rest is short


def is_sentence(text: str) -> bool:
    """`完成值达到指标值,记满分;未达到…记分。` (compact text): long and closed by a full stop, as no name is."""
    return len(text) >= SENTENCE_MIN_CHARS and text.endswith(("。", "；", ";"))


def is_breakdown_row(name: str | None) -> bool:
    return bool(name) and bool(BREAKDOWN_ROW.match(name))


def breakdown_rows(indicators: Sequence[Any]) -> set[int]:
    """Indexes of the rows that break down the row above them and print no points of their own: 其中…
    rows, and rows with a target or an actual but no points under a parent row of the same block that
    prints points and neither (★补助各类瓜果蔬菜种植面积 | 10 | 10 over 梨树种植面积 | 6亩 | 6亩)."""
    out: set[int] = set()
    parent: tuple[str | None, str | None] | None = None  # the block of the parent row the run is under
    for i, ind in enumerate(indicators):
        pointless = ind.weight is None and ind.score is None
        if pointless and is_breakdown_row(ind.level3):
            out.add(i)
        elif not pointless and not ind.target and not ind.actual:
            parent = (ind.level1, ind.level2)
        elif pointless and (ind.target or ind.actual) and parent == (ind.level1, ind.level2):
            out.add(i)
        else:
            parent = None
    return out


# Template scaffolding in an indicator row: 指标2, 指标2:, ……, /, —, ★★★.
PLACEHOLDER = re.compile(r"^(?:指标\d*[:：]?|…+|\.{2,}|。{2,}|/|／|—+|-+|无|略|其他|★+)$")
# Scaffolding only (never a printed value or note, unlike 无 or —): numbered stubs and ellipses.
SCAFFOLD = re.compile(r"^(?:指标\d*[:：]?|…+|\.{2,}|。{2,})$")
# 指标1: and ★ before a name are the template's marks; 指标1. (a numbered list) is kept as printed.
NUMBERING = re.compile(r"^(?:指标\d+(?![\d.、．])\s*[:：]?|★+)\s*")
# The number an indicator name opens with (指标4, 指标4:, 4.): two names numbered apart are two rows.
INDICATOR_NUMBER = re.compile(r"^(?:指标(\d{1,2})|(\d{1,2})[.、．])")


# --- predicates over compact text (NFKC, no whitespace): the one reading of these words -------------


def is_title(text: str) -> bool:
    """A form's title (项目支出绩效自评表…): short, and naming 自评表. A sentence that mentions one is not;
    a note glued in front of one (…请以附件为准)部门预算项目支出绩效自评表(2023年度)) is no part of it."""
    return (len(text) <= TITLE_MAX_CHARS and bool(TITLE.search(text))) or bool(_TITLE_AFTER_NOTE.search(text))


# A title at the end of a longer text, after the bracket or full stop that closes a note before it.
_TITLE_AFTER_NOTE = re.compile(r"[)）。]\s*([^)）。(（]{2,30}?自评表\s*(?:[（(]\s*(?:19|20)\d{2}\s*年度?\s*[)）])?)\s*$")


def title_text(text: str) -> str:
    """The title a title cell prints: the cell, or its end after a note glued in front."""
    if len(text) > TITLE_MAX_CHARS and (m := _TITLE_AFTER_NOTE.search(text)):
        return m.group(1)
    return text


def is_meta_key(text: str) -> bool:
    """项目名称… (a key, its value maybe inline), or exactly 部门 on a department-wide form."""
    return text.startswith(META_PREFIXES) or text.rstrip(":：") in META_KEYS_EXACT or clipped_key(text) is not None


# (2021年度) on a line of its own: the form's year line, wherever its title went.
YEAR_LINE = re.compile(r"^[（(]?(?:19|20)\d{2}年度?[)）]?$")

# 主管部门(盖章): … 单位:万元 above the table: where the filer stamps, no key cell of the form (a key
# cell printed with (盖章) holds its value: 实施单位 (盖章) | 某县发展和改革局).
SEAL_MARK = re.compile(r"^[^（(]{2,10}[（(]盖章[)）][:：]?$")
UNIT_STATEMENT = re.compile(r"^(?:金额)?单位[:：]?(万元|元)$")


def is_seal_line(words: tuple[str, ...]) -> bool:
    """The seal line: a key with (盖章) and no value beside it, at most the table's unit."""
    return bool(words) and "盖章" in words[0] and bool(SEAL_MARK.match(words[0])) \
        and all(UNIT_STATEMENT.match(w) for w in words[1:])


CLIPPED_KEY_MIN = 5  # characters left of a long key that lost its first one


@lru_cache(maxsize=1 << 14)
def clipped_key(text: str) -> str | None:
    """The long key a cell prints without its first character (级预算单位名称: the dump lost the 一)."""
    t = text.rstrip(":：")
    if len(t) < CLIPPED_KEY_MIN:
        return None
    return next((key for key in META_KEYS if len(key) == len(t) + 1 and key.endswith(t)), None)


# A goal text's item mark (目标1:, 1., （一）): the two goal cells number their items alike, so a mark
# seen again is where the second cell's text starts.
GOAL_ITEM_MARK = re.compile(r"^([^\d\s，。,.:：]{0,4}?)([1-9]\d?|[一二三四五六七八九十]{1,2})[.、，,:：)）]")


def split_goal_items(texts: list[str]) -> tuple[list[int], list[int]] | None:
    """Goal cells read one after the other, expected and actual, when the items say how: each mark
    printed twice in a row (目标1 目标1 目标2 目标2: the two cells of each line, row by row), or the
    first item's number printed again (目标1 … 目标4 目标1 … 目标4, or 目标1: 目标2: 1. 2.: one cell, then the
    other). The positions of
    each cell's texts; None when the texts carry no such numbering."""
    found = [GOAL_ITEM_MARK.match(t) for t in texts]
    if len(texts) < 2 or found[0] is None or found[0].group(2) not in ("1", "一"):
        return None
    marks = [m.group(0) if m else None for m in found]
    every = range(len(texts))
    pairs = len(texts) % 2 == 0 and all(marks[k] is not None and marks[k] == marks[k + 1]
                                        for k in range(0, len(texts), 2))
    if pairs and len(set(marks)) > 1:
        return list(every[0::2]), list(every[1::2])
    # The first item's number again (目标1: … 目标2: … then 1. … 2.): the other cell starts there.
    again = next((k for k in range(1, len(texts)) if found[k] and found[k].group(2) == found[0].group(2)), None)
    if again is None:
        return None
    return list(every[:again]), list(every[again:])


def is_goal_header(text: str) -> bool:
    """预期目标 / 实际完成情况 and their kin; a goal text that starts like one (年度目标基本完成…) is not."""
    return text in GOAL_HEADERS or (len(text) <= GOAL_HEADER_MAX_CHARS and text.startswith(GOAL_HEADERS))


# Every word above that a form prints, for telling a right decoding of a dump from a wrong one: a wrong
# codec turns them into other characters. Words of two characters or fewer are left out (too common).
FORM_WORDS: frozenset[str] = frozenset(
    word for word in (*META_KEYS, *TOTAL_WORDS, *GOAL_LABELS, *GOAL_HEADERS, *FUND_BLOCK_LABELS,
                      *(w for _, words in INDICATOR_HEADER_ROLES for w in words),
                      *(w for _, words in FUND_HEADER_ROLES for w in words),
                      *(w for _, words in FUND_ROWS for w in words), "自评表", "绩效自评")
    if len(word) > 2)


def form_words_in(text: str) -> int:
    """How many distinct form words `text` (compact: no whitespace) contains."""
    return sum(word in text for word in FORM_WORDS)
