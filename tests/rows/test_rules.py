"""Row validation and normalisation (importer.rows.rules)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from importer.errors import UsageError
from importer.messages import catalogue, set_language
from importer.messages.validation import EN, FR
from importer.model import Action, RowIssue, SourceTable, ValidatedRow
from importer.rows.columns import map_headers
from importer.rows.options import RowOptions
from importer.rows.rules import REQUIRED, RULES, schema
from importer.rows.validation import paused_gc, validate_table

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
GOOD = {"idMission": "M1", "jourHeureInter": "03/12/2026 08:30", "nomVeh": "VH1", "ville": "Paris"}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def make_table(
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    numbers: Sequence[int] | None = None,
) -> SourceTable:
    """A table as sources.py gives it: object cells, the user's row numbers as the index."""
    if headers is None:
        headers = list(dict.fromkeys(key for row in rows for key in row))
    numbers = list(numbers or range(2, len(rows) + 2))
    data = pd.DataFrame(
        [[row.get(h) for h in headers] for row in rows],
        columns=list(headers),
        dtype=object,
        index=numbers,
    )
    return SourceTable(path=Path("planning.xlsx"), headers=list(headers), data=data)


def validate(
    rows: Sequence[dict[str, Any]],
    settings: RowOptions | None = None,
    *,
    now: datetime | None = NOW,
    **kwargs: Any,
) -> list[ValidatedRow]:
    table = make_table(rows, **kwargs)
    return validate_table(table, map_headers(table.headers), settings or RowOptions(), now=now)


def one(row: dict[str, Any], settings: RowOptions | None = None, **kwargs: Any) -> ValidatedRow:
    [validated] = validate([row], settings, **kwargs)
    return validated


def codes(issues: list[RowIssue]) -> list[str]:
    return [issue.code for issue in issues]


# -- valid rows and their parameters -----------------------------------------------------------


def test_a_minimal_valid_row() -> None:
    row = one(GOOD)
    assert (row.errors, row.warnings, row.action, row.row) == ([], [], None, 2)
    assert row.valid
    assert row.params == {
        "idMission": "M1",
        "jourHeureInter": "03/12/2026 07:30",
        "nomVeh": "VH1",
        "ville": "Paris",
        "aEnvoyer": "true",
    }


def test_a_full_row_with_french_headers_becomes_the_exact_api_parameters() -> None:
    row = one(
        {
            "Identifiant mission": 1234.0,
            "Identifiant client": 100.0,
            "Date d'intervention": datetime(2026, 7, 3, 8, 30),
            "Date de péremption": "03/07/2026 18:00",
            "Type de mission": " LIVRAISON ",
            "Véhicule": "VH-12",
            "Nom": "Dupont",
            "Prénom": "Jeanne",
            "Nom et prénom": "Jeanne Dupont",
            "Commentaire": "Sonner deux fois",
            "Référence adresse": "Client A",
            "Rue": "1 rue de la Paix",
            "Code postal": 1000,
            "Ville": "Bourg-en-Bresse",
            "À envoyer": "non",
            "Longitude": "5,2256",
            "Latitude": 46.2052,
            "Notes internes": "not sent",
        }
    )
    assert row.errors == []
    assert row.params == {
        "customerId": "100",
        "idMission": "1234",
        "jourHeureInter": "03/07/2026 06:30",
        "jourHeurePeremp": "03/07/2026 16:00",
        "typeMission": "LIVRAISON",
        "nomVeh": "VH-12",
        "nomIndi": "Dupont",
        "prenomIndi": "Jeanne",
        "nomPrenom": "Jeanne Dupont",
        "commentaire": "Sonner deux fois",
        "adrRefCli": "Client A",
        "rue": "1 rue de la Paix",
        "codPost": "01000",
        "ville": "Bourg-en-Bresse",
        "aEnvoyer": "false",
        "longitude": "5.2256",
        "latitude": "46.2052",
    }


def test_empty_cells_are_not_sent_and_a_envoyer_takes_the_default() -> None:
    row = one(
        {**GOOD, "commentaire": "  ", "rue": None, "aEnvoyer": ""},
        RowOptions(default_a_envoyer=False),
    )
    assert row.params is not None
    assert "commentaire" not in row.params and "rue" not in row.params
    assert row.params["aEnvoyer"] == "false"


