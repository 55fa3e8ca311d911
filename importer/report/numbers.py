"""Numbers as people read them in each language (counts, durations, rates)."""

from __future__ import annotations


def format_number(value: float, lang: str, decimals: int) -> str:
    """A number with ``decimals`` decimals: 1,234.5 in English, 1 234,5 in French."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text
