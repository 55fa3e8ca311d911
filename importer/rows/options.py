"""The plain values row checking needs, given by the caller (``rows`` reads no settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowOptions:
    """How to read and check rows: the sheet's time zone and the configured rules."""

    timezone: str = "Europe/Paris"  # the zone of the local times typed in the sheet
    require_destination: bool = False  # a row without any destination: error, not warning
    mission_types: tuple[str, ...] = ()  # the accepted mission types (empty: any)
    default_a_envoyer: bool = True  # aEnvoyer when the cell is empty
