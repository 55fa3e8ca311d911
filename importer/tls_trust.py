"""Which certificates TLS trusts: the CA bundle setting, else the environment's, else the system's.

The one place that checks a CA bundle: the settings, the client and the command line
all ask :func:`ca_bundle_missing`; TLS is never switched off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def ca_bundle_missing(path: str | os.PathLike[str] | None) -> bool:
    """True when a CA bundle is named but nothing is there (a file or a folder of them)."""
    return bool(path) and not Path(path).exists()  # type: ignore[arg-type]


def trusted_certificates(
    ca_bundle: str | None, environ: Mapping[str, str] | None = None
) -> str | bool:
    """What requests' ``verify`` gets: ``ca_bundle``, else REQUESTS_CA_BUNDLE or
    CURL_CA_BUNDLE from the environment, else True (the system's certificates).

    An empty variable is skipped: it never turns the checks off.
    """
    if ca_bundle:
        return ca_bundle
    env = os.environ if environ is None else environ
    for name in CA_BUNDLE_VARIABLES:
        if env.get(name):
            return env[name]
    return True
