"""The strict Content-Security-Policy holds in a real browser: every page of a fresh
portal, the API docs included, renders and works with no violation reported."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "Csp-Browser-Pass-2026"
PAGES = [
    "/",
    "/regions/",
    "/regions/1/",
    "/regions/add/",
    "/federation/",
    "/zones/",
    "/zones/add/",
    "/identity/domains/",
    "/identity/domains/add/",
    "/identity/accounts/",
    "/identity/users/",
    "/identity/users/add/",
    "/identity/projects/",
    "/settings/",
    "/accounts/logout/",
]


@pytest.fixture
def signed_in(fresh_portal, page, csp_violations):
    fresh_portal.env["ADMIN_PW"] = PASSWORD
    fresh_portal.manage(
        "setup_region",
        *("--id", "1", "--name", "csp-east", "--endpoint", fresh_portal.url),
        *("--admin-username", "root", "--admin-password-env", "ADMIN_PW"),
    )
    page.goto(fresh_portal.url + "/accounts/login/")
    page.fill("input[name=login]", "root")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(fresh_portal.url + "/")
    return fresh_portal, csp_violations


def test_every_page_renders_without_a_violation(signed_in, page):
    portal, violations = signed_in
    for path in PAGES:
        response = page.goto(portal.url + path)
        assert response is not None and response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert re.search(r"form-action 'self' http://127\.0\.0\.1:\d+", policy), policy
        # The stylesheet applied: Bootstrap's navbar is laid out, not raw markup.
        assert page.locator("nav").first.evaluate("e => getComputedStyle(e).display") == "flex"
    assert violations == []


def test_the_api_docs_run_under_the_policy(signed_in, page):
    portal, violations = signed_in
    page.goto(portal.url + "/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)  # Swagger UI loaded the schema
    assert page.locator(".opblock").count() > 20
    assert violations == []


def test_an_injected_inline_script_would_not_run(signed_in, page):
    portal, violations = signed_in
    page.goto(portal.url + "/regions/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in violation for violation in violations)
    violations.clear()  # provoked on purpose
