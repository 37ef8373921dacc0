"""Text whose whitespace was lost -> cell tokens, by the form's vocabulary and value grammar.

Best effort for the worst dumps: `项目名称企业经济服务主管部门…数量指标补贴资格审核完成率=100%100%33…`.
The form's own words (keys, headers, taxonomy labels) are cut out first; what lies between them
is split by what it must be: amounts in the funds block, and in the indicator block a name, a
target and an actual followed by a run of digits that holds 分值 and 得分.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from extractor.form.vocabulary import (
    DONE_WORDS,
    FUND_BLOCK_LABELS,
    FUND_BY_LEVEL_WORD,
    FUND_HEADER_ROLES,
    GOAL_EXPECTED_HEADERS,
    GOAL_HEADERS,
    GOAL_LABELS,
    HEADER_WORDS,
    INDICATOR_HEADER_ROLES,
    META_KEYS,
    OTHER_KEYS,
    TABLE_END_WORDS,
    TARGET_LEADS,
    TITLE_MAX_CHARS,
    is_fund_by_level,
)
from extractor.normalize import normalise_operators
from extractor.taxonomy import FUND_ROWS, LEVEL1, LEVEL2_PARENT, wrapped_header_pieces

# Rows of a template that the contract keeps no field for (项目类别 with its checkboxes): cut out so that
# they end the value before them.
UNKEPT_ROWS = ("项目类别", "项目属性", "项目类型")
# The goals' label and headers; the short headers (年度目标, 完成情况) are words of sentences too.
_GOAL_WORDS = (*GOAL_LABELS, "预期目标", "实际完成情况", *(w for w in GOAL_HEADERS if len(w) >= 6))
_YEAR_BEFORE_TITLE = re.compile(r"(?:19|20)\d{2}年度?$")
_CLAUSE_MARKS = ("，", ",", "。", "；", ";", "、")
_KEYS = (*META_KEYS, *OTHER_KEYS, *UNKEPT_ROWS, *_GOAL_WORDS, "总分", "绩效指标", *TABLE_END_WORDS)
_FUND_LABELS = tuple(f"{lead}{w}" for _, words in FUND_ROWS for w in words if w != "合计"
                     for lead in ("", "其中:", "其中：", "其中:本年", "其中：本年"))
_HEADERS = tuple(w for w in HEADER_WORDS if w != "单位")  # 单位 alone is too common inside names (单位成本)
_FUND_HEADERS = frozenset(w for _, words in FUND_HEADER_ROLES for w in words)
_FUND_ONLY = frozenset(w for _, words in FUND_HEADER_ROLES for w in words) - frozenset(
    w for _, words in INDICATOR_HEADER_ROLES for w in words)
_LABELS = tuple(LEVEL2_PARENT) + LEVEL1
# The total row's label with the money's kind between (年度财政资金总额): one label, not 财政资金 + 总额.
_TOTAL_LABEL = re.compile(r"年度[\u4e00-\u9fff]{1,4}?资金总额")
_SCORE_FORMULA = re.compile(r"[（(]\d+(?:\.\d+)?分[*×][^()（）]{1,8}[)）]")  # 得分(20分*执行率): a header's mark


def _is_fund_label(word: str) -> bool:
    return word in _FUND_LABELS or bool(_TOTAL_LABEL.fullmatch(word)) or is_fund_by_level(word)


def _is_block_label(word: str) -> bool:
    """The funds block's merged label with its unit: 项目资金(万元), 预算执行情况(万元)."""
    return word.startswith(FUND_BLOCK_LABELS) and word.endswith((")", "）"))


def _either_width(word: str) -> str:
    """A word as a pattern whose brackets may be printed full-width (部门（单位）名称)."""
    return re.escape(word).replace(r"\(", "[(（]").replace(r"\)", "[)）]")


_VOCAB = sorted(set(_KEYS + _FUND_LABELS + _HEADERS + _LABELS), key=len, reverse=True)
_WORD = re.compile(
    r"(?:财政)?(?:项目支出|部门整体支出|整体支出|项目)?绩效(?:目标)?自评表|[（(]\s*(?:19|20)\d{2}\s*年度\s*[)）]"
    r"|(?:" + "|".join(FUND_BLOCK_LABELS) + r")\s*[（(](?:万元|元)[)）]|" + _TOTAL_LABEL.pattern +
    r"|[（(]\d+(?:\.\d+)?分[)）]|" + _SCORE_FORMULA.pattern + "|" + FUND_BY_LEVEL_WORD + "|"
    + "|".join(_either_width(w) for w in _VOCAB)
)
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{2}|0(?=\d|$|\D)|[1-9]\d*")
_RATE = re.compile(r"\d{1,3}(?:\.\d+)?%")
_DASH = re.compile(r"—+|－|-(?!\d)|/")
_VALUE = re.compile(r"(?:>=|<=|[<>=≥≤≧≦＞＜＝])\s*\d+(?:\.\d+)?%?[^\d<>=≥≤]{0,4}?(?=\d|$|[<>=≥≤])|\d+(?:\.\d+)?%"
                    r"|\d+(?:\.\d+)?(?:人次|批次|[个人次起天元项户家所场处批册辆种张株头棵篇期条座间台套件吨亩])")


_PAGE_COUNTER = re.compile(r"^(\d{1,3})、", re.MULTILINE)


def _drop_page_counters(text: str) -> str:
    """A document site numbers its pages at line starts (`1、…`, `2、…`, `3、…`, each line going on
    mid-cell): counters 1, 2, 3… in order are not text. Numbered items that do not run 1, 2, 3 from
    the first line stay."""
    found = list(_PAGE_COUNTER.finditer(text))
    if len(found) < 2 or [int(m.group(1)) for m in found] != list(range(1, len(found) + 1)):
        return text
    return _PAGE_COUNTER.sub("", text)


