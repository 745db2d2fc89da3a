"""A real browser walks the demo: log in, call, project, English, download the DOCX answer.

Drives Debian's Chromium through Playwright against pytest-django's live server. The test
fails (it does not skip) when Chromium is missing: `make test` installs it.
Screenshots go to ``test-artifacts/screenshots/``.
"""

import io
from pathlib import Path

import pytest
from docx import Document

pytestmark = pytest.mark.browser


def test_walk_through_the_demo_in_a_browser(live_server, browser, shot):
    from grantmonitor.demo.seed import DEMO_PASSWORD, load_demo

    load_demo()
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="nl-BE"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)

    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    shot(page, "01-login")
    page.fill("#id_username", "dossierbehandelaar")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server.url}/")
    shot(page, "02-home")

    page.click("text=Stakeholdersplatform prestartersbegeleiding van doelgroepen")
    page.wait_for_selector("table.projects")
    projects = page.inner_text("table.projects")
    assert "11 van 11 behaald" in projects
    assert "€\u00a0299.168,12" in projects
    assert "bij de dienst Inspectie" in projects
    shot(page, "03-call")

    page.click("table.projects >> text=Stebo")
    page.wait_for_selector("table.kpis")
    kpis = page.inner_text("table.kpis")
    assert "Aantal bereikte prestarters" in kpis
    assert "1.347" in kpis and "767" in kpis and "337%" in kpis
    # The breakdown rows are indented under their parent.
    parent_pad = page.locator("tr.depth-0 td.kpi-name").first.evaluate(
        "el => parseFloat(getComputedStyle(el).paddingLeft)"
    )
    child_pad = page.locator("tr.depth-1 td.kpi-name").first.evaluate(
        "el => parseFloat(getComputedStyle(el).paddingLeft)"
    )
    assert child_pad > parent_pad
    page.wait_for_load_state("load")
    assert page.locator("figure.chart img").evaluate("img => img.naturalWidth") > 0
    shot(page, "04-project-stebo")

    page.go_back()
    page.click("table.projects >> text=GTB")
    page.wait_for_selector("section.population")
    assert "Maak werk van je zaak" in page.inner_text("section.population")
    assert "bij de dienst Inspectie" in page.inner_text("dl.facts")
    shot(page, "05-project-gtb")

    page.click(".langswitch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert "Key performance indicators" in page.inner_text("main")
    assert "with the inspection service" in page.inner_text("dl.facts")
    assert "276" in page.inner_text("table.kpis")
    shot(page, "06-project-gtb-en")

    page.click("nav.crumbs >> text=Stakeholdersplatform prestartersbegeleiding van doelgroepen")
    page.click("text=Written question nr. 418")
    page.wait_for_selector(".answer-body")
    assert "1,347" in page.inner_text(".answer-body")
    shot(page, "07-question-en")

    with page.expect_download() as download_info:
        page.click(".download-row[lang=en] >> text=DOCX")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"PK\x03\x04")
    document = Document(io.BytesIO(content))
    text = "\n".join(
        [paragraph.text for paragraph in document.paragraphs]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    assert "1,347" in text
    assert "€299,168.12" in text
    context.close()
