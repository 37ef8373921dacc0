"""Input routes: each turns the bytes of one kind of input into a `Grid` (see extractor.grid)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from models import Issue

if TYPE_CHECKING:
    from extractor.grid import Grid


@dataclass(slots=True)
class Reading:
    """One candidate reading of an input: the grid a reader made of it, under the reader's name."""

    name: str
    grid: Grid


@dataclass(slots=True)
class RouteOutput:
    grid: Grid
    route: str  # text | html | pdf-text | pdf-scan | image
    pages: int
    issues: list[Issue] = field(default_factory=list)
    # Several readings when the input's shape is ambiguous (text dumps); the form's arithmetic
    # chooses among them (extractor.choose). Empty: `grid` is the only reading.
    readings: list[Reading] = field(default_factory=list)