def split_unspaced(text: str) -> list[str]:
    text = normalise_operators(re.sub(r"\s+", "", _drop_page_counters(text)))
    tokens: list[str] = []
    # Amounts read so far in this form: parts of later rows repeat them. Per call, never shared:
    # a worker reads thousands of documents in one process.
    known: list[Decimal] = []
    funds = _FundMemory(known=known)
    section = "meta"
    position = 0
    columns: tuple[str, ...] = _DEFAULT_INDICATOR_COLUMNS  # the indicator header's roles, as printed
    fund_rows_seen = False  # a fund row's label read: the funds' header words after it are a cell's text
    for match in _form_words(text):
        word = match.group(0)
        if section == "indicators" and word in _FUND_ONLY:
            continue  # 执行率 inside a name (…管理制度严格执行率): the funds' words mean nothing here
        if section != "funds" and is_fund_by_level(word):
            continue  # 争取地方资金 in a goal or a name: a row of the funds only among the funds
        if word in _GOAL_WORDS and text.startswith(_CLAUSE_MARKS, match.end()):
            continue  # 按照年初设定目标,将…: a header's words inside a sentence; a header is no clause of one
        if word in LEVEL2_PARENT and tokens and tokens[-1] == word and match.start() == position:
            continue  # 数量指标数量指标福彩APP…: a level printed twice, the second starts the row's name
        if section == "funds" and fund_rows_seen and word in _FUND_HEADERS:
            continue  # 执行率*该指标分值,最高不得超过分值上限 (a 得分计算方法 cell): headers come before rows
        if word.endswith("自评表"):
            known.clear()
            funds.restart()
        if _is_block_label(word):
            funds.columns.clear()
        elif section == "funds" and not fund_rows_seen and (role := _FUND_ROLE.get(word)):
            funds.columns.append(role)
        if _is_fund_label(word):
            fund_rows_seen = True
        elif word.endswith("自评表") or _is_block_label(word) or section != "funds":
            fund_rows_seen = False
        free = text[position:match.start()]
        year = _YEAR_BEFORE_TITLE.search(free) if word.endswith("自评表") else None
        _split_free(free[:year.start()] if year else free, section, tokens, funds, columns)
        # 附件2:某馆2020年度项目绩效自评表: the year printed before the title is the title's
        tokens.append(year.group(0) + word if year else word)
        if word in _HEADER_STARTS and (printed := _indicator_columns(text, match.end())) is not None:
            columns = printed
        section = _section_after(word, section)
        position = match.end()
    _split_free(text[position:], section, tokens, funds, columns)
    return _header_marks_joined(_project_word_given_back(tokens))


def _project_word_given_back(tokens: list[str]) -> list[str]:
    """`项目名称 垃圾分类推进 项目主管部门`: after 项目名称 the key is 主管部门 and 项目 ends the name (a
    project's name ends in 项目 far more often than a template keys 项目名称 with 项目主管部门)."""
    out = list(tokens)
    for k in range(2, len(out)):
        if out[k] == "项目主管部门" and out[k - 2] == "项目名称":
            out[k - 1] += "项目"
            out[k] = "主管部门"
    return out


_HEADER_MARK = re.compile(r"^[（(](?:[A-Za-z][A-Za-z/×*\d%+\-]*|\d+(?:\.\d+)?分(?:[*×][^()（）]{1,8})?)[)）]$")  # (A), (B/A), (10分)
_HEADER_SET = frozenset(_HEADERS)


def _header_marks_joined(tokens: list[str]) -> list[str]:
    """A column header's letters or points (年初预算数(A), 分值(10分)) are part of its cell."""
    out: list[str] = []
    for token in tokens:
        if out and _HEADER_MARK.match(token) and out[-1] in _HEADER_SET:
            out[-1] += token
        else:
            out.append(token)
    return out


_HEADER_SPAN = 120  # characters after 绩效指标 that hold the indicator table's column headers


_IND_ROLE: dict[str, str] = {}
for _role, _words in INDICATOR_HEADER_ROLES:
    for _w in _words:
        _IND_ROLE.setdefault(_w, _role)
_DEFAULT_INDICATOR_COLUMNS = ("l1", "l2", "name", "target", "actual", "weight", "score", "note")
_HEADER_STARTS = ("绩效指标", "一级指标", "二级指标", "三级指标")


def _indicator_columns(text: str, start: int) -> tuple[str, ...] | None:
    """The roles of the indicator header that starts here, in printed order (up to its first label);
    None where no header follows (绩效指标 repeated over a page break: the form's header still holds)."""
    head = text[start - 4:start + _HEADER_SPAN]
    first_label = min((i for w in _LABELS if (i := head.find(w, 4)) >= 0), default=len(head))
    roles = _header_roles_in_order(head[:first_label])
    if not any(role not in ("l1", "l2") for role in roles):
        return None
    return tuple(dict.fromkeys(roles))


_PIECES_MAX = 8  # characters of a header's first-line pieces between two header words (年度实际)


