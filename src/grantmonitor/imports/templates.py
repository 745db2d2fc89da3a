"""A downloadable template per kind, XLSX and CSV: the header a promoter fills in, and what
each column means, which are required and how a row already imported is recognised.

The CSV explains itself in ``#`` comment lines above the header (the importer skips them) and
uses ``;`` as Belgian spreadsheets do; the XLSX has the header on its first sheet and the
explanation on a second one.
"""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from grantmonitor.imports.kinds import KINDS, Column, Kind


def _explanation(spec: Kind) -> list[str]:
    return [
        _("Template for importing %(kind)s into grantmonitor.") % {"kind": spec.label},
        str(spec.natural_key) + " " + _("Importing the same file again creates nothing twice."),
        _("Numbers: 1.347 or 299.168,12 or 1347.5; dates: 23/03/2018 or 2018-03-23."),
    ]


def _column_line(column: Column) -> list[str]:
    return [
        str(column.label),
        _("required") if column.required else _("optional"),
        str(column.help),
    ]


def template_csv(kind: str) -> bytes:
    spec = KINDS[kind]
    out = io.StringIO()
    for line in _explanation(spec):
        out.write(f"# {line}\n")
    for column in spec.columns:
        out.write("# " + " — ".join(part for part in _column_line(column) if part) + "\n")
    csv.writer(out, delimiter=";", lineterminator="\n").writerow(
        [str(column.label) for column in spec.columns]
    )
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    spec = KINDS[kind]
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(str(spec.label)[:31])
    data.append([str(column.label) for column in spec.columns])
    readme = workbook.create_sheet(_("Explanation")[:31])
    for line in _explanation(spec):
        readme.append([line])
    readme.append([])
    readme.append([_("column"), _("required"), _("explanation")])
    for column in spec.columns:
        readme.append(_column_line(column))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
