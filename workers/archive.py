"""Reading the files of a ZIP for `docextract ingest` without trusting the archive.

Nothing is extracted to disk (members are read into memory and uploaded), so a member name is never a
path here; names that would escape a target directory elsewhere (absolute, `..`, drive letters,
symlinks) are still refused, since the name travels on as the document's file name and the resume key.
Sizes declared in the ZIP directory are checked first and then enforced while reading, because a
crafted archive can lie about them.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

_CHUNK = 1024 * 1024


class ArchiveLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_members: int = Field(10_000, ge=1, description="files in one archive, nested archives included")
    max_member_bytes: int = Field(100 * 1024 * 1024, ge=1, description="largest member once uncompressed")
    max_total_bytes: int = Field(4 * 1024**3, ge=1, description="all members together, uncompressed")
    max_ratio: float = Field(200.0, gt=1, description="uncompressed/compressed size of a member (zip bombs)")
    ratio_floor_bytes: int = Field(16 * 1024 * 1024, ge=1, description="the whole archive's ratio is checked "
                                   "once it unpacks to more than this (many small members of zeros)")
    max_depth: int = Field(2, ge=1, description="archive levels opened: 2 = a ZIP inside the ZIP is read")


class ArchiveRefused(Exception):
    """The whole archive is refused before anything is uploaded."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass(frozen=True)
class Member:
    """One file of the archive: `read()` gives its bytes, or `error` (code, message) says why it is skipped."""

    name: str  # unique within the ingest: the label and resume key
    read: Callable[[], bytes] | None
    error: tuple[str, str] | None = None
    note: str | None = None  # why `name` is not the member's own name (it collided with another member's)
    path: Path | None = None  # a file on disk (folder ingest): uploaded from the file, never held in memory


def safe_member_name(name: str) -> str | None:
    """The member's path as a clean relative POSIX path, or None if it could escape a target directory."""
    if not name or "\x00" in name:
        return None
    unified = name.replace("\\", "/")
    path = PurePosixPath(unified)
    if path.is_absolute() or (len(unified) > 1 and unified[1] == ":"):
        return None
    if any(part == ".." for part in path.parts):
        return None
    return path.as_posix()


def is_archive(data: bytes | str | Path) -> bool:
    """A ZIP to open as an archive: not an Office package (.xlsx/.docx/.ods/.odt are ZIPs too, but documents,
    read whole by the pipeline). Only the ZIP directory is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and any(n.startswith(("xl/", "word/")) for n in names):
                return False
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                return not archive.read("mimetype").startswith(b"application/vnd.oasis.opendocument.")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return zipfile.is_zipfile(io.BytesIO(data) if isinstance(data, bytes) else data)
    return True


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _hidden(name: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(name).parts)


class _Budget:
    """Members and bytes left for the whole ingest, across nested archives."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.members = limits.max_members
        self.bytes = limits.max_total_bytes
        self.unpacked = 0

    def take_member(self) -> None:
        self.members -= 1
        if self.members < 0:
            raise ArchiveRefused("archive_too_many_members", "the archive holds more files than the limit")

    def take_bytes(self, n: int, limit: int) -> None:
        self.bytes -= n
        if self.bytes < 0:
            raise ArchiveRefused("archive_too_large",
                                 f"the archive unpacks to more than the limit of {limit:,} bytes (a zip bomb?)")


def _check_total_ratio(unpacked: int, packed: int, limits: ArchiveLimits, verb: str) -> None:
    """The whole archive's expansion: members under the per-member check (1 MiB) still add up to a bomb
    (298 KB to 256 MiB, issue 14)."""
    if unpacked > limits.ratio_floor_bytes and unpacked / packed > limits.max_ratio:
        raise ArchiveRefused("zip_bomb", f"the archive {verb} {unpacked:,} bytes from {packed:,} compressed "
                             f"({unpacked / packed:,.0f}:1), above the limit of {limits.max_ratio:g}:1")


