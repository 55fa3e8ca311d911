"""The values the journal keeps per mission, as the page's preview and the follow-up read them.

:class:`KeptValues` is part of :class:`~.ledger.Journal`: a mission's parameters last
accepted, its intervention time (``utc_inter``), the missions of an account whose
intervention falls in a range; and how long things are kept (the values until
``keep_values_days`` after the intervention, absent missions until :meth:`prune`). What is
kept and when it goes: :mod:`.missions`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from importer.send.journal import missions
from importer.send.journal.commit import GroupCommit
from importer.send.journal.keys import Key, utc_text
from importer.send.journal.missions import MissionRecord


class KeptValues:
    """The journal's methods about the values kept per mission (see the module notes)."""

    keep_values_days: float
    _db: GroupCommit
    _pruned_at: float
    _key: Callable[[str, object, object, str], Key]
    flush: Callable[[], None]

    def last_params(
        self, api_url: str, customer_id: str, id_mission: str, *, account: str = ""
    ) -> dict[str, str] | None:
        """The parameters the API last accepted for a mission; None when not kept (sent
        before schema 3, content unknown, deleted, or older than ``keep_values_days``)."""
        key = self._key(api_url, customer_id, id_mission, account)
        self.flush()
        return self._db.look(lambda conn: missions.last_params(conn, key))

    def changed_fields(
        self,
        api_url: str,
        customer_id: str,
        id_mission: str,
        params: Mapping[str, object],
        *,
        account: str = "",
    ) -> list[str] | None:
        """The fields of ``params`` that differ from what the API last accepted for this
        mission (added or removed included); None when the journal does not know them."""
        known = self.last_params(api_url, customer_id, id_mission, account=account)
        if known is None:
            return None
        now = {str(name): str(value) for name, value in params.items()}
        return sorted(name for name in set(now) | set(known) if now.get(name) != known.get(name))

    def set_utc_inter(
        self,
        api_url: str,
        customer_id: str,
        id_mission: str,
        utc_inter: datetime | str,
        *,
        account: str = "",
    ) -> bool:
        """Record a mission's intervention time (an aware datetime, or the API's UTC text,
        e.g. statutMission's ``time``); return whether the journal knows the mission."""
        text = utc_text(utc_inter)
        if text is None:
            raise ValueError(f"not a date-time of the API: {utc_inter!r}")
        key = self._key(api_url, customer_id, id_mission, account)
        self.flush()
        return self._db.transact(lambda conn: missions.set_utc_inter(conn, key, text))

    def missions_between(
        self,
        api_url: str,
        start: datetime,
        end: datetime,
        *,
        account: str = "",
        customer_id: str | None = None,
    ) -> list[MissionRecord]:
        """The present missions whose intervention is from ``start`` (included) to ``end``
        (excluded), by time; ``customer_id=None``: every customer's and the login's own
        (see :func:`.missions.listing`)."""
        when = (str(utc_text(start)), str(utc_text(end)))
        return self._list(api_url, account, customer_id, when)

    def missions_without_time(
        self, api_url: str, *, account: str = "", customer_id: str | None = None
    ) -> list[MissionRecord]:
        """The present missions whose intervention time is not known (sent before schema 3,
        or settled by statutMission): the follow-up sets it with :meth:`set_utc_inter`."""
        return self._list(api_url, account, customer_id, None)

    def _list(
        self, api_url: str, account: str, customer_id: str | None, when: tuple[str, str] | None
    ) -> list[MissionRecord]:
        api_url, tag, _, _ = self._key(api_url, "", "", account)
        self.flush()
        return self._db.look(lambda conn: missions.listing(conn, api_url, tag, customer_id, when))

    def _values_cutoff(self) -> str:
        cutoff = datetime.now(UTC) - timedelta(days=self.keep_values_days)
        return str(utc_text(cutoff))

    def drop_old_values(self) -> int:
        """Forget now the parameters of the missions whose intervention is more than
        ``keep_values_days`` ago (otherwise done as runs start); return how many."""
        self._pruned_at = time.monotonic()
        cutoff = self._values_cutoff()
        return self._db.transact(lambda conn: missions.drop_old_values(conn, cutoff))

    # -- housekeeping ----------------------------------------------------------------------

    def prune(self, *, older_than_days: float = 90.0) -> int:
        """Forget the absent missions older than that; return how many.

        Missions present in Ocean are kept whatever their age (they make reruns "unchanged");
        attempts are never pruned (they protect against duplicates). The values of present
        missions go ``keep_values_days`` after their intervention (see :meth:`start_run`).
        """
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        when = (cutoff.isoformat(timespec="milliseconds"),)
        return self._db.transact(
            lambda conn: (
                conn.execute(
                    "DELETE FROM missions WHERE present = 0 AND updated_at < ?", when
                ).rowcount
            )
        )

    def stats(self) -> dict[str, int]:
        """Return row counts (missions, present, attempts, runs, claims)."""
        self.flush()
        (row,) = self._db.read(
            "SELECT (SELECT COUNT(*) FROM missions), (SELECT COUNT(*) FROM missions"
            " WHERE present = 1), (SELECT COUNT(*) FROM attempts), (SELECT COUNT(*) FROM runs),"
            " (SELECT COUNT(*) FROM claims)"
        )
        names = ("missions", "present", "attempts", "runs", "claims")
        return dict(zip(names, row, strict=True))
