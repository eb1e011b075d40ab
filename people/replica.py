"""Reads of the reports from a read replica (``DATABASE_REPLICA_URL``).

The ramp-up dashboard and its exports read a great deal and write nothing; with a replica
configured (``settings.REPORTS_DATABASE``, the alias ``"replica"``), the code that computes
them runs inside ``reports_from_replica()`` and every ORM read inside it goes there
(``ReportsRouter``, in ``DATABASE_ROUTERS``); raw SQL asks ``reports_connection()``. Writes
always go to the primary, and so does every read outside the block (the session, the signed-in
user, the cache generation), so a page never reads its own writes from a replica that lags.
Without the setting nothing changes: the block is a no-op and the router answers nothing.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_reading_reports = contextvars.ContextVar("lms_reading_reports", default=False)


def reports_alias() -> str:
    """The database the reports read now: the replica inside ``reports_from_replica()`` when
    one is configured, else the primary."""
    alias = getattr(settings, "REPORTS_DATABASE", None)
    if alias and _reading_reports.get():
        return alias
    return DEFAULT_DB_ALIAS


def reports_connection():
    return connections[reports_alias()]


@contextmanager
def reports_from_replica():
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReportsRouter:
    """Reads inside ``reports_from_replica()`` go to the replica; nothing else is routed."""

    def db_for_read(self, model, **hints):
        alias = reports_alias()
        return alias if alias != DEFAULT_DB_ALIAS else None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica copies the primary's schema itself
