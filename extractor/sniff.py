"""Decide which route reads an input, from its bytes first and its name second."""

from __future__ import annotations

from typing import Literal

from extractor.errors import EmptyInput

Kind = Literal["text", "html", "pdf", "image"]

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)


def sniff(data: bytes, filename: str | None = None) -> tuple[Kind, str]:
    """Return (route kind, media type). Content wins over the file name, which can lie."""
    if not data or not data.strip():
        raise EmptyInput("the file is empty")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf", "application/pdf"
    for magic, media_type in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image", media_type
    lowered = head.lower()
    if b"<table" in data[:200_000].lower() or lowered.lstrip().startswith((b"<!doctype html", b"<html")):
        return "html", "text/html"
    if _looks_utf16(head):
        text_head = head.decode("utf-16", errors="ignore").lower()
        if "<table" in text_head or "<html" in text_head:
            return "html", "text/html"
    return "text", "text/plain"


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))