def _header_roles_in_order(head: str) -> list[str]:
    """The header's roles as printed. A header whose cells wrapped reads first lines first
    (`…三级指标年度实际分值得分偏差原因…指标值完成值`): the pieces between two words (年度实际) each
    complete a later word into a header of its role (年度+指标值, 实际+完成值), so those roles stand there."""
    words = [m for m in _form_words(head) if m.group(0) in _IND_ROLE]
    if (lead := _WORD.match(head)) and lead.group(0) in _IND_ROLE and (not words or words[0].start() > 0):
        words.insert(0, lead)  # the header's first word (三级指标), whatever follows it
    texts = [m.group(0) for m in words]
    used: set[int] = set()
    roles: list[str] = []
    end = 0
    for k, m in enumerate(words):
        gap = head[end:m.start()]
        end = m.end()
        if k and 0 < len(gap) <= _PIECES_MAX and (
                found := wrapped_header_pieces(gap, texts, k, used, _IND_ROLE.get)) is not None:
            roles.extend(_IND_ROLE[texts[j]] for _, j in found)
            used.update(j for _, j in found)
        if k not in used:
            roles.append(_IND_ROLE[m.group(0)])
    return roles


def _points_printed(columns: tuple[str, ...]) -> bool:
    return "weight" in columns or "score" in columns


def _weight_first(columns: tuple[str, ...]) -> bool:
    """分值 printed before the target (三级指标 | 分值 | 年度指标值 | 实际完成值 | 得分)."""
    return "weight" in columns and "target" in columns and columns.index("weight") < columns.index("target")


_HEADER_ONLY = frozenset(_HEADERS) - frozenset(_KEYS + _FUND_LABELS + _LABELS)


def _form_words(text: str) -> list[re.Match[str]]:
    """The form's words in the text, where a column header counts only inside a run of headers
    (年初预算数全年预算数(A)…, 一级指标二级指标…): alone, 完成率, 原因 or 年度目标 is part of a name or a
    sentence (建设任务完成率, 年度目标基本完成)."""
    found = list(_WORD.finditer(text))
    return [m for i, m in enumerate(found)
            if m.group(0) not in _HEADER_ONLY
            or (i and _headers_touch(found[i - 1], m, text))
            or (i + 1 < len(found) and _headers_touch(m, found[i + 1], text))]


def _headers_touch(first: re.Match[str], second: re.Match[str], text: str) -> bool:
    """Two header words one after the other, nothing but a header's letters or points between."""
    if first.group(0) not in _HEADER_ONLY or second.group(0) not in _HEADER_ONLY:
        return False
    gap = text[first.end():second.start()]
    return not gap or bool(_HEADER_MARK.match(gap))


def _section_after(word: str, section: str) -> str:
    if word.endswith("自评表"):
        return "meta"
    if _is_fund_label(word) or _is_block_label(word) or word in ("年初预算数", "全年预算数", "全年执行数"):
        return "funds"
    if word in _GOAL_WORDS:
        return "goals"
    if word in _LABELS or word in ("三级指标", "偏差原因分析及改进措施", "绩效指标") or word.startswith(("(", "（")):
        return "indicators" if section in ("indicators", "goals") or word in _LABELS or "指标" in word else section
    if word == "总分":
        return "total"
    return section


def _split_free(free: str, section: str, tokens: list[str], funds: _FundMemory,
                columns: tuple[str, ...] = _DEFAULT_INDICATOR_COLUMNS) -> None:
    free = free.lstrip(":：")  # 实施单位:北京市… : the colon after a key is no part of its value
    if not free:
        return
    if section == "funds":
        if (cells := _fund_row_cells(free, funds)) is not None:
            tokens.extend(cells)
            return
        for token in _rejoin_known(_split_amounts(free), funds.known):
            tokens.extend(_split_known(token, funds.known))
    elif section == "goals":
        tokens.extend(_split_goals(free))
    elif section == "indicators" and not _points_printed(columns):
        tokens.extend(_split_pointless_rows(free))
    elif section == "indicators" and _weight_first(columns):
        tokens.extend(_split_weight_first_rows(free, aside="aside" in columns))
    elif section in ("indicators", "total"):
        tokens.extend(_split_indicator_rows(free, total=section == "total"))
    elif section == "meta":
        tokens.extend(_titles_apart(free))
    else:
        tokens.append(free)


# A title the form's words do not spell (2023年某中心绩效项目支出自评表), glued to what follows it: it ends
# at 自评表 and its year in brackets, if printed.
_TITLE_END = re.compile(r"自评表(?:[（(](?:19|20)\d{2}年度?[)）])?")


def _titles_apart(free: str) -> list[str]:
    """Text before the form's keys, cut after each short title in it: a page's title printed above the
    form (twice, as sites do) stays a title of its own, not the start of a note."""
    out: list[str] = []
    start = 0
    for m in _TITLE_END.finditer(free):
        if m.end() - start <= TITLE_MAX_CHARS:
            out.append(free[start:m.end()])
            start = m.end()
    if start < len(free):
        out.append(free[start:])
    return out


_FUND_ROLE = {w: role for role, words in FUND_HEADER_ROLES for w in words}
_DEFAULT_FUND_COLUMNS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")
_AMOUNT_ROLES = frozenset({"initial_budget", "annual_budget", "executed"})


@dataclass
class _FundMemory:
    """What one form's funds block has shown so far: its header's columns, the amounts read (parts of
    later rows repeat them) and how many decimals its amounts print. Made per call, never shared."""

    known: list[Decimal] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    decimals: int | None = None

    def restart(self) -> None:
        self.columns.clear()
        self.decimals = None


