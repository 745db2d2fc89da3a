"""Text from the data made safe to print: control characters have no place in a document.

XML (DOCX, SVG) refuses most of them, and in a PDF they break the text layer.
"""

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def printable(value: str) -> str:
    return _CONTROL.sub("", value)
