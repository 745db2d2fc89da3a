"""The answer as PDF: the print page (A4, the parliament's layout) through WeasyPrint."""

from weasyprint import HTML

from grantmonitor.documents.answer import Answer
from grantmonitor.documents.render.html import render_print_page


def render(answer: Answer) -> bytes:
    return HTML(string=render_print_page(answer)).write_pdf()
