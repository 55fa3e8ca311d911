"""The API contract table drives the client and the sandbox; the URL scrubber is the only one."""

from __future__ import annotations

import pytest
import requests

from importer.ocean_api import (
    API_CALLS,
    AUTHENTICATE,
    CALLS_BY_NAME,
    CHANGING_CALLS,
    CREATE,
    DELETE,
    MISSION_CALLS,
    MODIFY,
    STATUS,
    ApiCall,
    url_without_credentials,
)
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.client import OceanClient
from importer.send.journal.ledger import CALLS as JOURNAL_CALLS

OTHER_METHOD = {"GET": "POST", "POST": "GET"}
DATE = "03/12/2026 07:30"


def token(sb: Sandbox) -> str:
    answer = requests.post(
        sb.url + AUTHENTICATE.path, json={"login": DEMO_LOGIN, "password": DEMO_PASSWORD}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def send(sb: Sandbox, call: ApiCall, method: str, params: dict[str, str], auth: str):
    """Send ``params`` the way the table says they travel, with ``method``."""
    url, headers = sb.url + call.path, {"X-AUTH-TOKEN": auth}
    if call.body == "query":
        return requests.request(method, url, params=params, headers=headers, timeout=5)
    return requests.request(method, url, data=params, headers=headers, timeout=5)


def test_the_table_names_each_call_once_with_a_known_method_and_body() -> None:
    assert len(CALLS_BY_NAME) == len(API_CALLS) == 5
    assert len({(call.method, call.path) for call in API_CALLS}) == len(API_CALLS)
    for call in API_CALLS:
        assert call.method in OTHER_METHOD and call.body in ("query", "form", "json")
        assert (call.method == "GET") == (call.body == "query"), call
        assert call.path.startswith("/restapi/") and call.path.endswith("/" + call.name)
    assert AUTHENTICATE not in MISSION_CALLS and len(MISSION_CALLS) == 4


def test_the_journal_records_exactly_the_calls_that_change_data() -> None:
    assert (
        set(JOURNAL_CALLS)
        == set(CHANGING_CALLS)
        == {"ajoutMission", "modifierMission", "supprimerMission"}
    )


def test_the_sandbox_answers_every_mission_call_of_the_table(sandbox: Sandbox) -> None:
    assert set(sandbox.api.handlers) == {call.name for call in MISSION_CALLS}


@pytest.mark.parametrize("call", API_CALLS, ids=lambda call: call.name)
def test_the_sandbox_takes_each_call_with_its_method_only(sandbox: Sandbox, call: ApiCall) -> None:
    wrong = requests.request(OTHER_METHOD[call.method], sandbox.url + call.path, timeout=5)
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == call.method
    if call is AUTHENTICATE:
        right = requests.post(
            sandbox.url + call.path, json={"login": "x", "password": "y"}, timeout=5
        )
        assert right.status_code == 401  # routed and answered: the credentials are refused
    else:
        params = {"idMission": "M-contract", "jourHeureInter": DATE}
        right = send(sandbox, call, call.method, params, token(sandbox))
        assert right.status_code in (200, 404), right.text  # routed: created, or not found
    assert sandbox.counters()["calls"][call.name] == 1  # the wrong method was never counted


def test_the_client_sends_each_mission_call_as_the_table_says(sandbox: Sandbox) -> None:
    with OceanClient(sandbox.url, DEMO_LOGIN, DEMO_PASSWORD, read_timeout=5) as client:
        transport = client._transport
        for call in MISSION_CALLS:
            prepared = transport.prepare(call, {"idMission": "M 1"}, "T0KEN")
            assert prepared.method == call.method
            assert prepared.url.split("?")[0] == sandbox.url + call.path
            assert ("?" in prepared.url) == (call.body == "query")
        params = {"idMission": "M-1", "jourHeureInter": DATE}
        results = [
            client.create(params),
            client.modify(params),
            client.status("M-1"),
            client.delete("M-1"),
        ]
    assert [r.call for r in results] == [CREATE.name, MODIFY.name, STATUS.name, DELETE.name]
    assert all(r.ok for r in results), [r.error for r in results]
    counted = sandbox.counters()["calls"]
    assert {name: counted[name] for name in CALLS_BY_NAME} == dict.fromkeys(CALLS_BY_NAME, 1)


@pytest.mark.parametrize(
    ("url", "mark", "shown"),
    [
        ("https://bob:s3cret@ocean.example.com/ocean", "", "https://ocean.example.com/ocean"),
        (
            "https://bob:s3cret@ocean.example.com/ocean",
            "***@",
            "https://***@ocean.example.com/ocean",
        ),
        (
            "https://ocean.example.com/ocean?token=T0KEN#frag",
            "***@",
            "https://ocean.example.com/ocean",
        ),
        ("http://[::1]:8080/x", "", "http://[::1]:8080/x"),
        ("bob:s3cret@host/path?tok=T0KEN", "", "host/path"),
        ("not a url", "", "not a url"),
    ],
    ids=["credentials", "marked", "query-and-fragment", "ipv6", "no-scheme", "plain-text"],
)
def test_urls_lose_their_credentials_query_and_fragment(url: str, mark: str, shown: str) -> None:
    assert url_without_credentials(url, mark=mark) == shown
