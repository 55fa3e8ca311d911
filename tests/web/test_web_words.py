"""The page in the planner's words, over HTTP: no command-line options, HTTP codes or API
field names on any page of a journey; the preview with changes first; true run states;
and the smaller promises (local times, download names, no-store, back to the asked page).
"""

from __future__ import annotations

import json
import re
import string
import time
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from web_support import (
    Visitor,
    launch_chromium,
    outcome_counts,
    planning_csv,
    playwright_or_skip,
    running_site,
)

from importer.fields import FIELDS
from importer.messages import catalogue, language_context, t
from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD

# The planner's own headers (no API name): mission, date, type, vehicle, address, town...
PLANNER_HEADER = "N° mission;Date intervention;Type;Véhicule;Adresse;CP;Ville;Commentaire"
# API names that are not also words of the page (« Ville », « Commentaire », « Latitude »).
API_NAMES = [
    f.name
    for f in FIELDS
    if f.name != "action"
    and f.name.casefold() not in (f.label_en.casefold(), f.label_fr.casefold())
]
SKIPPED = {"script", "style"}


class _Text(HTMLParser):
    """The text a person reads: tags stripped, hints of API names (class api-name) and
    Ocean's own quoted words (class ocean-says) left out, and the buttons' values kept."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._skip or tag in SKIPPED or {"api-name", "ocean-says"} & set(classes):
            if tag not in {"input", "br", "img", "meta", "link"}:
                self._skip.append(tag)
            return
        for name, value in attrs:
            if name in {"title", "placeholder", "aria-label", "alt"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def jargon(html: str) -> list[str]:
    """Command-line options, HTTP codes and API field names found in a page's text."""
    text = page_text(html)
    found = [m.group(0) for m in re.finditer(r"(?<![\w-])--\w[\w-]*|HTTP \d*", text)]
    found += [name for name in API_NAMES if re.search(rf"\b{name}\b", text)]
    return found


def planner_csv(path: Path, ids: list[str], comments: dict[str, str] | None = None) -> Path:
    """The planning CSV under a planner's own headers."""
    return planning_csv(path, ids, comments, header=PLANNER_HEADER)


