"""The sign-in throttle: a few guesses per account and address, counted across every path
(form, REST token, CloudStack login, current password), refusing without locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from identity import sign_in_limits
from identity.models import SignInAttempt, UserState
from regions.configuration.services import setting_update
from tests.factories import PASSWORD

A, B = "192.0.2.10", "198.51.100.20"
WRONG = "not-the-password-at-all"


def token(username: str, password: str, address: str = A):
    return APIClient().post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def cloudstack_login(username: str, password: str, address: str = A):
    return Client().post(
        "/client/api",
        {"command": "login", "response": "json", "username": username, "password": password},
        REMOTE_ADDR=address,
    )


def form_login(client: Client, username: str, password: str, address: str = A):
    return client.post(
        "/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_guesses_from_one_address_then_429_even_for_the_right_password(alice):
    for _ in range(5):
        assert token("alice", WRONG).status_code == 400
    refused = token("alice", PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    detail = refused.json()["detail"]
    assert "Too many sign-in attempts" in detail
    assert detail.count("second") == 1  # the wait is said once
    # The guesser's flood does not keep alice out from elsewhere, and locks nothing.
    assert token("alice", PASSWORD, address=B).status_code == 200
    alice.refresh_from_db()
    assert alice.state == UserState.ENABLED


def test_guesses_count_across_paths(alice):
    assert token("alice", WRONG).status_code == 400
    assert token("alice", WRONG).status_code == 400
    assert cloudstack_login("alice", WRONG).status_code == 531
    assert cloudstack_login("alice", WRONG).status_code == 531
    page = form_login(Client(), "alice", WRONG)
    assert page.status_code == 200 and "Too many" not in page.content.decode()

    refused = cloudstack_login("alice", PASSWORD)
    assert refused.status_code == 429
    body = refused.json()["loginresponse"]
    assert body["errorcode"] == 429 and "Too many sign-in attempts" in body["errortext"]
    assert int(refused["Retry-After"]) >= 1
    page = form_login(Client(), "alice", PASSWORD)
    assert "Too many sign-in attempts" in page.content.decode()
    assert "_auth_user_id" not in page.wsgi_request.session


def test_the_sign_in_form_no_longer_locks_a_username_for_everyone(alice):
    guesser = Client()
    for _ in range(20):
        form_login(guesser, "alice", WRONG)
    elsewhere = Client()
    response = form_login(elsewhere, "alice", PASSWORD, address=B)
    assert response.status_code == 302
    assert elsewhere.get("/").status_code == 200


def test_many_addresses_guessing_one_account_are_slowed_down_together(alice):
    for n in range(10):
        assert token("alice", WRONG, address=f"203.0.113.{n}").status_code == 400
    refused = token("alice", WRONG, address="203.0.113.200")
    assert refused.status_code == 429
    assert SignInAttempt.objects.filter(username="alice").count() == 10  # refused: not recorded


def test_one_address_trying_many_accounts_is_refused(region):
    for n in range(30):
        assert token(f"nobody{n}", WRONG).status_code == 400
    assert token("someone-else", WRONG).status_code == 429
    assert token("someone-else", WRONG, address=B).status_code == 400


def test_the_root_admin_is_throttled_like_everyone(root):
    for _ in range(5):
        assert cloudstack_login("root", WRONG).status_code == 531
    assert cloudstack_login("root", PASSWORD).status_code == 429
    assert cloudstack_login("root", PASSWORD, address=B).status_code == 200


def test_a_success_forgets_this_addresses_misses(alice):
    for _ in range(4):
        assert token("alice", WRONG).status_code == 400
    assert token("alice", PASSWORD).status_code == 200
    for _ in range(5):
        assert token("alice", WRONG).status_code == 400
    assert token("alice", WRONG).status_code == 429


def test_the_window_slides(alice):
    for _ in range(5):
        token("alice", WRONG)
    assert token("alice", PASSWORD).status_code == 429
    SignInAttempt.objects.update(at=timezone.now() - timedelta(seconds=61))
    assert token("alice", PASSWORD).status_code == 200


def test_retry_after_names_when_the_oldest_guess_leaves_the_window(alice):
    for _ in range(5):
        token("alice", WRONG)
    SignInAttempt.objects.update(at=timezone.now() - timedelta(seconds=50))
    wait = int(token("alice", PASSWORD)["Retry-After"])
    assert 9 <= wait <= 11


def test_the_current_password_asked_before_a_change_is_throttled_too(alice):
    client = APIClient()
    client.force_authenticate(alice)
    url = f"/api/users/{alice.pk}/set_password/"
    for _ in range(10):
        response = client.post(url, {"password": "N3w-Passw0rd!x", "current_password": WRONG})
        assert response.status_code == 400, response.content
        assert "current_password" in response.json()
    refused = client.post(url, {"password": "N3w-Passw0rd!x", "current_password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.json()["current_password"][0]
    assert int(refused["Retry-After"]) >= 1
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_failures_are_not_counted_towards_a_lock_by_default(alice):
    for n in range(12):
        token("alice", WRONG, address=f"203.0.113.{n}")
    alice.refresh_from_db()
    assert alice.state == UserState.ENABLED


def test_a_refused_check_does_not_count_towards_a_configured_lock(root, alice):
    setting_update(name="incorrect.login.attempts.allowed", value=7, by=root)
    for _ in range(5):
        token("alice", WRONG)
    for _ in range(5):
        assert token("alice", WRONG).status_code == 429
    alice.refresh_from_db()
    assert alice.state == UserState.ENABLED
    assert token("alice", WRONG, address=B).status_code == 400
    assert token("alice", WRONG, address=B).status_code == 400
    alice.refresh_from_db()
    assert alice.state == UserState.LOCKED


@pytest.mark.parametrize(
    ("remote", "forwarded", "hops", "expected"),
    [
        ("192.0.2.1", "", 0, "192.0.2.1"),
        ("192.0.2.1", "10.9.9.9", 0, "192.0.2.1"),  # no proxy trusted: the header is ignored
        ("10.0.0.2", "6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),  # the proxy's own entry
        ("10.0.0.2", "203.0.113.7, 10.0.0.3", 2, "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.9", "", 0, "192.0.2.9"),
    ],
)
def test_client_address(remote, forwarded, hops, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(PORTAL_PROXY_HOPS=hops):
        assert sign_in_limits.client_address(request) == expected


def test_old_attempts_are_pruned(db):
    now = timezone.now()
    SignInAttempt.objects.create(username="x", address=A, at=now - timedelta(days=2))
    SignInAttempt.objects.create(username="x", address=A, at=now)
    assert sign_in_limits.prune() == 1
    assert SignInAttempt.objects.count() == 1


def test_a_failed_cloudstack_login_names_a_huge_username_shortened(region):
    response = cloudstack_login("u" * 70_000, WRONG)
    assert response.status_code == 531
    text = response.json()["loginresponse"]["errortext"]
    assert text.startswith("Failed to authenticate user " + "u" * 255 + " in domain")
    assert len(text) < 700


def test_a_nul_in_a_username_is_counted_not_stored(db):
    attempt = sign_in_limits.begin(username="Ro\x00ot", address=A)
    assert attempt.username == "root"
