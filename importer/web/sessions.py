"""Sign-in and sessions: the Ocean token in server memory only, tied to a random session id.

The password goes to Ocean once (``authenticate2``) and is dropped from memory at once;
the session ends with sign-out, after idle time, or when the token would need renewing.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field, replace

from importer.commands.connect import make_client
from importer.send.client import OceanClient
from importer.send.journal.keys import normalise_url
from importer.settings.load import Settings

SESSION_COOKIE = "mi_session"
SIGNIN_COOKIE = "mi_signin"


@dataclass
class UserSession:
    """One signed-in person: their Ocean client (token) and the page's CSRF token."""

    sid: str
    login: str
    api_url: str
    client: OceanClient
    customer_id: int | None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    needs_customer: bool = False  # several customers and none chosen yet
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)

    @property
    def owner(self) -> str:
        """Who owns uploads and runs: API, login and customer (multi-client accounts)."""
        customer = "" if self.customer_id is None else str(self.customer_id)
        return f"{normalise_url(self.api_url)}|{self.login}|{customer}"

    def switch_customer(self, customer_id: int | None) -> None:
        self.customer_id = customer_id
        self.client.customer_id = customer_id


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
        self._lock = threading.Lock()

    def create(
        self, login: str, api_url: str, client: OceanClient, customer: int | None
    ) -> UserSession:
        session = UserSession(secrets.token_urlsafe(32), login, api_url, client, customer)
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
        token_age_limit = session.client.token_lifetime * 0.9
        if now - session.last_seen > self.idle_seconds or now - session.created > token_age_limit:
            self.drop(sid)
            return None
        session.last_seen = now
        return session

    def drop(self, sid: str) -> None:
        with self._lock:
            session = self._sessions.pop(sid, None)
        if session is not None:
            session.client.close()

    def __len__(self) -> int:
        return len(self._sessions)
