"""The model as plain JSON-ready data (for ``--format json`` and plan files).

Fields that hold their default value are left out, so the output stays short and adding a
field to the model does not change what existing schemas look like; so are the fields that
only say how a definition is spelled (``compare=False``).
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from trueup.model.schema import Expr


def to_data(value: Any) -> Any:
    """Turn a model object (or a tuple/list of them) into dicts, lists and scalars."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if not f.compare or _is_default(f, item):
                continue
            out[f.name] = to_data(item)
        return out
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    return value


def _is_default(f: dataclasses.Field[Any], item: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        return bool(item == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(item == f.default_factory())
    return False
