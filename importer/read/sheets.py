"""The sheets of a workbook and their row counts, for choosing one (the page's drop-down)."""

from __future__ import annotations

import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.errors import InputError
from importer.messages import t
from importer.read.calamine_child import read_in_child
from importer.read.guard import MAX_UNCOMPRESSED_BYTES, OLE_MAGIC, ZipGuard, check_xls, kind_name
from importer.read.table import (
    CSV_EXTENSIONS,
    _calamine,
    _check_path,
    _child_result,
    _read_head,
)


@dataclass(frozen=True)
class SheetSummary:
    """A visible worksheet of a workbook and how many rows it spans (header included)."""

    name: str
    rows: int


def list_sheets(path: Path | str) -> list[SheetSummary]:
    """The visible worksheets of a workbook with their row counts; [] for a CSV file.

    Cheap next to reading: no cell becomes a Python value. The same guards as
    :func:`read_table` run first; an unreadable file raises the same InputError.
    """
    path = Path(path)
    name = path.name or str(path)
    ext = _check_path(path)
    if ext in CSV_EXTENSIONS:
        return []
    kind = kind_name(ext)
    head = _read_head(path)
    if head.startswith(OLE_MAGIC):
        check_xls(path, name)
        return _list_isolated(path, name, kind)
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:
        raise InputError(t("sources.corrupt_workbook", file=name, kind=kind)) from exc
    with zf:
        guard = ZipGuard(zf, name, kind, ext, max_bytes=MAX_UNCOMPRESSED_BYTES)
        if ext == ".ods":
            return _list_isolated(path, name, kind)
        book = _calamine(name, kind, lambda: CalamineWorkbook.from_path(str(path)))
        found = []
        for meta in book.sheets_metadata:
            if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
                guard.check_sheet(meta.name)
                sheet = _calamine(name, kind, lambda n=meta.name: book.get_sheet_by_name(n))
                found.append(SheetSummary(meta.name, sheet.height if sheet.start else 0))
        return found


def _list_isolated(path: Path, name: str, kind: str) -> list[SheetSummary]:
    outcome = read_in_child(sys.executable, path, None, heights=True)
    if outcome is None:
        return []
    metas, heights = _child_result(outcome, name, kind)
    return [SheetSummary(n, heights.get(n, 0)) for n, sheet, visible in metas if sheet and visible]
