"""What every cell parser shares: what an empty cell is, and the problem a value raises."""

from __future__ import annotations

import math
from typing import Any


class ValueProblem(Exception):
    """A cell value that cannot be used: ``code`` is a message key, ``details`` its values."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def __repr__(self) -> str:
        return f"ValueProblem({self.code!r}, {self.details!r})"


def is_empty(value: object) -> bool:
    """True for an empty cell: None, blank text, NaN (or pandas' NaT/NA)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NaTType", "NAType")
