"""Copy the screenshots the guides show from the browser tests' output into ``img/``.

``make guides`` runs the browser tests and then this script. It copies exactly the pictures the
guides reference, removes the ones no guide shows any more, and keeps each under 400 KB: a
larger one is reduced to 256 colours and, if still too large, scaled down.
"""

import re
import sys
from pathlib import Path

from PIL import Image

GUIDES = Path(__file__).resolve().parent
SCREENSHOTS = GUIDES.parent.parent / "test-artifacts" / "screenshots"
IMAGES = GUIDES / "img"
LIMIT = 400 * 1024
PICTURE = re.compile(r"!\[[^\]]*\]\(img/([^)\s]+\.png)\)")


def shown() -> set[str]:
    return {
        name
        for guide in GUIDES.glob("*.md")
        for name in PICTURE.findall(guide.read_text(encoding="utf-8"))
    }


def keep(source: Path, target: Path) -> None:
    image = Image.open(source).convert("RGB")
    image.save(target, optimize=True)
    while target.stat().st_size > LIMIT:
        image.quantize(colors=256).save(target, optimize=True)
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)


def main() -> None:
    names = shown()
    missing = sorted(name for name in names if not (SCREENSHOTS / name).exists())
    if missing:
        sys.exit(f"no screenshot {', '.join(missing)} in {SCREENSHOTS}: run the browser tests")
    IMAGES.mkdir(exist_ok=True)
    for stale in IMAGES.glob("*.png"):
        if stale.name not in names:
            stale.unlink()
    for name in sorted(names):
        keep(SCREENSHOTS / name, IMAGES / name)
        print(f"{name}: {(IMAGES / name).stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
