"""Synthetic self-evaluation forms, random but plausible and valid by construction.

`synth_form(seed)` returns one form in the output contract's shape (a dict, as in
samples/expected/*.json): indicators drawn from the taxonomy (older template with 成本指标 under 产出指标,
or the newer one with 成本指标 as a first-level indicator), names composed from a vocabulary, targets such as
=100%, >=90%, 及时, <=5%, >=735人次; indicator weights summing to 90 beside the 10 of the funds; scores at
most the weights (a lower score carries a deviation note); amounts with two decimals whose rows add up, and an
execution rate equal to executed / annual budget. Now and then a department-wide form (部门整体支出绩效自评表,
no project name). `check_form(form)` asserts all of that.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from samples.generate.layout import FUND_ROWS

DISTRICTS = ["松江区", "闵行区", "浦东新区", "海曙区", "武侯区", "天河区", "江宁区", "历下区", "雁塔区", "西湖区",
             "南岗区", "思明区", "渝中区", "芙蓉区", "新城区", "城关区"]
BUREAUS = ["财政局", "教育局", "卫生健康委员会", "生态环境局", "农业农村委员会", "文化和旅游局", "民政局",
           "交通运输委员会", "水务局", "市场监督管理局", "住房和城乡建设管理委员会", "人力资源和社会保障局",
           "科学技术委员会", "绿化和市容管理局", "体育局", "退役军人事务局"]
UNITS = ["本级", "机关", "综合服务中心", "事务中心", "管理所", "监督所", "保障中心", "发展中心"]
PROJECT_SUBJECTS = ["社区综合服务", "道路养护", "农村生活污水治理", "中小学校舍维修", "公共文化服务体系建设",
                    "老年人助餐服务", "河道保洁", "垃圾分类推进", "基层医疗设备更新", "职业技能培训补贴",
                    "农田水利设施维护", "公共体育设施建设", "食品安全抽检", "信息化系统运维", "绿化养护",
                    "困难群众救助", "就业创业扶持", "文物保护修缮", "科技创新券补贴", "防汛物资储备",
                    "智慧城市平台建设", "燃气安全检查", "学生营养餐补助", "村级公益事业建设"]
PROJECT_SUFFIXES = ["", "项目", "专项", "经费", "工作经费", "专项资金", "运行维护"]

# (level1, level2) -> (subjects, measures with their target kind)
_SUBJECTS = {
    "数量": ["培训人次", "检查户数", "设施维护", "服务对象覆盖", "项目完成", "采购设备", "宣传活动", "巡查次数",
           "受益人数", "建设任务", "抽检批次", "补贴发放"],
    "质量": ["项目验收", "工程质量", "服务质量", "数据准确", "设备完好", "档案规范", "抽检", "资金使用合规",
           "培训考核"],
    "时效": ["资金拨付", "项目完成", "问题整改", "信息报送", "补贴发放", "工作计划完成", "维修响应"],
    "成本": ["预算", "单位建设成本", "人均培训成本", "运维成本", "采购成本"],
    "经济效益": ["带动就业", "企业营收", "农民收入", "节约财政支出", "招商引资", "产业产值"],
    "社会效益": ["群众获得感", "公共服务水平", "社会治安状况", "居民生活质量", "安全事故发生", "政策知晓",
             "社区治理水平", "文化活动参与"],
    "生态效益": ["区域环境质量", "水体水质", "绿化覆盖", "污染物排放", "垃圾回收利用", "空气质量"],
    "可持续影响": ["长效管理机制", "设施持续使用", "制度建设", "人才队伍建设", "信息系统持续运行"],
    "服务对象满意度": ["群众", "企业", "学生家长", "参训人员", "居民", "患者", "游客", "受益对象"],
    "经济成本": ["项目总成本", "单位成本", "运维费用"],
    "社会成本": ["群众投诉", "安全风险", "社会矛盾"],
    "生态环境成本": ["环境影响", "生态破坏", "噪声扰民"],
}
_UNITS = ["个", "项", "人次", "户", "次", "批次", "台", "场", "公里", "所", "处", "万㎡", "人"]


def _d(x) -> Decimal:
    return Decimal(str(x))


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _money(d: Decimal) -> str:
    return format(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def _indicator(rng: random.Random, l2: str, used: set[str]) -> tuple[str, str, str, str | None]:
    """(name, target, actual_if_met, actual_if_missed) for a level-2 category."""
    key = l2.removesuffix("指标")
    for _ in range(50):
        subject = rng.choice(_SUBJECTS[key])
        name, target, actual, missed = _compose(rng, key, subject)
        if name not in used:
            used.add(name)
            return name, target, actual, missed
    name = f"{name}{len(used)}"
    used.add(name)
    return name, target, actual, missed


def _compose(rng: random.Random, key: str, subject: str) -> tuple[str, str, str, str | None]:
    r = rng.random()
    if key == "数量":
        if r < 0.5:
            n = rng.choice([3, 5, 12, 20, 35, 120, 300, 735, 1800, 5000])
            unit = rng.choice(_UNITS)
            op = rng.choice([">=", "=", ">="])
            name = subject if subject.endswith(("人次", "户数", "次数", "人数", "批次")) else subject + "数量"
            return (name, f"{op}{n}{unit}", f"{n + rng.choice([0, 0, 1, 5])}{unit}",
                    f"{max(1, int(n * 0.8))}{unit}")
        measure = "率" if subject.endswith("完成") else rng.choice(["完成率", "覆盖率", "计划完成率"])
        return (subject + measure, rng.choice(["=100%", ">=95%", ">=90%"]),
                "100%", rng.choice(["85%", "88%", "80%"]))
    if key == "质量":
        if r < 0.7:
            t = rng.choice(["=100%", ">=98%", ">=95%", ">=90%"])
            return (subject + rng.choice(["合格率", "达标率", "准确率", "规范率"]), t, "100%", "86%")
        return (subject + rng.choice(["质量", "达标情况"]), rng.choice(["合格", "达标", "符合要求"]), "达标", "基本达标")
    if key == "时效":
        if r < 0.5:
            return (subject + "及时性", "及时", "及时", "基本及时")
        if r < 0.75:
            return (subject + "及时率", rng.choice(["=100%", ">=95%"]), "100%", "90%")
        days = rng.choice([3, 5, 7, 15, 30])
        return (subject + ("时限" if subject.endswith("完成") else "完成时限"), f"<={days}天", f"{max(1, days - 1)}天", f"{days + 3}天")
    if key == "成本":
        if r < 0.5:
            pct = rng.choice([5, 10])
            return (subject + "偏差率", f"<={pct}%", f"{rng.choice([0, 1, 2, 3])}%", f"{pct + 4}%")
        amount = rng.choice([50, 120, 300, 1500])
        return (subject + "控制数", f"<={amount}万元", f"{amount - rng.choice([0, 5, 10])}万元", f"{amount + 20}万元")
    if key in ("经济效益", "社会效益", "生态效益"):
        if r < 0.2 and key != "社会效益":
            pct = rng.choice([3, 5, 10])
            return (subject + "提升率", f">={pct}%", f"{pct + 1}%", f"{pct - 2}%")
        if subject.endswith("发生"):
            return (subject + "情况", "=0起", "0起", "1起")
        word = rng.choice(["提升", "改善", "增加", "有效提高", "明显改善", "促进"])
        return (subject + rng.choice(["情况", "提升情况", "改善情况", ""]), word, word, "有所" + word[-2:])
    if key == "可持续影响":
        if r < 0.3:
            years = rng.choice([3, 5, 10])
            return (subject + "持续年限", f">={years}年", f"{years}年", f"{years - 1}年")
        word = rng.choice(["健全有效", "长期", "持续发挥作用", "健全"])
        return (subject + rng.choice(["健全性", "持续性", "情况"]), word, word, "基本" + word)
    if key == "服务对象满意度":
        t = rng.choice([">=85%", ">=90%", ">=80%", ">=95%"])
        low = int(t[2:-1])
        return (subject + "满意度", t, f"{min(100, low + rng.choice([0, 2, 5, 8]))}%", f"{low - 6}%")
    if key == "经济成本":
        amount = rng.choice([80, 200, 650])
        return (subject + "控制情况", f"<={amount}万元", f"{amount - 3}万元", f"{amount + 15}万元")
    if key in ("社会成本", "生态环境成本"):
        if r < 0.5:
            return (subject + "情况", "无", "无", "较小")
        return (subject + "发生数", "=0起", "0起", "1起")
    raise KeyError(key)


_NOTES = [
    "受{cause}影响，{name}未达到预期，下一步将{fix}。",
    "{name}略低于目标值，主要原因是{cause}，今后将{fix}。",
    "因{cause}，部分工作延后，已{fix}。",
]
_CAUSES = ["天气因素", "疫情", "项目审批周期较长", "采购流程调整", "人员变动", "施工条件限制", "政策调整"]
_FIXES = ["加强过程管理", "提前谋划、压实责任", "加快推进进度", "优化工作流程", "加强与相关部门的沟通协调"]


def _structure(rng: random.Random, new_template: bool) -> list[tuple[str, str, int]]:
    """[(level1, level2, how many indicators)] in printed order."""
    out: list[tuple[str, str, int]] = []
    for l2 in ("数量指标", "质量指标", "时效指标"):
        out.append(("产出指标", l2, rng.randint(1, 4)))
    if not new_template and rng.random() < 0.8:
        out.append(("产出指标", "成本指标", rng.randint(1, 2)))
    if new_template:
        out.append(("成本指标", "经济成本指标", rng.randint(1, 2)))
        for l2 in ("社会成本指标", "生态环境成本指标"):
            if rng.random() < 0.4:
                out.append(("成本指标", l2, 1))
    for l2 in ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"):
        if l2 == "社会效益指标" or rng.random() < 0.6:
            out.append(("效益指标", l2, rng.randint(1, 3)))
    out.append(("满意度指标", "服务对象满意度指标", rng.randint(1, 2)))
    return out


def _split_weight(rng: random.Random, total: int, n: int, halves: bool) -> list[Decimal]:
    """n positive weights summing to total (integers, or halves when asked and possible)."""
    step = Decimal("0.5") if halves else Decimal(1)
    units = int(Decimal(total) / step)
    if units < n:
        raise ValueError("too many indicators for the weight")
    cuts = sorted(rng.sample(range(1, units), n - 1)) if n > 1 else []
    bounds = [0, *cuts, units]
    return [step * (b - a) for a, b in zip(bounds, bounds[1:], strict=False)]


def _block_weights(rng: random.Random, l1_counts: dict[str, int]) -> dict[str, int]:
    """Weights of the level-1 blocks summing to 90."""
    names = list(l1_counts)
    if "成本指标" in names:
        base = {"产出指标": 40, "成本指标": 10, "效益指标": 30, "满意度指标": 10}
    else:
        base = rng.choice([{"产出指标": 50, "效益指标": 30, "满意度指标": 10},
                           {"产出指标": 40, "效益指标": 40, "满意度指标": 10},
                           {"产出指标": 45, "效益指标": 35, "满意度指标": 10}])
    out = {k: max(base[k], l1_counts[k]) for k in names}
    diff = sum(out.values()) - 90
    if diff:  # only when a block had more indicators than points: take it from the largest block
        big = max(out, key=out.get)
        out[big] -= diff
    assert sum(out.values()) == 90
    return out


def synth_form(seed: int) -> dict:
    rng = random.Random(f"form-{seed}")
    department_wide = rng.random() < 0.12
    new_template = rng.random() < 0.4
    district = rng.choice(DISTRICTS)
    bureau = rng.choice(BUREAUS)
    department = district + bureau
    if rng.random() < 0.2:
        department = f"{rng.randint(100, 399)}-{department}"
    if department_wide:
        title, project_name, implementing_unit = "部门整体支出绩效自评表", None, None
    else:
        title = "财政项目支出绩效自评表"
        project_name = rng.choice(PROJECT_SUBJECTS) + rng.choice(PROJECT_SUFFIXES)
        unit = rng.choice(UNITS)
        implementing_unit = (f"{district}{bureau}({unit})" if unit in ("本级", "机关")
                             else district + bureau.removesuffix("局").removesuffix("委员会") + unit)
        if rng.random() < 0.3:
            implementing_unit = district + bureau
    year = rng.randint(2019, 2024)

    # Indicators.
    structure = _structure(rng, new_template)
    l1_counts: dict[str, int] = {}
    for l1, _, n in structure:
        l1_counts[l1] = l1_counts.get(l1, 0) + n
    block = _block_weights(rng, l1_counts)
    halves = rng.random() < 0.15
    weights_by_l1 = {l1: _split_weight(rng, block[l1], l1_counts[l1], halves and block[l1] >= l1_counts[l1])
                     for l1 in block}
    used: set[str] = set()
    indicators: list[dict] = []
    miss_rate = rng.choice([0.0, 0.0, 0.08, 0.2])
    for l1, l2, n in structure:
        for _ in range(n):
            weight = weights_by_l1[l1].pop(0)
            name, target, actual, missed = _indicator(rng, l2, used)
            score, note = weight, None
            if rng.random() < miss_rate and weight >= 1:
                actual = missed or actual
                score = (weight * _d(rng.choice(["0.5", "0.6", "0.8", "0.9"]))).quantize(Decimal("0.1"),
                                                                                       rounding=ROUND_HALF_UP)
                if score == weight:
                    score = weight - Decimal("0.5")
                note = rng.choice(_NOTES).format(name=name, cause=rng.choice(_CAUSES), fix=rng.choice(_FIXES))
            indicators.append({"level1": l1, "level2": l2, "level3": name, "target": target, "actual": actual,
                               "weight": _num(weight), "score": _num(score), "deviation_note": note})
    if rng.random() < 0.1 and len(indicators) > 4:
        indicators[rng.randrange(len(indicators))]["level3"] += "和" + rng.choice(["规范性", "有效性", "完整性"])

    # Funds: rows add up; the rate is executed / annual budget.
    magnitude = rng.choice([5e4, 3e5, 2e6, 1.5e7, 8e7, 3e8])
    annual_total = _d(round(rng.uniform(0.3, 1.0) * magnitude, 2))
    rate = _d(rng.choice(["1", "1", "1", "0.98", "0.9532", "0.871", "0.75", "1.0234"]))
    parts = {"appropriation": Decimal(1), "carryover": Decimal(0), "other": Decimal(0)}
    if rng.random() < 0.35:
        parts["carryover"] = _d(rng.choice(["0.1", "0.25", "0.05"]))
    if rng.random() < 0.2:
        parts["other"] = _d(rng.choice(["0.05", "0.1"]))
    parts["appropriation"] = 1 - parts["carryover"] - parts["other"]
    more = None
    if rng.random() < 0.08:
        more = {"label": rng.choice(["单位资金", "财政专户管理资金"]), "share": _d("0.05")}
        parts["appropriation"] -= more["share"]
    initial_factor = _d(rng.choice(["1", "1", "0.8", "0.6", "1.1"]))
    rows: dict[str, dict] = {}
    sums = {"initial_budget": Decimal(0), "annual_budget": Decimal(0), "executed": Decimal(0)}
    keys = [k for k in ("carryover", "other") if parts[k]] + (["more"] if more else [])
    for key in keys:
        share = more["share"] if key == "more" else parts[key]
        annual = (annual_total * share).quantize(Decimal("0.01"))
        initial = Decimal(0) if key == "carryover" else (annual * initial_factor).quantize(Decimal("0.01"))
        executed = (annual * rate).quantize(Decimal("0.01"))
        rows[key] = {"initial_budget": initial, "annual_budget": annual, "executed": executed}
    appr_annual = annual_total - sum((r["annual_budget"] for r in rows.values()), Decimal(0))
    rows["appropriation"] = {
        "initial_budget": (appr_annual * initial_factor).quantize(Decimal("0.01")),
        "annual_budget": appr_annual,
        "executed": (appr_annual * rate).quantize(Decimal("0.01")),
    }
    for r in rows.values():
        for k in sums:
            sums[k] += r[k]
    if sums["annual_budget"] == 0:
        raise AssertionError("no budget")
    exec_rate = (sums["executed"] / sums["annual_budget"] * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    fund_score = (Decimal(10) * min(exec_rate, Decimal(100)) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    null_row = {"weight": None, "execution_rate": None, "score": None}

    def fund_row(r: dict | None) -> dict:
        if r is None:
            zero = "0.00" if rng.random() < 0.5 else None
            return {"initial_budget": zero, "annual_budget": zero, "executed": zero, **null_row}
        return {k: _money(r[k]) for k in sums} | null_row

    funds = {
        "total": {k: _money(v) for k, v in sums.items()} | {"weight": 10, "execution_rate": _num(exec_rate),
                                                             "score": _num(fund_score)},
        "appropriation": fund_row(rows["appropriation"]),
        "carryover": fund_row(rows.get("carryover")),
        "other": fund_row(rows.get("other")),
    }
    if more:
        funds["more"] = [{"label": more["label"], **fund_row(rows["more"])}]

    total_score = sum((_d(i["score"]) for i in indicators), Decimal(0)) + fund_score
    goals = _goals(rng, project_name or department, indicators)
    return {
        "title": title,
        "year": year,
        "project_name": project_name,
        "department": department,
        "implementing_unit": implementing_unit,
        "amount_unit": "元",
        "funds": funds,
        "goals": goals,
        "indicators": indicators,
        "total": {"weight": 100, "score": _num(total_score)},
    }


def _goals(rng: random.Random, subject: str, indicators: list[dict]) -> dict:
    picks = rng.sample(indicators, k=min(len(indicators), rng.randint(2, 4)))
    expected = [f"{i + 1}.{p['level3']}达到{p['target']}" for i, p in enumerate(picks)]
    lead = rng.choice(["围绕", "通过实施", "按照年度计划推进"])
    expected_text = f"{lead}{subject}，" + "；".join(expected) + "。"
    done = "；".join(f"{p['level3']}为{p['actual']}" for p in picks)
    actual_text = rng.choice(["年度目标基本完成：", "已按计划完成各项工作，", "全年完成情况："]) + done + "。"
    return {"expected": expected_text, "actual": actual_text}


def synth_forms(seed: int, n: int) -> list[dict]:
    return [synth_form(seed * 1000 + i) for i in range(n)]


def check_form(form: dict) -> None:
    """Assert the invariants every synthetic form satisfies (weights, totals, rates, scores)."""
    inds = form["indicators"]
    assert inds, "no indicators"
    assert sum(_d(i["weight"]) for i in inds) == 90, "indicator weights must sum to 90"
    for i in inds:
        assert 0 <= _d(i["score"]) <= _d(i["weight"]), i
        if _d(i["score"]) < _d(i["weight"]):
            assert i["deviation_note"], f"score below weight without a note: {i}"
        assert i["level1"] and i["level2"] and i["level3"] and i["target"] and i["actual"], i
    names = [i["level3"] for i in inds]
    assert len(set(names)) == len(names), "duplicate indicator names"
    funds = form["funds"]
    total = funds["total"]
    assert total["weight"] == 10
    rows = [funds[k] for k in FUND_ROWS[1:]] + list(funds.get("more") or [])
    for col in ("initial_budget", "annual_budget", "executed"):
        assert _d(total[col]) == sum((_d(r[col] or 0) for r in rows), Decimal(0)), col
        for r in [total, *rows]:
            v = r[col]
            assert v is None or (len(v.split(".")[-1]) == 2 and "." in v), f"amount with 2 decimals: {v}"
    rate = (_d(total["executed"]) / _d(total["annual_budget"]) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert _d(total["execution_rate"]) == rate
    assert 0 <= _d(total["score"]) <= 10
    assert form["total"]["weight"] == 100
    assert _d(form["total"]["score"]) == sum((_d(i["score"]) for i in inds), Decimal(0)) + _d(total["score"])
    if form["project_name"] is None:
        assert form["title"] == "部门整体支出绩效自评表"
