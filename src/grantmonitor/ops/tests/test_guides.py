"""The role guides in ``docs/guides/`` stay true to the app they describe.

Every guide exists in Dutch and English; every picture is a screenshot a browser test takes
(``shot(page, "<name>")``) and is kept in ``docs/guides/img/`` (``make guides`` refreshes them),
so a renamed screenshot cannot leave a guide pointing at a stale picture; every relative link
resolves; every **bold** text is a label of the app in the guide's language, so a renamed
button cannot leave a guide naming a button nobody sees.

One browser test takes the screenshots of pages the guides show that no other browser test
visits: a participant's privacy page, the audit trail, a user in the admin, the open data.
"""

import datetime
import re
from pathlib import Path

import django
import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from grantmonitor.web.tests.conftest import browser, shot  # noqa: F401 -- the fixtures
from grantmonitor.web.tests.test_casework_browser import log_in, new_page

GUIDES = settings.BASE_DIR / "docs" / "guides"
IMAGES = GUIDES / "img"
ROLES = ("coach", "case-handler", "inspector", "cabinet", "administrator")
LANGUAGES = ("nl", "en")
TEST_SOURCES = settings.BASE_DIR / "src" / "grantmonitor"
# The catalogues whose labels the guides quote: ours, and Django's for the admin and sign-in.
CATALOGUES = [
    TEST_SOURCES / "locale" / "nl" / "LC_MESSAGES" / "django.po",
    *(
        Path(django.__file__).parent / part / "locale" / "nl" / "LC_MESSAGES" / "django.po"
        for part in ("conf", "contrib/admin", "contrib/auth")
    ),
]

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
CODE = re.compile(r"`[^`]*`")
SHOT = re.compile(r"""\bshot\(\s*\w+\s*,\s*["']([^"']+)["']""")


def guides() -> list[Path]:
    return sorted(GUIDES.glob("*.md"))


def referenced_images(guide: Path) -> list[str]:
    return IMAGE.findall(guide.read_text(encoding="utf-8"))


def screenshots_taken() -> set[str]:
    """The names the browser tests give their screenshots."""
    return {
        name
        for source in TEST_SOURCES.rglob("tests/test_*.py")
        for name in SHOT.findall(source.read_text(encoding="utf-8"))
    }


def labels() -> dict[str, set[str]]:
    """Every translated text of the app: the English msgids and their Dutch translations."""
    found = {"en": set(), "nl": set()}
    for path in CATALOGUES:
        with path.open("rb") as po_file:
            catalogue = read_po(po_file, locale="nl")
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found["en"].update(ids)
            found["nl"].update(string for string in strings if string)
    return found


def test_every_role_has_a_guide_in_each_language_linking_to_the_other():
    missing, unlinked = [], []
    for role in ROLES:
        for language in LANGUAGES:
            guide = GUIDES / f"{role}.{language}.md"
            if not guide.exists():
                missing.append(guide.name)
                continue
            others = {f"{role}.{other}.md" for other in LANGUAGES if other != language}
            if not others <= set(LINK.findall(guide.read_text(encoding="utf-8"))):
                unlinked.append(guide.name)
    assert missing == [], f"guides missing: {missing}"
    assert unlinked == [], f"guides that do not link to their other language: {unlinked}"
    index = (GUIDES / "README.md").read_text(encoding="utf-8")
    unlisted = [
        f"{role}.{language}.md"
        for role in ROLES
        for language in LANGUAGES
        if f"({role}.{language}.md)" not in index
    ]
    assert unlisted == [], f"docs/guides/README.md does not list {unlisted}"


def test_every_picture_is_a_kept_screenshot_that_a_browser_test_takes():
    taken = screenshots_taken()
    assert len(taken) > 10, f"found only {sorted(taken)} in the browser tests"
    wrong = []
    for guide in guides():
        for target in referenced_images(guide):
            path = (guide.parent / target).resolve()
            if path.parent != IMAGES or path.suffix != ".png":
                wrong.append(f"{guide.name}: {target} is not a PNG in docs/guides/img/")
            elif path.stem not in taken:
                wrong.append(f"{guide.name}: no browser test takes shot(page, {path.stem!r})")
            elif not path.exists():
                wrong.append(f"{guide.name}: {target} is missing; run `make guides`")
    assert not wrong, "\n".join(wrong)


def test_img_keeps_only_the_pictures_the_guides_show():
    shown = {
        (guide.parent / target).resolve().name
        for guide in guides()
        for target in referenced_images(guide)
    }
    kept = {path.name for path in IMAGES.glob("*")}
    assert kept - shown == set(), "pictures no guide shows; `make guides` removes them"
    assert shown, "the guides show no screenshot at all"


