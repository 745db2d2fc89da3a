"""Attendance from a CSV file on PostgreSQL: staged with COPY, checked and joined set-based.

Which path runs where:

- **PostgreSQL, kind ``attendance``, a ``.csv`` file** (the file of millions of rows) runs
  here. The rows are streamed with ``COPY`` into a temporary staging table (all cells as
  text, with the row's number): a plain file (no quote, no blank line, every row as wide as
  the header, lines ending in LF or CR LF) byte for byte as it is, any other through
  Python's :mod:`csv` reader (:mod:`grantmonitor.imports.sheets`), which numbers its rows.
  Each *distinct* activity (project, date, kind, title) and each distinct person (project,
  reference, INSZ) written in the file is then checked once in Python, with the same parsers
  and messages as the Python path (:mod:`grantmonitor.imports.checks`,
  :mod:`grantmonitor.imports.kinds`), and the outcome is copied into two small temporary
  tables; the activities and participants are found by their natural keys in SQL, every row
  gets its first error (or its ids) in one join, the first ``ERRORS_KEPT`` errors are read
  back in row order, and the valid pairs are inserted in one ``INSERT … SELECT … ON CONFLICT
  DO NOTHING`` (:func:`grantmonitor.register.batch.attendances_insert_from`).
- **Everything else** (SQLite, XLSX files, the other kinds) runs through the Python path of
  :mod:`grantmonitor.imports.importer`, row by row in batches. XLSX stays there because
  reading the sheet (openpyxl) costs far more than checking its rows.

Both paths produce the same counts and the same errors (row, column, value, Dutch message),
except that here the errors come in row order where the Python path lists, within a batch of
``BATCH_SIZE`` rows, unreadable rows before unknown references.

The staging tables are temporary (never written to the WAL) and analysed before they are
joined; ``work_mem`` is raised for the import's transaction only, to sort the pairs in
memory. ``synchronous_commit`` is left as it is: a committed import is on disk.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.imports import kinds
from grantmonitor.imports.checks import (
    BATCH_SIZE,
    ERRORS_KEPT,
    ImportReport,
    Projects,
    RowFailed,
    joined,
    project_of,
    values_parsed,
)
from grantmonitor.imports.sheets import Record, delimiter_of, extra_value
from grantmonitor.register import batch as register_batch

STAGING = "import_staging"
ACTIVITY_KEYS = "import_activity_keys"
PERSON_KEYS = "import_person_keys"
RESOLVED = "import_resolved"
ACTIVITY_PART = ("project", "date", "kind", "title")
PERSON_PART = ("project", "reference", "insz")
KEYS_CHUNK = 5000  # distinct keys checked in Python, then copied back, at a time
COPY_CHUNK = 5000  # rows formatted in Python before they are sent to COPY
BLOCK = 1 << 20  # bytes of a plain file sent to COPY at a time
WORK_MEM = "64MB"  # to sort a million valid pairs for the insert in memory, not on disk


def applies(spec: kinds.Kind, file_name: str) -> bool:
    return (
        connection.vendor == "postgresql"
        and spec is kinds.ATTENDANCE
        and Path(file_name).suffix.lower() == ".csv"
    )


def import_records(
    spec: kinds.Kind,
    source: Path | BinaryIO,
    header: list[str],
    columns: dict[str, str],
    records: Iterator[Record],
    default_project: str,
    projects: Projects,
    report: ImportReport,
    progress: Callable[[ImportReport], None] | None,
) -> dict[Project, frozenset[str] | None]:
    """Import the attendance in ``source`` (``records``: its rows read by Python, used
    unless the file is plain) into ``report``; the projects to recompute."""
    with connection.cursor() as cursor:
        for table in (STAGING, ACTIVITY_KEYS, PERSON_KEYS, RESOLVED):
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
        fields = _stage_plain(cursor, source, len(header))
        if fields is None:
            fields = _stage(cursor, header, records, report, progress)
        cell = _Cells(header, columns, fields)
        cursor.execute(f"ANALYZE {STAGING}")  # for the planner: hash joins, not nested loops
        check = _Check(spec, default_project, projects)
        _keys(cursor, ACTIVITY_KEYS, ACTIVITY_PART, cell, check.activity, _ACTIVITY_OUTCOME)
        _keys(cursor, PERSON_KEYS, PERSON_PART, cell, check.person, _PERSON_OUTCOME)
        _look_up(cursor)
        report.rows, failed = _resolve(cursor, cell)
        if progress is not None:
            progress(report)
        if failed:
            _errors(cursor, cell, report)
        report.failed += failed - len(report.errors)  # the errors kept are counted already
        valid = report.rows - report.failed
        if report.saved:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
            created = register_batch.attendances_insert_from(
                f"SELECT activity_id, participant_id FROM {RESOLVED} "  # noqa: S608 -- our names
                "WHERE error_column IS NULL ORDER BY activity_id, participant_id"
            )
        else:
            created = _new_pairs(cursor)
        report.created += created
        report.unchanged += valid - created
        touched = _touched(cursor, spec) if report.saved and created else {}
        for table in (STAGING, ACTIVITY_KEYS, PERSON_KEYS, RESOLVED):
            cursor.execute(f"DROP TABLE pg_temp.{table}")
    return touched


class _Cells:
    """The staging table's expression for a column of the kind (its cells as written); the
    staged columns right of the header's hold what a row has under no header."""

    def __init__(self, header: list[str], columns: dict[str, str], fields: int) -> None:
        self.index = {key: header.index(written) for key, written in columns.items()}
        self.written = columns
        self.all = [f"s.c{index}" for index in range(fields)]
        extra = [f"nullif({name}, '')" for name in self.all[len(header) :]]
        self.extra = f"coalesce({', '.join(extra)}, '')" if extra else "''"

    def __call__(self, key: str) -> str:
        return f"s.c{self.index[key]}" if key in self.index else "''"


