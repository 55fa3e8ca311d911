"""How the journal keys a mission, and the digest of what was sent for it.

A mission is known by its API URL (reduced to scheme, host, port and path: no credential
or token is ever stored), the account, its customerId ("" for none) and its idMission.

The account separates the companies that share one server. Customer ids already do, for
the missions sent with one (an account managing several customers must name one); a
mission sent without customerId belongs to the single customer of the account that sent
it, so its key holds that account: the Ocean login, as a keyed digest (:func:`account_tag`;
the login itself is never written in the journal). Whether an account has customer ids
needs no question to Ocean: a mission sent without customerId is keyed by the login, one
sent with a customerId (from the row or the settings) by the customer, with account "".

A journal migrated from schema 2 holds missions sent without customerId before the
migration under account "" (the login was not recorded then); see
:mod:`importer.send.journal.ledger` for how a login takes them over.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

from importer.ocean_api import url_without_credentials

Key = tuple[str, str, str, str]  # api_url, account, customer_id, id_mission

API_DATE_FORMAT = "%d/%m/%Y %H:%M"  # the API's UTC date-times (importer.rows.dates)
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # how the journal stores them: ISO, sortable as text


def params_hash(params: Mapping[str, object]) -> str:
    """Return a stable sha256 hex digest of the parameters (order-independent)."""
    items = sorted((str(key), str(value)) for key, value in params.items())
    text = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_url(api_url: str) -> str:
    """Return the API URL as the journal keys it: no credentials, query or trailing slash."""
    safe = url_without_credentials(api_url)
    parts = urlsplit(safe)
    if not parts.scheme or not parts.netloc:
        return safe.rstrip("/")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def account_tag(secret: bytes, login: str) -> str:
    """The journal's name for an Ocean login: an HMAC-SHA256 keyed with the journal's own
    random key ("" for no login)."""
    if not login:
        return ""
    return hmac.new(secret, login.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def customer_text(customer_id: object) -> str:
    """A customer as the journal keys it: no customer is the empty string."""
    return "" if customer_id is None else str(customer_id)


def mission_key(api_url: str, customer_id: object, id_mission: object, account: str = "") -> Key:
    """The journal's key of a mission; ``account`` (a tag) counts only without customer."""
    customer = customer_text(customer_id)
    return (normalise_url(api_url), account if customer == "" else "", customer, str(id_mission))


def utc_text(value: datetime | str) -> str | None:
    """A moment as the journal stores it (``2026-12-03T07:30:00Z``), from an aware datetime
    or the API's ``dd/MM/yyyy HH:mm`` UTC text; None when the text is not one."""
    if isinstance(value, str):
        try:
            value = datetime.strptime(value.strip(), API_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return None
    if value.tzinfo is None:
        raise ValueError("a naive datetime: give the time zone")
    return value.astimezone(UTC).strftime(UTC_FORMAT)
