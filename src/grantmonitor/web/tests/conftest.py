"""Browser fixtures: Debian's Chromium driven by Playwright against the live server.

The browser tests fail (they do not skip) when Chromium is missing: `make test` installs it.
Screenshots go to ``test-artifacts/screenshots/``; the role guides in ``docs/`` use them.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = settings.BASE_DIR / "test-artifacts" / "screenshots"


@pytest.fixture
def browser(monkeypatch, transactional_db):
    # Playwright's sync API runs an event loop; the live server's ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), f"Chromium is missing at {CHROMIUM}: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # Connections opened while Playwright's loop runs live in their own context:
            # close them here, or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("load")  # images included; no eval, which the CSP forbids
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def shot():
    """``shot(page, name)`` keeps a full-page screenshot of what the user sees now."""
    return _shot
