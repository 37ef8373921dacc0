from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, computed_field

SCHEMA_VERSION = "1"


# A Number leaves as a JSON number, which readers (and PostgreSQL's JSONB, which refuses Infinity) hold as
# an IEEE double: 15 significant digits survive the round trip. A weight, score or rate printed with more
# is not read as a number (a 400-digit 执行率 became inf, a 5 000-digit one a ValueError; issue 14).
NUMBER_DIGITS = 15


def _number_to_json(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# Exact inside, plain JSON numbers outside: 10 stays 10, 100.00% becomes 100.0.
Number = Annotated[Decimal, PlainSerializer(_number_to_json, return_type=int | float)]
# Amounts keep the precision they were printed with: "149959700.00" stays "149959700.00".
Amount = Annotated[Decimal, PlainSerializer(lambda v: format(v, "f"), return_type=str)]

Severity = Literal["error", "warning"]
Route = Literal["text", "html", "pdf-text", "pdf-scan", "image", "xlsx", "docx"]


_omit_none = {"exclude_if": lambda v: v is None}


class _Model(BaseModel):
    # Reading back a stored result ignores derived keys such as `validation`.
    model_config = ConfigDict(extra="ignore")


class Issue(_Model):
    """A validation finding. `error`: the form needs a person. `warning`: repaired or doubtful."""

    code: str
    severity: Severity
    field: str | None = None
    message: str
    # Which pipeline stage raised it: read (the input route), reconcile (reading the form, with what
    # it repaired) or validate (the form's rules).
    stage: Literal["read", "reconcile", "validate"] | None = Field(default=None, **_omit_none)


class CellRef(_Model):
    """Where a value was read: page (1-based), cell box in page pixels or points, and how.

    Office files: `page` is the sheet (or Word table) number, `bbox` the cell in cell units (column, row,
    end column, end row; 0-based, ends exclusive) and `ref` names it: `Sheet1!D12`, `table 2, row 3, column 1`."""

    page: int
    bbox: tuple[float, float, float, float] | None = None
    source: Literal["text", "html", "pdf-text", "ocr", "xlsx", "docx"] = "text"
    # How likely the value is right: for scans the engine's score combined with the form's evidence
    # (extractor.confidence); `ocr_confidence` keeps the engine's own score.
    confidence: float = 1.0
    ocr_confidence: float | None = Field(default=None, exclude_if=lambda v: v is None)
    ref: str | None = Field(default=None, exclude_if=lambda v: v is None)




class FundRow(_Model):
    initial_budget: Amount | None = None
    annual_budget: Amount | None = None
    executed: Amount | None = None
    weight: Number | None = None
    execution_rate: Number | None = None
    score: Number | None = None
    provenance: dict[str, CellRef] | None = Field(default=None, **_omit_none)


class LabeledFundRow(FundRow):
    label: str


class Funds(_Model):
    total: FundRow = Field(default_factory=FundRow)
    appropriation: FundRow = Field(default_factory=FundRow)
    carryover: FundRow = Field(default_factory=FundRow)
    other: FundRow = Field(default_factory=FundRow)
    more: list[LabeledFundRow] = Field(default_factory=list)


class Goals(_Model):
    expected: str | None = None
    actual: str | None = None


class Indicator(_Model):
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    target: str | None = None
    actual: str | None = None
    weight: Number | None = None
    score: Number | None = None
    deviation_note: str | None = None
    provenance: dict[str, CellRef] | None = Field(default=None, **_omit_none)


class Total(_Model):
    weight: Number | None = None
    score: Number | None = None


class Form(_Model):
    title: str | None = None
    year: int | None = None
    project_name: str | None = None
    department: str | None = None
    implementing_unit: str | None = None
    amount_unit: str | None = None
    funds: Funds = Field(default_factory=Funds)
    goals: Goals = Field(default_factory=Goals)
    indicators: list[Indicator] = Field(default_factory=list)
    total: Total = Field(default_factory=Total)
    pages: list[int] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def validation(self) -> Literal["passed", "warnings", "failed"]:
        """One word for queries: failed if any error, warnings if any warning, else passed."""
        severities = {issue.severity for issue in self.issues}
        if "error" in severities:
            return "failed"
        return "warnings" if severities else "passed"


class Source(_Model):
    filename: str | None = None
    sha256: str
    media_type: str
    route: Route
    pages: int | None = None
    # Which reading of an ambiguous text dump the form's arithmetic chose (tsv, csv, boxes, pipe,
    # pipe-lead, pipe-stream, spaces, layout, space-rows, line-wraps, lines, wrapped, flat, unspaced,
    # block-order); absent for inputs with one reading.
    reading: str | None = Field(default=None, **_omit_none)


class Result(_Model):
    schema_version: str = SCHEMA_VERSION
    source: Source
    forms: list[Form] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)

    def to_json(self, *, pretty: bool = False) -> str:
        return self.model_dump_json(indent=2 if pretty else None)
