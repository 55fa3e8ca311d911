"""How the page counts things in words: singular for one, outcomes in the page's order."""

from __future__ import annotations

from importer.messages import t, t_count

OUTCOME_ORDER = (
    "created", "modified", "deleted", "unchanged", "failed", "not_sent", "invalid", "valid",
)  # fmt: skip


def state_key(status: str, cause: str | None) -> str:
    """The sentence saying where a run stands ("web.run.state.cancelled"...)."""
    if status == "interrupted" and cause == "signed_out":
        return "web.run.state.signed_out"
    return f"web.run.state.{status}"


def time_left(seconds: float, lang: str) -> str:
    """The time a run has left, as a person says it ("a few seconds", "3 min")."""
    if seconds < 10:
        return t("web.run.left_few", lang=lang)
    if seconds < 60:
        return t("web.run.left_seconds", lang=lang, n=f"{seconds:.0f}")
    return t("web.run.left_minutes", lang=lang, n=f"{-(-seconds // 60):.0f}")


def outcome_list(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The outcomes counted, in the page's order (what reached Ocean first)."""
    known = [(name, counts[name]) for name in OUTCOME_ORDER if counts.get(name)]
    return known + sorted((k, n) for k, n in counts.items() if k not in OUTCOME_ORDER and n)


def outcome_words(counts: dict[str, int], lang: str) -> str:
    """ "3 created, 1 not sent": the counts in words (singular for one)."""
    parts = [f"{n} {t_count(f'web.outcome.{name}', n, lang)}" for name, n in outcome_list(counts)]
    return ", ".join(parts) or t("web.run.nothing_done", lang=lang)