# A fund row's cells run together: amounts (with thousands commas, a 万 suffix), 分值, 执行率, 得分, dashes.
_ROW_CELLS = re.compile(r"^[\d.,%万元—－\-/]+")
_CELL_AMOUNT = re.compile(r"(?:\d{1,3}(?:,\d{3})+|0|[1-9]\d*)(?:\.\d+)?(?:万元|万)?")
_CELL_POINTS = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?")
_CELL_RATE = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,2})?%")
_CELL_DASH = re.compile(r"—+|－|-|/")
_MAX_ROW_CHARS = 64  # longer runs are not one row's cells: left to the cuts by look
FUND_SCORE_TOLERANCE = Decimal("0.05")  # 得分 = 分值 × 执行率, rounded to two decimals (or printed whole)
# How much each piece of evidence weighs when the cuts of a row are compared.
RATE_AGREES, RATE_DISAGREES = 6, -6
SCORE_AGREES, SCORE_ABOVE_WEIGHT = 3, -6
KNOWN_AMOUNT = 3  # above a differing decimal: 310.2 | 154.74 read above beats 310.2 | 154.7 | 4
DECIMALS_DIFFER, FORM_DECIMALS_DIFFER = -2, -1


def _fund_row_cells(free: str, funds: _FundMemory) -> list[str] | None:
    """A fund row's values read into the header's columns (`109,470,953.58182,451,589.31178,802,557.521098.0%9.8`
    -> three amounts, 10, 98.0%, 9.8): of every cut that puts a value of the right kind in each column
    from the left, the one the row's arithmetic and the form's amounts bear out best. None when the
    run is not one row's cells or no cut stands out."""
    head = _ROW_CELLS.match(free)
    if not head or len(head.group(0)) > _MAX_ROW_CHARS:
        return None
    run, rest = head.group(0), free[head.end():]
    columns = [c for c in (funds.columns or _DEFAULT_FUND_COLUMNS) if c in _FUND_VALUE_ROLES]
    if "execution_rate" not in columns and "%" in run:
        return None
    scored = sorted(((_fund_cut_score(cut, funds), cut) for cut in _fund_cuts(run, columns)),
                    key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    cells = [text for _, text in scored[0][1]]
    amounts = [text for role, text in scored[0][1] if role in _AMOUNT_ROLES]
    for text in amounts:
        if (value := _decimal(_bare_amount(text))) is not None and value not in funds.known:
            funds.known.append(value)
    if funds.decimals is None and (places := _common_decimals(amounts)) is not None:
        funds.decimals = places
    return cells + _more_rows(rest, funds)


_ROW_LABEL = re.compile(r"^[^\d—－\-/]{2,20}?资金(?=\d|—|－|-|/|$)")  # 单位资金, 财政专户管理资金


def _more_rows(rest: str, funds: _FundMemory) -> list[str]:
    """What follows a row's cells: a row the vocabulary does not name (财政专户管理资金) and its cells,
    or a cell of words (原因)."""
    if (label := _ROW_LABEL.match(rest)) and (cells := _fund_row_cells(rest[label.end():], funds)) is not None:
        return [label.group(0), *cells]
    return [rest] if rest else []


_FUND_VALUE_ROLES = frozenset({*_AMOUNT_ROLES, "weight", "execution_rate", "score"})
_MAX_CUTS = 4000  # a run of cells has a few hundred cuts at most; stop well past that


def _fund_cuts(run: str, columns: list[str]) -> list[list[tuple[str, str]]]:
    """Every reading of the run as cells of the columns from the left, (role, text) each."""
    out: list[list[tuple[str, str]]] = []

    def walk(pos: int, col: int, cells: list[tuple[str, str]]) -> None:
        if len(out) >= _MAX_CUTS:
            return
        if pos == len(run):
            out.append(list(cells))
            return
        if col == len(columns):
            return
        role = columns[col]
        for end in _cell_ends(run, pos, role):
            cells.append((role, run[pos:end]))
            walk(end, col + 1, cells)
            cells.pop()

    walk(0, 0, [])
    return out


def _cell_ends(run: str, pos: int, role: str) -> list[int]:
    """Where a cell of this role that starts at pos may end."""
    if m := _CELL_DASH.match(run, pos):
        return [m.end()]
    pattern = _CELL_AMOUNT if role in _AMOUNT_ROLES else _CELL_RATE if role == "execution_rate" else _CELL_POINTS
    ends = []
    for end in range(pos + 1, len(run) + 1):
        if pattern.fullmatch(run, pos, end) and not (end < len(run) and run[end] in ",.%万元"):
            ends.append(end)
    return ends


def _bare_amount(text: str) -> str:
    return text.removesuffix("元").removesuffix("万").replace(",", "")


def _places(text: str) -> int:
    bare = _bare_amount(text)
    return len(bare.split(".")[1]) if "." in bare else 0


def _common_decimals(amounts: list[str]) -> int | None:
    places = [_places(a) for a in amounts if not _CELL_DASH.fullmatch(a)]
    return max(set(places), key=places.count) if places else None


def _fund_cut_score(cut: list[tuple[str, str]], funds: _FundMemory) -> int:
    values = {role: text for role, text in cut if not _CELL_DASH.fullmatch(text)}
    amounts = [text for role, text in cut if role in _AMOUNT_ROLES and role in values]
    score = 0
    if (common := _common_decimals(amounts)) is not None:
        score += DECIMALS_DIFFER * sum(_places(a) != common for a in amounts)
    if funds.decimals is not None:
        score += FORM_DECIMALS_DIFFER * sum(_places(a) != funds.decimals for a in amounts)
    score += KNOWN_AMOUNT * sum(Decimal(_bare_amount(a)) in funds.known for a in amounts)
    rate = Decimal(values["execution_rate"][:-1]) if "execution_rate" in values else None
    budget = values.get("annual_budget") or values.get("initial_budget")
    if rate is not None and budget and "executed" in values and Decimal(_bare_amount(budget)) > 0:
        ratio = Decimal(_bare_amount(values["executed"])) / Decimal(_bare_amount(budget)) * 100
        score += RATE_AGREES if abs(ratio - rate) <= RATE_TOLERANCE else RATE_DISAGREES
    if "weight" in values and "score" in values:
        weight, points = Decimal(values["weight"]), Decimal(values["score"])
        if points > weight:
            score += SCORE_ABOVE_WEIGHT
        elif rate is not None and abs(weight * min(rate, Decimal(100)) / 100 - points) <= FUND_SCORE_TOLERANCE:
            score += SCORE_AGREES
    return score


def _split_amounts(free: str) -> list[str]:
    """`149959700.00298052694.9610100.00%10` -> amounts, then 分值, 执行率, 得分."""
    percent = free.find("%")
    if starts := (_rate_starts(free, percent) if percent >= 0 else []):
        end = percent + 1
        # Of the numbers that may end at the % sign (480% or 80% in `80.564.480%`), the one that the
        # amounts before it bear out (64.4 / 80.5 is 80%) is the rate; failing that, the longest.
        for start in starts:
            before = free[:start]
            run = _AMOUNT_RUN.search(before)
            if run and before[:run.start()].endswith(","):
                continue  # 171,773,659.9810: the run is the tail of an amount with thousands commas
            if run and (parts := _split_by_rate(run.group(0), Decimal(free[start:percent]), after=free[end:])):
                return _split_amounts(before[:run.start()]) + parts + [free[start:end]] + _split_amounts(free[end:])
        return _split_amounts(free[:starts[0]]) + [free[starts[0]:end]] + _split_amounts(free[end:])
    out: list[str] = []
    i = 0
    while i < len(free):
        if m := _FORMULA.match(free, i) or _DASH.match(free, i):
            out.append(m.group(0))
            i = m.end()
        elif m := _AMOUNT.match(free, i):
            out.append(m.group(0))
            i = m.end()
        else:
            m = _NOT_AMOUNT.match(free, i)  # a label's words (其中:中央、省、市补助县级资金) stay one token
            out.append(m.group(0) if m else free[i])
            i = m.end() if m else i + 1
    return out


_FORMULA = re.compile(r"[（(][A-Za-z][A-Za-z/×*\d%+\-]*[)）]")  # (B/A), (B/A×100%): a header's letters
_AMOUNT_RUN = re.compile(r"[\d.]+$")
_NOT_AMOUNT = re.compile(r"[^\d—－\-/]+")
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,2})?")
_MAX_RUN = 40  # three amounts of a fund row; anything longer is not one
RATE_TOLERANCE = Decimal("0.6")  # percentage points: a printed rate is rounded
SCORE_TOLERANCE = Decimal("0.1")  # a fund score printed to one decimal


