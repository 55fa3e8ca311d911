"""Sign-in and sessions: the Ocean token in server memory only, tied to a random session id.

The password goes to Ocean once (``authenticate2``) and is dropped from memory at once;
the session ends with sign-out, after idle time, when the token would need renewing, or
when Ocean ends the token (the client then never signs in again without the password:
the person is asked to, :meth:`SessionStore.ended_by_ocean`).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field, replace

from importer.commands.connect import make_client
from importer.commands.run import OceanClient, customer_text, normalise_url
from importer.settings.load import Settings

SESSION_COOKIE = "mi_session"
SIGNIN_COOKIE = "mi_signin"


@dataclass
class UserSession:
    """One signed-in person: their Ocean client (token) and the page's CSRF token.

    ``client`` sends as the chosen customer; a run takes it as it is when the run starts
    (its customer fixed, :meth:`OceanClient.for_customer`), so nothing the session does
    afterwards reaches the run.
    """

    sid: str
    login: str
    api_url: str
    client: OceanClient
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    needs_customer: bool = False  # several customers and none chosen yet
    several_customers: bool = False  # the page shows the customer box only then
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    run_ids: list[str] = field(default_factory=list)  # the runs this session started

    @property
    def customer_id(self) -> int | None:
        return self.client.customer_id

    @property
    def owner(self) -> str:
        """Who owns uploads and runs: API, login and customer (multi-client accounts)."""
        customer = customer_text(self.customer_id)
        return f"{normalise_url(self.api_url)}|{self.login}|{customer}"

    def switch_customer(self, customer_id: int | None) -> None:
        """Send as ``customer_id`` from now on (the runs already started keep theirs)."""
        self.client = self.client.for_customer(customer_id)


def open_client(settings: Settings, login: str, password: str, customer: int | None) -> OceanClient:
    """Authenticate ``login`` with Ocean; the client keeps the token, not the password.

    Raises AuthenticationError or ApiUnavailableError as the command line does.
    """
    who = replace(settings, login=login, password=password, customer_id=customer)
    client = make_client(who)
    try:
        client.authenticate()
    except BaseException:
        client.close()
        raise
    finally:
        client.forget_password()
    return client


class SessionStore:
    """Sessions by id, in memory: a server restart signs everyone out."""

    def __init__(self, idle_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, UserSession] = {}
        self._ended: dict[str, float] = {}  # sessions Ocean ended (token): when
        self._lock = threading.Lock()

    def create(
        self, login: str, api_url: str, client: OceanClient, customer: int | None
    ) -> UserSession:
        view = client.for_customer(customer)
        session = UserSession(secrets.token_urlsafe(32), login, api_url, view)
        with self._lock:
            self._sessions[session.sid] = session
        return session

    def get(self, sid: str | None) -> UserSession | None:
        """The live session for this id, or None (unknown, idle too long, token too old)."""
        if not sid:
            return None
        with self._lock:
            session = self._sessions.get(sid)
        if session is None:
            return None
        now = time.monotonic()
        if session.client.signed_out:  # Ocean ended the token: sign in again
            self.drop(sid)
            with self._lock:
                self._ended[sid] = now
            return None
        token_age_limit = session.client.token_lifetime * 0.9
        if now - session.last_seen > self.idle_seconds or now - session.created > token_age_limit:
            self.drop(sid)
            return None
        session.last_seen = now
        return session

    def ended_by_ocean(self, sid: str | None) -> bool:
        """True when this (former) session ended because Ocean ended its token, within the
        idle time: the sign-in page then says why."""
        now = time.monotonic()
        with self._lock:
            for old in [k for k, at in self._ended.items() if now - at > self.idle_seconds]:
                del self._ended[old]
            return bool(sid) and sid in self._ended

    def live(self, sid: str) -> UserSession | None:
        """The session if it is still signed in, without counting this as activity (a
        background task asking whether its person is still there)."""
        with self._lock:
            session = self._sessions.get(sid)
        if session is None:
            return None
        if session.client.signed_out:  # Ocean ended the token
            return None
        now = time.monotonic()
        token_age_limit = session.client.token_lifetime * 0.9
        if now - session.last_seen > self.idle_seconds or now - session.created > token_age_limit:
            return None
        return session

    def drop(self, sid: str) -> None:
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is not None:
            session.client.close()

    def __len__(self) -> int:
        return len(self._sessions)
