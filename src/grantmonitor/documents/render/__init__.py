"""Render a composed answer as HTML, DOCX, PDF or Markdown: one entry point for every face.

``render_answer(question=..., fmt="docx", language="nl")`` composes the answer from the data and
returns the file's bytes with its content type and a file name. Each format lives in its own
module and reads only the neutral :class:`~grantmonitor.documents.answer.Answer`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from grantmonitor.documents.answer import Answer, compose_answer
from grantmonitor.documents.render import docx, html, markdown, pdf
from grantmonitor.questions.models import WrittenQuestion

render_answer_fragment = html.render_fragment


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class Format:
    render: Callable[[Answer], bytes]
    content_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "html": Format(html.render_page, "text/html; charset=utf-8", "html"),
    "docx": Format(
        docx.render,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "pdf": Format(pdf.render, "application/pdf", "pdf"),
    "md": Format(markdown.render, "text/markdown; charset=utf-8", "md"),
}


class UnknownFormat(ValueError):
    pass


def render_answer(*, question: WrittenQuestion, fmt: str, language: str = "nl") -> RenderedDocument:
    """The answer to ``question`` as a file of format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    form = FORMATS[fmt]
    answer = compose_answer(question=question, language=language)
    return RenderedDocument(
        content=form.render(answer),
        content_type=form.content_type,
        filename=filename(answer, form.extension),
    )


def filename(answer: Answer, extension: str) -> str:
    stem = "antwoord" if answer.language.startswith("nl") else "answer"
    return f"{stem}-{answer.number}-{answer.session}-{answer.language[:2]}.{extension}"
