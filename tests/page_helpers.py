"""What the page tests read from an answer, and the checks they share."""

from __future__ import annotations

from django.db.models import Model
from django.test import Client
from pytest_django.asserts import assertContains


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def assert_deleted_after_confirming(client: Client, obj: Model, named: str, back_to: str) -> None:
    """OBJ's delete page asks "Delete NAMED?" and deletes nothing; confirming deletes OBJ,
    goes back to the list at BACK_TO and says "Deleted NAMED."."""
    url = f"{obj.get_absolute_url()}delete/"
    rows = type(obj)._default_manager.filter(pk=obj.pk)
    assertContains(client.get(url), f"Delete {named}?")
    assert rows.exists()
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(back_to, 302)]
    assert shown_messages(response) == [f"Deleted {named}."]
    assert not rows.exists()
