"""Fund rows whose amounts a narrow column cut mid-number, the pieces printed as cells of their own
(pypdfium2's drawing order): the row's arithmetic and its amounts' decimals join them again."""

from __future__ import annotations

from extractor.align import align_fund_row
from extractor.grid import Cell

ROLES = ["initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"]
COLUMNS = {role: k + 1 for k, role in enumerate(ROLES)}


def _cells(*texts: str) -> list[Cell]:
    return [Cell(page=1, row=0, col=k + 1, text=t) for k, t in enumerate(texts)]


def _texts(cells: list[str]) -> dict[str, str]:
    aligned = align_fund_row(_cells(*cells), ROLES, COLUMNS)
    return {role: cell.text for role, cell in aligned.by_role.items()}


def test_amounts_cut_before_their_point_are_joined_by_the_rows_rate() -> None:
    got = _texts(["25411445", "0.93", "25411445", "0.93", "1905858", "38.20", "10", "75%", "7.5"])
    assert got == {"initial_budget": "254114450.93", "annual_budget": "254114450.93", "executed": "190585838.20",
                   "weight": "10", "execution_rate": "75%", "score": "7.5"}


def test_a_row_without_a_rate_is_joined_by_its_decimals() -> None:
    got = _texts(["5299280.8", "9", "6624101.1", "1", "576959", "2.07", "—"])
    assert got["initial_budget"] == "5299280.89"
    assert got["annual_budget"] == "6624101.11"
    assert got["executed"] == "5769592.07"


def test_a_whole_amount_then_its_points_stay_apart() -> None:
    # 111806623.21 prints the row's two decimals: 106574073.24 is whole, and 10 is its 分值.
    got = _texts(["111806623.21", "111806623.21", "106574073.24", "10", "95.32", "%", "9.53"])
    assert got["executed"] == "106574073.24"
    assert got["weight"] == "10"


def test_a_row_printed_whole_is_left_as_it_is() -> None:
    got = _texts(["120.00", "100.00", "80.00", "10", "80%", "8"])
    assert got == {"initial_budget": "120.00", "annual_budget": "100.00", "executed": "80.00",
                   "weight": "10", "execution_rate": "80%", "score": "8"}


def test_a_rate_cut_among_its_decimals_is_joined() -> None:
    got = _texts(["7,388,900.35", "7,388,900.35", "7,561,800.62", "10", "102.3", "4%", "10"])
    assert got["execution_rate"] == "102.34%"
    assert got["score"] == "10"
