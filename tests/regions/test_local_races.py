"""A local write that races a delete (local, or applied from a peer) answers a field error,
never a 500: in the services, the REST API and the CloudStack API."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from rest_framework.test import APIClient

from identity import services as identity
from identity.models import Account, Domain, User
from regions.federation.replication import delivery
from regions.federation.replication.apply import IncomingChange, change_apply
from regions.models import ObjectVersion
from tests import factories
from tests.row_locks import postgres_only, while_held

WALL = 4_000_000_000_000


def peer_delete(instance) -> None:
    """Region 2's delete of INSTANCE, applied here."""
    label = instance._meta.label_lower
    change_apply(IncomingChange(label, str(instance.pk), "delete", (WALL, 0, 2), {}))


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


def test_a_password_set_on_a_user_deleted_by_a_peer_is_refused_naming_the_user(region):
    user = factories.user(username="zed")
    stale = User.objects.get(pk=user.pk)
    peer_delete(user)
    with pytest.raises(ValidationError) as caught:
        identity.user_set_password(user=stale, password="Another-Long-Pass-1", by=None)
    assert codes(caught.value) == {"user": {"gone"}}
    assert not User.objects.filter(pk=user.pk).exists()


def test_an_account_in_a_domain_deleted_by_a_peer_is_refused_naming_the_domain(region):
    domain = factories.domain(name="going")
    stale = Domain.objects.get(pk=domain.pk)
    peer_delete(domain)
    with pytest.raises(ValidationError) as caught:
        identity.account_create(domain=stale, name="late", by=None)
    assert codes(caught.value) == {"domain": {"gone"}}
    assert not Account.objects.filter(name="late").exists()


def test_an_edit_of_a_deleted_domain_changes_nothing(region):
    domain = factories.domain(name="gone-soon")
    stale = Domain.objects.get(pk=domain.pk)
    peer_delete(domain)
    before = ObjectVersion.objects.count()
    with pytest.raises(ValidationError) as caught:
        identity.domain_update(domain=stale, network_domain="x.example", by=None)
    assert codes(caught.value) == {"domain": {"gone"}}
    assert ObjectVersion.objects.count() == before
    assert not Domain.objects.filter(pk=domain.pk).exists()


def test_rest_answers_409_naming_the_object_when_it_was_deleted_meanwhile(root, monkeypatch):
    user = factories.user(username="racing")
    client = APIClient()
    client.force_authenticate(root)
    # The peer's delete lands between the view's lookup and the service's write.
    real = identity.user_password_change

    def deleted_first(**kwargs):
        peer_delete(kwargs["user"])
        return real(**kwargs)

    monkeypatch.setattr(identity, "user_password_change", deleted_first)
    response = client.post(
        f"/api/users/{user.pk}/set_password/", {"password": "Another-Long-Pass-1"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert "user" in response.json()


def test_a_unique_name_taken_by_a_concurrent_request_is_a_field_error(region, monkeypatch):
    """The check before the insert passed, the database refused: still a field error."""
    from identity.services import users

    factories.user(username="twin")
    monkeypatch.setattr(users, "_check_username", lambda username, exclude=None: username)
    account = factories.account()
    with pytest.raises(ValidationError) as caught:
        identity.user_create(account=account, username="TWIN", password="Long-Pass-2026!", by=None)
    assert codes(caught.value) == {"username": {"unique"}}
    assert User.objects.filter(username__iexact="twin").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_domain_delete_waits_for_an_account_being_added_and_then_refuses():
    factories.local_region()
    domain = factories.domain(name=f"busy-{uuid.uuid4().hex[:6]}")
    waited, result = while_held(
        lambda: identity.account_create(domain=domain, name="newcomer", by=None),
        lambda: identity.domain_delete(domain=Domain.objects.get(pk=domain.pk), by=None),
    )
    assert waited, "the delete must wait for the account being added"
    assert isinstance(result, ValidationError)
    assert codes(result) == {"cleanup": {"in_use"}}
    assert Domain.objects.filter(pk=domain.pk).exists()
    assert Account.objects.filter(domain=domain, name="newcomer").exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_account_added_while_its_domain_is_deleted_is_refused_naming_the_domain():
    factories.local_region()
    domain = factories.domain(name=f"leaving-{uuid.uuid4().hex[:6]}")
    waited, error = while_held(
        lambda: identity.domain_delete(domain=Domain.objects.get(pk=domain.pk), by=None),
        lambda: identity.account_create(domain=domain, name="latecomer", by=None),
    )
    assert waited, "the insert must wait for the delete"
    assert isinstance(error, ValidationError)
    assert codes(error) == {"domain": {"gone"}}
    assert not Account.objects.filter(name="latecomer").exists()


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweeps_parked_retry_waits_for_a_page_being_applied():
    """Both could otherwise see no version of a new object and both insert it (seen in CI:
    an IntegrityError on the version key)."""
    factories.local_region()
    applying, release = threading.Event(), threading.Event()

    def apply_a_page() -> None:
        try:
            with transaction.atomic():
                delivery.apply_lock()
                applying.set()
                release.wait(10)
        finally:
            connections.close_all()

    replicator = threading.Thread(target=apply_a_page)
    replicator.start()
    assert applying.wait(10)
    retried: list[int] = []

    def sweep() -> None:
        try:
            retried.append(delivery.parked_retry_locked())
        finally:
            connections.close_all()

    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    sweeper.join(0.5)
    assert sweeper.is_alive(), "the retry must wait for the page being applied"
    release.set()
    replicator.join(10)
    sweeper.join(10)
    assert retried == [0]
