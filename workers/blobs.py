"""Originals on disk, addressed by content: DIR/ab/cd/abcd…(sha256). A user's file name is never a path."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The upload went past the size limit; nothing was stored."""


def blob_path(root: Path, sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return root / sha256[:2] / sha256[2:4] / sha256


def store_stream(root: Path, stream: BinaryIO, max_bytes: int) -> tuple[str, int, bytes]:
    """Copy `stream` into the store. Returns (sha256, size, first 256 KiB for sniffing).

    Written to a temporary file beside its final place and renamed, so a reader never sees half a file
    and two writers of the same content both end with the same bytes."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = bytearray()
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"the file is larger than the limit of {max_bytes:,} bytes")
                digest.update(chunk)
                if len(head) < 256 * 1024:
                    head.extend(chunk[: 256 * 1024 - len(head)])
                out.write(chunk)
        sha256 = digest.hexdigest()
        target = blob_path(root, sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
        return sha256, size, bytes(head)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the filesystem holding `path` (or its nearest parent)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def read_blob(root: Path, sha256: str) -> bytes:
    data = blob_path(root, sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"the stored original {sha256} is damaged (its content no longer matches its hash)")
    return data