def test_one_result_per_row_in_order_with_the_users_row_numbers() -> None:
    rows = validate([{**GOOD, "idMission": f"M{i}"} for i in range(3)], numbers=[5, 6, 9])
    assert [r.row for r in rows] == [5, 6, 9]
    assert [r.id_mission for r in rows] == ["M0", "M1", "M2"]


def test_the_time_zone_setting_is_used() -> None:
    row = one(GOOD, RowOptions(timezone="America/New_York"))
    assert row.params is not None and row.params["jourHeureInter"] == "03/12/2026 13:30"


@pytest.mark.parametrize("zone", ["", "Europe", "../../etc/passwd", "Mars/Olympus"])
def test_time_zones_that_are_not_zones(zone: str) -> None:
    with pytest.raises(UsageError, match="unknown time zone"):
        one(GOOD, RowOptions(timezone=zone))


def test_a_time_zone_name_in_the_wrong_case_is_found() -> None:
    row = one(GOOD, RowOptions(timezone="europe/paris"))
    assert row.params is not None and row.params["jourHeureInter"] == "03/12/2026 07:30"


def test_an_unknown_time_zone_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        one(GOOD, RowOptions(timezone="Europe/Pariss"))
    assert str(caught.value) == (
        'unknown time zone "Europe/Pariss"; give a name such as Europe/Paris '
        "(--timezone or timezone in the config file)"
    )


# -- the mission ID ----------------------------------------------------------------------------


def test_an_empty_id_is_an_error() -> None:
    row = one({**GOOD, "idMission": "  "})
    assert codes(row.errors) == ["validation.id_required"]
    assert row.errors[0].column == "idMission"
    assert row.params is None and not row.valid


def test_a_file_without_an_id_column() -> None:
    row = one({k: v for k, v in GOOD.items() if k != "idMission"})
    assert codes(row.errors) == ["validation.id_column_missing"]
    assert row.errors[0].column is None
    assert row.errors[0].message == (
        'the file has no mission ID column; add a column "Mission ID" with one unique ID per row'
    )


def test_duplicate_ids_are_all_invalid_and_name_the_other_rows() -> None:
    rows = validate(
        [
            {**GOOD, "idMission": "M1"},
            {**GOOD, "idMission": "M1"},
            {**GOOD, "idMission": "M2"},
            {**GOOD, "idMission": "M1"},
            {**GOOD, "idMission": "M3"},
            {**GOOD, "idMission": "M3"},
        ]
    )
    assert [r.valid for r in rows] == [False, False, True, False, False, False]
    assert rows[0].errors[0].message.startswith('"M1" is also the mission ID of rows 3, 5;')
    assert rows[1].errors[0].message.startswith('"M1" is also the mission ID of rows 2, 5;')
    assert rows[3].errors[0].message.startswith('"M1" is also the mission ID of rows 2, 3;')
    assert rows[4].errors[0].as_text() == (
        'idMission: "M3" is also the mission ID of row 7; each mission ID must appear once in '
        "the file: change one of them or remove the extra row"
    )
    assert codes(rows[5].errors) == ["validation.duplicate_id"]
    assert codes(rows[0].errors) == ["validation.duplicate_ids"]


def test_ids_compare_after_normalisation_and_empty_ids_are_not_duplicates() -> None:
    rows = validate(
        [
            {**GOOD, "idMission": 12.0},
            {**GOOD, "idMission": " 12 "},
            {**GOOD, "idMission": None},
            {**GOOD, "idMission": None},
        ]
    )
    assert codes(rows[0].errors) == ["validation.duplicate_id"]
    assert codes(rows[1].errors) == ["validation.duplicate_id"]
    assert codes(rows[2].errors) == codes(rows[3].errors) == ["validation.id_required"]


def test_customer_id_must_be_a_whole_number() -> None:
    row = one({**GOOD, "customerId": "ABC"})
    assert row.errors[0].as_text() == (
        'customerId: "ABC" is not a customer ID; write a whole number, e.g. 100, or leave it empty'
    )
    assert one({**GOOD, "customerId": 101}).params["customerId"] == "101"  # type: ignore[index]


# -- dates -------------------------------------------------------------------------------------


