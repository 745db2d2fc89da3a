"""Import a spreadsheet of one kind in one transaction: every row validated, written in chunks.

Rows stream from :mod:`grantmonitor.imports.sheets` and are processed in batches: each row is
read and validated on its own, the batch's natural keys are looked up in a few queries, and
the new rows are written together (:mod:`grantmonitor.register.batch`); the affected KPIs are
recomputed once per project at the end. When any row fails nothing is saved, unless
``valid_only`` is asked: then the valid rows are saved and the others listed. Every error
names its row, column and value. A row whose natural key (see
:mod:`grantmonitor.imports.kinds`) is already present is counted as unchanged, so
re-importing a file creates nothing twice. At most ``ERRORS_KEPT`` errors are kept for the
report (the rest are counted), so a file full of mistakes does not fill the memory either.

This is the Python path, which runs everywhere except for an attendance CSV on PostgreSQL:
that one is staged with COPY and checked and joined in SQL by
:mod:`grantmonitor.imports.staged` (its docstring says which path runs where). The checks
both paths share (cells, project, the report) are in :mod:`grantmonitor.imports.checks`.
"""

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.imports import staged
from grantmonitor.imports.checks import (
    BATCH_SIZE,
    ERRORS_KEPT,
    ImportReport,
    Projects,
    RowError,
    RowFailed,
    joined,
    project_of,
    values_parsed,
)
from grantmonitor.imports.kinds import KINDS, Column, Kind
from grantmonitor.imports.sheets import Row, SheetError, read_records, rows_of
from grantmonitor.register import batch as register_batch

__all__ = ["BATCH_SIZE", "ERRORS_KEPT", "ImportReport", "RowError", "import_file"]


def import_file(
    *,
    source: Path | BinaryIO,
    file_name: str,
    kind: str,
    project: str = "",
    valid_only: bool = False,
    progress: Callable[[ImportReport], None] | None = None,
    only_project: Project | None = None,
) -> ImportReport:
    """Import ``source`` as ``kind``; ``project`` names the project when the file has no
    project column; with ``only_project`` a row naming another project is refused (an upload
    into one project). Raises :class:`SheetError` when the file as a whole cannot be read."""
    spec = KINDS[kind]
    header, records = read_records(source, file_name=file_name)
    columns = _columns(spec, header, has_default_project=bool(project))
    report = ImportReport(kind=kind, valid_only=valid_only)
    projects = Projects(only_project)
    with transaction.atomic():
        if staged.applies(spec, file_name):
            touched = staged.import_records(
                spec, source, header, columns, records, project, projects, report, progress
            )
        else:
            touched = {}
            for batch in _batches(rows_of(header, records)):
                report.rows += len(batch)
                _import_batch(spec, columns, batch, project, projects, report, touched)
                if progress is not None:
                    progress(report)
        if report.saved:
            register_batch.recompute(touched)
        else:
            transaction.set_rollback(True)
    return report


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


def _accepted_headers(column: Column) -> set[str]:
    names = {column.key.casefold()}
    for language in ("nl", "en"):
        with translation.override(language):
            names.add(str(column.label).casefold())
    return names


def _columns(spec: Kind, header: list[str], *, has_default_project: bool) -> dict[str, str]:
    """Column key → header as written; refuses unknown, repeated and missing columns."""
    by_name = {name: column for column in spec.columns for name in _accepted_headers(column)}
    found: dict[str, str] = {}
    for written in header:
        column = by_name.get(written.casefold())
        if column is None:
            raise SheetError(
                _("Column “%(column)s” is not known for %(kind)s; known columns: %(known)s.")
                % {
                    "column": written,
                    "kind": spec.label,
                    "known": ", ".join(str(c.label) for c in spec.columns),
                }
            )
        if column.key in found:
            raise SheetError(_("Column “%(column)s” appears twice.") % {"column": written})
        found[column.key] = written
    required = [c for c in spec.columns if c.required]
    if not has_default_project:
        required.append(spec.columns[0])
    missing = [str(c.label) for c in required if c.key not in found]
    if missing:
        raise SheetError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return found


@dataclass
class _Parsed:
    row: Row
    project: Project
    values: dict
    key: Hashable


def _import_batch(
    spec: Kind,
    columns: dict[str, str],
    batch: list[Row],
    default_project: str,
    projects: Projects,
    report: ImportReport,
    touched: dict,
) -> None:
    """Read and validate the batch's rows, look their keys up once per project, write the new
    ones per project. Once a row failed in an all-or-nothing import nothing more is written
    (it will be rolled back); the rest is still validated, so every error is listed."""
    parsed = []
    for row in batch:
        try:
            parsed.append(_parse(spec, columns, row, default_project, projects))
        except RowFailed as failure:
            _fail(report, columns, row, failure.column, failure.message)
    by_project: dict[Project, list[_Parsed]] = {}
    for item in parsed:
        by_project.setdefault(item.project, []).append(item)
    for project, items in by_project.items():
        known = spec.known(project, [item.key for item in items])
        built = []
        for item in items:
            if item.key in known.present:
                report.unchanged += 1
                continue
            try:
                built.append(spec.build(project, item.values, known))
            except ValidationError as exc:
                _fail(report, columns, item.row, *joined(exc))
                continue
            known.present.add(item.key)
        if not built:
            continue
        if report.saved:
            created = spec.write(built)
            report.unchanged += len(built) - created
            touched[project] = _union(touched.get(project, frozenset()), spec.touching)
        else:
            created = len(built)  # would have been created: counted, not written
        report.created += created


def _union(touching: frozenset | None, more: frozenset | None) -> frozenset | None:
    return None if touching is None or more is None else touching | more


def _parse(
    spec: Kind, columns: dict[str, str], row: Row, default_project: str, projects: Projects
) -> _Parsed:
    if "" in row.cells:
        raise RowFailed("", _("a value in a column without header"))
    values = values_parsed(spec.columns, columns, row.cells)
    project = project_of(values, default_project, projects)
    try:
        key = spec.key(values)
    except ValidationError as exc:
        raise RowFailed(*joined(exc)) from exc
    return _Parsed(row=row, project=project, values=values, key=key)


def _fail(report: ImportReport, columns: dict, row: Row, column_key: str, message: str) -> None:
    written = columns.get(column_key, column_key)
    report.refuse(row.number, written, row.cells.get(written), message)
