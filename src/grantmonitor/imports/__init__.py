"""Spreadsheet import (XLSX and CSV) of register data and reported KPI values.

:mod:`.sheets` streams the rows, :mod:`.cells` reads each cell (Belgian and ISO numbers and
dates), :mod:`.kinds` declares per kind its columns, natural key and service,
:mod:`.importer` runs a file through them in one transaction (an attendance CSV on PostgreSQL
through :mod:`.staged`: COPY and SQL; :mod:`.checks` holds what both share),
:mod:`.templates` writes the empty template per kind. The command line is
``python -m grantmonitor import``.
"""
