"""The neutral schema model (see :mod:`trueup.model.schema`)."""

from trueup.model.schema import (
    Action,
    Check,
    Column,
    Deferral,
    Enum,
    Expr,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    Trigger,
    View,
    VirtualTable,
)

__all__ = [
    "Action",
    "Check",
    "Column",
    "Deferral",
    "Enum",
    "Expr",
    "ForeignKey",
    "Generated",
    "Index",
    "IndexPart",
    "PrimaryKey",
    "Schema",
    "Table",
    "Trigger",
    "View",
    "VirtualTable",
]
