"""`docextract extract --pages`: files that are one document's pages give one result."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from extractor.cli import main
from samples.generate.scan import to_png


def test_pages_are_one_document_and_only_images_join(tmp_path: Path) -> None:
    blank = to_png(np.full((220, 170), 255, np.uint8), 20)
    for name in ("a.png", "b.png"):
        (tmp_path / name).write_bytes(blank)
    (tmp_path / "notes.txt").write_text("项目名称 道路养护", encoding="utf-8")
    out = tmp_path / "out.json"
    joined = CliRunner().invoke(main, ["extract", "--pages", str(tmp_path / "a.png"), str(tmp_path / "b.png"),
                                       "-o", str(out)])
    assert joined.exit_code == 0, joined.output
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["source"]["pages"] == 2 and result["source"]["filename"] == "a.png"
    assert result["source"]["route"] == "image"
    mixed = CliRunner().invoke(main, ["extract", "--pages", str(tmp_path / "a.png"), str(tmp_path / "notes.txt")])
    assert mixed.exit_code == 1 and "unsupported_input" in mixed.output
