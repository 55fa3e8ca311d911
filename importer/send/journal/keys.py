"""How the journal keys a mission, and the digest of what was sent for it.

A mission is known by its API URL (reduced to scheme, host, port and path: no credential
or token is ever stored), its customerId ("" for none) and its idMission.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from importer.ocean_api import url_without_credentials

Key = tuple[str, str, str]  # api_url, customer_id, id_mission


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


def mission_key(api_url: str, customer_id: object, id_mission: object) -> Key:
    """The journal's key of a mission."""
    customer = "" if customer_id is None else str(customer_id)
    return (normalise_url(api_url), customer, str(id_mission))
