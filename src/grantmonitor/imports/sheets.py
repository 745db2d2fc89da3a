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


Record = tuple[int, list[CellValue]]  # a non-blank data row: its number and its cells


def read_rows(source: Path | BinaryIO, *, file_name: str) -> tuple[list[str], Iterator[Row]]:
    """The header (as written) and an iterator over the data rows of ``source``.

    ``file_name`` decides the format by its extension (``.xlsx`` or ``.csv``).
    """
    header, records = read_records(source, file_name=file_name)
    return header, rows_of(header, records)


def read_records(source: Path | BinaryIO, *, file_name: str) -> tuple[list[str], Iterator[Record]]:
    """The header and the non-blank data rows as written, each a list of its cells."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_records(source)
    if suffix == ".csv":
        return _csv_records(source)
    raise SheetError(
        _("%(name)s: only .xlsx and .csv files can be imported.") % {"name": file_name}
    )


def extra_value(header: list[str], values: list[CellValue]) -> CellValue:
    """The first value right of the header's last column (the row is refused), or None."""
    return next((value for value in values[len(header) :] if value not in (None, "")), None)


def rows_of(header: list[str], records: Iterator[Record]) -> Iterator[Row]:
    for number, values in records:
        cells = dict(zip(header, values, strict=False))
        extra = extra_value(header, values)
        if extra is not None:
            cells[""] = extra  # a value under no header: the row is refused by the caller
        yield Row(number=number, cells=cells)


def _filled(records: Iterator[Record]) -> Iterator[Record]:
    """Without the blank rows."""
    for number, values in records:
        if not all(
            value is None or (isinstance(value, str) and not value.strip()) for value in values
        ):
            yield number, values


def _header(values: list[CellValue]) -> list[str]:
    header = [("" if value is None else str(value)).strip() for value in values]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise SheetError(_("The file has no header row."))
    return header


def _xlsx_records(source: Path | BinaryIO) -> tuple[list[str], Iterator[Record]]:
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

    def rows() -> Iterator[Record]:
        try:
            yield from _filled(numbered)
        finally:
            workbook.close()

    return header, rows()


def _xlsx_value(cell) -> CellValue:
    if cell.data_type == "f":
        return FormulaCell(cell.value)
    return cell.value


def delimiter_of(header_line: str) -> str:
    """``;`` or ``,``: whichever the header line uses (``;`` when as often)."""
    return ";" if ";" in header_line and header_line.count(";") >= header_line.count(",") else ","


def _csv_records(source: Path | BinaryIO) -> tuple[list[str], Iterator[Record]]:
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
    delimiter = delimiter_of(line)
    reader = csv.reader(chain([line], text), delimiter=delimiter)
    header = _header(next(reader))

    def rows() -> Iterator[Record]:
        try:
            yield from _filled((skipped + reader.line_num, values) for values in reader)
        except UnicodeDecodeError as exc:
            raise SheetError(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from exc
        finally:
            text.close()

    return header, rows()
