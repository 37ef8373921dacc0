"""`docextract ingest` of hostile ZIPs: zip bombs, zip slip names, symlinks, deep nesting, too many files.

Unit checks of workers.archive, then the real command against a real API (uvicorn on loopback)."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_fixtures import SAMPLE, api_in_thread, process_env, variant

from workers.archive import ArchiveLimits, ArchiveRefused, Member, iter_archive, safe_member_name
from workers.settings import Settings


def make_zip(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return buf.getvalue()


def outcome(members: list[Member]) -> dict[str, str]:
    return {m.name: (m.error[0] if m.error else "ok") for m in members}


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "C:\\windows\\evil.txt", "a/../../b.txt",
                                  "..\\..\\evil.txt"])
def test_names_that_escape_are_refused(name: str) -> None:
    assert safe_member_name(name) is None and safe_member_name("x\x00.txt") is None
    got = outcome(list(iter_archive(make_zip({name: b"x", "good.txt": b"y"}))))
    assert got["good.txt"] == "ok"
    assert [code for shown, code in got.items() if shown != "good.txt"] == ["unsafe_archive_path"]


def test_a_symlink_member_is_refused() -> None:
    got = outcome(list(iter_archive(make_zip({"link": b"/etc/shadow", "a.txt": b"a"}, symlinks=("link",)))))
    assert got == {"link": "unsafe_archive_path", "a.txt": "ok"}


def test_a_highly_compressed_member_is_a_zip_bomb() -> None:
    bomb = make_zip({"bomb.txt": b"\x00" * (8 * 1024 * 1024), "a.txt": b"a"})
    assert len(bomb) < 50_000
    got = outcome(list(iter_archive(bomb, ArchiveLimits(max_member_bytes=16 * 1024 * 1024))))
    assert got == {"a.txt": "ok", "bomb.txt": "zip_bomb"}


def test_member_and_total_sizes_are_limited() -> None:
    data = make_zip({f"f{n}.txt": bytes(range(256)) * 40 for n in range(5)})  # 10 KiB each
    got = outcome(list(iter_archive(data, ArchiveLimits(max_member_bytes=5000))))
    assert set(got.values()) == {"archive_member_too_large"}
    with pytest.raises(ArchiveRefused) as refused:
        list(iter_archive(data, ArchiveLimits(max_total_bytes=30_000)))
    assert refused.value.code == "archive_too_large"
    with pytest.raises(ArchiveRefused) as refused:
        list(iter_archive(data, ArchiveLimits(max_members=4)))
    assert refused.value.code == "archive_too_many_members"


def test_nested_archives_open_to_the_depth_limit() -> None:
    level3 = make_zip({"deep.txt": b"3"})
    level2 = make_zip({"inner.txt": b"2", "level3.zip": level3})
    outer = make_zip({"outer.txt": b"1", "level2.zip": level2})
    got = outcome(list(iter_archive(outer, ArchiveLimits(max_depth=2))))
    assert got == {"level2.zip/inner.txt": "ok", "level2.zip/level3.zip": "archive_too_deep", "outer.txt": "ok"}
    got = outcome(list(iter_archive(outer, ArchiveLimits(max_depth=3))))
    assert got["level2.zip/level3.zip/deep.txt"] == "ok"


def test_encrypted_and_corrupt_members_fail_alone() -> None:
    data = bytearray(make_zip({"locked.txt": b"secret", "plain.txt": b"plain"}))
    # Mark the first member encrypted (general-purpose flag bit 0) in its local and central headers.
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    assert outcome(list(iter_archive(bytes(data)))) == {"locked.txt": "encrypted_archive_member",
                                                        "plain.txt": "ok"}
    with pytest.raises(ArchiveRefused) as refused:
        list(iter_archive(b"PK\x03\x04" + b"\x00" * 100))
    assert refused.value.code == "corrupt_archive"


@pytest.fixture
def live_api(tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The real API on a loopback port (uvicorn in a thread), no worker: ingest runs with --no-wait."""
    settings = Settings(data_dir=tmp_path / "data", api_keys="i:ingest-key")
    with api_in_thread(settings) as url:
        yield url, settings


def run_ingest(source: Path, server: str, settings: Settings, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from extractor.cli import main; main()", "ingest", str(source),
                           "--server", server, "--api-key", "ingest-key", "--no-wait", *extra],
                          capture_output=True, text=True, timeout=120, env=process_env(settings))


def test_ingest_skips_unsafe_members_and_refuses_a_bomb_before_uploading(
        live_api: tuple[str, Settings], tmp_path: Path) -> None:
    server, settings = live_api
    mixed = tmp_path / "mixed.zip"
    mixed.write_bytes(make_zip({"good.txt": SAMPLE.read_bytes(), "../../escape.txt": variant(1, "slip"),
                                "bomb.txt": b"\x00" * (4 * 1024 * 1024)}))
    run = run_ingest(mixed, server, settings)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    state = json.loads((tmp_path / ".docextract-ingest-mixed.zip.json").read_text())
    assert state["good.txt"]["id"] and state["good.txt"]["status"] == "queued"
    assert state["../../escape.txt"]["error"].startswith("unsafe_archive_path")
    assert state["bomb.txt"]["error"].startswith("zip_bomb")
    listed = httpx.get(f"{server}/v1/documents", headers={"X-API-Key": "ingest-key"}).json()
    assert [doc["filename"] for doc in listed["items"]] == ["good.txt"]  # nothing unsafe reached the server
    assert not any(p.name == "escape.txt" for p in tmp_path.rglob("*"))

    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(make_zip({f"part{n}.txt": variant(n, "bomb") * 50 for n in range(20)}))
    run = run_ingest(bomb, server, settings, "--max-archive-bytes", "100000")
    assert run.returncode == 1
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert any("archive_too_large" in line for line in lines) and "Traceback" not in run.stderr, run.stderr
    listed = httpx.get(f"{server}/v1/documents", headers={"X-API-Key": "ingest-key"}).json()
    assert listed["total"] == 1  # the refused archive uploaded nothing


