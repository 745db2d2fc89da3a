"""A spreadsheet (XLSX or CSV) read as a stream of rows, never whole into memory.

XLSX is opened with ``read_only=True`` (openpyxl then streams the sheet's XML) and only the
first sheet is read; CSV goes through :mod:`csv` line by line, UTF-8 (with or without BOM),
``;`` or ``,`` as delimiter (whichever the header line uses). Lines of a CSV that start with
``#`` before the header are comments (the templates explain themselves there). Blank rows
are skipped. A formula in an XLSX cell is refused, never evaluated nor its cached result
used: a promoter pastes values.
"""

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import BinaryIO
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

CellValue = str | int | float | datetime.date | datetime.datetime | None


class SheetError(Exception):
    """The file as a whole cannot be read (format, encoding, no header)."""


class FormulaCell(str):
    """The text of an XLSX formula: a row holding one is refused, the formula never run."""


@dataclass(frozen=True)
class Row:
    """A data row: its number as the user sees it (the header is row 1) and its cells."""

    number: int
    cells: dict[str, CellValue]


def read_rows(source: Path | BinaryIO, *, file_name: str) -> tuple[list[str], Iterator[Row]]:
    """The header (as written) and an iterator over the data rows of ``source``.

    ``file_name`` decides the format by its extension (``.xlsx`` or ``.csv``).
    """
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(source)
    if suffix == ".csv":
        return _csv_rows(source)
    raise SheetError(
        _("%(name)s: only .xlsx and .csv files can be imported.") % {"name": file_name}
    )


def _rows_from(header: list[str], rows: Iterator[tuple[int, list[CellValue]]]) -> Iterator[Row]:
    for number, values in rows:
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        cells = dict(zip(header, values, strict=False))
        extra = [value for value in values[len(header) :] if value not in (None, "")]
        if extra:
            cells[""] = extra[0]  # a value under no header: the row is refused by the caller
        yield Row(number=number, cells=cells)


def _header(values: list[CellValue]) -> list[str]:
    header = [("" if value is None else str(value)).strip() for value in values]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise SheetError(_("The file has no header row."))
    return header


def _xlsx_rows(source: Path | BinaryIO) -> tuple[list[str], Iterator[Row]]:
    try:
        workbook = load_workbook(source, read_only=True, data_only=False)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError(_("This is not a readable XLSX file.")) from exc
    sheet = workbook.worksheets[0]
    numbered = (
        (number, [_xlsx_value(cell) for cell in cells])
        for number, cells in enumerate(sheet.iter_rows(), start=1)
    )
    for _number, values in numbered:
        if any(value not in (None, "") for value in values):
            header = _header([str(value) if value is not None else None for value in values])
            break
    else:
        workbook.close()
        raise SheetError(_("The file has no header row."))

    def rows() -> Iterator[Row]:
        try:
            yield from _rows_from(header, numbered)
        finally:
            workbook.close()

    return header, rows()


def _xlsx_value(cell) -> CellValue:
    if cell.data_type == "f":
        return FormulaCell(cell.value)
    return cell.value


def _csv_rows(source: Path | BinaryIO) -> tuple[list[str], Iterator[Row]]:
    binary = source.open("rb") if isinstance(source, Path) else source
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    skipped = 0  # blank and comment lines above the header
    try:
        for line in text:
            if line.strip() and not line.startswith("#"):
                break
            skipped += 1
        else:
            raise SheetError(_("The file has no header row."))
    except UnicodeDecodeError as exc:
        raise SheetError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
    delimiter = ";" if ";" in line and line.count(";") >= line.count(",") else ","
    reader = csv.reader(chain([line], text), delimiter=delimiter)
    header = _header(next(reader))

    def rows() -> Iterator[Row]:
        try:
            yield from _rows_from(
                header, ((skipped + reader.line_num, values) for values in reader)
            )
        except UnicodeDecodeError as exc:
            raise SheetError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
        finally:
            text.close()

    return header, rows()
