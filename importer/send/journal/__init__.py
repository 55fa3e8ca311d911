"""The journal: a SQLite ledger of what was sent, so reruns skip, resume and never duplicate.

- :mod:`.database`: opening the file, its schema and migrations, the folder and permissions.
- :mod:`.commit`: the group commit that writes for every thread of a process.
- :mod:`.runs`: runs with a heartbeat and their claims on missions, so that several
  processes (a nightly ``import``, ``watch``, the ``serve`` page) share one journal.
- :mod:`.keys`: how a mission is keyed (API URL without credentials, account, customer,
  idMission) and the digest of its parameters.
- :mod:`.ledger`: :class:`~.ledger.Journal`, the missions and the attempts in flight.
- :mod:`.missions`: the missions table: what the API last accepted, and the values kept.
- :mod:`.values`: the journal's methods about those values (the preview of a modify, the
  follow-up's listing by intervention time) and how long things are kept.
"""
