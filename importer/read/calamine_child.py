"""Read a workbook with python-calamine in a child process, so its aborts only kill the child.

On some damaged files calamine allocates without bound and aborts the whole process (no
exception to catch), e.g. an .xls whose DIMENSIONS record is inverted. The child's address
space is capped (4 GiB, where ``resource`` exists) and a dead child is just an unreadable
file. Only cell values come back: the answer is unpickled with a class whitelist.
"""

from __future__ import annotations

import datetime
import io
import pickle
import subprocess
from pathlib import Path
from typing import Any

_CHILD = """
import pickle, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
except Exception:
    pass
try:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
except ImportError:
    sys.exit(3)
path, wanted, heights = pickle.load(sys.stdin.buffer)
try:
    book = CalamineWorkbook.from_path(path)
    metas = [(m.name, m.typ == SheetTypeEnum.WorkSheet, m.visible == SheetVisibleEnum.Visible)
             for m in book.sheets_metadata]
    if heights:
        counts = {}
        for name, sheet, visible in metas:
            if sheet and visible:
                data = book.get_sheet_by_name(name)
                counts[name] = data.height if data.start is not None else 0
        sys.stdout.buffer.write(pickle.dumps(("ok", metas, counts)))
        sys.exit(0)
    if wanted is None:
        names = [n for n, sheet, visible in metas if sheet and visible]
    else:
        names = [n for n, _, _ in metas if n.strip().casefold() == wanted.strip().casefold()]
    loaded = {}
    for name in names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python() if sheet.start is not None else []
        loaded[name] = (sheet.start, rows)
        if wanted is None and any(
            v != "" and not (isinstance(v, str) and v.isspace()) for row in rows for v in row
        ):
            break
    result = ("ok", metas, loaded)
except Exception as exc:
    result = ("error", type(exc).__name__, str(exc))
sys.stdout.buffer.write(pickle.dumps(result))
"""


class _CellUnpickler(pickle.Unpickler):
    """Unpickles cell values only: plain types and the datetime classes, nothing callable."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("datetime", "date", "time", "timedelta"):
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def read_in_child(
    python: str, path: Path, wanted: str | None, *, heights: bool = False
) -> tuple[Any, ...] | None:
    """Read a workbook's sheets with calamine in a child process run by ``python``.

    With ``heights``, read no cell: ("ok", sheets' metadata, {visible sheet: rows spanned}).

    Returns None when no child can read it (no usable interpreter, or no calamine there),
    else ("ok", sheets' metadata, {sheet: (start, rows)}) with the sheet asked for or the
    visible ones up to the first holding data, ("error", exception name, its text), or
    ("died",) when the child was killed or said nothing usable.
    """
    try:
        child = subprocess.run(
            [python, "-I", "-c", _CHILD],
            input=pickle.dumps((str(path), wanted, heights)),
            capture_output=True,
            check=False,
        )
    except OSError:  # no usable interpreter (a frozen build)
        return None
    if child.returncode == 3:
        return None
    try:
        status, *result = _CellUnpickler(io.BytesIO(child.stdout)).load()
    except Exception:  # killed (calamine aborted), or nothing readable came back
        return ("died",)
    return (status, *result)
