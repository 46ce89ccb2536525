"""A fresh install walked through the first-run wizard in a real browser."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Sturdy-Passphrase-2026"


def test_fresh_install_walks_the_wizard_to_the_dashboard(fresh_portal, page, screenshot):
    page.goto(fresh_portal.url + "/")
    assert page.url == fresh_portal.url + "/setup/"
    assert "Step 1 of 3: This region" in page.locator("#step-title").inner_text()
    screenshot("wizard-region")

    page.fill("input[name$='-name']", "eu-west")
    page.fill("input[name$='-description']", "Frankfurt data centres")
    page.fill("input[name$='-endpoint']", fresh_portal.url)
    page.click("button[type=submit]:has-text('Next')")

    assert "Root administrator" in page.locator("#step-title").inner_text()
    page.fill("input[name$='-username']", "admin")
    page.fill("input[name$='-password']", "short")
    page.fill("input[name$='-password_again']", "short")
    page.click("button[type=submit]:has-text('Next')")
    # Django's password validators refuse it, on the same step.
    assert "Root administrator" in page.locator("#step-title").inner_text()
    assert page.locator(".invalid-feedback").first.is_visible()

    page.fill("input[name$='-password']", ADMIN_PASSWORD)
    page.fill("input[name$='-password_again']", ADMIN_PASSWORD)
    page.click("button[type=submit]:has-text('Next')")

    assert "First zone" in page.locator("#step-title").inner_text()
    page.fill("input[name$='-name']", "eu-west-1a")
    page.fill("input[name$='-dns1']", "8.8.8.8")
    page.fill("input[name$='-internal_dns1']", "10.0.0.2")
    screenshot("wizard-zone")
    page.click("button[type=submit]:has-text('Finish setup')")

    page.wait_for_url(fresh_portal.url + "/")
    assert page.locator("#region-name").inner_text() == "eu-west"
    assert page.locator("#current-region").inner_text() == "eu-west"
    assert page.locator("table").filter(has_text="eu-west-1a").count() == 1
    assert page.locator("#count-users").inner_text() == "1"
    assert page.locator("#user-menu").inner_text().strip() == "admin"
    screenshot("dashboard")

    # The wizard is closed for good once the region exists.
    page.goto(fresh_portal.url + "/setup/")
    assert page.url == fresh_portal.url + "/"


def test_signed_out_visitor_signs_in_after_setup(fresh_portal, page):
    fresh_portal.env["ADMIN_PW"] = ADMIN_PASSWORD
    fresh_portal.manage(
        "setup_region",
        "--id",
        "7",
        "--name",
        "ap-south",
        "--endpoint",
        fresh_portal.url,
        "--admin-username",
        "root",
        "--admin-password-env",
        "ADMIN_PW",
    )
    page.goto(fresh_portal.url + "/regions/")
    assert re.search(r"/accounts/login/\?next=/regions/$", page.url)
    page.fill("input[name=login]", "root")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger, .invalid-feedback").count() >= 1
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(fresh_portal.url + "/regions/")
    assert page.locator("table").filter(has_text="ap-south").count() == 1
