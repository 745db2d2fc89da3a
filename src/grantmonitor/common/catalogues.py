"""Maintain the translation catalogues with babel, no system gettext needed to build.

``python -m grantmonitor.common.catalogues`` compiles every ``.po`` to ``.mo`` (``make run``
and ``make test`` do). ``python -m grantmonitor.common.catalogues fill nl FILE.json`` sets
translations from a ``{msgid: msgstr}`` JSON file into the catalogue after ``makemessages``.
"""

import json
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def _po_path(language: str, locale_dir: Path = LOCALE_DIR) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def fill(language: str, translations: dict[str, str], locale_dir: Path = LOCALE_DIR) -> list[str]:
    """Set the given translations; returns the msgids that the catalogue does not contain."""
    po_path = _po_path(language, locale_dir)
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    missing = []
    for msgid, msgstr in translations.items():
        message = catalog.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        message.string = msgstr
        message.flags.discard("fuzzy")
    with po_path.open("wb") as po_file:
        write_po(po_file, catalog, width=100)
    return missing


def main(argv: list[str]) -> int:
    if argv[:1] == ["fill"]:
        language, json_path = argv[1], Path(argv[2])
        missing = fill(language, json.loads(json_path.read_text(encoding="utf-8")))
        for msgid in missing:
            print(f"not in the catalogue (run makemessages first): {msgid!r}", file=sys.stderr)
        return 1 if missing else 0
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
