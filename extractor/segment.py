"""Rows of a document -> one run of rows per form.

A document holds many forms; a preamble, metadata, footnotes and signatures may surround them,
and a form's table continues over page breaks. A form starts at its title (…自评表) or, when the
title is missing, at a second 项目名称; it ends with its 总分 row or where the next form starts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractor.form.vocabulary import (
    NEW_FORM_KEYS,
    OTHER_KEYS,
    TOTAL_WORDS,
    YEAR_LINE,
    is_meta_key,
    is_seal_line,
    is_title,
    total_word,
)
from extractor.grid import Row

__all__ = ["TOTAL_WORDS", "is_title_row", "is_total_row", "row_has_key", "rows_to_form_runs"]


# What a row's words say about the split, one bit per test: every test asks whether ANY word passes.
_TITLE, _NEW_FORM, _KEY, _TOTAL = 1, 2, 4, 8
_SCORE_REST = re.compile(r"^\.?\d{1,3}\.?$")  # 3 / .5 / 0 / 99.: a piece of a number its column cut
_TOTAL_RESTS_MAX = 3  # pieces of the 总分 row's two numbers printed on lines of their own


@lru_cache(maxsize=1 << 16)
def _word_marks(word: str) -> int:
    # Cached: a form's cells repeat from form to form, and this runs for every cell of every row.
    marks = _TITLE if is_title(word) else 0
    if word.startswith(NEW_FORM_KEYS):
        marks |= _NEW_FORM
    if is_meta_key(word):
        marks |= _KEY
    if total_word(word, in_table=False)[0]:
        marks |= _TOTAL
    return marks


@lru_cache(maxsize=1 << 14)
def _row_marks(words: tuple[str, ...]) -> int:
    # Cached by the row's words: the split asks it of every row several times, and rows repeat.
    if is_seal_line(words):
        return 0  # 主管部门(盖章): … 单位:万元: no key cell, so no second form's start either
    marks = 0
    for word in words:
        marks |= _word_marks(word)
    return marks


def is_title_row(row: Row) -> bool:
    return bool(_row_marks(row.words) & _TITLE)


def row_has_key(row: Row) -> bool:
    """A meta key cell: 项目名称…, or exactly 部门 (a department-wide form's key)."""
    return bool(_row_marks(row.words) & _KEY)


def is_total_row(row: Row) -> bool:
    return bool(_row_marks(row.words) & _TOTAL)


def _is_year_line(row: Row) -> bool:
    return bool(YEAR_LINE.match("".join(row.words)))


def _from_image(row: Row) -> bool:
    return bool(row.cells) and all(c.source == "ocr" for c in row.cells)


def _new_form_keys(words: tuple[str, ...]) -> set[str]:
    return {key for word in words for key in NEW_FORM_KEYS if word.startswith(key)}


def rows_to_form_runs(rows: list[Row]) -> list[list[Row]]:
    """Split rows into one list per form; rows outside every form are dropped.

    A title that comes while a form's table is still open (no 总分 yet) is held: PDF text in drawing
    order prints the next form's title before the last rows of this one on the same page. Until the
    new form's first key row, single-cell rows (the year line) stay with the held title and fuller rows
    go on with the open form."""
    runs: list[list[Row]] = []
    current: list[Row] | None = None
    has_body = False  # the current run has seen a form key, so a new title starts a new form
    finished = False  # the current run has seen its 总分 row
    held: list[Row] = []  # a title (and its year line) waiting for its form's first key row
    run_keys: set[str] = set()  # the form keys the current run printed, while it printed only keys
    left_out: Row | None = None  # the row before this one, when no form took it
    after_other_key = False  # the row before was a key the contract does not keep, alone on its line
    for row in rows:
        if row.is_blank():
            continue
        before, left_out = left_out, None
        words = row.words
        marks = _row_marks(words)
        title = bool(marks & _TITLE)
        keyed = bool(marks & _NEW_FORM)
        if keyed and has_body and not finished and current is not None and run_keys:
            # 单位名称 … then 项目名称 under one title: a key the run has not printed yet, before
            # any table row, goes on with the run.
            keys = _new_form_keys(words)
            if not keys & run_keys:
                current.append(row)
                run_keys |= keys
                continue
        other_key = bool(words) and words[0].startswith(OTHER_KEYS)
        if not (marks & _KEY) and not title and not other_key and not (after_other_key and len(words) == 1):
            run_keys = set()  # a table row: the next form key starts the next form
        # 填报日期 / 2021年4月 among the keys (a key the contract does not keep, its value below it): no
        # table row, so the keys' block goes on.
        after_other_key = other_key and len(words) == 1
        if held and not keyed and not title and current is not None:
            if len(words) <= 1:
                held.append(row)
            else:
                current.append(row)
                finished = bool(marks & _TOTAL)
            continue
        # Held only where rows can come out of order (PDF text in drawing order): rows read from a
        # page image come top to bottom, so a title there starts its form even when this form's
        # 总分 row was misread and no key of the next form was read as printed (项目名你).
        if title and current is not None and has_body and not finished and not keyed and not _from_image(row):
            held = [row]
            continue
        if held and (keyed or title):
            current = list(held)
            runs.append(current)
            held = []
            has_body = finished = False
        if title or (keyed and (current is None or has_body or finished)):
            if current is None or has_body or finished:
                # A form without a title line may still print its year line above its first key.
                current = [before] if keyed and before is not None and _is_year_line(before) else []
                runs.append(current)
                has_body = finished = False
                run_keys = set()
            current.append(row)
            has_body = has_body or keyed
            run_keys |= _new_form_keys(words) if keyed else set()
            continue
        if current is None:
            if marks & _KEY:
                current = [row]
                runs.append(current)
                has_body = True
            else:
                left_out = row
            continue  # a preamble before the first form
        if finished:
            # Footnotes and signatures after 总分 are no part of the form; a number's rest alone right
            # after it may be its score's (reconcile weighs it by the form's sums).
            rests = 0
            while rests < len(current) and not is_total_row(current[-1 - rests]):
                rests += 1
            if rests < min(len(current), _TOTAL_RESTS_MAX) and len(words) == 1 and _SCORE_REST.match(words[0]):
                current.append(row)
            else:
                left_out = row
            continue
        current.append(row)
        has_body = has_body or bool(marks & _KEY)
        finished = bool(marks & _TOTAL)
        if keyed:
            run_keys |= _new_form_keys(words)
    return [run for run in runs if any(_row_marks(r.words) & (_KEY | _TOTAL) for r in run)]