def test_many_small_members_that_add_up_to_a_bomb_are_refused() -> None:
    """Issue 14: 256 members of 1 MiB (each under the per-member ratio check) made a 298 KB ZIP expand
    to 256 MiB. The whole archive's ratio is checked on the declared sizes, before anything is read."""
    bomb = make_zip({f"m{n:03d}.txt": bytes(1024 * 1024) for n in range(256)})
    assert len(bomb) < 400_000
    with pytest.raises(ArchiveRefused) as refused:
        list(iter_archive(bomb))
    assert refused.value.code == "zip_bomb"
    assert list(iter_archive(make_zip({"a.txt": b"ok" * 1000})))[0].error is None  # small ones still pass


def colliding_zip() -> bytes:
    """Issue 14: the same name twice and three spellings of one path; every member has its own content."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive, pytest.warns(UserWarning, match="Duplicate name"):
        for n, name in enumerate(["forms/a.txt", "forms/a.txt", "d/a.txt", "d//a.txt", "d/./a.txt"]):
            archive.writestr(name, variant(n, "collide"))
    return buf.getvalue()


def test_colliding_member_names_each_get_a_unique_label() -> None:
    members = list(iter_archive(colliding_zip()))
    labels = [m.name for m in members]
    assert len(members) == 5 and len(set(labels)) == 5, labels
    assert {"forms/a.txt", "d/a.txt"} <= set(labels)  # names already clean keep their label
    assert len({m.read() for m in members if m.read}) == 5  # five different contents, none lost
    renamed = [m for m in members if m.note]
    assert len(renamed) == 3 and all("同名" in m.note for m in renamed if m.note)
    # Deterministic: a resumed ingest finds the same labels.
    assert [m.name for m in iter_archive(colliding_zip())] == labels


def test_ingest_uploads_every_colliding_member(live_api: tuple[str, Settings], tmp_path: Path) -> None:
    server, settings = live_api
    source = tmp_path / "collide.zip"
    source.write_bytes(colliding_zip())
    run = run_ingest(source, server, settings)
    assert run.returncode == 0, run.stderr
    state = json.loads((tmp_path / ".docextract-ingest-collide.zip.json").read_text())
    assert len(state) == 5 and len({entry["id"] for entry in state.values()}) == 5, state
    assert sum("note" in entry for entry in state.values()) == 3
    assert run.stderr.count("改名 renamed") == 3
    listed = httpx.get(f"{server}/v1/documents", headers={"X-API-Key": "ingest-key"}).json()
    assert listed["total"] == 5
    again = run_ingest(source, server, settings)  # resumed: nothing uploaded twice
    assert again.returncode == 0 and httpx.get(f"{server}/v1/documents",
                                               headers={"X-API-Key": "ingest-key"}).json()["total"] == 5


PEAK = """
import atexit, sys
def peak():
    hwm = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM'))
    sys.stderr.write(f'\\nPEAK_KB {hwm}\\n')
atexit.register(peak)
from extractor.cli import main
main()
"""


def run_measured(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], int]:
    """The CLI in a child that reports its own peak RSS (VmHWM, in MB) when it exits."""
    run = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, timeout=300, env=env)
    peak = [int(line.split()[1]) for line in run.stderr.splitlines() if line.startswith("PEAK_KB")]
    assert peak, run.stderr
    return run, peak[-1] // 1024


def test_a_huge_file_is_refused_before_it_is_read(live_api: tuple[str, Settings], tmp_path: Path) -> None:
    """Issue 14 item 9: a 3 GB (sparse) file cost 3.1 GB in `extract` and 6.3 GB in `ingest DIR` before its
    size was checked. Now its size is read from the directory entry, and uploads stream from the file."""
    server, settings = live_api
    folder = tmp_path / "batch"
    folder.mkdir()
    with open(folder / "huge.txt", "wb") as out:
        out.truncate(3 * 1024**3)
    (folder / "good.txt").write_bytes(SAMPLE.read_bytes())
    with open(folder / "large.txt", "wb") as out:  # under the limit: streamed, never held whole
        out.truncate(80 * 1024 * 1024)
    env = process_env(settings)

    run, peak_mb = run_measured(["extract", str(folder / "huge.txt")], env)
    assert run.returncode == 1 and "file_too_large" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert peak_mb < 300, peak_mb  # 33 MB measured; 3 105 MB before

    run, peak_mb = run_measured(["ingest", str(folder), "--server", server, "--api-key", "ingest-key",
                                 "--no-wait"], env)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    state = json.loads((tmp_path / ".docextract-ingest-batch.json").read_text())
    assert state["huge.txt"]["error"].startswith("file_too_large") and state["huge.txt"]["id"] is None
    assert state["good.txt"]["id"] and state["large.txt"]["id"]
    assert peak_mb < 80, peak_mb  # below the 80 MB file itself: streamed (47 MB measured)