def _split_by_rate(run: str, rate: Decimal, *, after: str = "") -> list[str] | None:
    """`194.9194.9` before `100%`: the cut (into budget, executed, or 年初, budget, executed) whose
    executed / budget is the printed rate. None unless exactly one cut agrees.

    Templates that print 分值 before 执行率 (`310.2154.741050%5`: A, B, 分值 10, 50%, 得分 5) put the
    weight between: a cut that ends in a weight is taken when the score after the rate bears it out
    (weight × rate = score)."""
    if len(run) > _MAX_RUN:
        return None
    if found := _amount_cuts(run, rate):
        return found
    score = _LEAD_NUMBER.match(after)
    for k in range(1, min(3, len(run) - 2) + 1):
        weight = run[-k:]
        if not (score and _ok(weight) and weight[0] != "0"):
            continue
        if abs(Decimal(weight) * min(rate, Decimal(100)) / 100 - Decimal(score.group(0))) <= SCORE_TOLERANCE:
            if parts := _amount_cuts(run[:-k], rate):
                return [*parts, weight]
    return None


_LEAD_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _amount_cuts(run: str, rate: Decimal) -> list[str] | None:
    found: list[list[str]] = []
    for i in range(1, len(run)):
        for j in [*range(i + 1, len(run)), None]:
            parts = [run[:i], run[i:j]] + ([run[j:]] if j is not None else [])
            if not all(_PLAIN_AMOUNT.fullmatch(p) for p in parts):
                continue
            budget, executed = Decimal(parts[-2]), Decimal(parts[-1])
            if budget > 0 and abs(executed / budget * 100 - rate) <= RATE_TOLERANCE:
                found.append(parts)
    if len(found) > 1:  # 1 | 94.91 | 94.9 also agrees: a budget beside it ten times smaller is no budget
        found = [parts for parts in found if min(map(Decimal, parts)) * 10 >= max(map(Decimal, parts))]
    return found[0] if len(found) == 1 else None


