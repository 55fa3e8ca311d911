"""The import page's limits, against the real app on loopback in front of a real sandbox:
sign-in attempts counted while in flight, the client address and --proxy, where a
state-changing request comes from, the sign-in form's token, body sizes (a real `serve`
process whose reads are measured), the server-wide draft budget and the per-file limits.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from web_support import HEADER, Visitor, planning_csv, running_site

from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD
from importer.web.drafts import safe_name
from importer.web.limits import AttemptLimiter, SignInTokens, foreign_origin

AUTHENTICATE = "authenticate2"


def _wrong_sign_in(site, login: str, headers: dict[str, str] | None = None) -> int:
    person = Visitor(site)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": login, "password": "wrong"}
    return person.go("POST", "/signin", data=form, headers=headers or {}).status_code


# --- sign-in attempts, counted while in flight -----------------------------------------------


def test_60_concurrent_wrong_passwords_reach_the_api_at_most_5_times(sandbox_factory, tmp_path):
    box = sandbox_factory(auth_latency_ms=300)  # Ocean answering slowly
    with running_site(box, tmp_path) as site:
        people = [Visitor(site) for _ in range(60)]
        for person in people:
            person.go("GET", "/signin")
        start = threading.Barrier(60)
        statuses: list[int] = []

        def attempt(person: Visitor) -> None:
            form = {"csrf": person.csrf, "login": "demo", "password": "wrong"}
            start.wait()
            statuses.append(person.go("POST", "/signin", data=form).status_code)

        threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        calls = box.counters()["calls"][AUTHENTICATE]
        assert calls <= 5
        assert sorted(set(statuses)) == [401, 429]
        assert statuses.count(401) == calls
        # the login has used its attempts: even the right password waits for the minute
        right = Visitor(site)
        right.go("GET", "/signin")
        form = {"csrf": right.csrf, "login": "demo", "password": "demo"}
        refused = right.go("POST", "/signin", data=form)
        assert refused.status_code == 429 and "Wait a minute" in refused.text
        assert box.counters()["calls"][AUTHENTICATE] == calls


def test_the_address_limit_holds_across_logins_and_a_success_frees_its_place(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, signin_per_address=4) as site:
        for _ in range(6):  # successes are not counted against the address
            Visitor(site).sign_in()
        statuses = [_wrong_sign_in(site, f"nobody{n}") for n in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        assert sandbox.counters()["calls"][AUTHENTICATE] == 6 + 4


def test_an_attempt_limiter_counts_what_is_in_flight():
    limiter = AttemptLimiter(2, window=60)
    assert limiter.reserve("a") and limiter.reserve("a")
    assert not limiter.reserve("a")  # two in flight: the third waits
    limiter.release("a", failed=False)  # a success frees its place
    assert limiter.reserve("a")
    limiter.release("a", failed=True)
    limiter.release("a", failed=True)
    assert not limiter.reserve("a")  # two failures in the window
    assert limiter.reserve("b")


# --- the client address and --proxy ----------------------------------------------------------


def test_x_forwarded_for_is_ignored_without_proxy(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, signin_per_address=3) as site:
        person = Visitor(site)  # X-Forwarded-Proto is not believed either
        person.go("GET", "/signin")
        form = {"csrf": person.csrf, "login": "demo", "password": "demo"}
        answer = person.post(
            site.url + "/signin",
            data=form,
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 303
        assert "secure" not in answer.headers["set-cookie"].lower()
        statuses = [
            _wrong_sign_in(site, f"u{n}", {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]  # one address: the socket's


def test_with_proxy_the_forwarded_address_is_the_clients(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, signin_per_address=3, proxies=("127.0.0.1",)) as site:
        statuses = []
        for n in range(4):
            person = Visitor(site)
            forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
            person.go("GET", "/signin", headers=forwarded)  # the token is for that address
            form = {"csrf": person.csrf, "login": f"u{n}", "password": "wrong"}
            statuses.append(person.go("POST", "/signin", data=form, headers=forwarded).status_code)
        assert statuses == [401, 401, 401, 401]  # four addresses


def test_serve_refuses_a_proxy_that_is_not_an_address(runner, sandbox):
    from importer.cli.app import cli

    args = ["serve", "--api-url", sandbox.url, "--proxy", "127.0.0.1", "--proxy", "my-proxy"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "--proxy my-proxy is not an address or a network" in result.output


def test_the_page_limits_come_from_the_environment_and_the_file(tmp_path):
    from importer.settings.load import load_configuration
    from importer.web.app import WebConfig

    (tmp_path / "mission-importer.toml").write_text(
        '[serve]\nproxy = ["127.0.0.1"]\ndraft_cells = 1000\nrows_per_file = 10\n'
    )
    environ = {"MISSION_IMPORTER_SERVE_PROXY": "127.0.0.1, 10.0.0.0/8"}
    settings = load_configuration(environ=environ, cwd=tmp_path).settings
    config = WebConfig.from_settings(settings, tmp_path)
    assert config.proxies == ("127.0.0.1", "10.0.0.0/8")
    assert (config.draft_cells, config.max_rows, config.max_columns) == (1000, 10, 300)
    assert (config.signin_per_login, config.signin_per_address) == (5, 20)


# --- where a state-changing request comes from; the sign-in form's token ---------------------


@pytest.fixture
def site(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as started:
        yield started


def test_a_cross_origin_post_is_refused_even_with_the_right_token(site, tmp_path):
    person = Visitor(site)
    person.sign_in()
    draft = person.upload(planning_csv(tmp_path / "o.csv", ["O-1"]))
    form = {"csrf": person.csrf, "row": "2", "column": "ville", "value": "Evil"}
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": site.url},
        {"Sec-Fetch-Site": "same-site"},
    ):
        refused = person.go("POST", f"/drafts/{draft}/cell", data=form, headers=headers)
        assert refused.status_code == 403, headers
        assert "came from another site" in refused.text
    assert "Evil" not in person.go("GET", f"/drafts/{draft}/check").text
    same = {"Origin": site.url, "Sec-Fetch-Site": "same-origin"}
    assert person.go("POST", f"/drafts/{draft}/cell", data=form, headers=same).status_code == 200
    assert "Evil" in person.go("GET", f"/drafts/{draft}/check").text


def test_every_post_route_refuses_another_origin(site):
    from importer.web.routes_draft import ROUTES as DRAFT
    from importer.web.routes_run import ROUTES as RUN
    from importer.web.routes_session import ROUTES as SESSION

    person = Visitor(site)
    person.sign_in()
    posts = [r.path for r in [*SESSION, *DRAFT, *RUN] if "POST" in r.methods]
    assert len(posts) >= 9
    for path in posts:
        path = path.replace("{draft}", "abc").replace("{run}", "abc")
        answer = person.go(
            "POST", path, data={"csrf": person.csrf}, headers={"Origin": "https://evil.example"}
        )
        assert answer.status_code == 403, path
    assert len(site.state.sessions) == 1  # not even /signout went through


def test_a_planted_sign_in_cookie_does_not_sign_in(site):
    victim = Visitor(site)
    victim.cookies.set("mi_signin", "planted-by-attacker")
    form = {"csrf": "planted-by-attacker", "login": "demo", "password": "demo"}
    refused = victim.go("POST", "/signin", data=form)
    assert refused.status_code == 403
    assert "mi_session" not in victim.cookies and len(site.state.sessions) == 0
    assert site.sandbox.counters()["calls"][AUTHENTICATE] == 0


def test_the_sign_in_token_is_bound_to_the_server_the_address_and_the_hour():
    tokens = SignInTokens(max_age=3600)
    token = tokens.issue("192.0.2.1")
    assert tokens.valid(token, "192.0.2.1")
    assert not tokens.valid(token, "192.0.2.2")  # fetched by someone else
    assert not SignInTokens().valid(token, "192.0.2.1")  # another server's key
    key = b"k" * 32
    fresh, expired = SignInTokens(key=key), SignInTokens(max_age=-1, key=key)
    assert fresh.valid(fresh.issue("192.0.2.1"), "192.0.2.1")
    assert not expired.valid(fresh.issue("192.0.2.1"), "192.0.2.1")  # past its age
    nonce, issued, mac = token.split(".")
    assert not tokens.valid(f"{nonce}.{int(issued) + 1}.{mac}", "192.0.2.1")  # tampered
    assert not tokens.valid("x", "192.0.2.1")


@pytest.mark.parametrize(
    ("headers", "foreign"),
    [
        ({}, False),
        ({"origin": "http://h:1", "host": "h:1"}, False),
        ({"origin": "https://h:1", "host": "h:1"}, True),
        ({"origin": "http://evil", "host": "h:1"}, True),
        ({"sec-fetch-site": "same-origin", "origin": "http://proxied"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"sec-fetch-site": "cross-site"}, True),
    ],
    ids=["none", "same", "scheme", "host", "fetch-same", "fetch-none", "fetch-cross"],
)
def test_foreign_origin(headers, foreign):
    assert foreign_origin("POST", headers, "http") is foreign
    assert foreign_origin("GET", headers, "http") is False


# --- customers checked at sign-in; the customer typed ----------------------------------------


def test_a_made_up_customer_on_a_single_customer_account_makes_no_session(site):
    person = Visitor(site)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": "demo", "password": "demo", "customer": "999"}
    refused = person.go("POST", "/signin", data=form)
    assert refused.status_code == 403 and "customer 999" in refused.text
    assert len(site.state.sessions) == 0 and "mi_session" not in person.cookies
    person.sign_in(customer="100")  # the account's own customer is accepted
    assert len(site.state.sessions) == 1


def test_a_customer_that_is_not_ascii_digits_is_refused_with_a_sentence(site):
    person = Visitor(site)
    person.go("GET", "/signin")
    form = {"csrf": person.csrf, "login": MULTI_LOGIN, "password": MULTI_PASSWORD}
    refused = person.go("POST", "/signin", data={**form, "customer": "²"})
    assert refused.status_code == 400
    assert "“²” is not a customer number" in refused.text
    person.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
    switched = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "1²"})
    assert switched.status_code == 400 and "is not a customer number" in switched.text


# --- file names; refused uploads leave nothing --------------------------------------------------


def _upload(person: Visitor, name: str, body: bytes) -> requests.Response:
    return person.go("POST", "/upload", data={"csrf": person.csrf}, files={"file": (name, body)})


def _upload_folders(site) -> list[Path]:
    folder = site.data_dir / "uploads"
    return [p for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []


def test_a_file_named_dot_dot_is_refused_cleanly_and_leaves_nothing(site, tmp_path):
    person = Visitor(site)
    person.sign_in()
    body = planning_csv(tmp_path / "p.csv", ["D-1"]).read_bytes()
    for name in ("..", ".", "../..", "...."):
        answer = _upload(person, name, body)
        assert answer.status_code == 422, name
        assert "cannot be read" in answer.text
    assert _upload_folders(site) == []


def test_a_long_file_name_keeps_its_extension(site, tmp_path):
    person = Visitor(site)
    person.sign_in()
    name = "planning semaine 50 " * 8 + ".csv"
    body = planning_csv(tmp_path / "p.csv", ["L-1"]).read_bytes()
    answer = _upload(person, name, body)
    assert "/columns" in answer.url, answer.text
    [folder] = _upload_folders(site)
    [stored] = list(folder.iterdir())
    assert stored.suffix == ".csv" and len(stored.name) <= 120
    assert safe_name("a" * 200 + ".xlsx") == "a" * 115 + ".xlsx"
    assert safe_name("..") == "planning" and safe_name(".hidden.csv") == "hidden.csv"


# --- per-file limits and the server-wide draft budget ---------------------------------------


def _csv(path: Path, rows: int, extra_columns: int = 0) -> Path:
    extra = "".join(f";x{n}" for n in range(extra_columns))
    lines = [HEADER + extra]
    for n in range(rows):
        day = 1 + n % 28
        values = "".join(f";v{n}" for n in range(extra_columns))
        lines.append(f"B-{n};{day:02d}/03/2027 08:30;Dépannage;VL-07;1 rue A;69003;Lyon;ok{values}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_rows_columns_and_cells_per_file_are_limited_with_a_sentence(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, max_rows=50, max_columns=10, draft_cells=300) as site:
        person = Visitor(site)
        person.sign_in()
        rows = _upload(person, "long.csv", _csv(tmp_path / "long.csv", 51).read_bytes())
        assert rows.status_code == 422
        assert "long.csv has more than 50 rows: the page takes at most 50" in rows.text
        wide = _upload(person, "wide.csv", _csv(tmp_path / "wide.csv", 5, 3).read_bytes())
        assert wide.status_code == 422
        assert "wide.csv has 11 columns: the page takes at most 10" in wide.text
        cells = _upload(person, "big.csv", _csv(tmp_path / "big.csv", 40).read_bytes())
        assert cells.status_code == 422
        assert "big.csv has 320 cells (rows × columns), more than the 300" in cells.text
        assert _upload_folders(site) == []  # refused uploads leave no folder
        accepted = _upload(person, "ok.csv", _csv(tmp_path / "ok.csv", 30).read_bytes())
        assert "/columns" in accepted.url
        assert len(_upload_folders(site)) == 1


def test_concurrent_uploads_stay_within_the_draft_budget(sandbox, tmp_path):
    budget = 8 * 8 * 4  # four drafts of 8 rows x 8 columns
    with running_site(sandbox, tmp_path, draft_cells=budget) as site:
        first = Visitor(site)
        first.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")  # another owner
        oldest = first.upload(_csv(tmp_path / "first.csv", 8))
        people = [Visitor(site) for _ in range(3)]
        for n, person in enumerate(people):
            person.sign_in(*(("demo", "demo") if n else (MULTI_LOGIN, MULTI_PASSWORD)),
                           customer="" if n else "102")  # fmt: skip
        drafts: list[str] = []

        def upload(person: Visitor, n: int) -> None:
            drafts.append(person.upload(_csv(tmp_path / f"c{n}.csv", 8)))

        threads = [threading.Thread(target=upload, args=(people[n % 3], n)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        store = site.state.drafts
        assert len(drafts) == 12
        assert store.peak_cells <= budget and store.cells <= budget
        assert len(store) == 4
        gone = first.go("GET", f"/drafts/{oldest}/check")  # another owner's uploads pushed it out
        assert gone.status_code == 410
        assert "left the server’s memory" in gone.text and "Upload it again" in gone.text
        assert first.go("GET", "/drafts/nosuchdraft/check").status_code == 404


# --- body sizes: a real `serve` process, its reads measured ---------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bytes_written(pid: int) -> int:
    """What the process has written to files so far (a spooled body counts), from /proc."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar")


