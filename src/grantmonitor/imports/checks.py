"""What both import paths share: the report, and the checks of a row's cells and its project.

:mod:`grantmonitor.imports.importer` runs them on every row (Python path);
:mod:`grantmonitor.imports.staged` runs them once per distinct value of a staged file and
joins the outcome back onto its rows in SQL (PostgreSQL path). Either way a refused row gets
the same column and the same Dutch message from here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.calls.selectors import project_find
from grantmonitor.imports import cells
from grantmonitor.imports.kinds import Column
from grantmonitor.imports.sheets import CellValue

BATCH_SIZE = 500
ERRORS_KEPT = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += f", {self.column}"
        value = f" “{self.value}”" if self.value else ""
        return f"{where}{value}: {self.message}"


@dataclass
class ImportReport:
    kind: str
    valid_only: bool
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def saved(self) -> bool:
        """Whether what was created is kept: no row failed, or the user chose valid rows only."""
        return self.failed == 0 or self.valid_only

    @property
    def imported_anything(self) -> bool:
        return self.saved and (self.created + self.unchanged) > 0

    @property
    def errors_not_shown(self) -> int:
        return self.failed - len(self.errors)

    def refuse(self, row: int, column: str, value: CellValue, message: str) -> None:
        """Count a refused row; keep its error while fewer than ``ERRORS_KEPT`` are kept."""
        self.failed += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(RowError(row, column, "" if value is None else str(value), message))


class RowFailed(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def values_parsed(
    columns: Iterable[Column], written: dict[str, str], row_cells: dict[str, CellValue]
) -> dict:
    """The typed values of ``columns`` (in their order); the first refused cell, or a
    required one left empty, raises :class:`RowFailed`. ``written``: column key → header."""
    values = {}
    for column in columns:
        try:
            values[column.key] = column.parse(row_cells.get(written.get(column.key, "")))
        except cells.CellError as exc:
            raise RowFailed(column.key, str(exc)) from exc
        if column.required and values[column.key] in (None, "", []):
            raise RowFailed(column.key, _("required"))
    return values


def project_of(values: dict, default_project: str, projects: "Projects") -> Project:
    """The project the row names, or else the import's; :class:`RowFailed` when none is."""
    name = values["project"] or default_project
    if not name:
        raise RowFailed("project", _("required"))
    project = projects.get(name)
    if isinstance(project, cells.CellError):
        raise RowFailed("project", str(project))
    return project


class Projects:
    """Projects by the name a row gives, looked up once; with ``only`` just that one."""

    def __init__(self, only: Project | None) -> None:
        self.only = only
        self.found: dict[str, Project | cells.CellError] = {}

    def get(self, name: str) -> Project | cells.CellError:
        if name not in self.found:
            self.found[name] = self._find(name)
        return self.found[name]

    def _find(self, name: str) -> Project | cells.CellError:
        if self.only is not None:
            if name.casefold() == self.only.name.casefold():
                return self.only
            return cells.CellError(
                _("this import is for project %(project)s only") % {"project": self.only.name}
            )
        try:
            return project_find(name=name)
        except Project.DoesNotExist:
            return cells.CellError(_("there is no project with this name"))
        except Project.MultipleObjectsReturned:
            return cells.CellError(_("several projects have this name"))


def joined(exc: ValidationError) -> tuple[str, str]:
    """The first field a service refused and why ("" for the row as a whole)."""
    if hasattr(exc, "error_dict"):
        key, messages = next(iter(exc.message_dict.items()))
        return ("" if key == "__all__" else key), " ".join(messages)
    return "", " ".join(exc.messages)
