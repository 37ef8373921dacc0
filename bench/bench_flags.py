"""Flags a reviewer can trust: silent wrong fields, false alarms, flag precision, and calibration.

    python3 bench/bench_flags.py                                   # text shapes + every scan condition, seed 0
    python3 bench/bench_flags.py --groups scan --conditions 300-clean,200-noisy --seeds 0,1,2
    python3 bench/bench_flags.py --groups sample,variants,synthetic,real-dev
    python3 bench/bench_flags.py --cache /tmp/flags-cache          # keep the read stage of scans between runs

Per form, against the expected result:
- wrong fields: header fields, the 24 fund cells, goals, every indicator field, the total (rows
  matched by name, so a missed row is one wrong field and an invented row another);
- flagged fields: the fields an issue names, exactly (`indicators[3].score`) or by its row
  (`indicators[3]`, `funds.total`).
Reported per condition (scans) and per text shape:
- **silent**: wrong fields that no issue names by field or row (`by section` counts those named only
  by their section, `indicators`: still silent for a reviewer, who cannot find them);
- **false alarms**: forms with no wrong field whose validation is `failed` (`failed!`), or `warnings`
  with a doubt among them (`warnings!`: a value the reviewer is asked to check); `notes` counts the
  correct forms whose warnings are all notes (extractor.form.codes: a repair made, a page number
  dropped, a row or total the page lacks, a full score as printed), which ask nothing of a reviewer;
  `alarms/f` is false alarms per form;
- **precision**: of the fields (and rows) named by errors and doubts, the share that are (or hold)
  a wrong field.
And a reliability table for the per-field confidence in `provenance` (scans only): fields binned by
their reported confidence, with the share that are in fact right in each bin, so that a field at
0.99 should be wrong about one time in a hundred.

Scans come from bench/bench_scan.py's generator (our printed PDF of the nine sample forms, scanned);
a seed above 0 is another printed look. The text shapes are the real sample dump
(../shared/samples), its committed variants (samples/variants), synthetic documents of five shapes
(bench/bench_accuracy.py's generator) and the real development set (../shared/real-dev).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import pickle
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

HEADER = ("year", "project_name", "department", "implementing_unit")
FUND_ROWS = ("total", "appropriation", "carryover", "other")
FUND_COLS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")
IND_FIELDS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "deviation_note")
# Provenance keys (the reader's column roles) -> the indicator field they fill.
ROLE_FIELD = {"name": "level3", "note": "deviation_note", "target_op": "target", "target_unit": "target"}
SCAN_CONDITIONS = ("text", "300-clean", "200-noisy", "150-heavy")
TEXT_GROUPS = ("sample", "variants", "synthetic", "real-dev")
SYNTH_SHAPES = ("tsv", "lines", "pipe", "html", "flat")
BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0001)


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


def _row_of(path: str) -> str | None:
    m = re.match(r"^(indicators\[\d+\]|funds\.\w+(?:\[\d+\])?|goals\.\w+|total)", path)
    return m.group(1) if m else None


def flag_level(path: str, issue_fields: list[str]) -> str:
    """'field' when an issue names the field or its row, 'section' when only its section, else 'silent'."""
    row = _row_of(path)
    section = path.split(".")[0].split("[")[0].split(" ")[0]
    for f in issue_fields:
        if f == path or (row and (f == row or f.startswith(row + ".") or row.startswith(f + "."))):
            return "field"
    return "section" if section in issue_fields else "silent"


def flagged_units(issue_fields: list[str]) -> set[str]:
    """The distinct fields and rows the issues name (section-wide issues name no field)."""
    return {f for f in issue_fields if f and _row_of(f)}


def is_note(code: str) -> bool:
    from extractor.form.codes import is_note as note
    return note(code)


def unit_is_wrong(unit: str, wrong: list[str]) -> bool:
    return any(w == unit or w.startswith(unit + ".") or w.startswith(unit + "[") or unit.startswith(w + ".")
               for w in wrong)


def field_confidences(form: dict) -> Iterator[tuple[str, float]]:
    """(field path, reported confidence) for every field read from a scan cell (provenance source ocr)."""
    rows: list[tuple[str, dict]] = [(f"indicators[{i}]", ind) for i, ind in enumerate(form.get("indicators") or [])]
    rows += [(f"funds.{k}", (form.get("funds") or {}).get(k) or {}) for k in FUND_ROWS]
    for where, row in rows:
        best: dict[str, float] = {}
        for role, ref in (row.get("provenance") or {}).items():
            if ref.get("source") != "ocr":
                continue
            name = ROLE_FIELD.get(role, role)
            best[name] = min(best.get(name, 1.0), float(ref.get("confidence", 1.0)))
        for name, conf in best.items():
            if name in ("l1", "l2"):
                continue
            yield f"{where}.{name}", conf


@dataclass
class Tally:
    forms: int = 0
    wrong: int = 0
    by_field: int = 0
    by_section: int = 0
    silent: int = 0
    correct_forms: int = 0
    alarm_failed: int = 0
    alarm_warnings: int = 0  # a doubt among the warnings: the reviewer is asked to check a value
    notes_only: int = 0  # warnings that are all notes (a repair made, a row the page lacks)
    flagged: int = 0
    flagged_wrong: int = 0
    missing_forms: int = 0
    silent_examples: list[str] = field(default_factory=list)
    alarm_examples: list[str] = field(default_factory=list)
    confidences: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, label: str, expected: dict, result: dict) -> None:
        e_forms, a_forms = expected["forms"], result["forms"]
        self.missing_forms += max(0, len(e_forms) - len(a_forms))
        for e_form, a_form in zip(e_forms, a_forms, strict=False):
            self.forms += 1
            fields = [i["field"] or "" for i in a_form["issues"]]
            wrong = wrong_fields(e_form, a_form)
            self.wrong += len(wrong)
            for path in wrong:
                level = flag_level(path, fields)
                self.by_field += level == "field"
                self.by_section += level == "section"
                self.silent += level != "field"
                if level != "field":
                    self.silent_examples.append(f"{label} {a_form.get('project_name')}: {path} "
                                                f"{_value_at(e_form, a_form, path)}")
            if not wrong:
                self.correct_forms += 1
                status = a_form.get("validation")
                doubts = [i for i in a_form["issues"] if not is_note(i["code"])]
                self.alarm_failed += status == "failed"
                self.alarm_warnings += status == "warnings" and bool(doubts)
                self.notes_only += status == "warnings" and not doubts
                if status == "failed" or doubts:
                    self.alarm_examples.append(f"{label} {a_form.get('project_name')}: {status}: " + "; ".join(
                        f"{i['code']}@{i['field']}" for i in a_form["issues"])[:300])
            units = flagged_units([i["field"] or "" for i in a_form["issues"] if not is_note(i["code"])])
            self.flagged += len(units)
            self.flagged_wrong += sum(unit_is_wrong(u, wrong) for u in units)
            self.confidences += [(conf, path not in wrong) for path, conf in field_confidences(a_form)]

    def row(self, name: str) -> str:
        alarms = self.alarm_failed + self.alarm_warnings  # notes-only forms are not alarms
        precision = f"{self.flagged_wrong / self.flagged:.2f}" if self.flagged else "-"
        share = f"{alarms / self.forms:.3f}" if self.forms else "-"
        return (f"{name:22s} {self.forms:5d} {self.wrong:6d} {self.silent:7d} {self.by_section:8d} "
                f"{self.correct_forms:8d} {self.alarm_failed:7d} {self.alarm_warnings:9d} {share:>9s} "
                f"{self.notes_only:6d} {self.flagged:8d} {precision:>9s}" + (f"  ({self.missing_forms} forms missed)" if self.missing_forms else ""))


TABLE_HEAD = (f"{'condition / shape':22s} {'forms':>5s} {'wrong':>6s} {'silent':>7s} {'(section)':>8s} "
              f"{'correct':>8s} {'failed!':>7s} {'warnings!':>9s} {'alarms/f':>9s} {'notes':>6s} {'flagged':>8s} "
              f"{'precision':>9s}")


def _value_at(expected: dict, actual: dict, path: str) -> str:
    def at(form: dict) -> Any:
        value: Any = form
        for part in re.findall(r"\w+|\[\d+\]", path):
            if part.startswith("["):
                items = value if isinstance(value, list) else []
                idx = int(part[1:-1])
                value = items[idx] if idx < len(items) else None
            else:
                value = value.get(part) if isinstance(value, dict) else None
        return value
    if "[" in path and path.startswith("indicators"):
        return f"got {str(at(actual))[:60]!r}"
    return f"expected {str(at(expected))[:50]!r} got {str(at(actual))[:50]!r}"


def reliability(pairs: list[tuple[float, bool]]) -> list[str]:
    lines = [f"  {'confidence':15s} {'fields':>7s} {'wrong':>6s} {'mean conf':>9s} {'right share':>11s}"]
    gap = 0.0
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        right = sum(ok for _, ok in inside) / len(inside)
        gap += len(inside) * abs(mean - right)
        lines.append(f"  [{lo:.3f}, {min(hi, 1.0):.3f}{']' if hi > 1 else ')'} {len(inside):7d} "
                     f"{sum(not ok for _, ok in inside):6d} {mean:9.4f} {right:11.4f}")
    if pairs:
        lines.append(f"  expected calibration error {gap / len(pairs):.4f} over {len(pairs)} fields")
    return lines


# --- documents ------------------------------------------------------------------------------------


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text_documents(group: str, docs: int) -> Iterator[tuple[str, str, bytes, dict]]:
    """(shape label, document label, bytes, expected) for one text group."""
    if group == "sample":
        for raw in sorted((SHARED / "samples").glob("*.txt")):
            yield "sample", raw.name, raw.read_bytes(), _load(SHARED / "samples" / "expected" / f"{raw.stem}.json")
    elif group == "variants":
        root = REPO / "samples" / "variants"
        for name, entry in sorted(_load(root / "manifest.json").items()):
            yield f"variant {entry['shape']}", name, (root / name).read_bytes(), _load(root / entry["expected"])
    elif group == "real-dev":
        root = SHARED / "real-dev"
        for raw in sorted((root / "raw").glob("*.txt")):
            yield "real-dev", raw.name, raw.read_bytes(), _load(root / "expected" / f"{raw.stem}.json")
    elif group == "synthetic":
        from bench_accuracy import make_document as make_text
        for shape in SYNTH_SHAPES:
            for seed in range(docs):
                data, expected = make_text(shape, seed, False)
                yield f"synthetic {shape}", f"{shape}/{seed}", data, expected


def scan_result(condition: str, seed: int, cache: Path | None) -> tuple[dict, dict]:
    """The extracted result and the expected one; the read stage (rendering + OCR) cached on request."""
    from bench_scan import make_document

    from extractor.choose import choose_reading
    from extractor.options import ExtractOptions
    from extractor.pipeline import _forms_of, _reader_for
    from extractor.routes import Reading
    from models import Result, Source

    data, _placed, expected = make_document(condition, seed)
    key = hashlib.sha256(data).hexdigest()[:16]
    # By condition and look only (the scanned PDF carries its creation time): clear the cache when
    # the read stage (vision, OCR) changes.
    path = cache / f"{condition}-{seed}.pickle" if cache else None
    if path and path.exists():
        output = pickle.loads(path.read_bytes())
    else:
        output = _reader_for("pdf")(data, ExtractOptions())
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(output))
    readings = output.readings or [Reading(output.route, output.grid)]
    chosen = choose_reading([(r.name, _forms_of(r)) for r in readings])
    result = Result(source=Source(filename="flags.pdf", sha256=key, media_type="application/pdf",
                                  route=output.route, pages=output.pages), forms=chosen.forms, issues=output.issues)
    return result.model_dump(mode="json"), expected


def main(argv: list[str] | None = None) -> int:
    from extractor.pipeline import extract_bytes

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", default="sample,variants,synthetic,real-dev,scan",
                        help="text groups (sample, variants, synthetic, real-dev) and/or scan")
    parser.add_argument("--conditions", default=",".join(SCAN_CONDITIONS))
    parser.add_argument("--seeds", default="0", help="scan looks (0: the default print)")
    parser.add_argument("--synthetic-docs", type=int, default=4, help="synthetic documents per shape")
    parser.add_argument("--cache", type=Path, default=None, help="keep scans' read stage here between runs")
    parser.add_argument("--examples", type=int, default=25)
    parser.add_argument("--json", type=Path, default=None, help="write the tallies here")
    args = parser.parse_args(argv)
    groups = args.groups.split(",")
    tallies: dict[str, Tally] = {}
    started = time.perf_counter()
    for group in (g for g in groups if g in TEXT_GROUPS):
        for shape, label, data, expected in text_documents(group, args.synthetic_docs):
            result = extract_bytes(data, label).model_dump(mode="json")
            tallies.setdefault(shape, Tally()).add(label, expected, result)
    if "scan" in groups:
        for condition in args.conditions.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                result, expected = scan_result(condition, seed, args.cache)
                tallies.setdefault(f"scan {condition}", Tally()).add(f"{condition}/{seed}", expected, result)
                print(f"  {condition}/{seed} done at {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    print(TABLE_HEAD)
    for name, tally in tallies.items():
        print(tally.row(name))
    every = Tally()
    for tally in tallies.values():
        for attr in ("silent_examples", "alarm_examples", "confidences"):
            getattr(every, attr).extend(getattr(tally, attr))
    for line in every.silent_examples[:args.examples]:
        print("  silent:", line)
    for line in every.alarm_examples[:args.examples]:
        print("  false alarm:", line)
    scans = [pair for name, t in tallies.items() if name.startswith("scan") for pair in t.confidences]
    if scans:
        print("reliability of provenance confidence (scan fields):")
        print("\n".join(reliability(scans)))
    if args.json:
        args.json.write_text(json.dumps({k: {**vars(t), "confidences": len(t.confidences)} for k, t in tallies.items()},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    print("command: python3 bench/bench_flags.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