def _create_staging(cursor, fields: int, first: int) -> list[str]:
    names = [f"c{index}" for index in range(fields)]
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING} "
        f"(n integer GENERATED BY DEFAULT AS IDENTITY (START WITH {int(first)}), "
        + ", ".join(f"{name} text" for name in names)
        + ")"
    )
    return names


def _stage(cursor, header: list[str], records: Iterator[Record], report, progress) -> int:
    """COPY the rows Python read: number, each header's cell, the first extra value.
    Returns how many cells a staged row has."""
    width = len(header)
    names = _create_staging(cursor, width + 1, 1)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    with cursor.cursor.copy(
        f"COPY {STAGING} (n, {', '.join(names)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(names)}))"
    ) as copy:
        for number, values in records:
            cells = values[:width]
            cells += [""] * (width - len(cells))
            writer.writerow((number, *cells, extra_value(header, values) or ""))
            report.rows += 1
            if report.rows % COPY_CHUNK == 0:
                copy.write(out.getvalue())
                out.seek(0)
                out.truncate()
            if progress is not None and report.rows % BATCH_SIZE == 0:
                progress(report)
        copy.write(out.getvalue())
    return width + 1


class _NotPlain(Exception):
    """The file needs Python's csv reader after all."""


def _stage_plain(cursor, source: Path | BinaryIO, width: int) -> int | None:
    """COPY a plain file's bytes after its header as they are, numbering the rows from the
    header's line; how many cells a staged row has, or None (nothing staged) when the file
    is not plain: a quote, a blank line, a row wider or narrower than the header, a line end
    of ``\r`` alone, or ``\\.`` (which COPY reads as the end) anywhere."""
    blocks = _blocks(source)
    if blocks is None:
        return None
    head = next(blocks, b"").removeprefix(codecs.BOM_UTF8)
    if not _plain(head):
        return None
    offset, number = 0, 0
    while True:  # lines above the header: blank or comments, as sheets skips them
        end = head.find(b"\n", offset)
        if end < 0:
            return None
        line = head[offset : end + 1].decode("utf-8", errors="replace")
        offset, number = end + 1, number + 1
        if line.strip() and not line.startswith("#"):
            break
    delimiter = delimiter_of(line)
    fields = line.count(delimiter) + 1
    if fields < width:
        return None
    try:
        with transaction.atomic():
            names = ", ".join(_create_staging(cursor, fields, number + 1))
            with cursor.cursor.copy(
                f"COPY {STAGING} ({names}) FROM STDIN WITH "
                f"(FORMAT csv, DELIMITER '{delimiter}', FORCE_NOT_NULL ({names}))"
            ) as copy:
                copy.write(head[offset:])
                for block in blocks:
                    if not _plain(block):
                        raise _NotPlain
                    copy.write(block)
    except (_NotPlain, psycopg.Error):
        return None
    return fields


