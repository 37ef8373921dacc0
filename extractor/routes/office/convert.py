"""Legacy Office files (.xls/.doc, WPS .et/.wps, OpenDocument .ods/.odt) -> .xlsx/.docx by LibreOffice.

`soffice --headless --convert-to` runs in a private, throw-away profile directory, so conversions never
share state (or a lock) with each other or with a desktop session. The profile disables macros outright
(security level "very high" and DisableMacrosExecution) and never updates external links, so nothing in a
document runs and nothing is fetched. The process (its whole group) is killed at the time limit.
LibreOffice is an optional system package: when it is missing these inputs fail at once with
`converter_missing` (install: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from extractor.errors import CorruptInput, ExtractionError, LimitExceeded
from extractor.options import ExtractOptions

CONVERT_SECONDS = 90.0  # one conversion, LibreOffice's start included (a first start takes a few seconds)
_FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "docx": "docx:MS Word 2007 XML"}
_SOURCE_EXT = {"xlsx": "xls", "docx": "doc"}

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    configured = os.environ.get("DOCEXTRACT_SOFFICE")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def converter_missing() -> ExtractionError:
    return ExtractionError("legacy Office files (.xls, .doc, .et, .wps, .ods, .odt) are converted by LibreOffice, "
                           "which is not installed: apt-get install libreoffice-calc-nogui libreoffice-writer-nogui "
                           "(or set DOCEXTRACT_SOFFICE), or save the file as .xlsx/.docx", code="converter_missing")


def convert(data: bytes, target: str, options: ExtractOptions | None = None, source_ext: str | None = None) -> bytes:
    """The file converted to `target` (xlsx or docx) by LibreOffice."""
    exe = find_soffice()
    if exe is None:
        raise converter_missing()
    seconds = CONVERT_SECONDS
    if options is not None and options.max_seconds_per_page:
        seconds = min(seconds, options.max_seconds_per_page)
    with tempfile.TemporaryDirectory(prefix="docextract-soffice-") as tmp:
        profile = Path(tmp, "profile")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
        src = Path(tmp, f"input.{source_ext or _SOURCE_EXT[target]}")
        src.write_bytes(data)
        out_dir = Path(tmp, "out")
        out_dir.mkdir()
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", _FILTERS[target],
               "--outdir", str(out_dir), str(src)]
        env = {**os.environ, "HOME": tmp, "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, cwd=tmp, start_new_session=True)
        try:
            _out, err = proc.communicate(timeout=seconds)
        except subprocess.TimeoutExpired as exc:
            raise LimitExceeded(f"LibreOffice took longer than {seconds:g} s to convert the file",
                                code="conversion_timeout") from exc
        finally:
            if proc.poll() is None:  # timed out, or interrupted by the document's own time limit
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        result = out_dir / f"input.{target}"
        if not result.exists() or result.stat().st_size == 0:
            reason = (err or b"").decode("utf-8", "replace").strip().splitlines()
            raise CorruptInput("LibreOffice could not convert the file (damaged, or a format it does not read)"
                               + (f": {reason[-1]}" if reason else ""), code="conversion_failed")
        return result.read_bytes()
