"""Write the bundled sample files and the committed planning template, always the same bytes.

    python scripts/make_sample_data.py [REPO_ROOT]

Writes sample_data/weekly_planning.xlsx (a clean week of missions),
sample_data/weekly_planning_mistakes.xlsx (the same with the usual mistakes),
sample_data/erp_export.csv (an ERP export: cp1252, ";" separated, API field names) and
templates/missions_template.xlsx (the French template).
"""

from __future__ import annotations

import csv
import io
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from importer.report.template import template_headers, write_template  # noqa: E402
from importer.rows.columns import FIELDS  # noqa: E402

SEED = 20270301
CREATED = datetime(2027, 1, 4, 9, 0)  # fixed document date: the files never change
MONDAY = datetime(2027, 3, 1)  # the planned week (local Paris time)
MISSION_TYPES = ("Livraison", "Maintenance", "Installation", "Dépannage")
# city, postal code (as a number, like Excel keeps it), latitude, longitude
CITIES = (
    ("Bourg-en-Bresse", 1000, 46.2052, 5.2255),
    ("Laon", 2000, 49.5641, 3.6199),
    ("Moulins", 3000, 46.5646, 3.3326),
    ("Gap", 5000, 44.5594, 6.0786),
    ("Nice", 6000, 43.7102, 7.2620),
    ("Charleville-Mézières", 8000, 49.7621, 4.7266),
    ("Foix", 9000, 42.9653, 1.6070),
    ("Lyon", 69003, 45.7640, 4.8357),
    ("Paris", 75011, 48.8589, 2.3802),
    ("Marseille", 13001, 43.2965, 5.3698),
    ("Toulouse", 31000, 43.6047, 1.4442),
    ("Nantes", 44000, 47.2184, -1.5536),
    ("Bordeaux", 33000, 44.8378, -0.5792),
    ("Lille", 59000, 50.6292, 3.0573),
    ("Strasbourg", 67000, 48.5734, 7.7521),
    ("Rennes", 35000, 48.1173, -1.6778),
    ("Orléans", 45000, 47.9030, 1.9093),
    ("Besançon", 25000, 47.2378, 6.0241),
    ("Saint-Étienne", 42000, 45.4397, 4.3872),
    ("Évreux", 27000, 49.0241, 1.1508),
    ("Châteauroux", 36000, 46.8103, 1.6913),
    ("Dijon", 21000, 47.3220, 5.0415),
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "place de la Mairie",
    "rue Pasteur",
    "impasse des Lilas",
    "chemin des Vignes",
    "rue du Général de Gaulle",
    "allée des Tilleuls",
    "route de Lyon",
)
VEHICLES = ("Fourgon 12", "Fourgon 14", "Camion 3", "VL-07", "VL-09", "Utilitaire 21")
PEOPLE = (
    ("Martin", "Julie"),
    ("Bernard", "Thomas"),
    ("Dubois", "Camille"),
    ("Durand", "Lucas"),
    ("Lefèvre", "Chloé"),
    ("Moreau", "Hugo"),
)
FULL_NAMES = ("Léa Petit", "Nathan Roux", "Inès Fontaine")
COMMENTS = (
    "Sonner à l'interphone",
    "Appeler 30 min avant",
    "- accès par la cour",
    "Client absent le matin",
    "Prévoir l'escabeau",
    None,
    None,
    None,
)
SITES = ("Agence Lyon 3", "Dépôt Nord", "Magasin Centre", "Siège", "Entrepôt B", None)

LABELS = template_headers("fr")
API_NAMES = [f.name for f in FIELDS]


def planned_rows(rnd: random.Random, count: int, prefix: str) -> list[dict[str, object]]:
    """Clean missions of the week, keyed by API field name (values as Excel keeps them)."""
    rows = []
    for number in range(1, count + 1):
        day = MONDAY + timedelta(days=rnd.randrange(5))
        when = day.replace(hour=rnd.randrange(7, 18), minute=rnd.choice((0, 15, 30, 45)))
        city, postcode, lat, lon = rnd.choice(CITIES)
        row: dict[str, object] = {
            "idMission": f"{prefix}-{number:04d}",
            "jourHeureInter": when,
            "typeMission": rnd.choice(MISSION_TYPES),
            "commentaire": rnd.choice(COMMENTS),
            "adrRefCli": rnd.choice(SITES),
            "aEnvoyer": rnd.choice(("VRAI", "VRAI", "VRAI", "FAUX")),
        }
        if number % 3 == 0:
            row["jourHeurePeremp"] = when + timedelta(days=1, hours=2)
        recipient = number % 4
        if recipient in (0, 1):
            row["nomVeh"] = rnd.choice(VEHICLES)
        elif recipient == 2:
            row["nomIndi"], row["prenomIndi"] = rnd.choice(PEOPLE)
        else:
            row["nomPrenom"] = rnd.choice(FULL_NAMES)
        if number % 2:  # coordinates, a little around the city centre
            row["latitude"] = round(lat + rnd.uniform(-0.02, 0.02), 5)
            row["longitude"] = round(lon + rnd.uniform(-0.02, 0.02), 5)
        else:  # an address: street, postal code and city
            row["rue"] = f"{rnd.randrange(1, 120)} {rnd.choice(STREETS)}"
            row["codPost"] = postcode
            row["ville"] = city
        rows.append(row)
    return rows


