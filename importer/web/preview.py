"""4. Preview: what Ocean would do with each ready row (the dry run ``import --dry-run``
makes), changes first, every row reachable page by page, filterable by kind.

The dry run is made once per state of the draft (an edit makes a new list of rows) and kept
on the draft: paging and filtering read it again without asking Ocean again.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from importer.commands.run import customer_text, run_options, run_rows
from importer.fields import DATE_FIELDS, FIELD_NAMES
from importer.messages import field_label
from importer.model import Outcome, RowOutcome, ValidatedRow
from importer.report.command_result import CommandResult
from importer.rows.dates import API_DATE_FORMAT
from importer.web.drafts import PAGE_SIZE, Draft
from importer.web.runs import first_outcomes

if TYPE_CHECKING:
    from importer.commands.run import Journal, OceanClient

# The order of the preview: what changes first, then what stays, then what cannot be known.
KINDS = ("modify", "create", "delete", "unchanged", "unknown")
CHANGES = ("modify", "create", "delete")
KEEP_SECONDS = 600.0  # a preview older than this is asked again


def preview_kind(outcome: RowOutcome) -> str:
    """What the dry run says Ocean would do with a row (``unknown``: it could not tell)."""
    if outcome.outcome is Outcome.UNCHANGED:
        return "unchanged"
    if outcome.outcome is Outcome.FAILED or not outcome.action:
        return "unknown"
    return {"ajoutMission": "create", "modifierMission": "modify"}.get(outcome.action, "delete")


@dataclass
class Preview:
    """The dry run of one state of a draft: each ready row's kind and outcome."""

    rows: list[ValidatedRow]  # the draft's rows it was made from (identity: still current)
    kinds: dict[int, str]  # the draft's row index -> kind
    outcomes: dict[int, RowOutcome]
    made_at: float = field(default_factory=time.monotonic)

    def counts(self) -> dict[str, int]:
        counted = Counter(self.kinds.values())
        return {kind: counted.get(kind, 0) for kind in KINDS}

    @property
    def changes(self) -> int:
        counts = self.counts()
        return sum(counts[kind] for kind in CHANGES)

    @property
    def held(self) -> list[int]:
        """Rows whose fate the preview could not know: held back unless sent anyway."""
        return [i for i, kind in self.kinds.items() if kind == "unknown"]

    def order(self, kind: str | None = None) -> list[int]:
        """The rows in the preview's order (changes first), only ``kind`` when given."""
        rank = {name: n for n, name in enumerate(KINDS)}
        chosen = [i for i, k in self.kinds.items() if kind is None or k == kind]
        return sorted(chosen, key=lambda i: (rank[self.kinds[i]], i))


def current_preview(draft: Draft) -> Preview | None:
    """The preview of the draft as it is now; None if never made, if the draft changed since,
    or if it is old enough for another run to have changed what Ocean holds."""
    preview = draft.preview
    if not isinstance(preview, Preview) or preview.rows is not draft.rows:
        return None
    return preview if time.monotonic() - preview.made_at < KEEP_SECONDS else None


def held_rows(draft: Draft) -> set[int]:
    """The rows the person saw held back in the last preview of the draft as it is now."""
    preview = draft.preview
    if not isinstance(preview, Preview) or preview.rows is not draft.rows:
        return set()
    return set(preview.held)


def make_preview(draft: Draft, client: OceanClient, journal: Journal) -> Preview:
    """Ask what Ocean would do, as ``import --dry-run`` does (nothing is changed); keep it."""
    rows = draft.rows
    report = CommandResult(
        command="import --dry-run", input_path=draft.path, outcomes=first_outcomes(draft)
    )
    options = run_options(
        draft.settings, customer=client.customer_id, account=client.login, dry_run=True
    )
    valid = [i for i, vrow in enumerate(rows) if vrow.valid]
    if valid:  # the same run as a send, with sending off
        run_rows(report, rows, valid, draft.settings, options, client=client, journal=journal)
    outcomes = {i: report.outcomes[i] for i in valid}
    preview = Preview(rows, {i: preview_kind(o) for i, o in outcomes.items()}, outcomes)
    draft.preview = preview
    return preview


def field_name(draft: Draft, name: str, lang: str) -> str:
    """How the page names a field: the file's own header, else the field's label."""
    column = draft.header_map.field_to_column.get(name)
    return str(column) if column else field_label(name, lang)


def _shown(name: str, value: str | None, zone: ZoneInfo) -> str:
    """A value as the planner reads it: the API's UTC dates in local time, "" for none."""
    if value is None:
        return ""
    if name in DATE_FIELDS:
        with contextlib.suppress(ValueError):
            moment = datetime.strptime(value, API_DATE_FORMAT).replace(tzinfo=UTC)
            return moment.astimezone(zone).strftime(API_DATE_FORMAT)
    return value


def changes_of(
    draft: Draft, params: dict[str, str], known: dict[str, str] | None, lang: str, zone: ZoneInfo
) -> list[tuple[str, str, str]] | None:
    """(field as the file names it, value Ocean has, value the row sends) for each field a
    modify changes, in the field table's order; None when the journal kept no values."""
    if known is None:
        return None
    names = [n for n in FIELD_NAMES if n in params or n in known]
    names += sorted(n for n in set(params) | set(known) if n not in FIELD_NAMES)
    return [
        (field_name(draft, n, lang), _shown(n, known.get(n), zone), _shown(n, params.get(n), zone))
        for n in names
        if params.get(n) != known.get(n)
    ]


def preview_page(
    draft: Draft,
    preview: Preview,
    journal: Journal,
    client: OceanClient,
    *,
    lang: str,
    kind: str | None,
    page: int,
) -> dict[str, Any]:
    """One page of the preview's rows; a modify lists what it changes, old -> new (None
    when the journal kept no values for the mission)."""
    order = preview.order(kind)
    pages = max(1, math.ceil(len(order) / PAGE_SIZE))
    page = min(max(1, page), pages)
    default = customer_text(client.customer_id)
    api_url, settings = draft.settings.api_url, draft.settings
    try:
        zone = ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Paris")
    lines = []
    for i in order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        vrow = draft.rows[i]
        changes: list[tuple[str, str, str]] | None = []
        if preview.kinds[i] == "modify":
            params = vrow.params or {}
            customer = params.get("customerId") or default
            known = journal.last_params(
                api_url, customer, params["idMission"], account=client.login
            )
            changes = changes_of(draft, params, known, lang, zone)
        lines.append(
            {"vrow": vrow, "outcome": preview.outcomes[i], "kind": preview.kinds[i],
             "changes": changes}
        )  # fmt: skip
    return {"lines": lines, "page": page, "pages": pages, "kind": kind}
