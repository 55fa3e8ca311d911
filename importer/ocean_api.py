"""The Ocean GéoMission API as this tool uses it: one table of its calls, and its address.

:data:`API_CALLS` is the contract shared by the client (:mod:`importer.send.client`), the
journal (which records the calls that change data) and the sandbox (which routes and answers
them). Adding a call means one row here, the client's method and the sandbox's handler.

:func:`url_without_credentials` is the one way an API address is shown or stored: without
any ``user:password@`` part, query string or fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class ApiCall:
    """One call of the Ocean API: how it is sent and what it does."""

    name: str  # the service's name, also shown in the results' `action` column
    method: str  # "GET" (parameters in the query string) or "POST"
    path: str  # appended to the API's base URL
    changes_data: bool  # True: the journal records it (never sent twice by mistake)
    body: str  # how the parameters travel: "query", "form" (urlencoded) or "json"
    mission_key: str = "idMission"  # the parameter naming the mission ("" for none)


AUTHENTICATE = ApiCall(
    "authenticate2", "POST", "/restapi/auth/authenticate2", False, "json", mission_key=""
)
CREATE = ApiCall("ajoutMission", "POST", "/restapi/geomission/ajoutMission", True, "form")
MODIFY = ApiCall("modifierMission", "POST", "/restapi/geomission/modifierMission", True, "form")
DELETE = ApiCall("supprimerMission", "POST", "/restapi/geomission/supprimerMission", True, "form")
STATUS = ApiCall("statutMission", "GET", "/restapi/geomission/statutMission", False, "query")

API_CALLS: tuple[ApiCall, ...] = (AUTHENTICATE, CREATE, MODIFY, DELETE, STATUS)
MISSION_CALLS: tuple[ApiCall, ...] = tuple(call for call in API_CALLS if call.mission_key)
CALLS_BY_NAME: dict[str, ApiCall] = {call.name: call for call in API_CALLS}
CHANGING_CALLS: tuple[str, ...] = tuple(call.name for call in API_CALLS if call.changes_data)

# The call names alone, as the engine, the journal and the results use them.
CALL_CREATE = CREATE.name
CALL_MODIFY = MODIFY.name
CALL_DELETE = DELETE.name
CALL_STATUS = STATUS.name


def url_without_credentials(url: str, *, mark: str = "") -> str:
    """``url`` with no ``user:password@`` part, no query string and no fragment.

    Where credentials were, ``mark`` stands in (``"***@"`` shows a person that there were
    some). A text that is not a URL with a host loses anything after ``?`` or ``#`` and
    anything up to an ``@`` all the same, so that no secret passes through.
    """
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        text = url.strip().split("#", 1)[0].split("?", 1)[0]
        return text if "@" not in text else mark + text.rpartition("@")[2]
    _, at, host = parts.netloc.rpartition("@")
    return urlunsplit((parts.scheme, (mark if at else "") + host, parts.path, "", ""))
