"""The result contract: pydantic models every consumer relies on.

These models are the source of truth for the JSON described in the project's output contract
(`docextract schema` prints their JSON Schema). Amounts are exact `Decimal`s serialised as plain
decimal strings; weights, scores and rates are exact internally and serialised as JSON numbers.
"""

from models.result import (
    SCHEMA_VERSION,
    Amount,
    CellRef,
    Form,
    FundRow,
    Funds,
    Goals,
    Indicator,
    Issue,
    LabeledFundRow,
    Number,
    Result,
    Severity,
    Source,
    Total,
)

__all__ = [
    "SCHEMA_VERSION",
    "Amount",
    "CellRef",
    "Form",
    "FundRow",
    "Funds",
    "Goals",
    "Indicator",
    "Issue",
    "LabeledFundRow",
    "Number",
    "Result",
    "Severity",
    "Source",
    "Total",
]
