"""Grid -> forms. (Work in progress: being written now.)"""

from __future__ import annotations

from extractor.grid import Grid
from models import Form


def grid_to_forms(grid: Grid) -> list[Form]:
    return []