def _plain(block: bytes) -> bool:
    return b'"' not in block and b"\\." not in block and b"\r" not in block.replace(b"\r\n", b"")


def _blocks(source: Path | BinaryIO) -> Iterator[bytes] | None:
    """The file's bytes a block at a time, from the start; None for a stream that cannot be
    read twice (it is read by Python then)."""
    if isinstance(source, Path):
        return _file_blocks(source)
    if isinstance(source, io.BytesIO):
        return _memory_blocks(source)
    return None


def _memory_blocks(source: io.BytesIO) -> Iterator[bytes]:
    with source.getbuffer() as view:  # released at the end, so the stream can be closed
        for start in range(0, len(view), BLOCK):
            yield bytes(view[start : start + BLOCK])


def _file_blocks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as source:
        while block := source.read(BLOCK):
            yield block


class _Check:
    """One distinct activity or person as written, checked as the Python path checks a row."""

    def __init__(self, spec: kinds.Kind, default_project: str, projects: Projects) -> None:
        self.default_project, self.projects = default_project, projects
        self.activity_columns = [c for c in spec.columns if c.key in ACTIVITY_PART]
        self.person_columns = [c for c in spec.columns if c.key in PERSON_PART]
        self.identity = {key: key for key in {*ACTIVITY_PART, *PERSON_PART}}

    def activity(self, written: tuple) -> tuple:
        """(project id, date, kind, title, error column, error, the error when it is missing)."""
        try:
            values = values_parsed(
                self.activity_columns, self.identity, dict(zip(ACTIVITY_PART, written, strict=True))
            )
            project = project_of(values, self.default_project, self.projects)
        except RowFailed as failure:
            return (None, None, None, None, failure.column, failure.message, None)
        missing = kinds.activity_missing(values)
        return (project.pk, values["date"], values["kind"], values["title"], None, None, missing)

    def person(self, written: tuple) -> tuple:
        """(project id, "insz" or "reference", person key or reference, error column, error);
        without a project the row is refused for its activity already."""
        try:
            values = values_parsed(
                self.person_columns, self.identity, dict(zip(PERSON_PART, written, strict=True))
            )
            by, value = kinds.person(values)
        except RowFailed as failure:
            return (None, None, None, failure.column, failure.message)
        except ValidationError as exc:
            return (None, None, None, *joined(exc))
        try:
            project = project_of(values, self.default_project, self.projects)
        except RowFailed:
            return (None, by, value, None, None)
        return (project.pk, by, value, None, None)


_ACTIVITY_OUTCOME = (
    "project_id bigint, day date, code text, clean_title text, "
    "error_column text, error_message text, missing_message text"
)
_PERSON_OUTCOME = "project_id bigint, by text, value text, error_column text, error_message text"


def _keys(cursor, table, part, cell, check, outcome: str) -> None:
    """Check every distinct combination of ``part``'s cells once; copy the outcome to
    ``table`` (the cells as written, then ``outcome``'s columns)."""
    written = ", ".join(f"w_{key} text" for key in part)
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({written}, {outcome}, found bigint)")
    outcome_names = [column.split()[0] for column in outcome.split(", ")]
    names = ", ".join([*(f"w_{key}" for key in part), *outcome_names])
    with connection.chunked_cursor() as distinct:
        distinct.execute(
            f"SELECT DISTINCT {', '.join(cell(key) for key in part)} FROM {STAGING} s"  # noqa: S608
        )
        while chunk := distinct.fetchmany(KEYS_CHUNK):
            checked = [(*row, *check(row)) for row in chunk]  # a check may query: not in COPY
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in checked:
                    copy.write_row(row)
    cursor.execute(f"ANALYZE {table}")  # a temporary table has no statistics until asked


def _look_up(cursor) -> None:
    """Find each checked activity and person by its natural key within its project: the
    activity with the lowest id, the participant registered first (as the Python path)."""
    cursor.execute(
        f"UPDATE {ACTIVITY_KEYS} k SET found = ("  # noqa: S608 -- our names
        "SELECT min(a.id) FROM register_activity a WHERE a.project_id = k.project_id "
        "AND a.date = k.day AND a.kind = k.code AND a.title = k.clean_title"
        ") WHERE k.error_column IS NULL"
    )
    branches = " UNION ALL ".join(
        "(SELECT DISTINCT ON (w.project_id, w.value) w.project_id, w.by, w.value, p.id "  # noqa: S608
        f"FROM (SELECT DISTINCT project_id, by, value FROM {PERSON_KEYS} "
        f"WHERE by = '{by}' AND project_id IS NOT NULL) w "
        f"JOIN register_participant p ON p.project_id = w.project_id AND p.{field} = w.value "
        "ORDER BY w.project_id, w.value, p.registered_on, p.id)"
        for by, field in (("insz", "person_key"), ("reference", "reference"))
    )
    cursor.execute(
        f"UPDATE {PERSON_KEYS} k SET found = m.id FROM ({branches}) m "  # noqa: S608
        "WHERE k.project_id = m.project_id AND k.by = m.by AND k.value = m.value"
    )


