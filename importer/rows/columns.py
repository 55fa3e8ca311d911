"""The canonical fields and how source headers are matched to them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from importer.errors import InputError, UsageError
from importer.messages import t
from importer.model import HeaderMap


@dataclass(frozen=True)
class Field:
    name: str  # API parameter name (or "action")
    label_en: str  # label in the English template
    label_fr: str  # label in the French template
    aliases: tuple[str, ...] = ()  # other common spellings (normalised when compared)


FIELDS: tuple[Field, ...] = (
    Field(
        "idMission",
        "Mission ID",
        "Identifiant mission",
        ("id", "mission id", "ref mission", "reference mission", "n mission", "numero mission"),
    ),
    Field(
        "customerId", "Customer ID", "Identifiant client", ("customer", "client id", "id client")
    ),
    Field(
        "jourHeureInter",
        "Intervention date",
        "Date d'intervention",
        ("date intervention", "date et heure d'intervention", "intervention", "date heure inter"),
    ),
    Field(
        "jourHeurePeremp",
        "Expiry date",
        "Date de péremption",
        ("date peremption", "date d'expiration", "expiration", "peremption"),
    ),
    Field("typeMission", "Mission type", "Type de mission", ("type",)),
    Field("nomVeh", "Vehicle", "Véhicule", ("vehicule", "vehicle name", "nom vehicule")),
    Field("nomIndi", "Last name", "Nom", ("nom individu", "nom du technicien", "surname")),
    Field("prenomIndi", "First name", "Prénom", ("prenom individu", "prenom du technicien")),
    Field("nomPrenom", "Full name", "Nom et prénom", ("nom prenom", "name", "technicien")),
    Field("commentaire", "Comment", "Commentaire", ("comments", "remarque", "notes")),
    Field(
        "adrRefCli",
        "Address reference",
        "Référence adresse",
        ("adresse reference client", "ref adresse", "site"),
    ),
    Field("rue", "Street", "Rue", ("adresse", "address", "street address")),
    Field("codPost", "Postal code", "Code postal", ("cp", "zip", "zip code", "postcode")),
    Field("ville", "City", "Ville", ("town", "commune")),
    Field("aEnvoyer", "Send to vehicle", "À envoyer", ("envoyer", "send", "to send")),
    Field("longitude", "Longitude", "Longitude", ("lon", "lng", "long")),
    Field("latitude", "Latitude", "Latitude", ("lat",)),
    Field("action", "Action", "Action", ("operation", "operation type")),
)

API_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.name != "action")
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def normalise_header(text: object) -> str:
    """Fold a header for comparison: no accents, case, spaces, underscores, hyphens, quotes."""
    folded = unicodedata.normalize("NFKD", str(text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-'’.°/()*:#]+", "", folded)


def _build_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in FIELDS:
        for spelling in (f.name, f.label_en, f.label_fr, *f.aliases):
            table.setdefault(normalise_header(spelling), f.name)
    return table


ALIASES: dict[str, str] = _build_aliases()


def match_header(header: object, user_mapping: Mapping[str, str] | None = None) -> str | None:
    """The field a header names, or None. A user mapping wins over the built-in names."""
    key = normalise_header(header)
    if not key:
        return None
    if user_mapping:
        for their_header, field_name in user_mapping.items():
            if normalise_header(their_header) == key:
                return field_name
    return ALIASES.get(key)


def check_user_mapping(user_mapping: Mapping[str, str]) -> None:
    """Refuse a configured mapping that targets a field that does not exist."""
    for their_header, field_name in user_mapping.items():
        if field_name not in FIELDS_BY_NAME:
            raise UsageError(t("columns.unknown_target", header=their_header, field=field_name))


def count_known(headers: Iterable[object], user_mapping: Mapping[str, str] | None = None) -> int:
    """How many distinct fields a candidate header row names (to find the header row)."""
    return len({f for h in headers if (f := match_header(h, user_mapping))})


def map_headers(
    headers: list[str], user_mapping: Mapping[str, str] | None = None, *, source: str = ""
) -> HeaderMap:
    """Map each source header to its field; refuse two columns for one field."""
    if user_mapping:
        check_user_mapping(user_mapping)
    field_to_column: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        field_name = match_header(header, user_mapping)
        if field_name is None:
            unknown.append(header)
        elif field_name in field_to_column:
            raise InputError(
                t(
                    "columns.duplicate_field",
                    file=source,
                    field=field_name,
                    first=field_to_column[field_name],
                    second=header,
                )
            )
        else:
            field_to_column[field_name] = header
    if not field_to_column:
        raise InputError(t("columns.none_recognised", file=source))
    return HeaderMap(field_to_column=field_to_column, unknown=unknown)