def _rejoin_known(tokens: list[str], known: list[Decimal]) -> list[str]:
    """Amounts cut by their digits' look (`310.21` `54.74`) that, run together again, are exactly
    amounts read above (310.2 and 154.74 in the total row): the row above decides."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and _DIGITS.fullmatch(tokens[j]):
            j += 1
        if j - i >= 2 and (cut := _cut_known("".join(tokens[i:j]), known)) and cut != tokens[i:j]:
            out.extend(cut)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


_DIGITS = re.compile(r"[\d.,]+")


def _cut_known(run: str, known: list[Decimal]) -> list[str] | None:
    """`run` cut into amounts that are all in `known` (the fewest parts), or None."""
    if not run:
        return []
    for k in range(len(run), 0, -1):
        head = run[:k]
        if (k == len(run) or run[k] not in ",0") and _decimal(head) in known and (rest := _cut_known(run[k:], known)) is not None:
            return [head, *rest]
    return None


def _split_known(token: str, known: list[Decimal]) -> list[str]:
    """`149959700298052694.96`: two amounts run together, told apart by amounts seen above."""
    value = _decimal(token)
    if value is None or value in known or len(token) < 6:
        if value is not None and len(token) >= 4:  # amounts, not weights or zeros
            known.append(value)
        return [token]
    for k in range(len(token) - 1, 0, -1):
        left = _decimal(token[:k])
        if left in known and token[k] not in ",0":
            rest = _split_known(token[k:], known)
            if all(_decimal(part) in known for part in rest):
                return [token[:k], *rest]
    known.append(value)
    return [token]


def _decimal(token: str) -> Decimal | None:
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


_ITEM = re.compile(r"(?:(?<=[。；;，,o])|^)[（(]?(\d{1,2})[.、:：)）]")  # 1. 1、 1: (1); o: OCR's 。


_RATE_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,2})?")


def _rate_starts(free: str, percent: int) -> list[int]:
    """Where a rate ending at the % sign may start, longest first: no leading zero, at most three
    integer digits and two decimals (98.0%, not 098.0% or 1098.0%)."""
    return [start for start in range(max(0, percent - 12), percent)
            if _RATE_NUMBER.fullmatch(number := free[start:percent])
            and not (len(number.split(".")[0]) > 1 and number.startswith("0"))]


def _split_goals(free: str) -> list[str]:
    """Two texts run together. The second starts where the numbering restarts, or after the
    sentence that holds the last numbered item of the first; failing both, at its last sentence."""
    if "</p><p>" in free:  # paragraphs of an HTML export
        at = free.index("</p><p>") + len("</p>")
        return [free[:at], free[at:]]
    items = [(int(m.group(1)), m.start()) for m in _ITEM.finditer(free)]
    for (previous, _), (number, at) in zip(items, items[1:], strict=False):
        if number == 1 and previous > 1:
            return [free[:at], free[at:]]
    if len(items) > 1:
        end = free.find("。", items[-1][1])
        if end < 0:
            return [free]  # the last item's sentence runs to the end: one text, cut inside its last item
        if end < len(free) - 1:
            return [free[:end + 1], free[end + 1:]]
    last = free.rfind("。", 0, len(free) - 1)
    if last > 0:
        return [free[:last + 1], free[last + 1:]]
    if (back := _LOOKS_BACK.search(free, 2)) is not None:
        return [free[:back.start()], free[back.start():]]
    return [free]


# The account of what was done opens by looking back at the goal set (按照年初设定目标, 对照年度目标…): with
# no full stop between the two texts, that is where the second starts.
_LOOKS_BACK = re.compile(r"(?:按照|根据|对照|围绕)(?:" + "|".join(GOAL_EXPECTED_HEADERS) + r")[，,]")


_UNIT_AFTER = re.compile(r"万元|万㎡|万人次|万人|人次|批次|平方米|公顷|公里|千米|小时|分钟|工作日"
                         r"|[个人次起天元万项户家所场㎡年月日份台套件吨亩处批册辆种张株头棵篇期条座间]")


_YEAR_DIGITS = re.compile(r"(?:19|20)\d{2}")
_POINTS_RUN = re.compile(r"(\d+(?:\.\d+)?)(?=[^\d.%]|$)")


def _split_indicator_rows(free: str, *, total: bool = False) -> list[str]:
    """Rows `name target actual 分值得分`, each closed by the digits before the next name."""
    out: list[str] = []
    start = 0
    for m in re.finditer(r"\d[\d.]*(?=[^\d.%]|$)", free):
        digits = m.group(0)
        if m.start() and free[m.start() - 1] in "<>=≥≤≧≦＞＜＝":
            continue  # the number of a target such as >=290万㎡
        unit = _UNIT_AFTER.match(free, m.end())
        if unit and (unit.end() == len(free) or free[unit.end()].isdigit() or free[unit.end()] in "<>="):
            continue  # `3个`, `290万元` is a value with its unit, not the points
        if _YEAR_DIGITS.fullmatch(digits) and free.startswith("年", m.end()):
            continue  # 2022年底之前: a year, never 分值 and 得分
        points = _points(digits, total=total)
        if points is None:
            continue
        actual_digits, weight, score = points
        *note, body = _note_and_name(free[start:m.start()] + actual_digits)
        out.extend([*note, *_split_row_body(body)])
        out.extend([weight, score])
        start = m.end()
    if start < len(free):
        out.append(free[start:])
    return out


# Pieces of indicator rows: a value (an operator and a number, a number with % or with a unit that another
# value or the points follow), a bare run of digits (points, or a number printed without unit), words.
_ATOM = re.compile(
    r"(?P<value>(?:>=|<=|[<>=])\d+(?:\.\d+)?(?:%|(?:" + _UNIT_AFTER.pattern + r"))?"
    r"|\d+(?:\.\d+)?(?:%|(?:" + _UNIT_AFTER.pattern + r")(?=[\d<>=]|$)))"
    r"|(?P<digits>\d+(?:\.\d+)*)"
    r"|(?P<words>(?:[^\d<>=]|[<>=](?![<>=]?\d))+)"  # `>=500人`'s > opens the value, not the words
)


def _atoms(free: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "words", m.group(0)) for m in _ATOM.finditer(free)]


def _note_and_name(words: str) -> list[str]:
    """Words after a row's points: a note (sentences, ending in 。) and the next row's name after it."""
    end = words.rfind("。")
    if 0 < end < len(words) - 1:
        return [words[:end + 1], words[end + 1:]]
    return [words]


def _split_weight_first_rows(free: str, *, aside: bool = False) -> list[str]:
    """Rows `name 分值 target actual 得分 [note]` of a header that prints 分值 before the target. With
    a column of words between the actual and 得分 (得分计算方法), bare target and actual numbers run on
    from 分值 (`12.512.512.5`)."""
    out: list[str] = []
    atoms = _atoms(free)
    i = 0
    while i < len(atoms):
        kind, text = atoms[i]
        if kind != "words" or i + 1 >= len(atoms) or atoms[i + 1][0] != "digits":
            out.extend(_note_and_name(text) if kind == "words" else [text])
            i += 1
            continue
        out.append(text)  # the name
        digits = atoms[i + 1][1]
        i += 2
        if aside and (parts := _equal_numbers(digits, 3)):
            out.extend(parts)
        else:
            out.append(digits)
        # target and actual up to 得分, a bare number after them
        while i < len(atoms) and not (atoms[i][0] == "digits" and i > 0 and atoms[i - 1][0] != "digits"):
            k, t = atoms[i]
            out.extend(_split_doubled_words(t) if k == "words" and not aside else [t])
            i += 1
        if i < len(atoms):
            out.append(atoms[i][1])  # 得分
            i += 1
            if i < len(atoms) and atoms[i][0] == "words":
                parts = _note_and_name(atoms[i][1])
                if len(parts) == 2:
                    out.append(parts[0])
                    atoms[i] = ("words", parts[1])
    return out


def _equal_numbers(digits: str, count: int) -> list[str] | None:
    """`12.512.512.5` -> three times 12.5: a run of one number printed `count` times."""
    if len(digits) % count:
        return None
    size = len(digits) // count
    parts = [digits[k * size:(k + 1) * size] for k in range(count)]
    return parts if len(set(parts)) == 1 and _ok(parts[0]) else None


def _split_doubled_words(words: str) -> list[str]:
    """Target and actual in words run together (及时及时, 改善有所改善, 合格基本达标); otherwise one piece."""
    for target, actual in _value_word_pairs(words, name_min=0):
        if target + actual == words:
            return [target, actual]
    return [words]


NAME_MIN_CHARS = 2  # an indicator's name is never shorter
# Words a target or an actual in words is made of (达标, 符合要求, 有效提高), and what may come before a
# reached value (基本达标, 有所改善): qualitative values of the forms, not names.
VALUE_WORDS = ("符合要求", "符合标准", "达到要求", "达标", "合格", "及时", "准时", "改善", "提升", "提高", "促进", "增加",
               "增强", "降低", "减少", "健全", "完善", "有效", "显著", "明显", "良好", "持续", "稳定", "规范", "优秀", "满意")
VALUE_LEADS = ("基本", "有所", "较为", "比较", "较", "逐步", "持续", "进一步", "明显", "显著", "有效")
_REPEAT_LEAD_MAX = 4  # characters between a target and the actual that repeats it (基本, 有所)


def _value_word_pairs(text: str, *, name_min: int = NAME_MIN_CHARS) -> list[tuple[str, str]]:
    """Ways the tail of `text` reads as a target and an actual, likeliest first: the same words twice
    (及时及时), the target again after a short lead (改善有所改善), or two value words (符合要求达标)."""
    pairs: list[tuple[str, str]] = []
    n = len(text)
    for k in range(min(12, n // 2), 1, -1):  # the target repeated, possibly after a lead
        tail = text[n - k:]
        for lead in range(0, _REPEAT_LEAD_MAX + 1):
            start = n - 2 * k - lead
            if start >= 0 and text[start:start + k] == tail and (lead == 0 or _is_lead(text[start + k:n - k])):
                own = _lead_before(text[:start], name_min) if lead else ""  # 有效提高 / 有所提高: the target's own lead
                pairs.append((text[start - len(own):start + k], text[start + k:]))
    if n >= 2 and text[-1] == text[-2] and text[-1] in SHORT_VALUES:
        pairs.append((text[-1], text[-1]))
    actual = _value_word_tail(text)
    if actual and (target := _value_word_tail(text[:n - len(actual)], bare=True)):
        pairs.append((target, actual))
    return pairs


SHORT_VALUES = frozenset("无有是否高低优良好")  # one-character values, printed twice (无无, 高高)


def _lead_before(text: str, name_min: int) -> str:
    """The lead that ends `text` when a name of name_min characters or more stays before it."""
    return next((w for w in sorted(VALUE_LEADS, key=len, reverse=True)
                 if text.endswith(w) and len(text) - len(w) >= name_min), "")


def _is_lead(text: str) -> bool:
    return text in VALUE_LEADS


def _value_word_tail(text: str, *, bare: bool = False) -> str:
    """The value word (with its lead, unless bare) that ends the text, longest first; '' when none."""
    for word in sorted(VALUE_WORDS, key=len, reverse=True):
        if text.endswith(word):
            head = text[:-len(word)]
            lead = next((w for w in sorted(VALUE_LEADS, key=len, reverse=True)
                         if not bare and head.endswith(w) and len(head) > len(w)), "")
            return lead + word
    return ""


# A value of a row without points: a number with its unit when another value follows at once
# (12座12座, 30公里28公里, 100%100%); a number inside a name (5000吨稻谷) is followed by words.
_PAIRED_VALUE = re.compile(r"(?:(?:>=|<=|[<>=≥≤])\s*)?\d+(?:\.\d+)?(?:%|[\u4e00-\u9fff㎡]{1,3}(?=[<>=≥≤]?\d))?")
_UNIT_OF = re.compile(r"[\u4e00-\u9fff㎡]{1,3}$")


def _split_pointless_rows(free: str) -> list[str]:
    """Rows `name target actual` of a template without 分值/得分: a row ends where a value is followed at
    once by another; the actual takes the target's unit when the text goes on with it."""
    out: list[str] = []
    start = 0
    values = list(_PAIRED_VALUE.finditer(free))
    i = 0
    while i < len(values) - 1:
        first, second = values[i], values[i + 1]
        if second.start() == first.end() and first.start() > start:
            actual, end = second.group(0), second.end()
            if (unit := _UNIT_OF.search(first.group(0))) and free.startswith(unit.group(0), end):
                actual, end = actual + unit.group(0), end + len(unit.group(0))
            out.extend(_split_name_values_tail(free[start:first.start()]) + [first.group(0), actual])
            start = end
            i += 2
        else:
            i += 1
    rest = free[start:]
    if rest:
        out.extend(_split_row_body(rest))
    return out


