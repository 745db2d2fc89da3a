"""The answer as Markdown (CommonMark with pipe tables), every piece of data escaped.

Charts are left out: Markdown has no portable way to carry an image inside the file.
"""

import re

from grantmonitor.documents.answer import Answer, Block, Table
from grantmonitor.documents.text import printable

_SPACES = re.compile(r"[ \t\r\n]+")
_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_LINE_START = re.compile(r"^(\s*)([-+>]|\d+[.)])(\s)")
INDENT = "\u00a0" * 4


def escape(value: str) -> str:
    """Data as literal text: HTML is neutralised, Markdown syntax backslash-escaped."""
    value = _SPACES.sub(" ", value).strip()  # keeps no-break spaces, e.g. after €
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    return _LINE_START.sub(r"\1\\\2\3", value)


def render(answer: Answer) -> bytes:
    header = answer.header
    lines = [
        f"**{escape(header.document_label)}**  ",
        f"{escape(header.number_line)}  ",
        f"{escape(header.questioner_line)}  ",
        escape(header.date_line),
        "",
        "  \n".join(escape(line) for line in header.addressee_lines),
        "",
    ]
    if header.title:
        lines += [f"# {escape(header.title)}", ""]
    for paragraph in header.text:
        lines += [escape(paragraph), ""]
    for number, question in header.sub_questions:
        lines += [f"{number}. {escape(question)}", ""]
    lines += [
        "---",
        "",
        "  \n".join(
            f"**{escape(line)}**" if i == 0 else escape(line)
            for i, line in enumerate(header.signature_lines)
        ),
        "",
        f"**{escape(header.answer_label)}**  ",
        "  \n".join(escape(line) for line in header.answer_lines),
        "",
    ]
    for part in answer.parts:
        lines += [f"## {part.number}.", ""]
        for block in part.blocks:
            lines += [*_block(block), ""]
    return printable("\n".join(lines).rstrip() + "\n").encode("utf-8")


def _block(block: Block) -> list[str]:
    if block.kind == "heading":
        return [f"### {escape(block.text)}"]
    if block.kind == "paragraph":
        return [escape(block.text)]
    if block.kind == "note":
        return [f"> ⚠ {escape(block.text)}"]
    if block.kind == "table":
        return _table(block)
    return []  # charts: see the module docstring


def _table(table: Table) -> list[str]:
    width = len(table.headers)
    lines = [
        "| " + " | ".join(escape(cell) for cell in table.headers) + " |",
        "|" + "|".join([" --- "] + [" ---: "] * (width - 1)) + "|",
    ]
    for row in table.rows:
        if row.heading:
            cells = [f"**{escape(row.cells[0])}**"] + [""] * (width - 1)
        else:
            first, *rest = (escape(cell) for cell in row.cells)
            cells = [INDENT * row.depth + first, *rest]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