def mistaken_rows(rnd: random.Random) -> list[dict[str, object]]:
    """The same shape with one typical mistake per row (two rows stay correct)."""
    rows = planned_rows(rnd, 16, "ERR")
    for row in rows:  # give every row an address, so each shows only its own mistake
        city, postcode, *_ = CITIES[7]
        row.update(rue="3 rue Pasteur", codPost=postcode, ville=city)
        for name in ("latitude", "longitude", "jourHeurePeremp"):
            row.pop(name, None)
    mistakes: list[dict[str, object]] = [
        {},  # correct
        {"jourHeureInter": "32/13/2027 08:00"},  # a date that does not exist
        {"jourHeureInter": "04/03/2027"},  # a date without its time
        {"idMission": None},  # no mission ID
        {"idMission": "ERR-0006"},  # the same ID as the next row
        {},  # ERR-0006 itself
        {"nomVeh": None, "nomIndi": None, "prenomIndi": None, "nomPrenom": None},  # no recipient
        {"rue": None, "codPost": None, "ville": None},  # no destination
        {"latitude": 123.0, "longitude": 4.8357},  # latitude out of range
        {"latitude": 4.8357, "longitude": 45.7640},  # swapped coordinates (warning)
        {"adrRefCli": "Centre commercial des Quatre Temps, entrée B"},  # over 20 (warning)
        {"aEnvoyer": "peut-être"},  # not a yes/no
        {"jourHeureInter": datetime(2027, 3, 28, 2, 30)},  # in the spring-forward gap
        {
            "jourHeureInter": datetime(2027, 3, 3, 14, 0),
            "jourHeurePeremp": datetime(2027, 3, 2, 18, 0),
        },  # expires before it starts
        {"codPost": "1000", "ville": "Bourg-en-Bresse"},  # correct (text postal code)
        {},  # correct
    ]
    for row, change in zip(rows, mistakes, strict=True):
        row.update(change)
    return rows


def write_planning(path: Path, rows: list[dict[str, object]]) -> None:
    """A filled template: French labels, real date cells, postal codes as Excel numbers."""
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as workbook:
        workbook.set_properties(
            {"title": "Planning semaine 9", "author": "mission-importer", "created": CREATED}
        )
        ws = workbook.add_worksheet("Missions")
        header = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
        when = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
        for col, text in enumerate(LABELS):
            ws.write_string(0, col, text, header)
            ws.set_column(col, col, max(len(text) + 4, 14))
        for number, row in enumerate(rows, start=1):
            for col, name in enumerate(API_NAMES):
                value = row.get(name)
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(number, col, value, when)
                elif isinstance(value, int | float):
                    ws.write_number(number, col, value)
                else:
                    ws.write_string(number, col, str(value))
        ws.freeze_panes(1, 0)


def write_erp_export(path: Path, rnd: random.Random, count: int = 30) -> None:
    """An ERP export: cp1252, ";" separated, CRLF lines, API names, dates as text."""
    names = [n for n in API_NAMES if n not in ("customerId", "action")]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(names)
    for row in planned_rows(rnd, count, "ERP"):
        row["idMission"] = f"ERP-{458800 + int(str(row['idMission'])[-4:])}"
        row["aEnvoyer"] = "1" if row["aEnvoyer"] == "VRAI" else "0"
        if row.get("codPost") is not None:
            row["codPost"] = f"{row['codPost']:05d}"
        if row.get("commentaire") == "Appeler 30 min avant":
            row["commentaire"] = "Appeler 30 min avant; code portail 1234"
        cells = []
        for name in names:
            value = row.get(name)
            if isinstance(value, datetime):
                value = value.strftime("%d/%m/%Y %H:%M")
            elif isinstance(value, float):
                value = f"{value}".replace(".", ",")  # decimal comma, as French ERPs write
            cells.append("" if value is None else str(value))
        writer.writerow(cells)
    path.write_bytes(out.getvalue().encode("cp1252"))


def main(root: Path) -> None:
    samples = root / "sample_data"
    samples.mkdir(exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    write_planning(samples / "weekly_planning.xlsx", planned_rows(random.Random(SEED), 50, "PLN"))
    write_planning(samples / "weekly_planning_mistakes.xlsx", mistaken_rows(random.Random(SEED)))
    write_erp_export(samples / "erp_export.csv", random.Random(SEED + 1))
    write_template(root / "templates" / "missions_template.xlsx", "fr", created=CREATED)
    for path in sorted([*samples.iterdir(), root / "templates" / "missions_template.xlsx"]):
        print(f"{path.relative_to(root)}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