@pytest.fixture
def site(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as started:
        yield started


def _signed_in(site, lang: str) -> Visitor:
    person = Visitor(site)
    person.go("GET", f"/signin?lang={lang}")
    person.sign_in()
    return person


def _events(person: Visitor, run: str) -> str:
    """The run's progress stream, read until its end (the run finished)."""
    response = person.get(f"{person.site.url}/runs/{run}/events", timeout=60, stream=True)
    return response.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_full_journey_shows_no_options_http_codes_or_api_names(site, tmp_path, lang):
    pages: dict[str, str] = {}
    anonymous = Visitor(site)
    pages["signin"] = anonymous.go("GET", f"/signin?lang={lang}").text
    person = _signed_in(site, lang)
    pages["drop"] = person.go("GET", "/").text
    first = planner_csv(tmp_path / "semaine.csv", ["J-1", "J-2", "J-3"])
    with open(first, "a", encoding="utf-8") as handle:  # no vehicle nor name: not sendable
        handle.write("J-4;04/03/2027 08:30;Dépannage;;3 rue Pasteur;69003;Lyon;ok\n")
    with open(first, "rb") as handle:
        upload = person.go("POST", "/upload", data={"csrf": person.csrf}, files={"file": handle})
    pages["columns"] = upload.text
    draft = upload.url.split("/")[4]
    pages["check"] = person.go("POST", f"/drafts/{draft}/columns", data={"csrf": person.csrf}).text
    pages["preview"] = person.go("GET", f"/drafts/{draft}/preview").text
    run = person.send_draft(draft)
    pages["progress"] = _events(person, run)
    pages["results"] = person.wait_run(run)
    # the same file again, one comment changed: a modify, unchanged rows, their results
    again = planner_csv(tmp_path / "semaine.csv", ["J-1", "J-2", "J-3"], {"J-2": "code 4512"})
    second = person.upload(again)
    pages["preview again"] = person.go("GET", f"/drafts/{second}/preview").text
    pages["preview filtered"] = person.go("GET", f"/drafts/{second}/preview?kind=modify").text
    rerun = person.send_draft(second)
    pages["results again"] = person.wait_run(rerun)
    pages["history"] = person.go("GET", "/history").text
    pages["not found"] = person.go("GET", "/runs/nope").text

    assert "Commentaire" in pages["preview again"]  # the change named by the file's header
    assert re.search(r'<tr class="outcome-invalid">.*?<td>J-4</td>', pages["results"], re.S)
    assert ("aucun destinataire" if lang == "fr" else "no recipient") in pages["check"]
    assert f'lang="{lang}"' in pages["results again"]
    found = {name: jargon(html) for name, html in pages.items()}
    assert {name: words for name, words in found.items() if words} == {}


def test_the_scan_finds_jargon_outside_hints():
    page = '<p>Use --force (HTTP 403) for <b>nomVeh</b> <small class="api-name">codPost</small></p>'
    assert jargon(page) == ["--force", "HTTP 403", "nomVeh"]


def test_rows_ocean_refuses_are_held_back_in_plain_words(site, tmp_path):
    person = Visitor(site)
    person.go("GET", "/signin?lang=fr")
    person.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
    path = tmp_path / "clients.csv"
    path.write_text(
        "N° mission;ID client;Date intervention;Type;Véhicule;CP;Ville\n"
        "H-1;101;02/03/2027 08:30;Dépannage;VL-07;69003;Lyon\n"
        "H-2;999;02/03/2027 08:30;Dépannage;VL-07;69003;Lyon\n",
        encoding="utf-8",
    )
    draft = person.upload(path)
    preview = person.go("GET", f"/drafts/{draft}/preview").text
    assert jargon(preview) == []
    assert re.findall(r'data-kind="(\w+)">(\d+)', preview)[0] == ("modify", "0")
    assert 'data-kind="unknown">1' in preview and 'data-kind="create">1' in preview
    assert "1 ligne est retenue" in preview
    assert "choisissez le client en haut de la page" in preview
    assert "Envoyer 1 changement à Ocean" in preview and 'id="anyway"' in preview
    run = person.send_draft(draft)  # held back by default: H-2 is not sent
    assert outcome_counts(person.wait_run(run)).get("failed", 0) == 0
    assert [m["idMission"] for m in site.sandbox.missions()] == ["H-1"]
    anyway = person.go("POST", f"/drafts/{draft}/send", data={"csrf": person.csrf, "anyway": "1"})
    results = person.wait_run(anyway.url.split("/")[4])
    assert outcome_counts(results)["failed"] == 1
    assert jargon(results) == []


def test_a_change_at_row_1501_of_2000_rows_is_listed_first(site, tmp_path):
    person = _signed_in(site, "en")
    ids = [f"L-{n}" for n in range(2000)]
    first = person.send_draft(person.upload(planner_csv(tmp_path / "big.csv", ids)))
    assert outcome_counts(person.wait_run(first, timeout=120)) == {"created": 2000}
    changed = ids[1499]  # the 1,500th mission: on row 1501 under the header
    draft = person.upload(planner_csv(tmp_path / "big.csv", ids, {changed: "gate code"}))
    preview = person.go("GET", f"/drafts/{draft}/preview").text
    assert 'data-kind="modify">1' in preview and 'data-kind="unchanged">1999' in preview
    first_row = re.search(r'<tr class="kind-(\w+)" data-row="(\d+)"', preview)
    assert first_row is not None and first_row.groups() == ("modify", "1501")
    assert f"<td>{changed}</td>" in preview
    assert "Send 1 change to Ocean" in preview
    unchanged = person.go("GET", f"/drafts/{draft}/preview?kind=unchanged&page=40").text
    assert "Page 40 of 40" in unchanged and unchanged.count('<tr class="kind-unchanged"') == 49
    assert 'class="kind-modify"' not in unchanged.split("<tbody>")[1]


def test_nothing_to_send_says_so_and_offers_no_button(site, tmp_path):
    person = _signed_in(site, "fr")
    path = planner_csv(tmp_path / "same.csv", ["N-1", "N-2"])
    person.wait_run(person.send_draft(person.upload(path)))
    preview = person.go("GET", f"/drafts/{person.upload(path)}/preview").text
    assert "Rien à envoyer\u202f: Ocean a déjà les 2 lignes" in preview
    assert 'id="send"' not in preview and "Envoyer 2" not in preview


def test_cancel_shows_what_was_done_and_no_cancel_button(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=100)
    with running_site(box, tmp_path) as site:
        person = _signed_in(site, "fr")
        draft = person.upload(planner_csv(tmp_path / "c.csv", [f"K-{n}" for n in range(200)]))
        run = person.send_draft(draft)
        assert 'id="cancel"' in person.go("GET", f"/runs/{run}").text
        person.go("POST", f"/runs/{run}/cancel", data={"csrf": person.csrf})
        stream = _events(person, run)
        results = person.wait_run(run)
        counts = outcome_counts(results)
        created, not_sent = counts.get("created", 0), counts["not_sent"]
        done = f"{created} {'créée' if created < 2 else 'créées'}, " if created else ""
        expected = f"Annulé\u202f: {done}{not_sent} non envoyées."
        assert expected in results
        final = stream.split("event: progress")[-1]
        assert expected in final and "encore" not in final and 'id="cancel"' not in final
        assert 'id="cancel"' not in results and "Terminé" not in stream.split("event: done")[1]


def test_outcome_words_are_singular_for_one_row(site, tmp_path):
    person = _signed_in(site, "fr")
    run = person.send_draft(person.upload(planner_csv(tmp_path / "one.csv", ["U-1"])))
    results = person.wait_run(run)
    assert "Terminé\u202f: 1 créée." in results
    assert re.search(r'data-outcome="created">1</span> créée<', results)
    two = person.send_draft(person.upload(planner_csv(tmp_path / "two.csv", ["U-2", "U-3"])))
    assert "Terminé\u202f: 2 créées." in person.wait_run(two)


def test_an_interrupted_run_shows_its_counts_and_the_rest(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = _signed_in(site, "en")
        ids = ["I-1", "I-2", "I-3"]
        run = person.send_draft(person.upload(planner_csv(tmp_path / "i.csv", ids)))
        person.wait_run(run)
        meta_file = site.data_dir / "runs" / run / "run.json"
    meta = json.loads(meta_file.read_text())
    meta.update(status="running", counts={"created": 2})  # as a stop after 2 rows leaves it
    meta_file.write_text(json.dumps(meta))
    with running_site(sandbox, tmp_path) as again:
        person = _signed_in(again, "en")
        home = person.go("GET", "/").text
        assert "i.csv (1 row not sent)" in home
        page = person.go("GET", f"/runs/{run}").text
        assert "Interrupted by a server stop: 2 created." in page
        assert "1 row was not sent." in page and 'id="resume"' in page


def test_a_running_run_keeps_its_counts_on_disk(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=30)
    with running_site(box, tmp_path) as site:
        person = _signed_in(site, "en")
        draft = person.upload(planner_csv(tmp_path / "k.csv", [f"P-{n}" for n in range(300)]))
        run = person.send_draft(draft)
        meta_file = site.data_dir / "runs" / run / "run.json"
        seen: dict = {}
        deadline = time.monotonic() + 60
        while not seen and time.monotonic() < deadline:
            try:
                meta = json.loads(meta_file.read_text())
            except ValueError:  # read while being written
                continue
            if meta["status"] != "running":
                break
            if meta["counts"].get("created"):
                seen = meta
            time.sleep(0.05)
        person.wait_run(run)
    assert seen and 0 < seen["counts"]["created"] < 300


def test_results_name_invalid_rows_and_keep_oceans_message_apart(site, tmp_path):
    site.state.settings.max_attempts = 1
    person = _signed_in(site, "en")
    path = planner_csv(tmp_path / "r.csv", ["R-1", "R-2", "R-3"])
    path.write_text(path.read_text().replace("R-3;03/03/2027 08:30;", "R-3;;"), encoding="utf-8")
    draft = person.upload(path)
    site.sandbox.fail_next(1, "503")
    results = person.wait_run(person.send_draft(draft))
    invalid = re.search(r'<tr class="outcome-invalid">(.*?)</tr>', results, re.S)
    assert invalid is not None and "<td>R-3</td>" in invalid.group(1)
    failed = re.search(r'<tr class="outcome-failed">(.*?)</tr>', results, re.S)
    assert failed is not None
    for row in re.findall(r'<tr class="outcome-(?:created|invalid)">.*?</tr>', results, re.S):
        assert re.search(r'class="ocean-message">(?:<q class="ocean-says">[^<]*</q>)?</td>', row)
    retry = results.split('id="retry-grid"')[1].split("</table>")[0]
    issues = re.findall(r'<td class="row-issues">(.*?)</td>', retry, re.S)
    assert issues
    for text in issues:  # the message once: no sentence repeated inside another
        said = [s.strip() for s in re.sub(r"<[^>]+>", "\n", text).split("\n") if s.strip()]
        assert not [a for a in said for b in said if a is not b and a in b], said


def test_history_times_are_local_and_downloads_are_named_by_time(site, tmp_path):
    site.state.settings.journal = tmp_path / "server-folder" / "journal.sqlite3"
    person = _signed_in(site, "en")
    run = person.send_draft(person.upload(planner_csv(tmp_path / "planning.csv", ["T-1"])))
    person.wait_run(run)
    started = site.state.runs._runs[run]
    local = started.started_at.astimezone(ZoneInfo("Europe/Paris"))
    history = person.go("GET", "/history").text
    assert local.strftime("%d/%m/%Y %H:%M") in history and "UTC" not in history
    name = f"planning-{local:%Y-%m-%d-%H%M}.results.xlsx"
    assert name in history
    download = person.go("GET", f"/runs/{run}/workbook")
    assert name in download.headers["content-disposition"]
    book = tmp_path / "results.xlsx"
    book.write_bytes(download.content)
    summary = openpyxl.load_workbook(book).worksheets[-1]
    cells = {str(c.value) for row in summary.iter_rows() for c in row if c.value is not None}
    assert not [c for c in cells if str(tmp_path) in c or "/uploads/" in c or "server-" in c]
    assert "planning.csv" in cells
    rows = {r[0].value: r[1].value for r in summary.iter_rows() if len(r) > 1}
    assert rows.get("login") == "demo"
    assert isinstance(started.started_at, datetime)


def test_signed_in_pages_are_not_stored_and_back_after_sign_out_asks_to_sign_in(site):
    person = _signed_in(site, "en")
    for path in ("/", "/history"):
        assert person.go("GET", path).headers["cache-control"] == "no-store"
    person.go("POST", "/signout", data={"csrf": person.csrf})
    back = person.get(site.url + "/", allow_redirects=False, timeout=10)
    assert back.status_code == 303 and back.headers["location"].startswith("/signin")


@pytest.mark.parametrize(
    ("asked", "landing"),
    [("/history", "/history"), ("//evil.test/x", "/"), ("https://evil.test/", "/")],
    ids=["local", "scheme-relative", "absolute"],
)
def test_sign_in_from_a_deep_link_lands_on_the_asked_page(site, asked, landing):
    person = Visitor(site)
    if asked == "/history":
        first = person.get(site.url + asked, allow_redirects=False, timeout=10)
        assert first.headers["location"] == "/signin?next=%2Fhistory"
    form_page = person.go("GET", "/signin", params={"next": asked}).text
    form = {"csrf": person.csrf, "login": "demo", "password": "demo", "next": asked}
    assert 'name="next"' in form_page
    response = person.post(site.url + "/signin", data=form, allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["location"] == landing


def test_only_accounts_with_several_customers_see_the_customer_box(site):
    single = _signed_in(site, "fr")
    page = single.go("GET", "/").text
    assert 'id="customer-switch"' not in page and "plusieurs clients" not in page
    multi = Visitor(site)
    multi.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
    assert 'id="customer-switch"' in multi.go("GET", "/").text


def test_the_embedded_sandboxs_history_survives_its_new_port(sandbox_factory, tmp_path):
    journal = tmp_path / "journal.sqlite3"
    with running_site(sandbox_factory(), tmp_path, journal_path=journal, api_name="sandbox") as s:
        person = _signed_in(s, "en")
        person.wait_run(person.send_draft(person.upload(planner_csv(tmp_path / "s.csv", ["S-1"]))))
    with running_site(sandbox_factory(), tmp_path, journal_path=journal, api_name="sandbox") as s:
        assert "s.csv" in _signed_in(s, "en").go("GET", "/history").text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_page_variant_replaces_a_sentence_and_needs_no_more_values():
    texts = catalogue()
    variants = [k for k in texts["en"] if k.startswith("page.")]
    assert len(variants) >= 20
    for key in variants:
        shared = key.removeprefix("page.")
        assert shared in texts["en"], key  # a variant of a sentence that exists
        for lang in ("en", "fr"):
            assert _fields(texts[lang][key]) <= _fields(texts[lang][shared]), (key, lang)
            assert jargon(texts[lang][key]) == [], (key, lang)


def test_the_page_says_a_shared_sentence_with_its_page_variant():
    with language_context("fr", page=True):
        page = t("engine.unchanged")
        with language_context("fr"):  # a nested context (the workbook's) keeps the choice
            assert t("engine.unchanged") == page
    with language_context("fr"):
        command_line = t("engine.unchanged")
    assert "--force" in command_line and "--" not in page


@pytest.mark.slow
def test_cancel_in_a_browser_ends_on_what_was_done(sandbox_factory, tmp_path):
    """Chromium in French: the Cancel button goes with the end of the run, the last
    progress says what was done, and no time left stays on the page."""
    manager = playwright_or_skip()
    box = sandbox_factory(latency_ms=100)
    planning = planner_csv(tmp_path / "annule.csv", [f"A-{n}" for n in range(200)])
    with running_site(box, tmp_path) as site, manager as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(locale="fr-FR")
        page.goto(site.url + "/signin?lang=fr")
        page.get_by_label("Identifiant Ocean").fill("demo")
        page.get_by_label("Mot de passe").fill("demo")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(site.url + "/")
        page.set_input_files("#file", str(planning))
        page.click("#drop-form button[type=submit]")
        page.wait_for_url("**/columns")
        page.get_by_role("button", name="Enregistrer et contrôler").click()
        page.wait_for_url("**/check")
        page.click("#to-preview")
        page.get_by_role("button", name="Envoyer 200 changements à Ocean").click()
        page.wait_for_url("**/runs/*")
        page.wait_for_selector("progress")
        page.click("#cancel")
        # the stream's end on the run page, or (already over) the results page
        ended = page.wait_for_selector("#finished, #run-state", timeout=60_000)
        finished = ended.inner_text()
        assert finished.startswith("Annulé\u202f:") and "non envoyées" in finished
        assert page.locator("#cancel").count() == 0
        assert "encore" not in page.inner_text("main")
        browser.close()


def test_a_modification_shows_the_value_before_and_after_in_local_time(site, tmp_path):
    person = _signed_in(site, "fr")
    path = planner_csv(tmp_path / "avant.csv", ["D-1", "D-2"])
    person.wait_run(person.send_draft(person.upload(path)))
    text = path.read_text(encoding="utf-8").replace("01/03/2027 08:30", "01/03/2027 09:45")
    path.write_text(text, encoding="utf-8")
    preview = person.go("GET", f"/drafts/{person.upload(path)}/preview").text
    assert "<b>Date intervention</b> <del>01/03/2027 08:30</del> → 01/03/2027 09:45" in preview
    assert preview.count('class="change"') == 1
