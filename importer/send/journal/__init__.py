"""The journal: a SQLite ledger of what was sent, so reruns skip, resume and never duplicate.

- :mod:`.database`: opening the file, its schema and migrations, the folder and permissions.
- :mod:`.commit`: the group commit that writes for every thread of a process.
- :mod:`.runs`: runs with a heartbeat and their claims on missions, so that several
  processes (a nightly ``import``, ``watch``, the ``serve`` page) share one journal.
- :mod:`.keys`: how a mission is keyed (API URL without credentials, customer, idMission)
  and the digest of its parameters.
- :mod:`.ledger`: :class:`~.ledger.Journal`, the missions and the attempts in flight.
- :mod:`.field_hashes`: a keyed digest per field, for the preview of a modify.
"""
