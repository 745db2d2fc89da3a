"""Every output format, read back: the seed's figures, the computed ones, escaping, English."""

import io
from decimal import Decimal as D

import pytest
from django.utils.safestring import SafeString
from pypdf import PdfReader

from grantmonitor.documents.answer import compose_answer
from grantmonitor.documents.render import UnknownFormat, render_answer, render_answer_fragment
from grantmonitor.documents.tests.readers import (
    COMPUTED,
    SEED_FIGURES,
    docx_document,
    docx_tables,
    docx_text,
    flat,
    html_text,
    md_text,
    pdf_text,
)
from grantmonitor.kpis.models import KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_value_record

READERS = {"html": html_text, "docx": docx_text, "pdf": pdf_text, "md": md_text}
HOSTILE = "<script>alert(1)</script> | *x* $a^b$"


def render_text(question, fmt: str, language: str = "nl") -> str:
    return READERS[fmt](render_answer(question=question, fmt=fmt, language=language).content)


@pytest.mark.parametrize("fmt", list(READERS))
def test_every_figure_of_the_seed_and_the_computed_ones_are_in_the_document(demo, fmt):
    text = render_text(demo["question"], fmt)
    for figure in [*SEED_FIGURES, *COMPUTED]:
        assert flat(figure) in text, f"{figure!r} missing from the {fmt} answer"
    assert (
        "Beide dossiers zijn ondertussen gecontroleerd door inspectie en terug bij de "
        "dossierbehandelaar." in text
    )
    assert "Gezien GTB onlangs is doorgestuurd naar dienst inspectie" in text
    assert "Van de 276 deelnemers startten er 124 in ‘Maak werk van je zaak’." in text
    assert "Resultaten Stebo" in text


