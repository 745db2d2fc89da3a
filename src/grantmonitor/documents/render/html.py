"""The answer as HTML: a fragment for the web page, and a full page, which the PDF prints.

Every piece of data passes through ``format_html``/``escape``; charts are embedded as
``<img>`` data URIs, so no script inside an image can ever run.
"""

import base64
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from grantmonitor.documents.answer import Answer, Block, Header, Part, Table
from grantmonitor.documents.charts import Chart, render_svg
from grantmonitor.documents.text import printable

STYLESHEET = (Path(__file__).with_name("answer.css")).read_text(encoding="utf-8")


def render_fragment(*, answer: Answer) -> SafeString:
    """The answer section (ANTWOORD ... and the parts), to place inside a web page."""
    header = answer.header
    lines = _lines("answer-line", header.answer_lines)
    parts = _concat(_part(part) for part in answer.parts)
    html = format_html(
        '<section class="gm-answer" lang="{}"><header class="answer-heading">'
        '<p class="answer-label">{}</p>{}</header>{}</section>',
        answer.language,
        header.answer_label,
        lines,
        parts,
    )
    return mark_safe(printable(html))  # removing control characters keeps it safe


def render_page(answer: Answer) -> bytes:
    """A complete HTML document: the question as the parliament prints it, then the answer."""
    page = format_html(
        '<!DOCTYPE html>\n<html lang="{}"><head><meta charset="utf-8">'
        "<title>{}</title><style>{}</style></head>"
        '<body class="gm-document"><article>{}<div class="answer-page">'
        '<div class="signature">{}</div>{}</div></article></body></html>\n',
        answer.language,
        answer.title,
        mark_safe(STYLESHEET),  # our own file, no data in it
        _question(answer.header),
        _lines("signature-line", answer.header.signature_lines),
        render_fragment(answer=answer),
    )
    return printable(page).encode("utf-8")


def _concat(pieces) -> SafeString:
    """Join HTML pieces; a piece that is not already safe HTML is escaped."""
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _lines(css_class: str, lines) -> SafeString:
    return format_html_join("", '<p class="' + css_class + '">{}</p>', ((line,) for line in lines))


def _question(header: Header) -> SafeString:
    sub_questions = format_html_join(
        "",
        '<li value="{}">{}</li>',
        ((number, text) for number, text in header.sub_questions),
    )
    return format_html(
        '<section class="question"><header class="question-heading">'
        '<div class="meta"><p class="doc-label">{}</p><p>{}</p><p>{}</p><p>{}</p></div>'
        '<div class="addressee">{}</div></header>'
        '<h1 class="title">{}</h1>{}<ol class="sub-questions">{}</ol></section>',
        header.document_label,
        header.number_line,
        header.questioner_line,
        header.date_line,
        _lines("addressee-line", header.addressee_lines),
        header.title,
        _lines("intro", header.text),
        sub_questions,
    )


def _part(part: Part) -> str:
    blocks = _concat(_block(block) for block in part.blocks)
    return format_html(
        '<section class="part"><span class="part-number">{}.</span>'
        '<div class="part-body">{}</div></section>',
        part.number,
        blocks,
    )


def _block(block: Block) -> str:
    if block.kind == "heading":
        return format_html("<h2>{}</h2>", block.text)
    if block.kind == "paragraph":
        return format_html("<p>{}</p>", block.text)
    if block.kind == "note":
        return format_html('<p class="note" role="note">⚠ {}</p>', block.text)
    if block.kind == "table":
        return _table(block)
    return _chart(block)


def _table(table: Table) -> str:
    width = len(table.headers)
    head = format_html_join("", '<th scope="col">{}</th>', ((cell,) for cell in table.headers))
    rows = []
    for row in table.rows:
        if row.heading:
            rows.append(
                format_html(
                    '<tr class="group"><th colspan="{}" scope="colgroup">{}</th></tr>',
                    width,
                    row.cells[0],
                )
            )
            continue
        first, *rest = row.cells
        rows.append(
            format_html(
                '<tr class="depth-{}"><th scope="row">{}</th>{}</tr>',
                min(row.depth, 3),
                first,
                format_html_join("", "<td>{}</td>", ((cell,) for cell in rest)),
            )
        )
    return format_html(
        '<table class="cols-{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        width,
        head,
        _concat(rows),
    )


def _chart(chart: Chart) -> str:
    return format_html(
        '<figure class="chart"><img src="data:image/svg+xml;base64,{}" alt="{}"></figure>',
        base64.b64encode(render_svg(chart).encode("utf-8")).decode("ascii"),
        chart.title,
    )
