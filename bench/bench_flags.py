"""No silent errors: the share of wrong fields that the result itself flags.

    python3 bench/bench_flags.py                          # scans of the nine sample forms, 3 conditions
    python3 bench/bench_flags.py --conditions 150-heavy --seeds 0,1,3

A downstream system trusts a number unless the form says otherwise. For every field that differs
from the expected result (header fields, the 24 fund cells, goals, every indicator field, the
total), this looks for an issue on that form naming the field: exactly (`indicators[3].score`),
its row (`indicators[3]`, `funds.total`) or only its section (`indicators`, `funds`). It reports
the share flagged by field or row (the target: every wrong field) and by section, and lists the
silent ones. Documents come from bench/bench_scan.py's generator (our printed PDF, then scanned).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

HEADER = ("year", "project_name", "department", "implementing_unit")
FUND_ROWS = ("total", "appropriation", "carryover", "other")
FUND_COLS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")
IND_FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "deviation_note")


def norm(value: Any) -> str:
    """Comparable text: NFKC, no whitespace, ASCII operators, no template numbering; numbers as numbers."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value)).replace("≥", ">=").replace("≤", "<=")
    text = re.sub(r"\s+|★", "", text)
    text = re.sub(r"^指标\d+[:：]?", "", text)
    try:
        number = float(text.replace(",", "").rstrip("%"))
        return repr(number)
    except ValueError:
        return text


def wrong_fields(expected: dict, actual: dict) -> list[str]:
    """Paths (in the actual form's terms) of the fields that differ from the expected form."""
    wrong = [k for k in HEADER if norm(expected.get(k)) != norm(actual.get(k))]
    for row in FUND_ROWS:
        e, a = (expected.get("funds") or {}).get(row) or {}, (actual.get("funds") or {}).get(row) or {}
        wrong += [f"funds.{row}.{c}" for c in FUND_COLS if norm(e.get(c)) != norm(a.get(c))]
    for key in ("expected", "actual"):
        if norm((expected.get("goals") or {}).get(key)) != norm((actual.get("goals") or {}).get(key)):
            wrong.append(f"goals.{key}")
    for key in ("weight", "score"):
        if norm((expected.get("total") or {}).get(key)) != norm((actual.get("total") or {}).get(key)):
            wrong.append(f"total.{key}")
    e_ind, a_ind = expected.get("indicators") or [], actual.get("indicators") or []
    matcher = difflib.SequenceMatcher(None, [norm(i.get("level3")) for i in e_ind],
                                      [norm(i.get("level3")) for i in a_ind], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = list(zip(range(i1, i2), range(j1, j2), strict=False)) if op in ("equal", "replace") else []
        for i, j in pairs:
            wrong += [f"indicators[{j}].{f}" for f in IND_FIELDS if norm(e_ind[i].get(f)) != norm(a_ind[j].get(f))]
        if i2 - i1 > j2 - j1:
            wrong += ["indicators (row missed)"] * ((i2 - i1) - (j2 - j1))
        if j2 - j1 > i2 - i1:
            wrong += [f"indicators[{j}]" for j in range(j1 + (i2 - i1), j2)]  # invented rows
    return wrong


def flag_level(path: str, issue_fields: list[str]) -> str:
    """'field' when an issue names the field or its row, 'section' when only its section, else 'silent'."""
    row = re.match(r"^(indicators\[\d+\]|funds\.\w+|goals|total)", path)
    section = path.split(".")[0].split("[")[0].split(" ")[0]
    for f in issue_fields:
        if f == path or (row and (f == row.group(1) or f.startswith(row.group(1) + "."))):
            return "field"
    return "section" if section in issue_fields or any(f.startswith(section) for f in issue_fields) else "silent"


def main(argv: list[str] | None = None) -> int:
    from bench_scan import make_document

    from extractor.pipeline import extract_bytes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conditions", default="300-clean,200-noisy,150-heavy")
    parser.add_argument("--seeds", default="0")
    args = parser.parse_args(argv)
    print(f"{'condition':12s} {'seed':>4s} {'wrong':>6s} {'by field':>9s} {'by section':>10s} {'silent':>7s}")
    silent_examples: list[str] = []
    for condition in args.conditions.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            data, _placed, expected = make_document(condition, seed)
            result = extract_bytes(data, "flags.pdf").model_dump(mode="json")
            counts = {"field": 0, "section": 0, "silent": 0}
            for e_form, a_form in zip(expected["forms"], result["forms"], strict=False):
                fields = [i["field"] or "" for i in a_form["issues"]]
                for path in wrong_fields(e_form, a_form):
                    level = flag_level(path, fields)
                    counts[level] += 1
                    if level == "silent":
                        silent_examples.append(f"{condition}/{seed} {a_form.get('project_name')}: {path}")
            wrong = sum(counts.values())
            shares = {k: f"{v / wrong:.3f}" if wrong else "-" for k, v in counts.items()}
            print(f"{condition:12s} {seed:4d} {wrong:6d} {shares['field']:>9s} {shares['section']:>10s} "
                  f"{shares['silent']:>7s}", flush=True)
    for line in silent_examples[:30]:
        print("  silent:", line)
    print("command: python3 bench/bench_flags.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