def anchors(guide: Path) -> set[str]:
    """The anchors a Markdown viewer gives the guide's headings: "Aanmelden in twee stappen"
    becomes ``aanmelden-in-twee-stappen``."""
    headings = re.findall(r"^#+ (.+)$", guide.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("guide", guides(), ids=lambda path: path.name)
def test_relative_links_resolve(guide):
    broken = []
    for target in LINK.findall(guide.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        path, _hash, anchor = target.partition("#")
        linked = guide.parent / path if path else guide
        found = linked.exists()
        if found and anchor and linked.suffix == ".md":
            found = anchor in anchors(linked)
        if not found:
            broken.append(target)
    assert broken == [], f"{guide.name} links to what does not exist: {broken}"


def test_bold_text_is_a_label_of_the_app_in_the_guides_language():
    known = labels()
    assert {"Log in", "Send to the inspection service"} <= known["en"]
    assert "Naar de dienst Inspectie sturen" in known["nl"]
    unknown = []
    for guide in guides():
        language = guide.suffixes[0].lstrip(".") if len(guide.suffixes) == 2 else None
        if language not in known:
            continue
        # A label may wrap onto the next line of the Markdown source; `code` is no label.
        text = CODE.sub("", " ".join(guide.read_text(encoding="utf-8").split()))
        for label in BOLD.findall(text):
            # The admin shows a field's name with a capital: "Actief" for "actief".
            if (
                label not in known[language]
                and label[:1].lower() + label[1:] not in known[language]
            ):
                unknown.append(f"{guide.name}: {label}")
    assert not unknown, "bold text that is no label of the app (write data as `code`):\n" + (
        "\n".join(unknown)
    )


def test_the_checks_find_what_they_look_for():
    """The patterns match the guides' and the tests' way of writing."""
    sample = "![De wachtrij](img/inspector-01-queue.png) [English](coach.en.md) **Register**"
    assert IMAGE.findall(sample) == ["img/inspector-01-queue.png"]
    assert "coach.en.md" in LINK.findall(sample)
    assert BOLD.findall(sample) == ["Register"]
    assert BOLD.findall(CODE.sub("", "as `***`, **Filter**")) == ["Filter"]
    assert "aanmelden-in-twee-stappen" in anchors(GUIDES / "inspector.nl.md")
    assert SHOT.findall('    shot(page, "coach-01-register")') == ["coach-01-register"]


@pytest.mark.browser
def test_the_pages_only_the_guides_show(live_server, browser, shot):  # noqa: F811
    from grantmonitor.calls.models import Project
    from grantmonitor.demo.seed import load_demo
    from grantmonitor.register.identity import identity_set
    from grantmonitor.register.services import participant_register

    users = load_demo()["users"]
    person = participant_register(
        project=Project.objects.get(name="Hefboom"),
        registered_on=datetime.date(2016, 3, 1),
        reference="HB-2016-042",
    )
    identity_set(person, actor=users["promotor"], name="Sofie Janssens", email="sofie@example.be")

    page = log_in(new_page(browser), live_server, "promotor")
    page.goto(f"{live_server.url}/participants/{person.pk}/privacy/")
    assert "Sofie Janssens" in page.inner_text("dl.identity")
    with page.expect_download() as download:
        page.click("text=Alle gegevens downloaden (JSON)")
    assert download.value.suggested_filename == f"participant-{person.pk}.json"
    page.click("form.erase button[type=submit]")  # no reason, no confirmation: refused
    page.wait_for_selector("form.erase .alert.error")
    assert "Waarom" in page.inner_text("form.erase .alert.error")
    shot(page, "coach-07-privacy")
    page.context.close()

    page = log_in(new_page(browser), live_server, "beheerder")
    page.click("nav.topnav >> text=Audittrail")
    page.wait_for_selector("table.audit")
    export = page.locator("table.audit tbody tr", has_text="export").first.inner_text()
    assert "Pieter Promotor" in export and f"#{person.pk}" in export
    assert "Sofie" not in page.inner_text("table.audit")
    shot(page, "admin-01-audit")

    page.goto(f"{live_server.url}/admin/accounts/user/{users['promotor'].pk}/change/")
    assert page.input_value("#id_role") == "promoter"
    assert "Hefboom" in page.inner_text("#memberships-group")
    shot(page, "admin-02-user")

    page.goto(f"{live_server.url}/open-data/")
    page.wait_for_selector("text=CSV voor Excel (Nederlands)")
    assert "Stakeholdersplatform" in page.inner_text("main")
    shot(page, "admin-03-open-data")
    page.context.close()
