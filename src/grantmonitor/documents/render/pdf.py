"""The answer as PDF: the print page (A4, the parliament's layout) through WeasyPrint."""

from grantmonitor.documents.answer import Answer
from grantmonitor.documents.render.html import render_page


def render(answer: Answer) -> bytes:
    # Imported here: WeasyPrint loads its fonts and stylesheets on import, which the other
    # formats (and every command-line call) need not wait for.
    from weasyprint import HTML

    return HTML(string=render_page(answer).decode("utf-8")).write_pdf()
