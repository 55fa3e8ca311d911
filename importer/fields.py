"""The mission fields: one record per parameter of ``ajoutMission`` / ``modifierMission``.

:data:`FIELDS` is the contract the rest derives from: the header matcher
(:mod:`importer.rows.columns`), the cell parsers and the frame the rules check
(:mod:`importer.rows.cells`, :mod:`importer.rows.validation`), the planning template
(:mod:`importer.report.template`), the catalogue's field names and template help
(:mod:`importer.messages`), the import page's column list and the sandbox's stored fields
(:mod:`importer.sandbox.api`). Adding a field means one record here, with its two labels.

This module imports nothing of the project: it sits at the ground floor, beside
:mod:`importer.ocean_api`. Parsers are named (``parser``) and resolved in
:mod:`importer.rows.cells`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The format a column holds: the template's column format and its "Format" text
# (``results.template.fmt.<kind>``); "date" and "decimal" are also how the rules see the value.
Kind = Literal["text", "short_text", "date", "integer", "decimal", "postcode", "bool", "action"]
# How the template says a field is required (``results.template.req.<need>``): "recipient"
# and "destination" are groups of which one way must be filled.
Need = Literal["required", "multi_client", "recipient", "destination", "optional"]
# The parse_* function of importer.rows.cells that reads a cell of the field.
Parser = Literal["text", "datetime", "customer_id", "boolean", "coordinate", "postcode", "action"]


@dataclass(frozen=True)
class MissionField:
    """One mission field: its API name, what a planner reads, how a cell of it is read."""

    name: str  # the API parameter name (or "action", which is read but not sent)
    label_en: str  # what a planner reads in English: the template's header, the page's list
    label_fr: str  # the same in French
    aliases: tuple[str, ...] = ()  # other headers that mean it (compared without accents, case)
    kind: Kind = "text"
    need: Need = "optional"
    parser: Parser = "text"
    ruled: bool = False  # the validation rules read it (a column of the frame they check)
    sent: bool = True  # an API parameter (False: read by the importer only)
    stored: bool = True  # the sandbox keeps it (an API parameter the real service stores)
    width: int = 0  # the template's column width (0: from the header's length)
    shown_length: int = 0  # characters the Ocean screens show (0: no limit known)
    help_en: str = ""  # the template's help on the column (Excel: 255 characters at most)
    help_fr: str = ""
    example_en: str = ""
    example_fr: str = ""  # "": the English example

    def label(self, lang: str) -> str:
        """What a planner reads for this field in ``lang`` ("fr" or "en")."""
        return self.label_fr if lang == "fr" else self.label_en

    def help(self, lang: str) -> str:
        """The template's help on this field in ``lang``."""
        return self.help_fr if lang == "fr" else self.help_en

    def example(self, lang: str) -> str:
        """An example value, written as a planner of ``lang`` would type it."""
        return (self.example_fr or self.example_en) if lang == "fr" else self.example_en