@pytest.mark.parametrize("fmt", list(READERS))
def test_the_parliaments_header_comes_first_then_the_answer(demo, fmt):
    text = render_text(demo["question"], fmt)
    order = [
        "SCHRIFTELIJKE VRAAG",
        "nr. 418",
        "van GÜLER TURAN",
        "datum: 23 maart 2018",
        "aan PHILIPPE MUYTERS",
        "VLAAMS MINISTER VAN WERK, ECONOMIE, INNOVATIE EN SPORT",
        "Projecten oproep 'Stakeholdersplatform prestartersbegeleiding van doelgroepen'",
        "De oproep ‘Stakeholdersplatform prestartersbegeleiding van doelgroepen’",
        "Kan de minister een stand van zaken geven",
        "ANTWOORD",
        "op vraag nr. 418 van 23 maart 2018",
        "Beide dossiers",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, dict(zip(order, positions, strict=True))
    assert positions == sorted(positions)


@pytest.mark.parametrize("fmt", list(READERS))
def test_english_documents_have_english_headings(demo, fmt):
    text = render_text(demo["question"], fmt, "en")
    for piece in [
        "WRITTEN QUESTION",
        "date: 23 March 2018",
        "ANSWER",
        "to question nr. 418 of 23 March 2018",
        "Results Hefboom",
        "Objective",
        "Realised",
        "Achievement rate",
        "Verdict",
        "Young people",
        "1 in 4",
        "1,347",
        "227%",
        "achieved",
        "Allocated (on the basis of estimated costs)",
        "€21,943.86",
    ]:
        assert piece in text, f"{piece!r} missing from the English {fmt} answer"
    assert "Resultaten" not in text and "Objectief" not in text


@pytest.fixture
def hostile(demo):
    stebo = demo["call"].projects.get(name="Stebo")
    kpi = kpi_create(
        project=stebo, name=HOSTILE, kind=KpiKind.COUNT, objective_value=D(3), order=99
    )
    kpi_value_record(kpi=kpi, value=D(4))
    control = kpi_create(
        project=stebo,
        name="bell\x07 and tab\x0b",
        kind=KpiKind.COUNT,
        objective_value=D(1),
        order=98,
    )
    kpi_value_record(kpi=control, value=D(1))
    return demo["question"]


def test_hostile_names_show_as_text_in_html(hostile):
    page = render_answer(question=hostile, fmt="html", language="nl").content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert HOSTILE in html_text(page)
    fragment = render_answer_fragment(answer=compose_answer(question=hostile))
    assert isinstance(fragment, SafeString)
    assert "<script>" not in fragment


def test_hostile_names_show_as_text_in_docx_and_pdf(hostile):
    docx = render_answer(question=hostile, fmt="docx").content
    (row,) = [row for table in docx_tables(docx) for row in table if row[0] == HOSTILE]
    assert row[1:3] == ["3", "4"]
    assert "bell and tab" in docx_text(docx), "control characters are dropped"
    pdf = pdf_text(render_answer(question=hostile, fmt="pdf").content)
    assert flat(HOSTILE) in pdf
    assert "bell and tab" in pdf


def test_hostile_names_show_as_text_in_markdown(hostile):
    md = render_answer(question=hostile, fmt="md").content.decode()
    assert "<script>" not in md
    (line,) = [line for line in md.splitlines() if "alert(1)" in line]
    assert line.startswith("| &lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* $a^b$ | 3 | 4 |")
    assert line.replace("\\|", "").count("|") == 6, "the pipe in the name keeps the row intact"


def test_docx_has_real_headings_and_tables(demo):
    content = render_answer(question=demo["question"], fmt="docx").content
    document = docx_document(content)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [h for h in headings if h.startswith("Resultaten")] == [
        "Resultaten Hefboom",
        "Resultaten Stebo",
        "Resultaten GTB",
    ]
    tables = docx_tables(content)
    assert len(tables) == 5  # two Hefboom tracks, Stebo, GTB, the money
    assert {table.style.name for table in document.tables} == {"Table Grid"}, "lines in Word"
    stebo = tables[2]
    assert stebo[0] == ["", "Objectief", "Gerealiseerd", "Realisatiegraad", "Oordeel"]
    assert ["Via infosessies", "", "767", "", "geen objectief"] in stebo
    assert tables[4][2] == ["Stebo", "€\xa0224.989,00", "€\xa0203.045,14", "€\xa021.943,86"]
    assert tables[0][1] == ["Jongeren"] * 5, "the track's heading row spans the table"
    assert len(document.inline_shapes) == 3, "a chart per project"


def test_docx_charts_are_each_their_own_picture_with_an_id_of_its_own(demo):
    document = docx_document(render_answer(question=demo["question"], fmt="docx").content)
    shapes = document.inline_shapes
    ids = document.element.xpath("//wp:docPr/@id")
    assert len(ids) == len(set(ids)) == 3, "Word reports a document with shared ids as damaged"
    images = [
        document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
        for shape in shapes
    ]
    assert len({image.partname for image in images}) == 3
    for shape, image in zip(shapes, images, strict=True):
        assert image.blob.startswith(b"\x89PNG"), image.partname
        assert round(shape.width.cm, 1) == 16.0
        assert shape.height.cm > 2, "scaled with the width, not squeezed"


def test_pdf_is_a4_with_the_answer_on_its_own_page(demo):
    content = render_answer(question=demo["question"], fmt="pdf").content
    assert content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(content)).pages
    assert all(round(p.mediabox.width) == 595 and round(p.mediabox.height) == 842 for p in pages)
    first = flat(pages[0].extract_text())
    assert "SCHRIFTELIJKE VRAAG" in first and "ANTWOORD" not in first
    assert flat(pages[1].extract_text()).startswith("PHILIPPE MUYTERS")


def test_pdf_draws_the_charts_with_their_words_as_text(demo):
    text = pdf_text(render_answer(question=demo["question"], fmt="pdf").content)
    for project in ("Hefboom", "Stebo", "GTB"):
        assert f"{project}: objectief en gerealiseerd" in text


def test_html_page_embeds_the_charts_as_images(demo):
    page = render_answer(question=demo["question"], fmt="html").content.decode()
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<img src="data:image/svg+xml;base64,') == 3
    assert '<tr class="depth-1"><th scope="row">Via infosessies</th>' in page


def test_markdown_tables_indent_breakdown_rows(demo):
    md = render_answer(question=demo["question"], fmt="md").content.decode()
    assert "| \u00a0\u00a0\u00a0\u00a0Via infosessies |  | 767 |  | geen objectief |" in md
    assert "| Hefboom | €\u00a0300.000,00 | €\u00a0299.168,12 | €\u00a0831,88 |" in md


def test_render_answer_names_the_file_and_its_type(demo):
    document = render_answer(question=demo["question"], fmt="docx", language="en")
    assert document.filename == "answer-418-2017-2018-en.docx"
    assert document.content_type.startswith("application/vnd.openxmlformats")
    assert render_answer(question=demo["question"], fmt="md").filename == (
        "antwoord-418-2017-2018-nl.md"
    )
    with pytest.raises(UnknownFormat):
        render_answer(question=demo["question"], fmt="odt")
