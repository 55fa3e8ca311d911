"""4. Preview: what Ocean would do with each ready row (the dry run ``import --dry-run``
makes), changes first, every row reachable page by page, filterable by kind.

The dry run is made once per state of the draft (an edit makes a new list of rows) and kept
on the draft: paging and filtering read it again without asking Ocean again.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from importer.commands.importing import send_rows
from importer.messages import field_label
from importer.model import Action, Outcome, RowOutcome, ValidatedRow
from importer.report.command_result import CommandResult
from importer.send.engine import RunOptions
from importer.web.drafts import PAGE_SIZE, Draft
from importer.web.runs import first_outcomes

if TYPE_CHECKING:
    from importer.send.client import OceanClient
    from importer.send.journal.ledger import Journal

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
    options = RunOptions(
        mode=Action(draft.settings.mode),
        dry_run=True,
        workers=draft.settings.workers,
        default_customer_id=client.customer_id,
    )
    valid = [i for i, vrow in enumerate(rows) if vrow.valid]
    if valid:
        send_rows(report, rows, valid, draft.settings, options, client=client, journal=journal)
    outcomes = {i: report.outcomes[i] for i in valid}
    preview = Preview(rows, {i: preview_kind(o) for i, o in outcomes.items()}, outcomes)
    draft.preview = preview
    return preview


def field_name(draft: Draft, name: str, lang: str) -> str:
    """How the page names a field: the file's own header, else the field's label."""
    column = draft.header_map.field_to_column.get(name)
    return str(column) if column else field_label(name, lang)


def preview_page(
    draft: Draft,
    preview: Preview,
    journal: Journal,
    api_url: str,
    customer_id: int | None,
    *,
    lang: str,
    kind: str | None,
    page: int,
) -> dict[str, Any]:
    """One page of the preview's rows; a modify lists the fields it changes (by the file's
    header) with their new values, or None when the journal does not know them."""
    order = preview.order(kind)
    pages = max(1, math.ceil(len(order) / PAGE_SIZE))
    page = min(max(1, page), pages)
    default = "" if customer_id is None else str(customer_id)
    lines = []
    for i in order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        vrow = draft.rows[i]
        changes: list[tuple[str, str]] | None = []
        if preview.kinds[i] == "modify":
            params = vrow.params or {}
            customer = params.get("customerId") or default
            names = journal.changed_fields(api_url, customer, params["idMission"], params)
            changes = (
                None
                if names is None
                else [(field_name(draft, n, lang), params.get(n, "")) for n in names]
            )
        lines.append(
            {"vrow": vrow, "outcome": preview.outcomes[i], "kind": preview.kinds[i],
             "changes": changes}
        )  # fmt: skip
    return {"lines": lines, "page": page, "pages": pages, "kind": kind}
