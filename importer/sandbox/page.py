"""The small HTML page at ``/`` listing the sandbox's missions, in English or French."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from importer.messages import LANGUAGES, t

_COLUMNS = (
    "customer",
    "mission",
    "date",
    "recipient",
    "city",
    "status",
    "attempt",
    "external",
    "creates",
    "modifies",
    "refused",
    "deleted",
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
th { background: #eef; }
tr.deleted td { color: #999; text-decoration: line-through; }
td.warn { background: #fdd; font-weight: bold; }
td.REFUSED { background: #fdd; }
td.ACCEPTED, td.IN_PROGRESS { background: #eef8ee; }
td.DONE { background: #dfd; }
"""


def choose_language(query_lang: str | None, accept_language: str | None) -> str:
    """Return ``en`` or ``fr``: the ``lang`` query parameter, else the Accept-Language header."""
    if query_lang and query_lang.lower()[:2] in LANGUAGES:
        return query_lang.lower()[:2]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.lower()[:2]))
    for _, _, lang in sorted(ranked):
        if lang in LANGUAGES:
            return lang
    return "en"


def render_page(
    url: str, missions: Sequence[Mapping[str, Any]], counters: Mapping[str, Any], lang: str
) -> str:
    """Return the HTML page listing ``missions`` and ``counters`` in ``lang``."""

    def text(key: str, **values: object) -> str:
        return escape(t(f"sandbox.page.{key}", lang=lang, **values))

    parts = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        '<meta http-equiv="refresh" content="5">',
        f"<title>{text('title')}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{text('title')}</h1><p>{text('intro', url=url)}</p>",
        f"<h2>{text('missions', count=sum(not m['deleted'] for m in missions))}</h2>",
    ]
    if missions:
        head = "".join(f"<th>{text(column)}</th>" for column in _COLUMNS)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        parts.extend(_row(mission, lang) for mission in missions)
        parts.append("</tbody></table>")
    else:
        parts.append(f"<p>{text('none')}</p>")
    parts.append(f"<h2>{text('counters')}</h2><table><tbody>")
    parts.extend(
        f"<tr><th>{escape(name)}</th><td>{escape(str(value))}</td></tr>"
        for name, value in _flatten(counters)
    )
    parts.append("</tbody></table>")
    link = '<a href="/sandbox/missions">/sandbox/missions</a>'
    sentence = escape(t("sandbox.page.json", lang=lang, link="\x00")).replace("\x00", link)
    parts.append(f"<p>{sentence}</p></body></html>")
    return "\n".join(parts)


def _row(mission: Mapping[str, Any], lang: str) -> str:
    params = mission.get("params", {})
    recipient = (
        params.get("nomVeh")
        or params.get("nomPrenom")
        or " ".join(p for p in (params.get("prenomIndi", ""), params.get("nomIndi", "")) if p)
    )
    status = mission.get("status")
    shown = t(f"sandbox.status.{status}", lang=lang) if status else ""
    reason = (mission.get("statutMission") or {}).get("commentRefuseReason", "")
    if reason:  # the driver's words, as statutMission gives them
        shown = f"{shown} ({reason})"
    yes, no = t("sandbox.page.yes", lang=lang), t("sandbox.page.no", lang=lang)
    cells = [
        str(mission["customerId"]),
        str(mission["idMission"]),
        params.get("jourHeureInter", ""),
        recipient,
        params.get("ville", ""),
        shown,
        str(mission.get("attempt", 0)),
        str(mission.get("externalMissionId", "")),
        str(mission["creates"]),
        str(mission["modifies"]),
        str(mission["refused_creates"]),
        yes if mission["deleted"] else no,
    ]
    tds = []
    for column, cell in zip(_COLUMNS, cells, strict=True):
        css = ""
        if column == "refused" and mission["refused_creates"]:
            css = ' class="warn"'
        elif column == "status" and status:
            css = f' class="{escape(status)}"'
        tds.append(f"<td{css}>{escape(cell)}</td>")
    css = ' class="deleted"' if mission["deleted"] else ""
    return f"<tr{css}>{''.join(tds)}</tr>"


def _flatten(counters: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for name, value in counters.items():
        if isinstance(value, Mapping):
            items.extend(_flatten(value, f"{prefix}{name}."))
        else:
            items.append((f"{prefix}{name}", value))
    return items
