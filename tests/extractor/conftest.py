from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from extractor.reconcile import grid_to_forms
from extractor.routes.text import text_to_grid
from models import Form

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"  # regenerate golden files: UPDATE_GOLDEN=1 pytest


def forms_from_tsv(text: str) -> list[Form]:
    """Forms from a tab-separated dump written in a test (leading indentation removed)."""
    lines = [line.strip("\n").lstrip(" ") for line in text.strip("\n").split("\n")]
    return grid_to_forms(text_to_grid("\n".join(lines)))


def check_golden(name: str, actual: Any) -> None:
    path = GOLDEN / f"{name}.json"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; check it and rerun")
    assert actual == json.loads(path.read_text(encoding="utf-8"))
