"""Writing many rows at once, fast: the scheduler records thousands of runs a minute at its busiest.

``update_many``/``update_rows`` save some fields of many rows by primary key; ``insert_rows``
inserts many rows. On PostgreSQL each is one statement per 1,000 rows whose values travel as one
JSON document (``jsonb_to_recordset``): the statement's text is the same whatever the number of
rows (psycopg parses it once) and the values are encoded by ``json.dumps`` in one go, instead of
SQL for every value. Elsewhere ``executemany`` and ``bulk_create``. (``QuerySet.bulk_update``
builds a CASE expression over every field and row, which for a thousand runs costs more in Python
than the work it records; ``bulk_create`` makes model instances and SQL for every value.)

For fields of plain types: text, numbers, booleans, dates and times, keys, and JSON fields with
the default encoder.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, models

CHUNK = 1000


def _fast_timestamps() -> Any:
    """psycopg's own loader for ``timestamptz`` (C, in psycopg-binary), or None."""
    try:
        import psycopg
        from psycopg import pq
    except ImportError:  # pragma: no cover - PostgreSQL always has it
        return None
    return psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, pq.Format.TEXT)


FAST_TIMESTAMPS = _fast_timestamps()


def rows(queryset: models.QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset (tuples), read fast on PostgreSQL.

    Django reads each timestamp through a loader written in Python (it sets the zone); psycopg's
    own, in C, gives the same aware UTC datetimes when the session's zone is UTC, as Django sets it,
    several times faster — and a busy tick reads a few hundred thousand of them. Any other case
    (another database or zone, a column that needs converting, e.g. JSON) reads through the ORM."""
    db = connections[queryset.db]
    if db.vendor != "postgresql" or FAST_TIMESTAMPS is None or db.timezone_name != "UTC":
        return list(queryset)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    if compiler.get_converters([column for column, _sql, _alias in compiler.select]):
        return list(queryset)
    with db.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", FAST_TIMESTAMPS)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _cast_type(field: Any) -> str:
    """The column's type, varchar without its length (a value too long then fails as in a plain
    statement instead of being cut by the cast)."""
    kind = str(field.db_type(connection))
    return "varchar" if kind.startswith("varchar") else kind


def _plain(field: Any) -> Callable[[Any], Any]:
    """How a value of ``field`` goes into the JSON document: as it is when it already is what the
    field would store (text for a text field, a whole number for a number or a key); otherwise
    through the field's own preparation, dates and times then as ISO text."""
    if isinstance(field, models.JSONField):
        if field.encoder is not None:
            raise ValueError(f"{field.name}: a JSON field with its own encoder")
        return lambda value: value
    target = field.target_field if field.is_relation else field
    ready: tuple[type, ...] = ()
    if isinstance(target, models.CharField | models.TextField):
        ready = (str,)
    elif isinstance(target, models.IntegerField | models.AutoField):
        ready = (int,)

    def plain(value: Any) -> Any:
        if value is None or type(value) in ready:
            return value
        value = field.get_prep_value(value)
        if isinstance(value, datetime.date | datetime.time):  # datetimes too
            return value.isoformat()
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"{field.name}: {type(value).__name__} is not a plain value")
        return value

    return plain


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[Any, ...]  # the fields the JSON document carries, in order
    names: tuple[str, ...]  # their keys in it
    constant: tuple[Any, ...] = ()  # insert: the other fields, one value each
    converters: tuple[Callable[[Any], Any], ...] = ()

    def document(self, rows: Sequence[Sequence[Any]]) -> str:
        keyed = list(zip(self.names, self.converters, strict=True))
        return json.dumps([{name: plain(value) for (name, plain), value in zip(keyed, row, strict=True)}
                           for row in rows], separators=(",", ":"))


