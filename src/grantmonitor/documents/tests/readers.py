"""Read rendered documents back as plain text, the way a reader (or a search) sees them."""

import io
import re
from html.parser import HTMLParser

from docx import Document
from pypdf import PdfReader


def flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def docx_document(content: bytes):
    return Document(io.BytesIO(content))


def docx_tables(content: bytes) -> list[list[list[str]]]:
    """Every table as rows of cell texts."""
    return [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in docx_document(content).tables
    ]


def docx_text(content: bytes) -> str:
    """The paragraphs AND the table cells of a DOCX file."""
    document = docx_document(content)
    pieces = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            pieces.extend(cell.text for cell in row.cells)
    return flat("\n".join(pieces))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return flat("\n".join(page.extract_text() for page in reader.pages))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.pieces.append(data)


def html_text(content: bytes | str) -> str:
    """The text a browser shows (entities decoded; scripts and styles left out)."""
    parser = _Text()
    parser.feed(content.decode("utf-8") if isinstance(content, bytes) else content)
    return flat(" ".join(parser.pieces))


def md_text(content: bytes) -> str:
    return flat(content.decode("utf-8"))


# Every figure of the seed's answer, as the Dutch documents print them.
SEED_FIGURES = [
    # part 2, Hefboom
    "26", "59", "5", "10", "20", "Stijging van minstens 10%", "12", "13", "1 op 4", "1 op 2",
    "200", "446", "7", "17 (waarvan 15 ism met Dyzo)", "23",
    "Eerst waren er gem. 5 aanvragen p/j, dit is gestegen naar gem. 16 p/j",
    "Eerst waren er gem. 5 aanvragen p/j, dit is gestegen naar gem. 12 p/j",
    # part 2, Stebo
    "400", "1.347", "767", "98", "93", "320", "101", "37", "61", "25", "38", "9", "14", "15",
    "154", "224", "49",
    # part 2, GTB
    "441", "105", "276", "124", "152", "91", "46", "239", "39", "27", "117", "81",
    # part 3
    "€ 300.000,00", "€ 299.168,12", "€ 831,88", "€ 224.989,00", "€ 203.045,14", "€ 21.943,86",
]  # fmt: skip

# What the minister could not give: computed achievement and verdicts.
COMPUTED = ["227%", "+220%", "+140%", "337%", "behaald", "geen objectief"]