def _split_name_values_tail(name: str) -> list[str]:
    return [name]




TYPICAL_WEIGHT = 30  # an indicator's 分值 rarely exceeds this; the 总分 row is split separately


def _points(digits: str, *, total: bool = False) -> tuple[str, str, str] | None:
    """Split a run of digits and points into (digits that end the actual value, 分值, 得分).

    In order of likelihood: equal halves (`33`, `1010`, `5.55.5`); 分值 >= 得分 with a typical
    weight (`54`, `10099.53` in the 总分 row); digits of the actual before equal halves
    (`>=2次` `4` `44`); any 分值 >= 得分.
    """
    splits = [(digits[:k], digits[k:]) for k in range(len(digits) - 1, 0, -1)]
    plausible = [(w, s) for w, s in splits if _ok(w) and _ok(s) and Decimal(s) <= Decimal(w)]
    half = len(digits) // 2
    if len(digits) % 2 == 0 and digits[:half] == digits[half:] and _ok(digits[:half]):
        return "", digits[:half], digits[half:]
    limit = 100 if total else TYPICAL_WEIGHT
    for w, s in plausible:
        if Decimal(w) <= limit:
            return "", w, s
    for lead in range(1, len(digits) - 1):
        rest = digits[lead:]
        half = len(rest) // 2
        if len(rest) % 2 == 0 and rest[:half] == rest[half:] and _ok(rest[:half]):
            return digits[:lead], rest[:half], rest[half:]
    return ("", *plausible[0]) if plausible else None


