"""Setting values: the type of each setting and how a value is converted to it.

A value comes as text (environment, quoted TOML values) or already typed (TOML values,
command line values); either way it is converted or refused with a UsageError that says
where it came from and what was expected. A password is never shown in that error.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from importer.errors import UsageError
from importer.messages import t
from importer.settings.table import BY_NAME

_TRUE = frozenset({"true", "yes", "y", "1", "on", "oui", "o", "vrai"})
_FALSE = frozenset({"false", "no", "n", "0", "off", "non", "faux"})
Value = tuple[Any, str]  # (value, where it came from)


def given(name: str, value: Any, where: str, base: Path | None) -> Value:
    """A value from the file or the command line: an empty text means "not set"."""
    if isinstance(value, str) and not value.strip() and BY_NAME[name].nullable:
        return None, where
    return convert(name, value, where, base=base), where


def convert(name: str, value: Any, where: str, *, base: Path | None = None) -> Any:
    """Convert one value to the type of setting ``name``; UsageError naming ``where``."""
    kind = BY_NAME[name].kind
    try:
        converted = _CONVERTERS[kind](value)
    except (TypeError, ValueError):
        found = "***" if name == "password" else _quoted(value)
        raise UsageError(
            t("config.bad_type", where=where, expected=t(f"config.kind.{kind}"), found=found)
        ) from None
    if kind in ("path", "path_text"):
        if base is not None and not converted.is_absolute():
            converted = base / converted
        return converted if kind == "path" else str(converted)
    return converted


def _quoted(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)


def _to_text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip().replace(" ", ""))
    raise TypeError(value)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        number = float(value.strip().replace(",", "."))  # French decimal comma
    else:
        raise TypeError(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(value)


def _to_path(value: Any) -> Path:
    if isinstance(value, str | os.PathLike):
        return Path(value).expanduser()
    raise TypeError(value)


def _to_list(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise TypeError(value)
    return [item.strip() for item in items if item.strip()]


def _to_mapping(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        pairs: dict[str, str] = {}
        for item in filter(str.strip, value.split(",")):
            header, equals, target = item.partition("=")
            if not equals or not header.strip() or not target.strip():
                raise ValueError(value)
            pairs[header.strip()] = target.strip()
        return pairs
    if not isinstance(value, Mapping):
        raise TypeError(value)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise TypeError(value)
    return {k: v.strip() for k, v in value.items()}


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _to_text,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "path": _to_path,
    "path_text": _to_path,
    "list": _to_list,
    "mapping": _to_mapping,
}
