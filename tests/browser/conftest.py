"""Browser fixtures: Debian's Chromium driven by Playwright (its own browser download
cannot work on these offline machines)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.portal_process import BASE_DIR, PortalProcess

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = BASE_DIR / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install "
            "chromium), point CHROMIUM_PATH at one, or deselect with -m 'not browser'."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser reported as blocked by the Content-Security-Policy during the test."""
    return []


@pytest.fixture
def page(browser, csp_violations):
    """A fresh browser tab; every test using it fails if the page broke the CSP (a test that
    provokes a violation on purpose empties `csp_violations` once it has seen it)."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert csp_violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def fresh_portal(tmp_path):
    portal = PortalProcess(tmp_path).start()
    yield portal
    portal.stop()


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
