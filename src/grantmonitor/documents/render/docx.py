"""The answer as a Word document (python-docx): real headings, real tables, the charts as PNG."""

import io

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.parts.image import ImagePart
from docx.shared import Cm, Pt, RGBColor

from grantmonitor.documents.answer import Answer, Block, Table
from grantmonitor.documents.charts import Chart, render_png
from grantmonitor.documents.text import printable as text

NOTE_COLOUR = RGBColor(0x9A, 0x5B, 0x00)
MARGIN = Cm(2.2)
TEXT_WIDTH = Cm(21.0) - 2 * MARGIN  # A4
CELL_STYLE, CELL_STYLE_ID = "Table Text", "TableText"  # 9 pt, no space after
# Styles set by their ids, straight into the XML: python-docx's setters look a style up among
# all of them by its name (and a table's default style too), for every heading and table.
HEADING_2_STYLE_ID, GRID_STYLE_ID = "Heading2", "TableGrid"
GROUP_FILL = "F0F2F5"
HEADER_FILL = "E1E6EC"


def render(answer: Answer) -> bytes:
    document = Document()
    _setup(document, answer)
    _question(document, answer)
    _answer(document, answer, _Pictures(document))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _setup(document, answer: Answer) -> None:
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = MARGIN
    section.top_margin, section.bottom_margin = MARGIN, MARGIN
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Heading 1", 12), ("Heading 2", 11)):
        style = document.styles[name]
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.rPr.rFonts
        for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(qn(f"w:{theme}"), None)  # else Word keeps the theme's font
    cells = document.styles.add_style(CELL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cells.base_style = normal
    cells.font.size = Pt(9)
    cells.paragraph_format.space_after = Pt(0)
    document.core_properties.title = text(answer.title)
    document.core_properties.language = answer.language


def _line(document, value: str, *, bold: bool = False, align=None, space_after: int = 0):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text(value))
    run.bold = bold
    paragraph.paragraph_format.space_after = Pt(space_after)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _question(document, answer: Answer) -> None:
    header = answer.header
    _line(document, header.document_label, bold=True, space_after=6)
    for line in (header.number_line, header.questioner_line, header.date_line):
        _line(document, line)
    document.add_paragraph()
    for index, line in enumerate(header.addressee_lines):
        _line(document, line, bold=index == 0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if header.title:
        document.add_heading(text(header.title), level=1)
    for paragraph in header.text:
        document.add_paragraph(text(paragraph))
    for number, question in header.sub_questions:
        paragraph = document.add_paragraph(text(f"{number}. {question}"))
        paragraph.paragraph_format.left_indent = Cm(0.8)
        paragraph.paragraph_format.first_line_indent = Cm(-0.8)


class _Pictures:
    """Charts added to the document at a constant cost each.

    python-docx's ``add_picture`` compares a new image with every earlier one (hashing each
    again) and searches the whole document for the highest shape id, for every picture: an
    answer on a thousand projects spent 40 of its 66 seconds there. Every chart is a new image
    here, and the shape ids are counted on from the highest one when the answer begins.
    """

    def __init__(self, document):
        self.document = document
        self.added = 0
        ids = document.element.xpath("//@id")
        self.next_id = max((int(i) for i in ids if i.isdigit()), default=0) + 1

    def add(self, png: bytes, *, width) -> None:
        self.added += 1
        image = Image.from_blob(png)
        part = ImagePart.from_image(image, PackURI(f"/word/media/chart{self.added}.png"))
        relation = self.document.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
        width, height = image.scaled_dimensions(width, None)
        inline = CT_Inline.new_pic_inline(self.next_id, relation, image.filename, width, height)
        self.next_id += 1
        self.document.add_paragraph().add_run()._r.add_drawing(inline)


def _answer(document, answer: Answer, pictures: _Pictures) -> None:
    header = answer.header
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.left_margin = section.right_margin = MARGIN
    for index, line in enumerate(header.signature_lines):
        _line(document, line, bold=index == 0)
    document.add_paragraph()
    _line(document, header.answer_label, bold=True)
    for line in header.answer_lines:
        _line(document, line)
    document.add_paragraph()
    for part in answer.parts:
        number = document.add_paragraph()
        number.add_run(f"{part.number}.").bold = True
        number.paragraph_format.space_after = Pt(2)
        for block in part.blocks:
            _block(document, block, pictures)


def _block(document, block: Block, pictures: _Pictures) -> None:
    if block.kind == "heading":
        document.add_paragraph(text(block.text))._p.style = HEADING_2_STYLE_ID
    elif block.kind == "paragraph":
        document.add_paragraph(text(block.text))
    elif block.kind == "note":
        run = document.add_paragraph().add_run(text(f"⚠ {block.text}"))
        run.italic = True
        run.font.color.rgb = NOTE_COLOUR
    elif block.kind == "table":
        _table(document, block)
    else:
        _chart(document, block, pictures)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell(cell, value: str, *, bold: bool = False, align=None, indent: float = 0.0) -> None:
    paragraph = cell.paragraphs[0]
    paragraph._p.style = CELL_STYLE_ID
    run = paragraph.add_run(text(value))
    if bold:
        run.bold = True
    if indent:
        paragraph.paragraph_format.left_indent = Cm(indent)
        run.italic = True
    if align is not None:
        paragraph.alignment = align


def _table(document, table: Table) -> None:
    width = len(table.headers)
    grid = document._body.add_table(1, width, document._block_width)
    grid._tbl.tblStyle_val = GRID_STYLE_ID
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
        _cell(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, HEADER_FILL)
    _repeat_as_header(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        if row.heading:
            merged = cells[0].merge(cells[-1])
            _cell(merged, row.cells[0], bold=True)
            _shade(merged, GROUP_FILL)
            continue
        for index, (cell, value) in enumerate(zip(cells, row.cells, strict=True)):
            if index == 0:
                _cell(cell, value, indent=0.5 * row.depth)
            else:
                _cell(cell, value, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _set_widths(grid, width)
    document.add_paragraph()


def _set_widths(grid, columns: int) -> None:
    """Fix the column widths in the grid and in every cell: Word reads the cells, LibreOffice
    the grid, and both otherwise squeeze the KPI names into a narrow first column."""
    first = Cm(6.0) if columns >= 5 else Cm(4.0)
    other = int((TEXT_WIDTH - first) / (columns - 1)) if columns > 1 else 0
    widths = [first] + [other] * (columns - 1)
    grid.autofit = False
    for column, column_width in zip(grid.columns, widths, strict=True):
        column.width = column_width
    for row in grid.rows:
        cells = row.cells
        if len({id(cell._tc) for cell in cells}) == 1:  # a track heading spanning the row
            cells[0].width = sum(widths)
            continue
        for cell, cell_width in zip(cells, widths, strict=True):
            cell.width = cell_width


def _repeat_as_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _chart(document, chart: Chart, pictures: _Pictures) -> None:
    pictures.add(render_png(chart, dpi=200), width=Cm(16))
    caption = document.add_paragraph()
    caption.add_run(text(chart.title)).italic = True
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
