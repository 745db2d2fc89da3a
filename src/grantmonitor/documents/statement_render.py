"""The settlement statement as PDF (WeasyPrint, from HTML) or DOCX (python-docx)."""

import io

from django.utils.html import escape
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from grantmonitor.documents.render import RenderedDocument
from grantmonitor.documents.render.docx import text as docx_text
from grantmonitor.documents.statement import Section, Statement, compose_statement
from grantmonitor.dossiers.models import Dossier

CSS = """
@page { size: A4; margin: 2cm 1.8cm; @bottom-right { content: counter(page) " / " counter(pages);
  font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #111; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 11pt; margin: 14pt 0 4pt; border-bottom: 1px solid #888; }
p.subtitle { margin: 0 0 10pt; color: #444; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: 3pt 4pt; vertical-align: top; text-align: left; }
table.wide { font-size: 7.5pt; }
table.wide td, table.wide th { padding: 2pt 3pt; }
th { background: #e1e6ec; }
td.num { text-align: right; white-space: nowrap; }
tr.em td { font-weight: bold; background: #f0f2f5; }
table.facts { width: auto; }
table.facts td { border: none; padding: 1pt 12pt 1pt 0; }
h2 { page-break-after: avoid; }
tr { page-break-inside: avoid; }
table.together { page-break-inside: avoid; }
p.note { font-style: italic; color: #7a4a00; }
"""


def render_html(statement: Statement) -> str:
    facts = "".join(
        f"<tr><td>{escape(label)}</td><td>{escape(value)}</td></tr>"
        for label, value in statement.facts
    )
    body = "".join(_section_html(section) for section in statement.sections)
    return (
        f'<!DOCTYPE html><html lang="{escape(statement.language)}"><head><meta charset="utf-8">'
        f"<title>{escape(statement.title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(statement.title)}</h1>"
        f'<p class="subtitle">{escape(statement.subtitle)}</p>'
        f'<table class="facts">{facts}</table>{body}</body></html>'
    )


def _section_html(section: Section) -> str:
    css_class = " ".join(
        name
        for name, applies in (
            ("together", section.keep_together),
            ("wide", len(section.headers) > 5),
        )
        if applies
    )
    parts = [f"<h2>{escape(section.title)}</h2>"]
    if section.rows:
        head = "".join(f"<th>{escape(h)}</th>" for h in section.headers)
        rows = []
        for index, row in enumerate(section.rows):
            cells = "".join(
                f'<td class="num">{escape(cell)}</td>'
                if column in section.numeric
                else f"<td>{escape(cell)}</td>"
                for column, cell in enumerate(row)
            )
            css = ' class="em"' if index in section.emphasis else ""
            rows.append(f"<tr{css}>{cells}</tr>")
        parts.append(
            f'<table class="{css_class}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    if section.note:
        parts.append(f'<p class="note">{escape(section.note)}</p>')
    return "".join(parts)


def render_pdf(statement: Statement) -> bytes:
    # Imported here, as in render/pdf.py: every command-line call would wait for WeasyPrint.
    from weasyprint import HTML

    return HTML(string=render_html(statement)).write_pdf()


def render_docx(statement: Statement) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    document.styles["Normal"].font.size = Pt(9)
    document.core_properties.title = docx_text(statement.title)
    document.core_properties.language = statement.language
    document.add_heading(docx_text(statement.title), level=0)
    document.add_paragraph(docx_text(statement.subtitle))
    facts = document.add_table(rows=0, cols=2)
    for label, value in statement.facts:
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = docx_text(label), docx_text(value)
    for part in statement.sections:
        document.add_heading(docx_text(part.title), level=1)
        if part.rows:
            table = document.add_table(rows=1, cols=len(part.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, header in zip(table.rows[0].cells, part.headers, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(docx_text(header)).bold = True
            for index, row in enumerate(part.rows):
                cells = table.add_row().cells
                for column, (cell, value) in enumerate(zip(cells, row, strict=True)):
                    run = cell.paragraphs[0].add_run(docx_text(value))
                    run.bold = index in part.emphasis
                    if column in part.numeric:
                        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if part.note:
            document.add_paragraph(docx_text(part.note)).runs[0].italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FORMATS = {
    "pdf": (render_pdf, "application/pdf"),
    "docx": (
        render_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def render_statement(*, dossier: Dossier, fmt: str, language: str = "nl") -> RenderedDocument:
    """The settlement statement of ``dossier`` as ``pdf`` or ``docx``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    render, content_type = FORMATS[fmt]
    statement = compose_statement(dossier=dossier, language=language)
    return RenderedDocument(
        content=render(statement),
        content_type=content_type,
        filename=f"{statement.filename_stem}.{fmt}",
    )