def _ok(number: str) -> bool:
    """A plausible 分值/得分: 0–100, at most one decimal point, no leading zero (`05`), no bare dot."""
    if not re.fullmatch(r"(?:0|[1-9]\d*)(?:\.\d+)?", number):
        return False
    return Decimal(number) <= 100


def _split_row_body(body: str) -> list[str]:
    """`补贴资格审核完成率=100%100%` -> name, target, actual; `补贴发放及时性及时及时` likewise."""
    values = list(_VALUE.finditer(body))
    if values:
        first = values[0]
        name = body[:first.start()]
        parts = [v.group(0) for v in values]
        tail = body[values[-1].end():]
        if tail:
            parts.append(tail)
        if len(parts) == 1 and name:
            target, actual = _split_doubled(name)
            if target and actual and not _VALUE.match(parts[0]):
                return [target, actual, parts[0]]
        return [name, *parts] if name else parts
    name, target, actual = _split_name_values(body)
    return [t for t in (name, target, actual) if t]


def _name_before_value_words(body: str) -> tuple[str, str, str] | None:
    for target, actual in _value_word_pairs(body):
        name = body[:len(body) - len(target) - len(actual)]
        if len(name) >= NAME_MIN_CHARS:
            return name, target, actual
    return None


def _split_doubled(text: str) -> tuple[str, str]:
    return text, ""


def _split_name_values(body: str) -> tuple[str, str, str]:
    """Name, target and actual of a row's words: `_split_words` read, with a target that states its
    value against an earlier year taking its lead from the name (…销售量 | 同比2022年销量显著提高 | 显著提高);
    a row cut inside its target (…建设程度同比2022年销量显著提) keeps that target's start."""
    name, target, actual = _split_words(body)
    lead = _target_lead(name)
    if lead is not None and (target or (not actual and _states_a_value(name[lead:]))):
        return name[:lead], name[lead:] + target, actual
    return name, target, actual


def _states_a_value(text: str) -> bool:
    """同比2022年销量显著提…: a year or a value word after the lead; 同比增长率 alone is a name's end."""
    return any(ch.isdigit() for ch in text) or any(w[:2] in text for w in VALUE_WORDS)


def _target_lead(name: str) -> int | None:
    """Where a target lead (同比, 较上年) starts in the name, a name of NAME_MIN_CHARS or more before it."""
    starts = [k for w in TARGET_LEADS if (k := name.find(w, NAME_MIN_CHARS)) > 0]
    return min(starts) if starts else None


_DONE_AFTER_VALUE = re.compile(
    r"^(?P<name>.{2,}?)(?P<target>(?:>=|<=|[<>=])?\d+(?:\.\d+)?(?:%|" + _UNIT_AFTER.pattern + r"))"
    r"(?P<actual>(?:" + "|".join(DONE_WORDS) + r"))$")


def _split_words(body: str) -> tuple[str, str, str]:
    """The longest tail `A B` where the actual B repeats the target A or ends it (能发现并提出发现并提出),
    failing that one the value words make (抽检质量 | 符合要求 | 达标, 及时性 | 及时 | 基本及时), or a
    target with its unit and the words that say it was done (完成时间 | 12月 | 已完成)."""
    if found := _name_before_value_words(body):
        return found
    if m := _DONE_AFTER_VALUE.match(body):
        return m.group("name"), m.group("target"), m.group("actual")
    n = len(body)
    for k in range(min(12, n // 3), 0, -1):  # k: length of the actual
        actual = body[n - k:]
        for extra in range(0, 4):
            m = k + extra
            target = body[n - k - m:n - k]
            if len(target) == m and target.endswith(actual) and n - k - m >= 2:
                return body[:n - k - m], target, actual
    return body, "", ""
