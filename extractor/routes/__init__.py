"""Input routes: each turns the bytes of one kind of input into a `Grid` (see extractor.grid)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from models import Issue

if TYPE_CHECKING:
    from extractor.grid import Grid


class Reading:
    """One candidate reading of an input under its reader's name. The grid is made when first asked
    for: most documents are decided by their first reading, and the others are costly streams."""

    __slots__ = ("_grid", "_make", "name")

    def __init__(self, name: str, make: Grid | Callable[[], Grid]) -> None:
        self.name = name
        self._make = make
        self._grid: Grid | None = None

    @property
    def grid(self) -> Grid:
        if self._grid is None:
            self._grid = self._make() if callable(self._make) else self._make
        return self._grid


@dataclass(slots=True)
class RouteOutput:
    grid: Grid
    route: str  # text | html | pdf-text | pdf-scan | image | xlsx | docx
    pages: int
    issues: list[Issue] = field(default_factory=list)
    # Several readings when the input's shape is ambiguous (text dumps); the form's arithmetic
    # chooses among them (extractor.choose). Empty: `grid` is the only reading.
    readings: Iterable[Reading] = field(default_factory=list)
    # Called with the reconciled forms (office routes name their cells: Sheet1!D12).
    finish: Callable[[list[Any]], None] | None = None
