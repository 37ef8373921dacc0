"""Input routes: each turns the bytes of one kind of input into a `Grid` (see extractor.grid)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from models import Issue

if TYPE_CHECKING:
    from extractor.grid import Grid


@dataclass(slots=True)
class RouteOutput:
    grid: Grid
    route: str  # text | html | pdf-text | pdf-scan | image | xlsx | docx
    pages: int
    issues: list[Issue] = field(default_factory=list)
    # Called with the reconciled forms (office routes name their cells: Sheet1!D12).
    finish: Callable[[list[Any]], None] | None = None
