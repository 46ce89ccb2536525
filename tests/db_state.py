"""What the database holds, so a test can prove that a refused write changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection

_APPS = ("identity", "regions", "zones")
# The sign-in throttle's record of password checks: a refused sign-in is meant to add to it.
_ATTEMPT_LOG = {"identity.SignInAttempt"}


def db_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every identity, regions and zones table, with all its values.

    Models whose table does not exist yet (work in progress without a migration) are left
    out rather than failing every test that asks.
    """
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for label in _APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.db_table in tables and model._meta.label not in _ATTEMPT_LOG
    }


def refused(call: Callable[..., Any], field: str, code: str | None = None, **kwargs: Any):
    """CALL(**KWARGS), a service, refused with an error on FIELD alone (of CODE), the
    database as it was; the ValidationError."""
    before = db_state()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert list(caught.value.error_dict) == [field], caught.value
    if code is not None:
        assert [e.code for e in caught.value.error_dict[field]] == [code]
    assert db_state() == before
    return caught.value


def replicated_state(*, parked: bool = False) -> dict[str, Any]:
    """Every replicated row (secrets decrypted, clock fields left out), every object
    version, and with PARKED every parked change: what two regions that converged share."""
    from identity.crypto import secret_decrypt
    from regions.federation.replication import registry
    from regions.models import ObjectVersion, ParkedChange

    rows = {}
    for spec in registry.registered():
        values = []
        for row in spec.model._default_manager.order_by("pk").values():
            row = {k: v for k, v in row.items() if k not in {"created", "updated", "last_login"}}
            if "secret_key_encrypted" in row:
                row["secret_key_encrypted"] = secret_decrypt(row["secret_key_encrypted"])
            values.append(row)
        rows[spec.label] = values
    versions = sorted(
        ObjectVersion.objects.values_list(
            "model", "object_id", "wall", "counter", "origin", "deleted"
        )
    )
    state: dict[str, Any] = {"rows": rows, "versions": versions}
    if parked:
        state["parked"] = sorted(
            ParkedChange.objects.values_list(
                "model", "object_id", "op", "wall", "counter", "origin"
            )
        )
    return state
