"""Rows of a document -> one run of rows per form.

A document holds many forms; a preamble, metadata, footnotes and signatures may surround them,
and a form's table continues over page breaks. A form starts at its title (…自评表) or, when the
title is missing, at a second 项目名称; it ends with its 总分 row or where the next form starts.
"""

from __future__ import annotations

from extractor.form.vocabulary import (
    NEW_FORM_KEYS,
    TITLE,
    TITLE_MAX_CHARS,
    TOTAL_WORDS,
    is_meta_key,
)
from extractor.grid import Row

__all__ = ["TOTAL_WORDS", "is_title_row", "is_total_row", "row_has_key", "rows_to_form_runs"]


def is_title_row(row: Row) -> bool:
    return any(len(t) <= TITLE_MAX_CHARS and TITLE.search(t) for t in row.words)


def row_has_key(row: Row) -> bool:
    """A meta key cell: 项目名称…, or exactly 部门 (a department-wide form's key)."""
    return any(is_meta_key(t) for t in row.words)


def is_total_row(row: Row) -> bool:
    return any(t.rstrip(":：") in TOTAL_WORDS for t in row.words)


def rows_to_form_runs(rows: list[Row]) -> list[list[Row]]:
    """Split rows into one list per form; rows outside every form are dropped."""
    runs: list[list[Row]] = []
    current: list[Row] | None = None
    has_body = False  # the current run has seen a form key, so a new title starts a new form
    finished = False  # the current run has seen its 总分 row
    for row in rows:
        if row.is_blank():
            continue
        words = row.words
        title = any(len(t) <= TITLE_MAX_CHARS and TITLE.search(t) for t in words)
        keyed = any(t.startswith(NEW_FORM_KEYS) for t in words)
        if title or (keyed and (current is None or has_body or finished)):
            if current is None or has_body or finished:
                current = []
                runs.append(current)
                has_body = finished = False
            current.append(row)
            has_body = has_body or keyed
            continue
        if current is None:
            if row_has_key(row):
                current = [row]
                runs.append(current)
                has_body = True
            continue  # a preamble before the first form
        if finished:
            continue  # footnotes and signatures after 总分
        current.append(row)
        has_body = has_body or row_has_key(row)
        finished = any(t.rstrip(":：") in TOTAL_WORDS for t in words)
    return [run for run in runs if any(row_has_key(r) or is_total_row(r) for r in run)]
