"""The table of mission fields: every field has its labels, and a new field is one row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import OUTSIDE_SETTINGS
from helpers import PROJECT_ROOT

from importer.fields import (
    API_FIELDS,
    BY_NAME,
    FIELD_NAMES,
    FIELDS,
    STORED_FIELDS,
    TABLE_FILE,
    FieldTableError,
    by_name,
    load_fields,
)
from importer.messages import field_label
from importer.report.template import SPEC, template_headers
from importer.rows.cells import PARSERS
from importer.rows.columns import match_header
from importer.rows.validation import RULED_DATES, RULED_NUMBERS, TEXT_FIELDS
from importer.sandbox.api import MISSION_FIELDS


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_every_field_has_both_labels_and_its_help(field) -> None:
    for lang in ("en", "fr"):
        label = field.label(lang)
        assert (label and label == label.strip() and label != field.name) or field.name == "action"
        assert field_label(field.name, lang) == label
        assert match_header(label) == field.name  # a planner's header is recognised as is
        assert 0 < len(field.help(lang)) <= 255  # Excel's limit for an input message
        assert field.example(lang)
    assert field.parser == "datetime" or field.parser in PARSERS


def test_labels_and_names_are_unique_in_each_language() -> None:
    assert len(set(FIELD_NAMES)) == len(FIELDS)
    for lang in ("en", "fr"):
        labels = [field.label(lang) for field in FIELDS]
        assert len(set(labels)) == len(labels), lang


def test_the_label_follows_the_language_and_an_unknown_name_stays_itself() -> None:
    assert field_label("codPost", "fr") == "Code postal"
    assert field_label("nomVeh", "fr") == "Véhicule"
    assert field_label("codPost", "en") == "Postal code"
    assert field_label("notAField", "fr") == "notAField"
    assert by_name("jourHeureInter") is BY_NAME["jourHeureInter"]
    with pytest.raises(KeyError):
        by_name("notAField")


def test_what_derives_from_the_table() -> None:
    assert list(SPEC) == list(FIELD_NAMES)
    assert template_headers("fr") == [field.label_fr for field in FIELDS]
    assert MISSION_FIELDS == STORED_FIELDS
    assert "action" in FIELD_NAMES and "action" not in API_FIELDS + MISSION_FIELDS
    ruled = {field.name for field in FIELDS if field.ruled}
    assert {*TEXT_FIELDS, *RULED_DATES, *RULED_NUMBERS} == ruled
    assert set(RULED_NUMBERS) == {"latitude", "longitude"}


def test_the_rules_read_only_fields_marked_as_read_by_them() -> None:
    from importer.rows.rules import RULES

    ruled = {field.name for field in FIELDS if field.ruled}
    named = {name for rule in RULES for name in (rule.column, rule.host, *rule.reads) if name}
    assert named <= ruled


# One more row, as the recipe in docs/architecture.md says: the API grows `priorite`.
NEW_ROW = """
[[field]]
name = "priorite"
label_en = "Priority"
label_fr = "Priorité"
aliases = ["urgence"]
help_en = "How urgent the mission is, from 1 (low) to 5 (urgent). Optional."
help_fr = "Urgence de la mission, de 1 (faible) à 5 (urgent). Facultatif."
example_en = "3"
"""

# Runs in a fresh interpreter where importer.fields is a copy of the module beside a copy
# of its table, fields.toml, with NEW_ROW added at the end.
CHILD = r"""
import importlib.util, json, shutil, sys
from pathlib import Path

source, row, work = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
copy = work / "fields_copy"
copy.mkdir()
shutil.copy(source / "fields.py", copy / "fields.py")
table = (source / "fields.toml").read_text(encoding="utf-8")
(copy / "fields.toml").write_text(table + row, encoding="utf-8")
import importer
spec = importlib.util.spec_from_file_location("importer.fields", copy / "fields.py")
module = importlib.util.module_from_spec(spec)
sys.modules["importer.fields"] = module
spec.loader.exec_module(module)
assert module.TABLE_FILE == str(copy / "fields.toml"), module.TABLE_FILE

import openpyxl
from click.testing import CliRunner
from importer.cli.app import cli
from importer.messages import field_label
from importer.report.template import write_template
from importer.rows.columns import map_headers, match_header
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.sandbox.api import MISSION_FIELDS