def test_a_bad_date_names_the_column_the_value_and_the_right_form() -> None:
    row = one({**GOOD, "jourHeureInter": "le 3 déc. 08:00"})
    assert len(row.errors) == 1  # not also "required"
    issue = row.errors[0]
    assert (issue.row, issue.column, issue.value, issue.code, issue.severity) == (
        2,
        "jourHeureInter",
        "le 3 déc. 08:00",
        "validation.date_format",
        "error",
    )
    assert issue.message == (
        '"le 3 déc. 08:00" is not a date; write it as dd/mm/yyyy hh:mm, e.g. 03/12/2026 08:30'
    )


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "31/02/2027 08:30",
            '"31/02/2027 08:30" is not a real date: that month has 28 days, not 31; '
            "the nearest real dates are 28/02/2027 08:30 and 01/03/2027 08:30",
        ),
        (
            " 29/02/2028 9:05 ",  # 2028 is a leap year: valid, for contrast below
            None,
        ),
        (
            "0/3/2027 14:00",
            '"0/3/2027 14:00" is not a real date: that month has 31 days, not 0; '
            "the nearest real dates are 28/02/2027 14:00 and 01/03/2027 14:00",
        ),
        (
            "12/31/2027 08:00",
            '"12/31/2027 08:00" is not a real date: there is no month 31; dates are written '
            "day first (dd/mm/yyyy): if you meant month/day, write 31/12/2027 08:00",
        ),
        (
            "03/12/2026 24:00",
            '"03/12/2026 24:00" has no such time as 24:00: hours go from 00 to 23 and minutes '
            "from 00 to 59, e.g. 03/12/2026 08:30",
        ),
    ],
    ids=["31 February", "29 February of a leap year", "day 0", "month first", "24:00"],
)
def test_an_impossible_date_names_the_nearest_real_dates(typed: str, message: str | None) -> None:
    row = one({**GOOD, "jourHeureInter": typed})
    assert [issue.message for issue in row.errors] == ([message] if message else [])


def test_messages_in_french() -> None:
    set_language("fr")
    row = one(
        {
            "Identifiant mission": "M1",
            "Date d'intervention": "le 3 déc. 08:00",
            "Véhicule": "V",
            "Ville": "Paris",
        }
    )
    assert row.errors[0].as_text() == (
        "Date d'intervention : « le 3 déc. 08:00 » n'est pas une date ; écrivez-la "
        "jj/mm/aaaa hh:mm, par exemple 03/12/2026 08:30"
    )
    row = one({k: v for k, v in GOOD.items() if k != "idMission"})
    assert row.errors[0].message == (
        "le fichier n'a pas de colonne d'identifiant de mission ; ajoutez une colonne "
        "« Identifiant mission » avec un identifiant unique par ligne"
    )
    row = one({**GOOD, "nomVeh": None})
    assert row.errors[0].message == (
        "aucun destinataire : remplissez la colonne « nomVeh » (le véhicule), ou les "
        "colonnes « Nom » et « Prénom » (le nom et le prénom), ou la colonne "
        "« Nom et prénom » (le nom complet)"
    )


def test_the_issue_keeps_the_raw_cell() -> None:
    row = one({**GOOD, "latitude": 123.5, "longitude": 2.0})
    assert row.errors[0].value == 123.5
    assert row.errors[0].message == (
        '"123.5" is not a latitude: it must be between -90 and 90 (decimal degrees, e.g. 48.8566 '
        "for Paris)"
    )


def test_the_intervention_date_is_required() -> None:
    row = one({**GOOD, "jourHeureInter": None})
    assert codes(row.errors) == ["validation.inter_required"]
    assert row.errors[0].column == "jourHeureInter"
    row = one({k: v for k, v in GOOD.items() if k != "jourHeureInter"})
    assert codes(row.errors) == ["validation.inter_column_missing"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (date(2026, 12, 3), "validation.date_no_time"),
        ("03/12/2026", "validation.date_no_time"),
        ("29/03/2026 02:30", "validation.date_gap"),
        (46359, "validation.date_no_time"),
    ],
    ids=repr,
)
def test_date_cells_that_cannot_be_sent(value: object, code: str) -> None:
    assert codes(one({**GOOD, "jourHeureInter": value}).errors) == [code]