FIELDS: tuple[MissionField, ...] = (
    MissionField(
        "idMission",
        "Mission ID",
        "Identifiant mission",
        aliases=(
            "id",
            "mission id",
            "ref mission",
            "reference mission",
            "n mission",
            "numero mission",
        ),
        need="required",
        ruled=True,
        help_en=(
            "Your own reference for the mission, unique in the file. Required. It is used to "
            "modify or delete the mission later."
        ),
        help_fr=(
            "Votre référence de la mission, unique dans le fichier. Obligatoire. Elle sert à "
            "modifier ou supprimer la mission plus tard."
        ),
        example_en="PLN-2027-0001",
    ),
    MissionField(
        "customerId",
        "Customer ID",
        "Identifiant client",
        aliases=("customer", "client id", "id client"),
        kind="integer",
        need="multi_client",
        parser="customer_id",
        help_en=(
            "Ocean customer number. Only for multi-client accounts; leave it empty otherwise."
        ),
        help_fr=(
            "Numéro de client Ocean. Seulement pour les comptes multi-clients ; sinon laissez vide."
        ),
        example_en="100",
    ),
    MissionField(
        "jourHeureInter",
        "Intervention date",
        "Date d'intervention",
        aliases=(
            "date intervention",
            "date et heure d'intervention",
            "intervention",
            "date heure inter",
        ),
        kind="date",
        need="required",
        parser="datetime",
        ruled=True,
        width=20,
        help_en=(
            "Date and time of the intervention, local time, e.g. 01/03/2027 08:30. Required; "
            "the time is needed."
        ),
        help_fr=(
            "Date et heure de l'intervention, en heure locale, par ex. 01/03/2027 08:30. "
            "Obligatoire ; l'heure est nécessaire."
        ),
        example_en="01/03/2027 08:30",
    ),
    MissionField(
        "jourHeurePeremp",
        "Expiry date",
        "Date de péremption",
        aliases=("date peremption", "date d'expiration", "expiration", "peremption"),
        kind="date",
        parser="datetime",
        ruled=True,
        width=20,
        help_en=(
            "Date and time after which the mission leaves the screens. Optional; must be after "
            "the intervention date."
        ),
        help_fr=(
            "Date et heure après lesquelles la mission quitte les écrans. Facultatif ; doit "
            "être après la date d'intervention."
        ),
        example_en="02/03/2027 18:00",
    ),
    MissionField(
        "typeMission",
        "Mission type",
        "Type de mission",
        aliases=("type",),
        ruled=True,
        help_en="Kind of mission, e.g. Delivery or Maintenance. Optional.",
        help_fr="Nature de la mission, par ex. Livraison ou Maintenance. Facultatif.",
        example_en="Delivery",
        example_fr="Livraison",
    ),
    MissionField(
        "nomVeh",
        "Vehicle",
        "Véhicule",
        aliases=("vehicule", "vehicle name", "nom vehicule"),
        need="recipient",
        ruled=True,
        help_en=(
            "Vehicle that receives the mission. Give a Vehicle, or a Last name + First name, or"
            " a Full name."
        ),
        help_fr=(
            "Véhicule qui reçoit la mission. Indiquez un véhicule, ou un nom + prénom, ou un "
            "nom et prénom."
        ),
        example_en="Van 12",
        example_fr="Fourgon 12",
    ),
    MissionField(
        "nomIndi",
        "Last name",
        "Nom",
        aliases=("nom individu", "nom du technicien", "surname"),
        need="recipient",
        ruled=True,
        help_en=(
            "Last name of the person who receives the mission (with First name), when there is "
            "no vehicle."
        ),
        help_fr=(
            "Nom de la personne qui reçoit la mission (avec le prénom), quand il n'y a pas de "
            "véhicule."
        ),
        example_en="Martin",
    ),
    MissionField(
        "prenomIndi",
        "First name",
        "Prénom",
        aliases=("prenom individu", "prenom du technicien"),
        need="recipient",
        ruled=True,
        help_en=(
            "First name of the person who receives the mission (with Last name), when there is "
            "no vehicle."
        ),
        help_fr=(
            "Prénom de la personne qui reçoit la mission (avec le nom), quand il n'y a pas de "
            "véhicule."
        ),
        example_en="Julie",
    ),
    MissionField(
        "nomPrenom",
        "Full name",
        "Nom et prénom",
        aliases=("nom prenom", "name", "technicien"),
        need="recipient",
        ruled=True,
        help_en=(
            "Full name of the person who receives the mission, instead of Last name + First name."
        ),
        help_fr=(
            "Nom et prénom de la personne qui reçoit la mission, à la place des colonnes Nom et"
            " Prénom."
        ),
        example_en="Julie Martin",
    ),
    MissionField(
        "commentaire",
        "Comment",
        "Commentaire",
        aliases=("comments", "remarque", "notes"),
        width=36,
        help_en="Free text shown with the mission. Optional.",
        help_fr="Texte libre affiché avec la mission. Facultatif.",
        example_en="Ring at the intercom",
        example_fr="Sonner à l'interphone",
    ),
    MissionField(
        "adrRefCli",
        "Address reference",
        "Référence adresse",
        aliases=("adresse reference client", "ref adresse", "site"),
        kind="short_text",
        ruled=True,
        width=22,
        shown_length=20,
        help_en=(
            "Short name of the customer's address, e.g. Agence Lyon 3. Keep it to 20 "
            "characters: the Ocean screens cut the rest."
        ),
        help_fr=(
            "Nom court de l'adresse du client, par ex. Agence Lyon 3. 20 caractères au plus : "
            "les écrans Ocean coupent la suite."
        ),
        example_en="Lyon 3 branch",
        example_fr="Agence Lyon 3",
    ),
    MissionField(
        "rue",
        "Street",
        "Rue",
        aliases=("adresse", "address", "street address"),
        ruled=True,
        width=30,
        help_en="Street and number of the destination. Optional.",
        help_fr="Numéro et rue de la destination. Facultatif.",
        example_en="12 rue de la République",
    ),
    MissionField(
        "codPost",
        "Postal code",
        "Code postal",
        aliases=("cp", "zip", "zip code", "postcode"),
        kind="postcode",
        need="destination",
        parser="postcode",
        ruled=True,
        help_en=(
            "Postal code of the destination, e.g. 01000 (the leading zero is kept). Give "
            "coordinates, or a City or Postal code."
        ),
        help_fr=(
            "Code postal de la destination, par ex. 01000 (le zéro en tête est conservé). "
            "Indiquez des coordonnées, ou une ville ou un code postal."
        ),
        example_en="01000",
    ),
    MissionField(
        "ville",
        "City",
        "Ville",
        aliases=("town", "commune"),
        need="destination",
        ruled=True,
        width=20,
        help_en="City of the destination. Give coordinates, or a City or Postal code.",
        help_fr=(
            "Ville de la destination. Indiquez des coordonnées, ou une ville ou un code postal."
        ),
        example_en="Bourg-en-Bresse",
    ),
    MissionField(
        "aEnvoyer",
        "Send to vehicle",
        "À envoyer",
        aliases=("envoyer", "send", "to send"),
        kind="bool",
        parser="boolean",
        help_en=(
            "TRUE: the mission is sent to the vehicle; FALSE: it is only prepared. Empty: the "
            "configured default (TRUE unless changed)."
        ),
        help_fr=(
            "VRAI : la mission est envoyée au véhicule ; FAUX : elle est seulement préparée. "
            "Vide : la valeur par défaut (VRAI sauf réglage contraire)."
        ),
        example_en="TRUE",
        example_fr="VRAI",
    ),
    MissionField(
        "longitude",
        "Longitude",
        "Longitude",
        aliases=("lon", "lng", "long"),
        kind="decimal",
        need="destination",
        parser="coordinate",
        ruled=True,
        help_en=(
            "Destination longitude in decimal degrees, between -180 and 180, e.g. 2.3522. Give "
            "it with Latitude, or neither."
        ),
        help_fr=(
            "Longitude de la destination en degrés décimaux, entre -180 et 180, par ex. 2,3522."
            " À donner avec la latitude, ou aucune des deux."
        ),
        example_en="5.2255",
        example_fr="5,2255",
    ),
    MissionField(
        "latitude",
        "Latitude",
        "Latitude",
        aliases=("lat",),
        kind="decimal",
        need="destination",
        parser="coordinate",
        ruled=True,
        help_en=(
            "Destination latitude in decimal degrees, between -90 and 90, e.g. 48.8566. Give it"
            " with Longitude, or neither."
        ),
        help_fr=(
            "Latitude de la destination en degrés décimaux, entre -90 et 90, par ex. 48,8566. À"
            " donner avec la longitude, ou aucune des deux."
        ),
        example_en="46.2052",
        example_fr="46,2052",
    ),
    MissionField(
        "action",
        "Action",
        "Action",
        aliases=("operation", "operation type"),
        kind="action",
        parser="action",
        sent=False,
        stored=False,
        help_en=(
            "What to do: create, modify, delete, or upsert (create or modify as needed). Empty:"
            " the mode chosen for the import (upsert by default)."
        ),
        help_fr=(
            "Que faire : ajout, modification, suppression, ou upsert (ajout ou modification "
            "selon le cas). Vide : le mode choisi pour l'import (upsert par défaut)."
        ),
        example_en="create",
        example_fr="ajout",
    ),
)

BY_NAME: dict[str, MissionField] = {field.name: field for field in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(BY_NAME)
API_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.sent)
STORED_FIELDS: tuple[str, ...] = tuple(
    field.name for field in FIELDS if field.sent and field.stored
)
DATE_FIELDS: tuple[str, ...] = tuple(field.name for field in FIELDS if field.kind == "date")


def by_name(name: str) -> MissionField:
    """The field named ``name`` (its API name); KeyError when there is none."""
    return BY_NAME[name]