seen = {"fields": len(module.FIELDS), "stored": "priorite" in MISSION_FIELDS}
seen["label"] = [field_label("priorite", "en"), field_label("priorite", "fr")]
seen["alias"] = match_header("URGENCE")
header_map = map_headers(["idMission", "Date d'intervention", "Véhicule", "Ville", "Priorité"])
seen["mapped"] = header_map.field_to_column.get("priorite")
for lang in ("fr", "en"):
    book = openpyxl.load_workbook(write_template(work / f"template-{lang}.xlsx", lang))
    seen[f"headers_{lang}"] = [cell.value for cell in book["Missions"][1]]
    seen[f"help_{lang}"] = [
        [cell.value for cell in row]
        for row in book["Instructions"].iter_rows()
        if row[1].value == "priorite"
    ]
planning = work / "planning.csv"
planning.write_text(
    "idMission;Date d'intervention;Véhicule;Ville;Priorité\n"
    "P-1;01/03/2027 08:30;VL-1;Lyon;3\n",
    encoding="utf-8",
)
with Sandbox() as sandbox:
    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": DEMO_PASSWORD}
    result = CliRunner().invoke(
        cli, ["import", str(planning), "--journal", str(work / "journal.sqlite3")], env=env
    )
    seen["exit"] = result.exit_code
    seen["output"] = result.output
    seen["sent"] = [mission["params"] for mission in sandbox.missions()]
print(json.dumps(seen))
"""


def test_a_new_field_is_one_row_of_the_table(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_SETTINGS}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_STATE_HOME=str(tmp_path / "state"))
    source = PROJECT_ROOT / "importer"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(source), NEW_ROW, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout.splitlines()[-1])
    assert seen["fields"] == len(FIELDS) + 1
    assert seen["label"] == ["Priority", "Priorité"]
    # the header matcher: its labels and aliases, as a planner types them
    assert seen["alias"] == "priorite" and seen["mapped"] == "Priorité"
    # the template: a column with its help, in both languages
    assert seen["headers_fr"][-1] == "Priorité" and seen["headers_en"][-1] == "Priority"
    assert seen["help_fr"] == [
        ["Priorité", "priorite", "non", "texte", "3", NEW_ROW.split('help_fr = "')[1].split('"')[0]]
    ]
    assert seen["help_en"][0][:2] == ["Priority", "priorite"]
    # the sandbox stores it: the import sent it and the service kept it
    assert seen["stored"] is True
    assert seen["exit"] == 0, seen["output"]
    assert [params.get("priorite") for params in seen["sent"]] == ["3"]


def test_the_table_is_read_from_its_file_and_ships_with_the_package() -> None:
    assert load_fields(TABLE_FILE) == FIELDS
    assert Path(TABLE_FILE) == PROJECT_ROOT / "importer" / "fields.toml"
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "fields.toml" in pyproject["tool"]["setuptools"]["package-data"]["importer"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            ('example_en = "3"', 'example_en = "3"\nkind = "texte"'),
            "field 'priorite': kind 'texte' is not one of: text, short_text, date, integer, "
            "decimal, postcode, bool, action",
        ),
        (
            ('example_en = "3"', 'example_en = "3"\nparser = "number"'),
            "field 'priorite': parser 'number' is not one of: text, datetime, customer_id, "
            "boolean, coordinate, postcode, action",
        ),
        (
            ('example_en = "3"', 'example_en = "3"\ncolour = "red"'),
            "field 'priorite': unknown key 'colour' (known keys: name, label_en, label_fr, ",
        ),
        (('label_fr = "Priorité"\n', ""), "field 'priorite': label_fr is required"),
        (('aliases = ["urgence"]', 'aliases = "urgence"'), "field 'priorite': aliases must be"),
        (('example_en = "3"', "example_en = 3"), "field 'priorite': example_en must be a str"),
        (('example_en = "3"', 'example_en = "3"\nruled = "yes"'), "ruled must be a bool"),
        (('name = "priorite"', 'name = "codPost"'), "field 'codPost': the name is given twice"),
        (('name = "priorite"\n', ""), "field 19: name is required"),
        (('label_en = "Priority"', 'label_en = "Priority'), "fields.toml: Illegal character"),
    ],
    ids=[
        "bad-kind",
        "bad-parser",
        "unknown-key",
        "no-label",
        "aliases-not-a-list",
        "example-not-text",
        "ruled-not-bool",
        "name-twice",
        "no-name",
        "not-toml",
    ],
)
def test_a_wrong_row_is_refused_naming_the_field(
    tmp_path: Path, change: tuple[str, str], error: str
) -> None:
    row = NEW_ROW.replace(*change)
    assert row != NEW_ROW
    table = tmp_path / "fields.toml"
    table.write_text(Path(TABLE_FILE).read_text(encoding="utf-8") + row, encoding="utf-8")
    with pytest.raises(FieldTableError) as caught:
        load_fields(table)
    assert str(caught.value).startswith(f"{table}, ") or str(caught.value).startswith(f"{table}: ")
    assert error in str(caught.value)