def test_excel_cells_and_serial_numbers() -> None:
    excel_serial = (datetime(2026, 12, 3, 8, 30) - datetime(1899, 12, 30)) / timedelta(days=1)
    for value in (datetime(2026, 12, 3, 8, 30), excel_serial, "2026-12-03T07:30:00Z"):
        row = one({**GOOD, "jourHeureInter": value})
        assert row.params is not None and row.params["jourHeureInter"] == "03/12/2026 07:30"


def test_midnight_from_a_date_time_cell_is_a_time() -> None:
    row = one({**GOOD, "jourHeureInter": datetime(2026, 12, 3)})
    assert row.params is not None and row.params["jourHeureInter"] == "02/12/2026 23:00"


def test_nan_cells_are_empty() -> None:
    row = one(
        {
            **GOOD,
            "commentaire": float("nan"),
            "latitude": float("nan"),
            "longitude": float("nan"),
            "aEnvoyer": float("nan"),
        }
    )
    assert row.valid and row.params is not None
    assert row.params.keys() == {"idMission", "jourHeureInter", "nomVeh", "ville", "aEnvoyer"}


def test_an_empty_table() -> None:
    table = make_table([], headers=["idMission", "jourHeureInter"])
    assert validate_table(table, map_headers(table.headers), RowOptions(), now=NOW) == []


def test_expiry_must_come_after_the_intervention() -> None:
    assert one({**GOOD, "jourHeurePeremp": "03/12/2026 08:31"}).valid
    for expiry in ("03/12/2026 08:30", "02/12/2026 18:00"):
        row = one({**GOOD, "jourHeurePeremp": expiry})
        assert codes(row.errors) == ["validation.peremp_before_inter"]
        assert row.errors[0].column == "jourHeurePeremp"
        assert row.errors[0].message.startswith(
            f'"{expiry}" is not after the intervention date (03/12/2026 08:30, column '
            '"jourHeureInter")'
        )


def test_a_bad_expiry_is_reported_once() -> None:
    row = one({**GOOD, "jourHeurePeremp": "demain"})
    assert codes(row.errors) == ["validation.date_format"]
    row = one({**GOOD, "jourHeureInter": "demain", "jourHeurePeremp": "01/01/2020 08:00"})
    assert codes(row.errors) == ["validation.date_format"]


# -- recipient and destination -----------------------------------------------------------------


@pytest.mark.parametrize(
    "recipient",
    [
        {"nomVeh": "VH1"},
        {"nomIndi": "Dupont", "prenomIndi": "Jeanne"},
        {"nomPrenom": "Jeanne Dupont"},
    ],
    ids=["vehicle", "last and first name", "full name"],
)
def test_each_kind_of_recipient(recipient: dict[str, str]) -> None:
    row = one(
        {"idMission": "M1", "jourHeureInter": "03/12/2026 08:30", "ville": "Paris", **recipient}
    )
    assert row.valid and row.params is not None
    assert all(row.params[k] == v for k, v in recipient.items())


def test_no_recipient() -> None:
    row = one({**GOOD, "nomVeh": None, "nomIndi": None, "prenomIndi": None})
    assert codes(row.errors) == ["validation.recipient_missing"]
    assert row.errors[0].column is None
    assert row.errors[0].as_text() == (  # the file's own headers, else the field's label
        'no recipient: fill the column "nomVeh" (the vehicle), or the columns "nomIndi" and '
        '"prenomIndi" (last and first names), or the column "Full name" (the full name)'
    )


def test_half_a_name_is_not_a_recipient() -> None:
    row = one({**GOOD, "nomVeh": None, "nomIndi": "Dupont", "prenomIndi": ""})
    assert codes(row.errors) == ["validation.recipient_no_first_name"]
    assert row.errors[0].column == "nomIndi"
    row = one({**GOOD, "nomVeh": None, "nomIndi": None, "prenomIndi": "Jeanne"})
    assert codes(row.errors) == ["validation.recipient_no_last_name"]
    assert row.errors[0].column == "prenomIndi"


@pytest.mark.parametrize(
    "destination",
    [
        {"latitude": "48,8566", "longitude": "2,3522"},
        {"ville": "Paris"},
        {"codPost": 75001},
        {"adrRefCli": "DEPOT-NORD"},
    ],
    ids=["coordinates", "city", "postal code", "reference address"],
)
@pytest.mark.parametrize("required", [False, True], ids=["default", "require_destination"])
def test_each_kind_of_destination(destination: dict[str, Any], required: bool) -> None:
    row = one(
        {"idMission": "M1", "jourHeureInter": "03/12/2026 08:30", "nomVeh": "V", **destination},
        RowOptions(require_destination=required),
    )
    assert (row.errors, row.warnings) == ([], [])