def _bounded_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read a member, stopping as soon as it passes `limit` (its declared size may be a lie)."""
    out = bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            out += chunk
            if len(out) > limit:
                raise ValueError(f"it unpacks to more than {limit:,} bytes")
    return bytes(out)


def unique_labels(names: list[str]) -> list[tuple[str, str | None]]:
    """A distinct label per member name, with a note for each one that had to be renamed.

    A ZIP may hold the same name twice, or names that are one path once cleaned (`d/a.txt`, `d//a.txt`,
    `d/./a.txt`); the ingest keys its uploads and its resume state by label, so without this all but one
    were silently dropped (issue 14). Names already clean keep their label; the others take it if it is
    free, else `a (2).txt`, `a (3).txt` … Deterministic, so a resumed ingest finds the same labels."""
    cleaned = [safe_member_name(name) or name for name in names]
    labels: list[str | None] = [None] * len(names)
    taken: set[str] = set()
    for n, (name, clean) in enumerate(zip(names, cleaned, strict=True)):
        if name == clean and clean not in taken:
            labels[n] = clean
            taken.add(clean)
    out: list[tuple[str, str | None]] = []
    for n, clean in enumerate(cleaned):
        label = labels[n]
        if label is None:
            label, copy, path = clean, 1, PurePosixPath(clean)
            while label in taken:
                copy += 1
                label = str(path.with_name(f"{path.stem} ({copy}){path.suffix}"))
            taken.add(label)
        note = None if label == clean else (
            f"同名成员已改名上传：压缩包中的“{names[n]}”与其他成员同名或路径相同，以“{label}”上传 "
            f"(renamed: {names[n]!r} collides with another member)")
        out.append((label, note))
    return out


def iter_archive(data: bytes | io.BufferedIOBase | str, limits: ArchiveLimits | None = None) -> Iterator[Member]:
    """Members of a ZIP (a path, bytes or a binary file), in name order, nested ZIPs opened to max_depth.

    Raises ArchiveRefused for a limit on the archive as a whole (member count, total size), checked on
    the declared sizes before the first member is read and again on the real ones while reading."""
    limits = limits or ArchiveLimits()
    budget = _Budget(limits)
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as err:
        raise ArchiveRefused("corrupt_archive", f"not a readable ZIP: {err}") from err
    yield from _members(archive, "", 1, limits, budget)


def _members(archive: zipfile.ZipFile, prefix: str, depth: int, limits: ArchiveLimits,
             budget: _Budget) -> Iterator[Member]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > budget.members:
        raise ArchiveRefused("archive_too_many_members",
                             f"the archive lists {len(infos):,} files, above the limit of {limits.max_members:,}")
    declared = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    _check_total_ratio(declared, packed, limits, "declares")
    if declared > budget.bytes:
        raise ArchiveRefused("archive_too_large", f"the archive declares {declared:,} bytes unpacked, above the "
                             f"limit of {limits.max_total_bytes:,}")
    infos = [info for info in sorted(infos, key=lambda i: i.filename)
             if (clean := safe_member_name(info.filename)) is None or not _hidden(clean)]
    for info, (label, note) in zip(infos, unique_labels([info.filename for info in infos]), strict=True):
        shown = prefix + label
        clean = safe_member_name(info.filename)
        budget.take_member()
        if clean is None or _is_symlink(info):
            yield Member(shown, None, note=note, error=(
                "unsafe_archive_path", "the member's path is absolute, climbs out with '..', or is a symlink"))
            continue
        if info.file_size > limits.max_member_bytes:
            yield Member(shown, None, note=note, error=(
                "archive_member_too_large",
                f"{info.file_size:,} bytes unpacked, above the limit of {limits.max_member_bytes:,}"))
            continue
        if info.compress_size and info.file_size > 1024 * 1024 and \
                info.file_size / info.compress_size > limits.max_ratio:
            yield Member(shown, None, note=note, error=(
                "zip_bomb",
                f"compressed {info.file_size / info.compress_size:,.0f}:1, above the limit of {limits.max_ratio:g}:1"))
            continue
        try:
            data = _bounded_read(archive, info, limits.max_member_bytes)
        except RuntimeError as err:  # zipfile: encrypted member, no password
            yield Member(shown, None, note=note, error=("encrypted_archive_member", str(err)))
            continue
        except ValueError as err:
            yield Member(shown, None, note=note, error=("archive_member_too_large", str(err)))
            continue
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            yield Member(shown, None, note=note, error=("corrupt_archive_member", str(err)))
            continue
        budget.take_bytes(len(data), limits.max_total_bytes)
        budget.unpacked += len(data)  # real sizes: a declared size may lie
        _check_total_ratio(budget.unpacked, packed, limits, "unpacks")
        if is_archive(data):
            if depth >= limits.max_depth:
                yield Member(shown, None, note=note, error=(
                    "archive_too_deep", f"archives nested more than {limits.max_depth} levels deep are not opened"))
                continue
            try:
                inner = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile as err:
                yield Member(shown, None, note=note, error=("corrupt_archive_member", str(err)))
                continue
            yield from _members(inner, shown + "/", depth + 1, limits, budget)
            continue
        yield Member(shown, lambda data=data: data, note=note)
