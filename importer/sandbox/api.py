"""What the simulated Ocean API answers: authentication, the four mission calls, statuses.

This module knows nothing about HTTP: the server hands it the token, the request
parameters (already taken from the query string or the form body) and gets a :class:`Reply`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from importer.fields import DATE_FIELDS, STORED_FIELDS
from importer.messages import t
from importer.ocean_api import CALL_CREATE, CALL_DELETE, CALL_MODIFY, CALL_STATUS, CALLS_BY_NAME
from importer.rows.dates import read_api_date
from importer.sandbox.driver import Driver
from importer.sandbox.state import (
    ACCOUNTS,
    Account,
    Counters,
    MissionRecord,
    MissionStore,
    TokenRegistry,
)

# The request parameters of ajoutMission / modifierMission that the service stores: the
# mission fields of importer/fields.toml marked ``stored`` (missions.md); others are ignored.
MISSION_FIELDS: tuple[str, ...] = STORED_FIELDS
COORDINATES = {"longitude": (-180.0, 180.0), "latitude": (-90.0, 90.0)}

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$")


@dataclass
class Reply:
    """An answer: HTTP status, JSON body, extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.reply = Reply(status, {"message": message})


class OceanApi:
    """The service's behaviour over a store, a token registry, counters and a driver."""

    def __init__(
        self,
        store: MissionStore,
        tokens: TokenRegistry,
        counters: Counters,
        *,
        driver: Driver | None = None,
        lang: str = "fr",
    ) -> None:
        self.store = store
        self.tokens = tokens
        self.counters = counters
        self.driver = driver or Driver()
        self.lang = lang
        # How each mission call of the contract (importer.ocean_api) is answered.
        self.handlers: dict[str, Callable[[int, str, Mapping[str, str]], Reply]] = {
            CALL_CREATE: self._create,
            CALL_MODIFY: self._modify,
            CALL_DELETE: self._delete,
            CALL_STATUS: self._status,
        }

    def _msg(self, key: str, **values: object) -> str:
        return t(key, lang=self.lang, **values)

    # --- authentication ---------------------------------------------------------------------

    def authenticate(self, body: bytes) -> Reply:
        """Answer ``authenticate2``: 200 with a token, 400 on a bad body, 401 on bad credentials."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = None
        login = data.get("login") if isinstance(data, dict) else None
        password = data.get("password") if isinstance(data, dict) else None
        if not isinstance(login, str) or not isinstance(password, str):
            return Reply(400, {"message": self._msg("sandbox.api.bad_json")})
        account = ACCOUNTS.get(login)
        if account is None or not account.check_password(password):
            return Reply(401, {"message": self._msg("sandbox.api.bad_credentials")})
        token = self.tokens.issue(login)
        self.counters.bump("tokens_issued")
        return Reply(
            200, {"token": token, "passwordExpirationRemainingDays": 0, "additionalAccountData": {}}
        )

    # --- mission calls ----------------------------------------------------------------------

    def mission_call(self, call: str, token: str | None, params: Mapping[str, str]) -> Reply:
        """Answer one mission call (``ajoutMission``, ``modifierMission``, ...)."""
        try:
            login = self.tokens.use(token)
            if login is None:
                self.counters.bump("unauthorized")
                key = "sandbox.api.bad_token" if token else "sandbox.api.no_token"
                raise _Refusal(401, self._msg(key))
            customer = self._customer(ACCOUNTS[login], params.get("customerId", ""))
            key_name = CALLS_BY_NAME[call].mission_key
            id_mission = params.get(key_name, "")
            if id_mission == "":
                raise _Refusal(400, self._msg("sandbox.api.missing_param", name=key_name))
            return self.handlers[call](customer, id_mission, params)
        except _Refusal as refusal:
            return refusal.reply

    def _customer(self, account: Account, raw: str) -> int:
        raw = raw.strip()
        allowed = ", ".join(str(c) for c in account.customers)
        if raw == "":
            if account.multi:
                raise _Refusal(403, self._msg("sandbox.api.customer_required", customers=allowed))
            return account.customers[0]
        if not _INTEGER_RE.match(raw):
            raise _Refusal(422, self._msg("sandbox.api.bad_customer", value=raw))
        customer = int(raw)
        if customer not in account.customers:
            raise _Refusal(
                403,
                self._msg("sandbox.api.customer_not_allowed", customer=customer, customers=allowed),
            )
        return customer

    def _values(self, params: Mapping[str, str], *, create: bool) -> dict[str, str]:
        """Return the known, non-empty parameters, checked; raise a 400/422 refusal."""
        values = {name: params[name] for name in MISSION_FIELDS if params.get(name, "") != ""}
        if create and "jourHeureInter" not in values:
            raise _Refusal(400, self._msg("sandbox.api.missing_param", name="jourHeureInter"))
        for name in DATE_FIELDS:
            if name in values and read_api_date(values[name]) is None:
                raise _Refusal(
                    422, self._msg("sandbox.api.bad_date", name=name, value=values[name])
                )
        if "aEnvoyer" in values:
            flag = values["aEnvoyer"].strip().lower()
            if flag not in ("true", "false"):
                raise _Refusal(
                    422,
                    self._msg("sandbox.api.bad_boolean", name="aEnvoyer", value=values["aEnvoyer"]),
                )
            values["aEnvoyer"] = flag
        for name, (low, high) in COORDINATES.items():
            if name in values:
                self._check_coordinate(name, values[name], low, high)
        return values

    def _check_coordinate(self, name: str, raw: str, low: float, high: float) -> None:
        if not _NUMBER_RE.match(raw.strip()):
            raise _Refusal(422, self._msg("sandbox.api.bad_number", name=name, value=raw))
        number = float(raw)
        if not math.isfinite(number) or not low <= number <= high:
            raise _Refusal(
                422, self._msg("sandbox.api.bad_range", name=name, value=raw, low=low, high=high)
            )

    def _live(self, customer: int, id_mission: str) -> MissionRecord:
        record = self.store.get(customer, id_mission)
        if record is None or record.deleted:
            raise _Refusal(404, self._msg("sandbox.api.not_found", mission=id_mission))
        return record

    def _create(self, customer: int, id_mission: str, params: Mapping[str, str]) -> Reply:
        values = self._values(params, create=True)
        now = time.time()
        with self.store.lock:
            old = self.store.get(customer, id_mission)
            if old is not None and not old.deleted:
                old.refused_creates += 1
                self.store.put(old)
                self.counters.bump("duplicate_creates_refused")
                return Reply(
                    200, {"message": self._msg("sandbox.api.duplicate", mission=id_mission)}
                )
            record = MissionRecord(
                customer,
                id_mission,
                values,
                self.store.next_external_id(),
                created_at=now,
            )
            if old is not None:  # re-created after a delete: keep the lifetime counts
                record.creates = old.creates + 1
                record.modifies, record.deletes = old.modifies, old.deletes
                record.refused_creates = old.refused_creates
                record.attempt, record.refusals = old.attempt, old.refusals
            self.driver.created(record, now)
            self.store.put(record)
        return Reply(200, {"message": self._msg("sandbox.api.created", mission=id_mission)})

    def _modify(self, customer: int, id_mission: str, params: Mapping[str, str]) -> Reply:
        values = self._values(params, create=False)
        now = time.time()
        with self.store.lock:
            record = self._live(customer, id_mission)
            before = dict(record.params)
            record.params.update(values)
            self.driver.modified(record, values, before, now)
            record.modifies += 1
            record.modified_at = now
            self.store.put(record)
        return Reply(200, {"message": self._msg("sandbox.api.modified", mission=id_mission)})

    def _delete(self, customer: int, id_mission: str, params: Mapping[str, str]) -> Reply:
        with self.store.lock:
            record = self._live(customer, id_mission)
            record.deleted = True
            record.deletes += 1
            record.deleted_at = time.time()
            self.driver.ended(record, record.deleted_at)
            self.store.put(record)
        return Reply(200, {"message": self._msg("sandbox.api.deleted", mission=id_mission)})

    def _status(self, customer: int, id_mission: str, params: Mapping[str, str]) -> Reply:
        with self.store.lock:
            record = self._live(customer, id_mission)
            return Reply(200, self.status_fields(record))

    # --- statuses -----------------------------------------------------------------------------

    def status_code(self, record: MissionRecord, now: float | None = None) -> str:
        """Return the mission's status code now (see :mod:`importer.sandbox.driver`)."""
        return self.driver.status(record, time.time() if now is None else now).code

    def status_fields(self, record: MissionRecord, now: float | None = None) -> dict[str, str]:
        """Return the six statutMission fields for ``record``."""
        status = self.driver.status(record, time.time() if now is None else now)
        reason = ""
        if status.reason is not None:
            reason = self._msg(f"sandbox.refuse.{status.reason}")
        recipient = _recipient(record.params)
        complement = ""
        if status.code != "PREPARED" and recipient:
            key = "sent_again" if status.attempt > 1 else "sent_to"
            complement = self._msg(
                f"sandbox.complement.{key}", recipient=recipient, attempt=status.attempt
            )
        return {
            "commentRefuseReason": reason,
            "complement": complement,
            "externalMissionId": record.external_id,
            "status": self._msg(f"sandbox.status.{status.code}"),
            "statusCode": status.code,
            "time": record.params.get("jourHeureInter", ""),
        }


def _recipient(params: Mapping[str, str]) -> str:
    """Return who receives the mission: the vehicle, else the person."""
    if params.get("nomVeh"):
        return params["nomVeh"]
    if params.get("nomPrenom"):
        return params["nomPrenom"]
    return " ".join(p for p in (params.get("prenomIndi", ""), params.get("nomIndi", "")) if p)
