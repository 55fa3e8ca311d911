"""The blank planning workbook: friendly headers, help on every column, drop-down lists.

Its columns are the table of mission fields (:data:`importer.fields.FIELDS`), in order.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from importer.fields import FIELDS, MissionField
from importer.messages import t
from importer.report.workbook import save_atomically

# field -> (how it is required, its format), from the table of fields: the texts are
# "results.template.req.<need>" and "results.template.fmt.<kind>" in the catalogue.
SPEC: dict[str, tuple[str, str]] = {item.name: (item.need, item.kind) for item in FIELDS}
BOOL_CHOICES = {"fr": ["VRAI", "FAUX"], "en": ["TRUE", "FALSE"]}
ACTION_CHOICES = {
    "fr": ["ajout", "modification", "suppression", "upsert", "create", "modify", "delete"],
    "en": ["create", "modify", "delete", "upsert", "ajout", "modification", "suppression"],
}
HEADER_FILLS = {"required": "#F4B084", "recipient": "#FFE699", "destination": "#FFE699"}
OTHER_FILL = "#D9D9D9"
WIDTHS = {item.name: item.width for item in FIELDS if item.width}
LAST_ROW = 1_048_575  # the validations cover every row under the header


def label(item: MissionField, lang: str = "fr") -> str:
    """The header of a field in the template of ``lang``."""
    return item.label(lang)


def template_headers(lang: str = "fr") -> list[str]:
    """Every header of the Missions sheet, in order."""
    return [label(item, lang) for item in FIELDS]


def write_template(path: Path, lang: str = "fr", *, created: datetime | None = None) -> Path:
    """Write the blank planning workbook (Missions and Instructions sheets); returns its path.

    ``created`` fixes the document's creation date (for a byte-identical committed copy).
    """
    lang = "fr" if lang == "fr" else "en"

    def build(tmp: Path) -> None:
        with xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False}) as workbook:
            workbook.set_properties(
                {
                    "title": t("results.template.title", lang=lang),
                    "author": "mission-importer",
                    "created": created or datetime.now(),
                }
            )
            _missions_sheet(workbook, lang)
            _instructions_sheet(workbook, lang)

    return save_atomically(Path(path), build, fallback=False)


def _missions_sheet(workbook: xlsxwriter.Workbook, lang: str) -> None:
    ws = workbook.add_worksheet(t("results.template.sheet", lang=lang))
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    text_format = workbook.add_format({"num_format": "@"})
    integer_format = workbook.add_format({"num_format": "0"})
    column_formats = {"date": date_format, "postcode": text_format, "integer": integer_format}
    for col, item in enumerate(FIELDS):
        required, kind = SPEC[item.name]
        header = workbook.add_format(
            {
                "bold": True,
                "border": 1,
                "text_wrap": True,
                "valign": "top",
                "bg_color": HEADER_FILLS.get(required, OTHER_FILL),
            }
        )
        ws.write_string(0, col, label(item, lang), header)
        column_format = text_format if item.name == "idMission" else column_formats.get(kind)
        width = WIDTHS.get(item.name, max(len(label(item, lang)) + 4, 14))
        ws.set_column(col, col, width, column_format)
        ws.data_validation(1, col, LAST_ROW, col, _validation(item, kind, lang))
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    ws.activate()


def _validation(item: MissionField, kind: str, lang: str) -> dict[str, object]:
    options: dict[str, object] = {
        "validate": "any",
        "input_title": label(item, lang)[:32],
        "input_message": t(f"results.template.help.{item.name}", lang=lang)[:255],
    }
    choices = {"bool": BOOL_CHOICES[lang], "action": ACTION_CHOICES[lang]}.get(kind)
    if choices:
        options.update(
            {
                "validate": "list",
                "source": choices,
                "error_type": "warning",  # other accepted spellings (oui, 1, x...) stay possible
                "error_title": t("results.template.list_title", lang=lang)[:32],
                "error_message": t("results.template.list_message", lang=lang)[:255],
            }
        )
    return options


def _instructions_sheet(workbook: xlsxwriter.Workbook, lang: str) -> None:
    ws = workbook.add_worksheet(t("results.template.instructions", lang=lang))
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": OTHER_FILL, "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    ws.write_string(0, 0, t("results.template.title", lang=lang), title)
    row = 2
    for number in range(1, 6):
        ws.write_string(row, 0, t(f"results.template.intro{number}", lang=lang))
        row += 1
    row += 1
    keys = ("column", "field", "required", "format", "example", "help")
    for col, key in enumerate(keys):
        ws.write_string(row, col, t(f"results.template.h.{key}", lang=lang), header)
    for item in FIELDS:
        row += 1
        required, kind = SPEC[item.name]
        fill = workbook.add_format(
            {
                "bold": True,
                "valign": "top",
                "border": 1,
                "bg_color": HEADER_FILLS.get(required, OTHER_FILL),
            }
        )
        ws.write_string(row, 0, label(item, lang), fill)
        ws.write_string(row, 1, item.name, wrap)
        ws.write_string(row, 2, t(f"results.template.req.{required}", lang=lang), wrap)
        ws.write_string(row, 3, t(f"results.template.fmt.{kind}", lang=lang), wrap)
        ws.write_string(row, 4, t(f"results.template.example.{item.name}", lang=lang), wrap)
        ws.write_string(row, 5, t(f"results.template.help.{item.name}", lang=lang), wrap)
    for col, width in enumerate((24, 18, 22, 28, 24, 80)):
        ws.set_column(col, col, width)
