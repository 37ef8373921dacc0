"""`python -m samples.generate pdf|scan`: run from any folder, defaults found in the checkout, a missing font
said in one line naming its Debian package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdfium2
import pytest

from samples.generate import __main__ as generate
from samples.generate import pdf

CHECKOUT = Path(__file__).parents[2]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    return subprocess.run([sys.executable, "-m", "samples.generate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_pdf_then_scan_from_another_folder(tmp_path: Path) -> None:
    """The default --forms is the sample in this checkout, whatever the current folder."""
    printed = run(["pdf", "--out", "forms.pdf"], tmp_path)
    assert printed.returncode == 0, printed.stderr
    pages = len(pypdfium2.PdfDocument(tmp_path / "forms.pdf"))
    assert pages > 1 and f"{pages} pages" in printed.stdout
    scanned = run(["scan", "forms.pdf", "--out", "pages", "--dpi", "60"], tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    assert len(list((tmp_path / "pages").glob("page-*.png"))) == pages


def test_help_lists_pdf_and_scan(tmp_path: Path) -> None:
    shown = run(["--help"], tmp_path)
    assert "pdf" in shown.stdout and "scan" in shown.stdout


def test_missing_font_names_its_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    # Uninstalling a system font is not possible here: the font table points one font at a missing file.
    monkeypatch.setitem(pdf.FONTS, "ukai", (str(tmp_path / "absent" / "ukai.ttc"), 0))
    code = generate.main(["pdf", "--out", str(tmp_path / "forms.pdf")])
    err = capsys.readouterr().err
    assert code == 2
    assert "fonts-arphic-ukai" in err and "apt-get install" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "forms.pdf").exists()


def test_missing_forms_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = generate.main(["pdf", "--forms", str(tmp_path / "nope.json"), "--out", str(tmp_path / "f.pdf")])
    assert code == 2 and "nope.json" in capsys.readouterr().err
