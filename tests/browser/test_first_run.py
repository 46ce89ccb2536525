"""A fresh install walked through the first-run wizard in a real browser."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "Sturdy-Passphrase-2026"


def test_fresh_install_walks_the_wizard_to_the_dashboard(fresh_portal, page, screenshot):
    page.goto(fresh_portal.url + "/")
    assert page.url == fresh_portal.url + "/setup/"
    assert "New cloud or join" in page.locator("#step-title").inner_text()
    page.check("input[value=first]")
    page.click("button[type=submit]:has-text('Next')")
    assert "Step 2 of 4: This region" in page.locator("#step-title").inner_text()
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
    assert page.locator("#zones table").filter(has_text="eu-west-1a").count() == 1
    # the zone's creation is also the newest change the dashboard shows a root admin
    assert page.locator("table#changes").filter(has_text="eu-west-1a").count() == 1
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
    assert page.locator("table.table-objects").filter(has_text="ap-south").count() == 1


def test_a_fresh_install_joins_an_existing_region_through_the_wizard(tmp_path, page, screenshot):
    from tests.portal_process import PortalProcess

    first = PortalProcess(tmp_path / "first").start()
    second = PortalProcess(tmp_path / "second").start()
    try:
        first.env["ADMIN_PW"] = ADMIN_PASSWORD
        first.manage(
            "setup_region",
            "--id",
            "1",
            "--name",
            "eu-west",
            "--endpoint",
            first.url,
            "--admin-username",
            "admin",
            "--admin-password-env",
            "ADMIN_PW",
        )
        token = first.manage("join_token").stdout.strip()

        page.goto(second.url + "/setup/")
        page.check("input[value=join]")
        page.click("button[type=submit]:has-text('Next')")
        assert "Join an existing region" in page.locator("#step-title").inner_text()
        page.fill("input[name$='-peer']", first.url)
        page.fill("input[name$='-token']", "not-the-token")
        page.fill("input[name$='-name']", "eu-central")
        page.fill("input[name$='-endpoint']", second.url)
        page.click("button[type=submit]:has-text('Finish setup')")
        # A bad token is refused on the same step; nothing is set up.
        assert "Join an existing region" in page.locator("#step-title").inner_text()
        assert "unknown, used or expired" in page.locator("main").inner_text()

        page.fill("input[name$='-token']", token)
        page.click("button[type=submit]:has-text('Finish setup')")
        assert page.locator("#joined-region").inner_text() == "eu-central"
        assert "Token accepted: this portal is region 2" in page.locator("#join-steps").inner_text()
        screenshot("wizard-joined")

        # The admin made in the first region signs in here with the same password.
        page.click("a.btn:has-text('Sign in')")
        page.fill("input[name=login]", "admin")
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(second.url + "/")
        assert page.locator("#current-region").inner_text() == "eu-central"
        assert page.locator("#count-regions").inner_text() == "2"
        # The same token cannot be used twice.
        again = __import__("requests").post(
            first.url + "/api/peer/join/",
            json={"token": token, "name": "eu-north", "endpoint": "http://127.0.0.1:9"},
            timeout=10,
        )
        assert again.status_code == 400 and "token" in again.json()
    finally:
        first.stop()
        second.stop()