def test_a_reference_address_alone_is_sent() -> None:
    row = one(
        {
            "idMission": "M1",
            "jourHeureInter": "03/12/2026 08:30",
            "nomVeh": "V",
            "adrRefCli": "DEPOT-NORD",
        }
    )
    assert row.params == {
        "idMission": "M1",
        "jourHeureInter": "03/12/2026 07:30",
        "nomVeh": "V",
        "adrRefCli": "DEPOT-NORD",
        "aEnvoyer": "true",
    }


def test_no_destination_is_a_warning_by_default() -> None:
    row = one({**GOOD, "ville": None})
    assert row.valid and row.params is not None and "ville" not in row.params
    assert codes(row.warnings) == ["validation.destination_none"]
    assert row.warnings[0].column is None
    assert row.warnings[0].message.startswith(  # the file's headers, else the labels
        'no destination (nothing in "ville", "Postal code", "Address reference", "Latitude" or '
        '"Longitude")'
    )


def test_no_destination_is_an_error_with_require_destination() -> None:
    row = one({**GOOD, "ville": None}, RowOptions(require_destination=True))
    assert codes(row.errors) == ["validation.destination_missing"]
    assert row.errors[0].column is None
    assert '"ville" (city), "Postal code" (postal code)' in row.errors[0].message
    assert row.warnings == []


def test_a_street_without_city_or_postal_code_is_a_warning() -> None:
    row = one({**GOOD, "ville": None, "codPost": None, "rue": "1 rue de la Paix"})
    assert row.valid
    assert codes(row.warnings) == ["validation.street_alone"]
    assert row.warnings[0].column == "rue"
    assert row.warnings[0].message.startswith('"1 rue de la Paix" has no city')
    assert one({**GOOD, "rue": "1 rue de la Paix"}).warnings == []
    strict = one({**GOOD, "ville": None, "rue": "1 rue"}, RowOptions(require_destination=True))
    assert codes(strict.errors) == ["validation.destination_missing"]


def test_coordinates_come_in_pairs() -> None:
    row = one({**GOOD, "latitude": 48.85, "longitude": None})
    assert codes(row.errors) == ["validation.latitude_alone"]
    row = one({**GOOD, "ville": None, "latitude": None, "longitude": "2,35"})
    assert codes(row.errors) == ["validation.longitude_alone"]  # not also "no destination"
    assert row.errors[0].message == (
        'the longitude "2,35" has no latitude beside it (column "latitude"); fill both '
        "coordinates, or neither"
    )


def test_coordinate_ranges() -> None:
    assert one({**GOOD, "latitude": -90, "longitude": 180}).valid
    assert codes(one({**GOOD, "latitude": "90,5", "longitude": 2}).errors) == [
        "validation.latitude_range"
    ]
    assert codes(one({**GOOD, "latitude": 45, "longitude": -180.01}).errors) == [
        "validation.longitude_range"
    ]


def test_an_unreadable_coordinate_is_reported_once() -> None:
    row = one({**GOOD, "ville": None, "latitude": "48°51'N", "longitude": 2.35})
    assert codes(row.errors) == ["validation.coordinate"]
    assert row.errors[0].column == "latitude"


def test_swapped_coordinates_for_france_are_a_warning() -> None:
    row = one({**GOOD, "latitude": 2.3522, "longitude": 48.8566})
    assert row.valid
    assert codes(row.warnings) == ["validation.coordinates_swapped"]
    assert row.warnings[0].severity == "warning"
    assert row.warnings[0].message.startswith(
        'latitude "2.3522" and longitude "48.8566" look swapped for France'
    )


# -- mission types -----------------------------------------------------------------------------


