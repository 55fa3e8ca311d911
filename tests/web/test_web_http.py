"""The import page over HTTP: sessions, CSRF, ownership, hostile cells, limits, runs.

The real app is served by uvicorn on a loopback port in front of a real sandbox; each test
talks to it with requests, as a browser without JavaScript would.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from web_support import Visitor, outcome_counts, planning_csv, running_site

from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD


@pytest.fixture
def site(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as started:
        yield started


@pytest.fixture
def visitor(site):
    person = Visitor(site)
    person.sign_in()
    return person


def _route_paths(site) -> list[tuple[str, str]]:
    from importer.web.routes_draft import ROUTES as DRAFT
    from importer.web.routes_run import ROUTES as RUN
    from importer.web.routes_session import ROUTES as SESSION

    pairs = []
    for route in [*SESSION, *DRAFT, *RUN]:
        path = route.path.replace("{draft}", "abc").replace("{run}", "abc")
        pairs += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return pairs


def test_every_route_without_a_session_is_refused(site):
    anonymous = Visitor(site)
    checked = 0
    for method, path in _route_paths(site):
        if path == "/signin":
            continue
        response = anonymous.request(method, site.url + path, allow_redirects=False, timeout=10)
        if method == "GET":
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/signin")
        else:
            assert response.status_code == 401, (method, path)
        assert "<table" not in response.text
        checked += 1
    assert checked >= 12
    assert anonymous.get(site.url + "/static/htmx.min.js", timeout=10).status_code == 200


@pytest.mark.parametrize("token", [None, "wrong"], ids=["missing", "wrong"])
def test_a_post_without_the_right_csrf_token_gets_403(visitor, site, tmp_path, token):
    data = {} if token is None else {"csrf": token}
    path = planning_csv(tmp_path / "p.csv", ["C-1"])
    with open(path, "rb") as handle:
        upload = visitor.post(site.url + "/upload", data=data, files={"file": handle}, timeout=10)
    assert upload.status_code == 403
    assert "expired" in upload.text
    signout = visitor.post(site.url + "/signout", data=data, timeout=10)
    assert signout.status_code == 403
    # still signed in: the refused sign-out did nothing
    assert visitor.get(site.url + "/", allow_redirects=False, timeout=10).status_code == 200
    assert len(site.state.drafts) == 0


def test_another_users_draft_run_and_download_are_404(visitor, site, tmp_path):
    draft = visitor.upload(planning_csv(tmp_path / "p.csv", ["O-1", "O-2"]))
    run = visitor.send_draft(draft)
    assert outcome_counts(visitor.wait_run(run)) == {"created": 2}
    assert visitor.go("GET", f"/runs/{run}/workbook").status_code == 200

    other = Visitor(site)
    other.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
    for path in (f"/runs/{run}", f"/runs/{run}/workbook", f"/drafts/{draft}/check"):
        response = other.go("GET", path)
        assert response.status_code == 404, path
        assert "O-1" not in response.text
    assert other.go("POST", f"/runs/{run}/retry", data={"csrf": other.csrf}).status_code == 404
    assert "O-1" not in other.go("GET", "/history").text
    assert "p.csv" in visitor.go("GET", "/history").text


def test_script_and_formula_cells_are_text_in_the_page_and_the_workbook(visitor, tmp_path):
    hostile = {"H-1": "<script>alert(1)</script>", "H-2": '=HYPERLINK("http://x.test","y")'}
    draft = visitor.upload(planning_csv(tmp_path / "h.csv", ["H-1", "H-2"], hostile))
    page = visitor.go("GET", f"/drafts/{draft}/check").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "=HYPERLINK(&#34;http://x.test&#34;,&#34;y&#34;)" in page
    run = visitor.send_draft(draft)
    visitor.wait_run(run)
    workbook = tmp_path / "results.xlsx"
    workbook.write_bytes(visitor.go("GET", f"/runs/{run}/workbook").content)
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in values if c.data_type == "f"]
    assert '=HYPERLINK("http://x.test","y")' in [c.value for c in values]


def test_a_100_mb_upload_is_refused_with_a_message(visitor, site):
    body = b"x" * (100 * 1024 * 1024)
    response = visitor.post(
        site.url + "/upload",
        data={"csrf": visitor.csrf},
        files={"file": ("big.csv", body)},
        timeout=60,
    )
    assert response.status_code == 413
    assert "larger than 50 MB" in response.text
    assert not list((site.data_dir / "uploads").rglob("big.csv"))


def test_sign_in_refuses_a_wrong_password_and_limits_attempts(site):
    person = Visitor(site)
    statuses = []
    for _ in range(6):
        person.go("GET", "/signin")
        form = {"csrf": person.csrf, "login": "demo", "password": "wrong"}
        statuses.append(person.go("POST", "/signin", data=form).status_code)
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    assert "mi_session" not in person.cookies


def test_session_cookie_flags_and_no_password_kept(site, visitor):
    person = Visitor(site)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": "demo", "password": "demo"}
    response = person.post(site.url + "/signin", data=form, allow_redirects=False, timeout=10)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    for session in site.state.sessions._sessions.values():
        assert not session.client.has_password()
    assert "content-security-policy" in response.headers


def test_the_page_speaks_the_browsers_language_and_switches(site):
    person = Visitor(site)
    french = person.go("GET", "/signin", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).text
    assert "Se connecter" in french and 'lang="fr"' in french
    english = person.go("GET", "/signin?lang=en", headers={"Accept-Language": "fr"}).text
    assert "Sign in" in english
    remembered = person.go("GET", "/signin", headers={"Accept-Language": "fr"}).text
    assert "Sign in" in remembered  # the switch is kept in a cookie


def test_editing_a_cell_validates_the_other_rows_again(visitor, tmp_path):
    draft = visitor.upload(planning_csv(tmp_path / "d.csv", ["D-1", "D-1"]))
    before = visitor.go("GET", f"/drafts/{draft}/check").text
    assert "2 rows: 0 ready to send, 2 with errors" in before
    form = {"row": "3", "column": "idMission", "value": "D-2"}
    after = visitor.go(
        "POST", f"/drafts/{draft}/cell", data=form, headers={"X-CSRF-Token": visitor.csrf}
    )
    assert "2 rows: 2 ready to send, 0 with errors" in after.text


def test_failed_rows_are_retried_from_the_results(site, tmp_path):
    site.state.settings.max_attempts = 1  # for the client made at sign-in: no retry
    visitor = Visitor(site)
    visitor.sign_in()
    draft = visitor.upload(planning_csv(tmp_path / "r.csv", ["R-1", "R-2", "R-3"]))
    site.sandbox.fail_next(2, "503")
    run = visitor.send_draft(draft)
    first = outcome_counts(visitor.wait_run(run))
    assert first == {"created": 1, "failed": 2}
    retry = visitor.go("POST", f"/runs/{run}/retry", data={"csrf": visitor.csrf})
    second = visitor.wait_run(retry.url.split("/")[4])
    assert outcome_counts(second).get("failed", 0) == 0
    created = [m for m in site.sandbox.missions() if m["idMission"].startswith("R-")]
    assert sorted(m["idMission"] for m in created) == ["R-1", "R-2", "R-3"]
    assert all(m["creates"] == 1 for m in created)


def test_two_sessions_sending_the_same_missions_create_each_once(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=20)
    with running_site(box, tmp_path) as site:
        people = [Visitor(site), Visitor(site)]
        drafts = []
        for person in people:
            person.sign_in()
            drafts.append(
                person.upload(planning_csv(tmp_path / "s.csv", [f"S-{n}" for n in range(30)]))
            )
        runs: dict[int, str] = {}
        threads = [
            threading.Thread(target=lambda n=n: runs.update({n: people[n].send_draft(drafts[n])}))
            for n in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for n, person in enumerate(people):
            assert outcome_counts(person.wait_run(runs[n])).get("failed", 0) == 0
        missions = [m for m in box.missions() if m["idMission"].startswith("S-")]
        assert len(missions) == 30
        assert all(m["creates"] == 1 for m in missions)
        assert box.counters()["duplicate_creates_refused"] == 0


def test_runs_of_other_missions_go_on_side_by_side(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=30)
    with running_site(box, tmp_path) as site:
        people = [Visitor(site) for _ in range(3)]
        runs = []
        for n, person in enumerate(people):
            person.sign_in()
            ids = [f"V{n}-{k}" for k in range(40)]
            runs.append(person.send_draft(person.upload(planning_csv(tmp_path / f"v{n}.csv", ids))))
        for person, run in zip(people, runs, strict=True):
            assert outcome_counts(person.wait_run(run)) == {"created": 40}
        assert len(box.missions()) == 120
        assert all(m["creates"] == 1 for m in box.missions())


def test_cancel_stops_handing_out_rows(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=100)
    with running_site(box, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        draft = person.upload(planning_csv(tmp_path / "c.csv", [f"K-{n}" for n in range(200)]))
        run = person.send_draft(draft)
        person.go("POST", f"/runs/{run}/cancel", data={"csrf": person.csrf})
        counts = outcome_counts(person.wait_run(run))
        assert counts.get("not_sent", 0) > 0
        assert counts.get("created", 0) == len([m for m in box.missions() if m["creates"]])
        assert "cancelled" in person.go("GET", "/history").text


def test_a_run_cut_by_a_restart_is_offered_again(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        run = person.send_draft(person.upload(planning_csv(tmp_path / "i.csv", ["I-1"])))
        person.wait_run(run)
        meta = site.data_dir / "runs" / run / "run.json"
    meta.write_text(meta.read_text().replace('"done"', '"running"'))
    with running_site(sandbox, tmp_path) as again:
        person = Visitor(again)
        person.sign_in()  # the token lived in memory only: sign in again
        home = person.go("GET", "/").text
        assert "interrupted by a server restart" in home
        assert re.search(rf'href="/runs/{run}"', home)
        assert "Send the rest again" in person.go("GET", f"/runs/{run}").text
        resumed = person.go("POST", f"/runs/{run}/resume", data={"csrf": person.csrf})
        counts = outcome_counts(person.wait_run(resumed.url.split("/")[4]))
        assert counts == {"created": 1}  # sent before the stop: reported as it was, not resent
        assert [m["creates"] for m in sandbox.missions()] == [1]
        assert "resumed" in person.go("GET", "/history").text


def test_serve_refuses_a_remote_host_and_names_the_missing_extra(monkeypatch):
    from importer.cli.app import cli

    remote = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert remote.exit_code == 2
    assert "--allow-remote" in remote.output
    monkeypatch.setitem(__import__("sys").modules, "importer.web.app", None)
    missing = CliRunner().invoke(cli, ["serve"])
    assert missing.exit_code == 2
    assert "pip install 'ocean-mission-importer[web]'" in missing.output


def test_old_runs_are_deleted_after_the_kept_days(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        run = person.send_draft(person.upload(planning_csv(tmp_path / "o.csv", ["P-1"])))
        person.wait_run(run)
        meta = site.data_dir / "runs" / run / "run.json"
    meta.write_text(
        re.sub(
            r'"started_at": "[^"]+"', '"started_at": "2020-01-01T00:00:00+00:00"', meta.read_text()
        )
    )
    with running_site(sandbox, tmp_path, keep_days=30):
        assert not (Path(meta).parent).exists()


def test_the_preview_of_a_modify_names_the_fields_that_change(visitor, tmp_path):
    first = planning_csv(tmp_path / "m.csv", ["M-1", "M-2"])
    visitor.wait_run(visitor.send_draft(visitor.upload(first)))
    again = planning_csv(tmp_path / "m2.csv", ["M-1", "M-2"], {"M-2": "gate code 4512"})
    page = visitor.go("GET", f"/drafts/{visitor.upload(again)}/preview").text
    assert re.findall(r'data-kind="(\w+)">(\d+)', page) == [
        ("modify", "1"),
        ("create", "0"),
        ("delete", "0"),
        ("unchanged", "1"),
        ("unknown", "0"),
    ]
    assert "<b>commentaire</b> <del>ok</del> → gate code 4512" in page
    assert page.count('class="change"') == 1


def test_an_account_with_several_customers_picks_one_and_can_switch(site, tmp_path):
    person = Visitor(site)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": MULTI_LOGIN, "password": MULTI_PASSWORD}
    assert person.go("POST", "/signin", data=form).url.endswith("/customer")
    assert person.go("GET", "/").url.endswith("/customer")  # nothing before a customer
    refused = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "999"})
    assert refused.status_code == 403 and "customer 999" in refused.text
    chosen = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "101"})
    assert chosen.url.rstrip("/") == site.url
    run = person.send_draft(person.upload(planning_csv(tmp_path / "k.csv", ["K-1"])))
    assert outcome_counts(person.wait_run(run)) == {"created": 1}
    assert [m["customerId"] for m in site.sandbox.missions()] == [101]
    person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "102"})
    assert "k.csv" not in person.go("GET", "/history").text  # customer 102's history
    assert person.go("GET", f"/runs/{run}").status_code == 404


def test_a_session_ends_after_the_idle_time(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, idle_minutes=0.01) as site:  # 0.6 s
        person = Visitor(site)
        person.sign_in()
        assert person.go("GET", "/history").url.endswith("/history")
        time.sleep(0.8)
        assert person.go("GET", "/history").url.endswith("/signin?next=%2Fhistory")
        assert len(site.state.sessions) == 0


def test_leaving_the_page_or_signing_out_does_not_stop_a_run(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=20)
    with running_site(box, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        run = person.send_draft(
            person.upload(planning_csv(tmp_path / "l.csv", [f"L-{n}" for n in range(59)]))
        )
        person.go("POST", "/signout", data={"csrf": person.csrf})
        again = Visitor(site)
        again.sign_in()
        assert outcome_counts(again.wait_run(run)) == {"created": 59}
        assert all(m["creates"] == 1 for m in box.missions())


def test_behind_a_tls_proxy_the_session_cookie_is_secure(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, proxies=("127.0.0.1",)) as site:  # --proxy 127.0.0.1
        person = Visitor(site)
        person.go("GET", "/signin")
        form = {"csrf": person.csrf, "login": "demo", "password": "demo"}
        https = {"X-Forwarded-Proto": "https"}
        response = person.post(
            site.url + "/signin", data=form, headers=https, allow_redirects=False, timeout=10
        )
        assert response.status_code == 303
        assert "secure" in response.headers["set-cookie"].lower()


def test_a_workbook_is_read_on_its_first_sheet_holding_a_table_or_the_one_chosen(visitor, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["just notes"])
    week = book.create_sheet("Semaine 10")
    week.append(["idMission", "jourHeureInter", "typeMission", "nomVeh", "ville", "codPost"])
    week.append(["W-1", "02/03/2027 08:30", "Dépannage", "VL-07", "Lyon", "69003"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    with open(path, "rb") as handle:
        columns = visitor.go("POST", "/upload", data={"csrf": visitor.csrf}, files={"file": handle})
    # the first sheet holds no planning: the next one is read, and the page says so
    assert columns.status_code == 200 and "/columns" in columns.url
    assert (
        'sheet "Notes" holds no planning table; sheet read: "Semaine 10"'
        in columns.text.replace("&#34;", '"')
    )
    assert '<option value="Notes">Notes (1 row)</option>' in columns.text
    assert '<option value="Semaine 10" selected>Semaine 10 (2 rows)</option>' in columns.text
    draft = columns.url.split("/")[4]
    wrong = visitor.go(
        "POST", f"/drafts/{draft}/sheet", data={"csrf": visitor.csrf, "sheet": "Nope"}
    )
    assert wrong.status_code == 422 and '"Notes", "Semaine 10"' in wrong.text.replace("&#34;", '"')
    check = visitor.go("GET", f"/drafts/{draft}/check").text
    assert "1 rows: 1 ready to send" in check


def test_a_column_choice_is_remembered_for_the_next_file_with_the_same_headers(visitor, tmp_path):
    path = planning_csv(tmp_path / "ref.csv", ["Z-1", "Z-2"])
    path.write_text(path.read_text(encoding="utf-8").replace("idMission", "Ref", 1), "utf-8")
    with open(path, "rb") as handle:
        page = visitor.go("POST", "/upload", data={"csrf": visitor.csrf}, files={"file": handle})
    assert "Columns matching no field (kept in the results): Ref" in page.text
    draft = page.url.split("/")[4]
    check = visitor.go(
        "POST", f"/drafts/{draft}/columns", data={"csrf": visitor.csrf, "col0": "idMission"}
    )
    assert "2 rows: 2 ready to send" in check.text
    second = visitor.upload(path)  # same headers: mapped as chosen, no question asked
    assert "2 rows: 2 ready to send" in visitor.go("GET", f"/drafts/{second}/check").text


def test_the_column_list_names_the_fields_in_the_planners_words(visitor, tmp_path):
    path = tmp_path / "words.csv"
    path.write_text(
        "Identifiant mission;Date d'intervention;Véhicule;Code postal;Ville\n"
        "W-1;02/03/2027 08:30;VL-07;69003;Lyon\n",
        encoding="utf-8",
    )
    with open(path, "rb") as handle:
        form = {"csrf": visitor.csrf}
        page = visitor.go("POST", "/upload?lang=fr", data=form, files={"file": handle})
    options = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', page.text))
    assert options["codPost"] == "Code postal" and options["nomVeh"] == "Véhicule"
    assert options["jourHeureInter"] == "Date d&#39;intervention"
    # the API name only as a hint beside the choice (the jargon scan skips .api-name)
    hints = re.findall(r'<small class="api-name">(\w+)</small>', page.text)
    assert hints == ["idMission", "jourHeureInter", "nomVeh", "codPost", "ville"]
    visible = re.sub(r'<small class="api-name">\w+</small>|<[^>]+>', " ", page.text)
    assert not re.search(r"\b(idMission|jourHeureInter|nomVeh|codPost)\b", visible)


def test_the_results_of_a_long_file_are_paged(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        run = person.send_draft(
            person.upload(planning_csv(tmp_path / "g.csv", [f"G-{n}" for n in range(120)]))
        )
        first = person.wait_run(run)
        assert "Page 1 of 3" in first and first.count('<tr class="outcome-created">') == 50
        last = person.go("GET", f"/runs/{run}?page=3").text
        assert "Page 3 of 3" in last and last.count('<tr class="outcome-created">') == 20
