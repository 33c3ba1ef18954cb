"""Writing many rows at once, fast: one UPDATE statement sent for all rows (``executemany``,
which psycopg pipelines). ``QuerySet.bulk_update`` builds a CASE expression over every field and
row, which for a thousand runs costs more in Python than the work it records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def update_many(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save ``fields`` of each object (all of one model) by primary key."""
    if not objs:
        return
    meta = objs[0]._meta
    quote = connection.ops.quote_name
    columns: list[Any] = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    rows = [(*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns), obj.pk)
            for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
