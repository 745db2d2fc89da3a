"""Many new rows of one model in one write: ``COPY`` on PostgreSQL (a fraction of
``bulk_create``'s cost per row), batched inserts elsewhere. As model instances, which get
their keys (``insert``), or as plain values of some fields (``insert_values``).

The rows were validated before; the database still enforces the table's constraints, and a
failure undoes the write with the caller's transaction. Their values go to the database as
they are (dates, decimals, texts), without ``get_db_prep_save``: not for fields that need a
conversion (JSON, files).
"""

from collections.abc import Iterable, Sequence

from django.db import connection

BATCH = 5000


def insert(model, rows: list) -> None:
    """Insert ``rows`` (new instances of ``model``) and give them their primary keys."""
    if connection.vendor != "postgresql":
        for start in range(0, len(rows), BATCH):
            model.objects.bulk_create(rows[start : start + BATCH])
        return
    if not rows:
        return
    fields = model._meta.concrete_fields
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, len(rows)],
        )
        for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
            row.pk = pk
            row._prepare_related_fields_for_save(operation_name="copy")  # keys of saved parents
            row._state.adding, row._state.db = False, connection.alias
    copy(
        model,
        [field.column for field in fields],
        ([getattr(row, field.attname) for field in fields] for row in rows),
    )


def insert_values(model, fields: list[str], values: Iterable[Sequence]) -> None:
    """Insert rows given as the values of ``fields`` (attribute names, ``kpi_id`` for a
    foreign key), without making a model instance per row where the database allows: ``COPY``
    on PostgreSQL, batched inserts of instances elsewhere. The rows do not get their keys."""
    if connection.vendor == "postgresql":
        copy(model, [model._meta.get_field(name).column for name in fields], values)
        return
    model.objects.bulk_create(
        (model(**dict(zip(fields, row, strict=True))) for row in values), batch_size=BATCH
    )


def copy(model, columns: list[str], values: Iterable[Sequence]) -> None:
    """``COPY`` rows of ``values`` into ``columns`` of ``model``'s table (PostgreSQL)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    table = quote(model._meta.db_table)
    # Django's own errors (IntegrityError, ...), as for any other statement
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as rows,
    ):
        for row in values:
            rows.write_row(row)
