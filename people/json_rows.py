"""Many rows sent to the database as one JSON parameter (a list of lists), on PostgreSQL and
SQLite alike.

A set-based write of thousands of rows as ``VALUES (%s, %s, ...), ...`` makes a statement
whose text and parameters grow with the rows: psycopg parses and binds it slowly, and SQLite
refuses more than 32,766 parameters. One JSON parameter read with ``jsonb_array_elements``
(PostgreSQL) or ``json_each`` (SQLite) keeps both the statement and its parameters the same
size at any number of rows; the database parses the JSON in C. PostgreSQL reads it as
``jsonb``, parsed once: each item of a ``json`` element would parse the element's text again
(10,000 rows of 10 items: 30 ms against 55).
"""

from __future__ import annotations

from django.db import connection


def source(alias: str) -> str:
    """A FROM clause of the elements of one JSON parameter (``%s``) as ``alias``."""
    if connection.vendor == "postgresql":
        return f"FROM jsonb_array_elements(%s::jsonb) AS {alias}"
    return f"FROM json_each(%s) AS {alias}"


def item(alias: str, i: int, cast: str) -> str:
    """Item ``i`` of the element ``alias`` of ``source``, as the PostgreSQL type ``cast``
    ("jsonb": kept as JSON). SQLite's ``json_extract`` gives the plain value, or the JSON text
    of a list or an object, as its JSON columns store it."""
    if connection.vendor != "postgresql":
        return f"json_extract({alias}.value, '$[{i}]')"
    if cast == "jsonb":
        return f"({alias}->{i})::jsonb"
    return f"({alias}->>{i})::{cast}"