# A row's first error, in the order the Python path checks a row: a value under no header,
# the activity's cells and project, the person, the activity, the participant.
_FIRST_ERROR = [
    ("{extra} <> ''", "''", "%(extra)s"),
    ("a.error_column IS NOT NULL", "a.error_column", "a.error_message"),
    ("p.error_column IS NOT NULL", "p.error_column", "p.error_message"),
    ("a.found IS NULL", "'date'", "a.missing_message"),
    ("p.found IS NULL", "'reference'", "%(no_participant)s"),
]


def _resolve(cursor, cell: _Cells) -> tuple[int, int]:
    """Every row with its activity and participant, or its first error; how many rows there
    are and how many failed."""
    column = " ".join(f"WHEN {when} THEN {key}" for when, key, _message in _FIRST_ERROR)
    message = " ".join(f"WHEN {when} THEN {text}" for when, _key, text in _FIRST_ERROR)
    column, message = (text.replace("{extra}", cell.extra) for text in (column, message))
    activity = " AND ".join(f"a.w_{key} = {cell(key)}" for key in ACTIVITY_PART)
    person = " AND ".join(f"p.w_{key} = {cell(key)}" for key in PERSON_PART)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {RESOLVED} AS "  # noqa: S608 -- our names
        f"SELECT s.n, a.project_id, a.found AS activity_id, p.found AS participant_id, "
        f"CASE {column} END AS error_column, CASE {message} END AS error_message "
        f"FROM {STAGING} s JOIN {ACTIVITY_KEYS} a ON {activity} JOIN {PERSON_KEYS} p ON {person} "
        f"WHERE concat({', '.join(cell.all)}) !~ '^[[:space:]]*$'",  # blank rows are skipped
        {
            "extra": _("a value in a column without header"),
            "no_participant": str(kinds.NO_SUCH_PARTICIPANT),
        },
    )
    cursor.execute(f"SELECT count(*), count(error_column) FROM {RESOLVED}")  # noqa: S608
    return cursor.fetchone()


def _errors(cursor, cell: _Cells, report: ImportReport) -> None:
    """The first ``ERRORS_KEPT`` errors in row order, each with its cell as written."""
    value = " ".join(
        f"WHEN '{key}' THEN {cell(key)}" for key in (*ACTIVITY_PART, "reference", "insz")
    )
    cursor.execute(
        f"SELECT r.n, r.error_column, CASE r.error_column WHEN '' THEN {cell.extra} {value} END, "  # noqa: S608
        f"r.error_message FROM {RESOLVED} r JOIN {STAGING} s USING (n) "
        "WHERE r.error_column IS NOT NULL ORDER BY r.n LIMIT %s",
        [ERRORS_KEPT],
    )
    for number, key, written, message in cursor.fetchall():
        report.refuse(number, cell.written.get(key, key), written, message)


def _new_pairs(cursor) -> int:
    """How many valid rows would have been created (an import that saves nothing)."""
    cursor.execute(
        "SELECT count(*) FROM (SELECT DISTINCT activity_id, participant_id "  # noqa: S608
        f"FROM {RESOLVED} WHERE error_column IS NULL) v WHERE NOT EXISTS ("
        "SELECT FROM register_attendance t "
        "WHERE t.activity_id = v.activity_id AND t.participant_id = v.participant_id)"
    )
    return cursor.fetchone()[0]


def _touched(cursor, spec: kinds.Kind) -> dict[Project, frozenset[str] | None]:
    cursor.execute(f"SELECT DISTINCT project_id FROM {RESOLVED} WHERE error_column IS NULL")  # noqa: S608
    ids = [pk for (pk,) in cursor.fetchall()]
    return {project: spec.touching for project in Project.objects.filter(pk__in=ids)}