def test_mission_types_when_configured() -> None:
    types = RowOptions(mission_types=("LIVRAISON", "SAV"))
    row = one({**GOOD, "typeMission": "livraison"}, types)
    assert row.valid and row.params is not None and row.params["typeMission"] == "LIVRAISON"
    row = one({**GOOD, "typeMission": "Réparation"}, types)
    assert row.errors[0].as_text() == (
        'typeMission: "Réparation" is not one of the configured mission types; use one of: '
        "LIVRAISON, SAV"
    )
    assert one({**GOOD, "typeMission": None}, types).valid
    assert one({**GOOD, "typeMission": "Réparation"}).valid  # no list: any type


# -- actions and deletes -----------------------------------------------------------------------


def test_action_column() -> None:
    rows = validate(
        [
            {**GOOD, "idMission": "A", "action": "Création"},
            {**GOOD, "idMission": "B", "action": "modification"},
            {**GOOD, "idMission": "C", "action": None},
            {**GOOD, "idMission": "D", "action": "archiver"},
        ]
    )
    assert [r.action for r in rows] == [Action.CREATE, Action.MODIFY, None, None]
    assert codes(rows[3].errors) == ["validation.action"]


def test_a_delete_needs_only_its_id() -> None:
    rows = validate(
        [
            {"idMission": "M1", "action": "suppression"},
            {
                "idMission": "M2",
                "action": "delete",
                "customerId": 100,
                "jourHeureInter": "not a date",
                "latitude": 300,
                "aEnvoyer": "peut-être",
                "adrRefCli": "A very long reference text",
                "typeMission": "??",
            },
            {"idMission": None, "action": "delete"},
            {"idMission": "M4", "action": "delete", "customerId": "abc"},
        ],
        RowOptions(mission_types=("SAV",)),
    )
    assert rows[0].valid and rows[0].params == {"idMission": "M1"}
    assert rows[0].action is Action.DELETE
    assert rows[1].valid and rows[1].params == {"idMission": "M2", "customerId": "100"}
    assert rows[1].warnings == []
    assert codes(rows[2].errors) == ["validation.id_required"]
    assert codes(rows[3].errors) == ["validation.customer_id"]


# -- warnings ----------------------------------------------------------------------------------


def test_long_address_reference_is_a_warning_saying_what_will_show() -> None:
    row = one({**GOOD, "adrRefCli": "Résidence Les Jardins du Parc"})
    assert row.valid and row.params is not None
    assert row.params["adrRefCli"] == "Résidence Les Jardins du Parc"  # sent whole
    assert [w.as_text() for w in row.warnings] == [
        'adrRefCli: "Résidence Les Jardins du Parc" has 29 characters; the Ocean screens show '
        'only the first 20: "Résidence Les Jardin"'
    ]
    assert one({**GOOD, "adrRefCli": "x" * 20}).warnings == []


def test_a_past_date_is_a_warning() -> None:
    row = one({**GOOD, "jourHeureInter": "01/05/2026 08:30"})
    assert row.valid
    assert codes(row.warnings) == ["validation.date_past"]
    assert row.warnings[0].message == (
        '"01/05/2026 08:30" is in the past (01/05/2026 06:30 UTC); the mission is sent anyway: '
        "check the date"
    )
    assert one({**GOOD, "jourHeureInter": "01/06/2026 14:00"}).warnings == []  # 12:00 UTC = now


