"""The region switcher in a real browser, against live regions (tests/live.py's cloud):
sign in once, move between regions from the dropdown, never type a password again."""

from __future__ import annotations

import pytest

from tests.live import USER_PASSWORD, db

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def sign_in(page, region, username: str) -> None:
    page.goto(f"{region.url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", USER_PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{region.url}/")


def choose_region(page, name: str) -> None:
    page.click("#region-switcher summary")
    page.click(f"#region-switcher button:has-text('{name}')")


def test_switching_regions_from_the_dropdown_needs_no_second_sign_in(
    cloud, live_user, page, screenshot
):
    one, two = cloud.regions[0], cloud.regions[1]
    sign_in(page, one, live_user["username"])
    page.goto(f"{one.url}/identity/users/")
    page.click("#region-switcher summary")
    switcher = page.locator("#region-switcher")
    assert switcher.locator(".active").inner_text().startswith("region-one")
    for peer in ("region-two", "region-three"):
        entry = switcher.locator(f"button:has-text('{peer}')")
        assert entry.get_attribute("data-reachable") == "yes"  # the peers pull every second
        assert "reachable" in entry.inner_text()
    screenshot("sso-switcher")

    switcher.locator("button:has-text('region-two')").click()
    page.wait_for_url(f"{two.url}/identity/users/")
    assert page.locator("#current-region").inner_text() == "region-two"
    assert page.locator("#user-menu").inner_text().strip() == live_user["username"]
    assert page.locator("input[name=password]").count() == 0
    screenshot("sso-landed-on-region-two")

    page.goto(f"{two.url}/")
    choose_region(page, "region-one")
    page.wait_for_url(f"{one.url}/")
    assert page.locator("#current-region").inner_text() == "region-one"
    assert page.locator("#user-menu").inner_text().strip() == live_user["username"]


def test_a_region_that_is_down_is_reported_and_you_stay(cloud, live_user, page):
    one, two = cloud.regions[0], cloud.regions[1]
    sign_in(page, one, live_user["username"])
    two.stop("web")
    try:
        page.goto(f"{one.url}/zones/")
        choose_region(page, "region-two")
        page.wait_for_url(f"{one.url}/zones/")
        alert = page.locator(".alert-danger").inner_text()
        assert "region-two" in alert and "is not answering" in alert
        assert page.locator("#current-region").inner_text() == "region-one"
    finally:
        two.start_web()
        two.wait_healthy()


def test_a_user_disabled_in_the_target_sees_why_and_a_way_back(cloud, live_user, page, screenshot):
    one, two = cloud.regions[0], cloud.regions[1]
    sign_in(page, one, live_user["username"])
    with db(two) as conn:
        conn.execute("UPDATE identity_user SET state = 'locked' WHERE id = %s", [live_user["id"]])
    try:
        choose_region(page, "region-two")
        page.wait_for_selector("#sso-refused")
        assert page.url.startswith(two.url)
        assert "disabled or locked in this region" in page.locator("h1").inner_text()
        screenshot("sso-refused-locked")
        page.click("#sso-back")
        page.wait_for_url(f"{one.url}/")
        assert page.locator("#user-menu").inner_text().strip() == live_user["username"]
    finally:
        with db(two) as conn:
            conn.execute(
                "UPDATE identity_user SET state = 'enabled' WHERE id = %s", [live_user["id"]]
            )


def test_not_signed_in_at_the_source_means_the_targets_sign_in_page(cloud, live_user, page):
    two = cloud.regions[1]
    page.goto(f"{two.url}/accounts/sso/region-1/login/?next=/zones/&process=login")
    page.wait_for_url(f"{two.url}/accounts/login/?next=%2Fzones%2F")
    assert "You are not signed in at region-one" in page.locator(".alert").inner_text()
    page.fill("input[name=login]", live_user["username"])
    page.fill("input[name=password]", USER_PASSWORD)
    page.click("button[type=submit]:has-text('Sign in')")
    page.wait_for_url(f"{two.url}/zones/")


def test_sign_out_of_all_regions_from_the_user_menu(cloud, live_user, page, browser):
    one, two = cloud.regions[0], cloud.regions[1]
    sign_in(page, one, live_user["username"])
    choose_region(page, "region-two")
    page.wait_for_url(f"{two.url}/")
    page.goto(f"{one.url}/")  # still signed in at region 1 too
    assert page.locator("#user-menu").inner_text().strip() == live_user["username"]

    page.click("#user-menu")
    page.click("#sign-out-everywhere")
    page.wait_for_url(f"{one.url}/accounts/login/")
    assert "signed out of all regions" in page.locator(".alert").inner_text()
    page.wait_for_timeout(500)
    for _ in range(30):
        page.goto(f"{two.url}/")
        if page.url.startswith(f"{two.url}/accounts/login/"):
            break
        page.wait_for_timeout(500)
    assert page.url.startswith(f"{two.url}/accounts/login/")