def _stream_chunked(
    port: int, path: str, headers: dict[str, str], total: int, first: bytes = b""
) -> tuple[bytes, int]:
    """POST ``first`` then ``total`` bytes in 64 KB chunks, stopping when the server answers
    or hangs up; return its answer (b"" when the connection was reset first) and the bytes
    sent."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    chunk = b"x" * 65536
    piece = b"10000\r\n" + chunk + b"\r\n"
    sent = 0
    try:
        sock.sendall(head.encode())
        if first:
            sock.sendall(f"{len(first):x}\r\n".encode() + first + b"\r\n")
        while sent < total and not select.select([sock], [], [], 0)[0]:
            sock.sendall(piece)
            sent += len(chunk)
    except OSError:
        pass
    answer = b""
    with contextlib.suppress(OSError):
        answer = sock.recv(65536)
    sock.close()
    return answer, sent


@pytest.fixture
def serve_process(sandbox, tmp_path):
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    command = [
        sys.executable, "-m", "importer", "serve", "--port", str(port),
        "--api-url", sandbox.url, "--upload-limit-mb", "2",
        "--data-dir", str(tmp_path / "data"), "--journal", str(tmp_path / "journal.sqlite3"),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
            time.sleep(0.1)
    try:
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/PID/io")
def test_a_200_mb_chunked_body_is_refused_with_at_most_the_limit_read(serve_process, tmp_path):
    process, port = serve_process
    url = f"http://127.0.0.1:{port}"
    person = requests.Session()
    page = person.get(url + "/signin", timeout=10).text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    form = {"csrf": csrf, "login": "demo", "password": "demo"}
    assert person.post(url + "/signin", data=form, timeout=10).url.rstrip("/") == url
    session_csrf = person.get(url + "/", timeout=10).text.split('name="csrf" value="')[1]
    session_csrf = session_csrf.split('"')[0]
    person.post(url + "/upload", data={"csrf": session_csrf}, files={"file": ("w.csv", b"x")})
    mb = 1024 * 1024
    total = 200 * mb
    # without a session (the sign-in form): cut at 64 KB, nothing spooled
    before = _bytes_written(process.pid)
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    answer, sent = _stream_chunked(port, "/signin", form_type, total, b"login=")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 413"), answer[:100]
    assert sent < 40 * mb  # the limit plus what the sockets' buffers hold
    assert _bytes_written(process.pid) - before < 64 * 1024
    # signed in, an upload: cut at the 2 MB limit (plus the form's 1 MB margin) as received
    cookie = "; ".join(f"{k}={v}" for k, v in person.cookies.items())
    headers = {"Cookie": cookie, "Content-Type": "multipart/form-data; boundary=b"}
    part = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    before = _bytes_written(process.pid)
    answer, sent = _stream_chunked(port, "/upload", headers, total, part)
    spooled = _bytes_written(process.pid) - before
    assert answer == b"" or answer.startswith(b"HTTP/1.1 413"), answer[:100]
    assert sent < 40 * mb
    assert spooled <= 3 * mb + 64 * 1024, spooled  # (before: 189 MB of 200 spooled)
    assert not list((tmp_path / "tmp").iterdir())  # and nothing of it is left
    # the server is still there; a declared length past the limit is refused before reading
    declared = requests.post(  # without a session
        url + "/signin", data=b"x" * 100_000, headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert declared.status_code == 413 and "larger than 64 KB" in declared.text
    assert process.poll() is None


def test_a_finished_run_lets_go_of_a_draft_the_budget_evicted(sandbox, tmp_path):
    with running_site(sandbox, tmp_path, draft_cells=8 * 8) as site:
        person = Visitor(site)
        person.sign_in()
        run = person.send_draft(person.upload(_csv(tmp_path / "sent.csv", 8)))
        person.wait_run(run)
        person.upload(_csv(tmp_path / "next.csv", 8))  # the budget holds one file
        [held] = [r for r in site.state.runs._runs.values() if r.id == run]
        assert held.draft is None
        page = person.go("GET", f"/runs/{run}")
        assert page.status_code == 200 and 'id="outcome-counts"' in page.text
        assert person.go("GET", f"/runs/{run}/workbook").status_code == 200