def _recordset(fields: Sequence[Any], names: Sequence[str]) -> str:
    columns = ", ".join(f"{name} {_cast_type(field)}" for field, name in zip(fields, names, strict=True))
    return f"jsonb_to_recordset(%s::jsonb) AS v({columns})"


@functools.cache
def _update(model: type[models.Model], fields: tuple[str, ...]) -> _Statement:
    """The PostgreSQL statement for ``update_rows`` (worked out once per model and fields)."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns: list[Any] = [*(meta.get_field(name) for name in fields), meta.pk]
    names = (*(f"c{i}" for i in range(len(fields))), "pk")
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    assignments = ", ".join(f"{quote(field.column)} = v.{name}" for field, name in zip(columns, names[:-1],
                                                                                          strict=False))
    sql = f"UPDATE {table} SET {assignments} FROM {_recordset(columns, names)} WHERE {table}.{pk} = v.pk"  # noqa: S608
    return _Statement(sql, tuple(columns), names, converters=tuple(_plain(field) for field in columns))


@functools.cache
def _insert(model: type[models.Model], fields: tuple[str, ...]) -> _Statement:
    """The PostgreSQL statement for ``insert_rows`` (worked out once per model and fields)."""
    meta = model._meta
    quote = connection.ops.quote_name
    varying: list[Any] = [meta.get_field(name) for name in fields]
    constant: list[Any] = [field for field in meta.concrete_fields if field.name not in fields and not field.primary_key]
    for field in constant:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"{field.name} is set when saved: give its value in `same`")
    names = tuple(f"c{i}" for i in range(len(varying)))
    columns = ", ".join(quote(field.column) for field in [*varying, *constant])
    select = ", ".join([f"v.{name}" for name in names] + [f"%s::{_cast_type(field)}" for field in constant])
    sql = (f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {select} "  # noqa: S608
           f"FROM {_recordset(varying, names)} RETURNING {quote(meta.pk.column)}")
    return _Statement(sql, tuple(varying), names, tuple(constant), tuple(_plain(field) for field in varying))


def update_many(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of each object (all of one model) by primary key."""
    if not objs:
        return
    columns: list[Any] = [objs[0]._meta.get_field(name) for name in fields]
    update_rows(type(objs[0]), fields, [(*(getattr(obj, field.attname) for field in columns), obj.pk) for obj in objs])


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Save ``fields`` by primary key: each row holds the fields' values, in order, then the key."""
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            meta = model._meta
            quote = connection.ops.quote_name
            columns: list[Any] = [meta.get_field(name) for name in fields]
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",  # noqa: S608
                [(*(field.get_db_prep_save(value, connection) for field, value in zip(columns, row[:-1], strict=True)),
                  row[-1]) for row in rows])
            return
        statement = _update(model, tuple(fields))
        for start in range(0, len(rows), CHUNK):
            cursor.execute(statement.sql, [statement.document(rows[start:start + CHUNK])])


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *,
                same: dict[str, Any] | None = None) -> list[Any]:
    """Insert one row per item of ``rows`` (the values of ``fields``, in order); every other field
    takes its value in ``same``, or else its default, as a new instance would. Returns the new
    primary keys, in order."""
    if not rows:
        return []
    meta = model._meta
    same = same or {}
    if connection.vendor != "postgresql":
        fields_of: dict[str, Any] = {field.name: field for field in meta.concrete_fields}
        names = [fields_of[name].attname for name in fields]
        fixed = {fields_of[name].attname: value for name, value in same.items()}
        objs = model._base_manager.bulk_create([model(**fixed, **dict(zip(names, row, strict=True))) for row in rows])
        return [obj.pk for obj in objs]
    statement = _insert(model, tuple(fields))
    values = [field.get_db_prep_save(same[field.name] if field.name in same else field.get_default(), connection)
              for field in statement.constant]
    found: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.execute(statement.sql, [*values, statement.document(rows[start:start + CHUNK])])
            found.extend(pk for (pk,) in cursor.fetchall())
    return found