def test_now_defaults_to_the_current_time() -> None:
    assert codes(one({**GOOD, "jourHeureInter": "01/01/2020 08:00"}, now=None).warnings) == [
        "validation.date_past"
    ]
    future = (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%MZ")
    assert one({**GOOD, "jourHeureInter": future}, now=None).warnings == []


def test_an_ambiguous_local_time_is_a_warning() -> None:
    row = one({**GOOD, "jourHeureInter": "25/10/2026 02:30"})
    assert row.valid and row.params is not None
    assert row.params["jourHeureInter"] == "25/10/2026 00:30"
    assert codes(row.warnings) == ["validation.date_ambiguous"]
    assert row.warnings[0].message == (
        '"25/10/2026 02:30" happens twice in Europe/Paris (the clocks go back an hour that '
        "night); the first one was taken (25/10/2026 00:30 UTC); for the second "
        "(25/10/2026 01:30 UTC) write 2026-10-25T02:30+01:00"
    )


def test_warnings_stay_on_invalid_rows() -> None:
    row = one({**GOOD, "nomVeh": None, "adrRefCli": "y" * 30})
    assert not row.valid and row.params is None
    assert codes(row.warnings) == ["validation.adr_ref_long"]


# -- several problems at once ------------------------------------------------------------------


def test_every_problem_of_a_row_at_once_in_column_order() -> None:
    row = one(
        {
            "idMission": "M1",
            "customerId": "x",
            "jourHeureInter": "bad",
            "latitude": 95,
            "longitude": 2,
            "aEnvoyer": "maybe",
        },
        headers=["aEnvoyer", "latitude", "longitude", "jourHeureInter", "customerId", "idMission"],
    )
    assert codes(row.errors) == [
        "validation.boolean",
        "validation.latitude_range",
        "validation.date_format",
        "validation.customer_id",
        "validation.recipient_missing",
    ]


def test_every_row_is_checked() -> None:
    rows = validate(
        [
            GOOD,
            {**GOOD, "idMission": "M2", "nomVeh": None},
            {**GOOD, "idMission": "M3", "jourHeureInter": "x"},
            {**GOOD, "idMission": "M4"},
        ]
    )
    assert [r.valid for r in rows] == [True, False, False, True]


def test_a_large_table() -> None:
    size = 5000
    rows = validate(
        [
            {
                **GOOD,
                "idMission": f"M{i}",
                "jourHeureInter": datetime(2026, 12, 1, 8) + timedelta(minutes=i),
            }
            for i in range(size)
        ]
        + [{**GOOD, "idMission": "M7"}]
    )
    assert [r.valid for r in rows].count(False) == 2
    assert rows[7].errors[0].message.startswith(f'"M7" is also the mission ID of row {size + 2};')
    assert rows[100].params is not None
    assert rows[100].params["jourHeureInter"] == "01/12/2026 08:40"


class _Node:
    other: Any = None


def test_garbage_cycles_do_not_outlive_repeated_pauses() -> None:
    # The drop-folder service pauses the collector once per file; gc.freeze() resets the
    # collection counters, so what is frozen with the survivors is never collected again.
    refs = []
    for _ in range(30):  # one file: a results workbook (reference cycles) made, then dropped
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        refs.append(weakref.ref(a))
        gc.collect(0)  # a young collection while it is in use: it moves to the next generation
        del a, b
        with paused_gc():  # the next file's validation
            pass
    assert sum(ref() is not None for ref in refs) == 0


# -- the catalogue -----------------------------------------------------------------------------


def test_every_message_exists_in_english_and_french() -> None:
    assert EN.keys() == FR.keys()
    assert all(key.startswith("validation.") for key in EN)
    assert all(EN[key] != FR[key] for key in EN)
    assert {rule.code for rule in RULES} <= EN.keys()
    assert all(key in catalogue()["fr"] for key in FR)


# -- the rules as records ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [RowOptions(), RowOptions(require_destination=True, mission_types=("SAV",))],
    ids=["defaults", "strict"],
)
def test_the_schemas_are_built_from_the_rule_records(options: RowOptions) -> None:
    frame = pd.DataFrame()  # (the checks read the frame only when they run)
    for severity in ("error", "warning"):
        built = schema(severity, frame, options, NOW)
        named = {check.error for column in built.columns.values() for check in column.checks} | {
            REQUIRED[name] for name, column in built.columns.items() if not column.nullable
        }
        expected = {r.code for r in RULES if r.severity == severity and r.applies(options)}
        assert named == expected


def test_rows_reads_no_settings() -> None:
    code = (
        "import sys, importer.rows.validation, importer.rows.cells, importer.rows.dates; "
        "print(sorted(m for m in sys.modules if m.startswith('importer.settings')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_problem_is_data_rendered_in_the_language_of_whoever_reads_it() -> None:
    """Validated once; the sentence comes when it is shown (the page serves both languages)."""
    row = one({**GOOD, "latitude": 123.5, "longitude": 2.35})
    [issue] = row.errors
    assert (issue.code, issue.details["value"]) == ("validation.latitude_range", 123.5)
    assert issue.text("en").startswith('"123.5" is not a latitude')
    assert issue.text("fr").startswith("«\u202f123,5\u202f» n'est pas une latitude")
    missing = validate([{"nomVeh": "VL-1", "ville": "Lyon"}])[0].errors[0]
    assert "« Identifiant mission »" in missing.text("fr").replace("\u202f", " ")
    assert '"Mission ID"' in missing.text("en")
