"""Every model the portal serves, tried by every role on its pages and its REST API: list,
detail, add, edit and delete, with what each role gets derived from the model's declaration
(tests/contracts.py) rather than written out per model.

- Lists show exactly the rows the role sees, in the model's order, each linked (the menu
  entry and the add button too); a role outside an admins-only or root-only audience gets a
  403, anyone else what they see, maybe nothing.
- A row the role sees opens (200), offering edit and delete to whoever may; any other row is
  not found (404).
- Adding, changing (PATCH and PUT) and deleting succeed for whoever may; for anyone else
  they are refused (sent to sign in; 401/403; 403; 404; for a place the role cannot see, a
  form error or a 400 naming the field) and the whole database is unchanged. Besides the
  rows the suite makes, every row a role sees but may not change (their own domain or
  account, ...) is tried.

A model served by a page, a menu entry or a REST endpoint must have a maker in
tests/contracts.py, so a model added later cannot escape the suite.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from identity.models import User
from portal.declarations import Audience, declaration, declarations
from portal.navigation import menu_for
from regions.models import Region
from tests import factories
from tests.api_helpers import ANONYMOUS_REFUSED, api_client
from tests.contracts import (
    MAKERS,
    RESTRICTED,
    ROLES,
    Served,
    acting,
    may_add,
    may_change,
    owned,
    owners_of,
    sees,
    sees_any,
    served,
    signed_in,
)
from tests.db_state import db_state

SERVED = sorted(served().values(), key=lambda each: each.label)


def _cases(page: str, action: str) -> list[Any]:
    """(model, role) for every served model with the PAGE route or the REST ACTION."""
    return [
        pytest.param(each, role, id=f"{each.label}-{role}")
        for each in SERVED
        if getattr(each, page) or action in each.api_actions
        for role in ROLES
    ]


# --- the registry is complete ----------------------------------------------------------------


def test_every_served_model_has_a_maker():
    models = {each.model for each in SERVED}
    with_menu = {found.model for found in declarations() if found.menu is not None}
    assert with_menu <= models
    assert {"identity.User", "zones.Zone", "regions.Setting"} <= {m._meta.label for m in models}
    missing = sorted(m._meta.label for m in models if m not in MAKERS)
    assert not missing, f"served without a maker in tests/contracts.py MAKERS: {missing}"
    stale = sorted(m._meta.label for m in MAKERS if m not in models)
    assert not stale, f"makers of models the portal does not serve: {stale}"


def test_system_and_parent_rows_have_no_pages_of_their_own():
    """SYSTEM rows are served by nothing; PARENT rows only on their parent's pages."""
    models = {each.model for each in SERVED}
    for found in declarations():
        if found.audience in (Audience.SYSTEM, Audience.PARENT):
            assert found.menu is None, found.label
            assert found.model not in models, found.label


# --- the world each case is tried in ---------------------------------------------------------


@pytest.fixture
def subject(request) -> Served:
    """The served model a case tries (where its pages and REST endpoints are)."""
    return request.param


@pytest.fixture(scope="module")
def _people_once(django_db_setup, django_db_blocker):
    """tests/conftest.py's region and people, built once for this module inside a
    transaction rolled back when it ends. Each test runs in a savepoint within it (as every
    test does), so what a test changes is gone before the next one, and the cases pay for
    the people once instead of building them again each through the services."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            factories.local_region()
            eng, sales = factories.domain(name="eng"), factories.domain(name="sales")
            ops = factories.domain(parent=eng, name="ops")
            made = {
                "root": factories.root_admin(username="root"),
                "dadmin": factories.user(
                    account=factories.account(domain=eng, name="eng-admins", type=2),
                    username="dadmin",
                ),
                "alice": factories.user(
                    account=factories.account(domain=ops, name="ops-team"), username="alice"
                ),
                "bob": factories.user(
                    account=factories.account(domain=sales, name="sales-team"), username="bob"
                ),
            }
            yield {name: user.pk for name, user in made.items()}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _person(name: str):
    """Overrides tests/conftest.py's fixture NAME (the `actor` fixture asks for it too): the
    person made once, read afresh for each test."""

    @pytest.fixture(name=name)
    def person(_people_once, db):
        return User.objects.select_related("account__domain").get(pk=_people_once[name])

    return person


root, dadmin, alice, bob = (_person(name) for name in ("root", "dadmin", "alice", "bob"))


@pytest.fixture
def region(_people_once, db):
    """Overrides tests/conftest.py's: the local region made once with the people."""
    return Region.objects.get(is_local=True)


@pytest.fixture
def people(root, dadmin, alice, bob):
    return {"root": root, "dadmin": dadmin, "alice": alice, "bob": bob}


def _make(model: type[Model], people: dict) -> dict[str, Model]:
    maker = MAKERS.get(model)
    if maker is None:
        pytest.fail(f"{model._meta.label} is served but has no maker in tests/contracts.py")
    return {name: maker.make(owner) for name, owner in owners_of(model, people).items()}


@pytest.fixture
def rows(subject, people) -> dict[str, Model]:
    """One row of the model per owner (tests/contracts.py owners_of)."""
    return _make(subject.model, people)


def _all(model: type[Model]) -> list[Model]:
    return list(model._default_manager.all())


def _page_client(actor) -> Client:
    client = Client()
    if signed_in(actor):
        client.force_login(actor)  # a disabled user's session signs in no one
    return client


def _api_client(actor):
    return api_client(actor if signed_in(actor) else None)


def _detail(subject: Served, row: Model) -> str:
    value = getattr(row, subject.api_lookup)
    return reverse(f"{subject.api}-detail", kwargs={subject.api_lookup: value})


def _menu_labels(actor) -> set[str]:
    labels = set()
    for entry in menu_for(actor):
        labels |= {entry.label, *(child.label for child in entry.children)}
    return labels


def _said(response) -> str:
    """The last message a page left for the next one."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


class Refusals:
    """The refused requests of one test; `unchanged()` proves that together they left the
    whole database as it was (so they are all sent before anything meant to succeed)."""

    def __init__(self) -> None:
        self.before = db_state()
        self.tried: list[str] = []

    def check(self, response, expected, what: str) -> None:
        """EXPECTED: "sign-in" (a page sends to the sign-in page), a status or a tuple of
        them; REST refusals are JSON, with a `detail` unless they name fields (400)."""
        self.tried.append(what)
        if expected == "sign-in":
            assert response.status_code == 302, (what, response.status_code)
            assert response["Location"].startswith(reverse("account_login")), what
        else:
            allowed = expected if isinstance(expected, tuple) else (expected,)
            assert response.status_code in allowed, (what, response.status_code, response.content)
        if what.endswith("REST") and response.status_code != 400:
            assert response["Content-Type"].startswith("application/json"), what
            assert "detail" in response.json(), (what, response.content)

    def unchanged(self) -> None:
        assert db_state() == self.before, f"one of these changed the database: {self.tried}"


# --- list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "actor"), _cases("list_page", "list"), indirect=True)
def test_list(subject, actor, rows):
    model = subject.model
    found = declaration(model)
    every = _all(model)
    visible = [str(row.pk) for row in every if sees(actor, row)]
    if found.menu is not None:
        assert (found.menu.label in _menu_labels(actor)) == sees_any(actor, model)
    page, api = _page_client(actor), _api_client(actor)
    refusals = Refusals()
    if subject.list_page:
        response = page.get(reverse(subject.list_page))
        if not acting(actor):
            refusals.check(response, "sign-in", "list page")
        elif not sees_any(actor, model):
            refusals.check(response, 403, "list page")
        else:
            assert response.status_code == 200
        if response.status_code == 200 and "object_list" in response.context:
            assert [str(row.pk) for row in response.context["object_list"]] == visible
            text = response.content.decode()
            for row in every:
                assert (f'href="{row.get_absolute_url()}"' in text) == sees(actor, row), row
            offered = may_add(actor, model, [actor.account]) and bool(subject.add_page)
            assert bool(response.context["add_url"]) == offered
    if "list" in subject.api_actions:
        response = api.get(reverse(f"{subject.api}-list") + "?limit=1000")
        if not signed_in(actor):
            refusals.check(response, ANONYMOUS_REFUSED, "list REST")
        elif not sees_any(actor, model) and found.audience in RESTRICTED:
            refusals.check(response, 403, "list REST")
        else:
            assert response.status_code == 200, response.content
            assert [str(item["id"]) for item in response.json()["results"]] == visible
    refusals.unchanged()


# --- detail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "actor"), _cases("detail_page", "retrieve"), indirect=True)
def test_detail(subject, actor, rows):
    """Every row of an owned model for domain admins and users (where a row is decides
    whether they see it); the made rows for anyone else (every row alike: a root admin sees
    them all, whoever may do nothing none) and of any other model. Edit and delete are
    offered to whoever may (delete: on the made rows; the services keep some rows, such as
    one's own, that the policy would let go)."""
    model = subject.model
    placed = owned(model) and acting(actor) and not actor.is_root_admin
    tried = _all(model) if placed else list(rows.values())
    made = {row.pk for row in rows.values()}
    outright = not sees_any(actor, model) and declaration(model).audience in RESTRICTED
    page, api = _page_client(actor), _api_client(actor)
    refusals = Refusals()
    for row in tried:
        visible = sees(actor, row)
        if subject.detail_page:
            response = page.get(row.get_absolute_url())
            if not acting(actor):
                refusals.check(response, "sign-in", f"page of {row!r}")
            else:
                assert response.status_code == (200 if visible else 404), row
            if response.status_code == 200:
                edit = bool(subject.edit_page) and may_change(actor, row)
                assert bool(response.context["edit_url"]) == edit, row
                delete = bool(subject.delete_page) and may_change(actor, row, delete=True)
                if not delete or row.pk in made:
                    assert bool(response.context["delete_url"]) == delete, row
        if "retrieve" in subject.api_actions:
            response = api.get(_detail(subject, row))
            if not signed_in(actor):
                refusals.check(response, ANONYMOUS_REFUSED, f"{row!r} by REST")
            elif outright:
                refusals.check(response, 403, f"{row!r} by REST")
            elif visible:
                assert response.status_code == 200, (row, response.content)
                assert str(response.json()["id"]) == str(row.pk)
            else:
                refusals.check(response, 404, f"{row!r} by REST")
    refusals.unchanged()


# --- add -------------------------------------------------------------------------------------


def _adding(subject: Served, actor, people) -> list[tuple[str, Any, dict, Any]]:
    """(surface, owner, data, expected) of each add to try: a new row placed like the domain
    admin's rows (ROOT/eng, their own domain), like alice's (ROOT/eng/ops, below it) and
    like bob's (ROOT/sales, outside it)."""
    model = subject.model
    maker = MAKERS[model]
    owners = owners_of(model, people)
    places = [owners[name] for name in ("dadmin", "alice", "bob")] if owned(model) else [None]
    tries = []
    for owner in places:
        place = list(maker.place(owner).values()) if owner is not None else []
        unseen = not all(sees(actor, row) for row in place)
        allowed = may_add(actor, model, place)
        if subject.add_page:
            if not acting(actor):
                expected = "sign-in"
            elif not may_add(actor, model, [actor.account]):
                expected = 403  # the page itself (adding within their own account)
            elif unseen:
                expected = "not a choice"
            else:
                expected = 302 if allowed else 403
            tries.append(("page", owner, maker.form(owner), expected))
        if "create" in subject.api_actions:
            if not signed_in(actor):
                expected = ANONYMOUS_REFUSED
            elif not owned(model) and not allowed:
                expected = 403  # refused before the body is read
            elif unseen:
                expected = 400
            else:
                expected = 201 if allowed else 403
            tries.append(("REST", owner, maker.body(owner), expected))
    return tries


@pytest.mark.parametrize(("subject", "actor"), _cases("add_page", "create"), indirect=True)
def test_add(subject, actor, people):
    model = subject.model
    tries = _adding(subject, actor, people)
    places = set(MAKERS[model].place(people["alice"].account))
    page, api = _page_client(actor), _api_client(actor)
    refusals = Refusals()
    if subject.add_page:
        response = page.get(reverse(subject.add_page))
        if not acting(actor):
            refusals.check(response, "sign-in", "the add page")
        else:
            opens = may_add(actor, model, [actor.account])
            refusals.check(response, 200 if opens else 403, "the add page")

    def send(surface, data):
        if surface == "page":
            return page.post(reverse(subject.add_page), data)
        return api.post(reverse(f"{subject.api}-list"), data, format="json")

    done = [t for t in tries if t[3] in (302, 201)]
    for surface, owner, data, expected in [t for t in tries if t not in done]:
        what = f"adding at {owner} by {surface}"
        response = send(surface, data)
        if expected == "not a choice":  # the form offers only what the actor sees
            errors = response.context["form"].errors.as_data()
            assert any(e.code == "invalid_choice" for f in places & set(errors) for e in errors[f])
            expected = 200
        elif expected == 400:
            assert places & set(response.json()), (what, response.content)
        refusals.check(response, expected, what)
    refusals.unchanged()
    for surface, owner, data, expected in done:
        known = set(model._default_manager.values_list("pk", flat=True))
        response = send(surface, data)
        assert response.status_code == expected, (owner, surface, response.content)
        (new,) = model._default_manager.exclude(pk__in=known)
        if surface == "page":
            assert response["Location"] == new.get_absolute_url()
            assert _said(response) == f"Created {model._meta.verbose_name} {new}."
        else:
            assert str(response.json()["id"]) == str(new.pk)


# --- edit and delete -------------------------------------------------------------------------


def _writing(subject: Served, actor, row: Model, surface: str, *, delete: bool) -> Any:
    """What ACTOR gets changing (or deleting) ROW through SURFACE."""
    allowed = may_change(actor, row, delete=delete)
    if surface == "page":
        if not acting(actor):
            return "sign-in"
        if not sees(actor, row):
            return 404
        return 302 if allowed else 403
    if not signed_in(actor):
        return ANONYMOUS_REFUSED
    if not owned(subject.model) and not allowed:
        return 403  # refused before the row is looked up
    if not sees(actor, row):
        return 404
    if allowed:
        return 204 if delete else 200
    return 403


def _write_tries(subject, actor, rows, surfaces, *, delete: bool) -> list[tuple]:
    """(surface, row, expected) for each surface and made row, and for every other row of an
    owned model that ACTOR sees but may not write (their own domain, account, ...)."""
    others = [
        row
        for row in (_all(subject.model) if owned(subject.model) and acting(actor) else [])
        if row.pk not in {made.pk for made in rows}
        and sees(actor, row)
        and not may_change(actor, row, delete=delete)
    ]
    return [
        (surface, row, _writing(subject, actor, row, surface.split()[0], delete=delete))
        for row in [*rows, *others]
        for surface in surfaces
    ]


def _values(row: Model) -> dict:
    return type(row)._default_manager.filter(pk=row.pk).values().get()


@pytest.mark.parametrize(("subject", "actor"), _cases("edit_page", "partial_update"), indirect=True)
def test_edit(subject, actor, rows):
    model, maker = subject.model, MAKERS[subject.model]
    surfaces = [
        *(["page"] if subject.edit_page else []),
        *(["REST PATCH"] if "partial_update" in subject.api_actions else []),
        *(["REST PUT"] if "update" in subject.api_actions else []),
    ]
    tries = _write_tries(subject, actor, list(rows.values()), surfaces, delete=False)
    page, api = _page_client(actor), _api_client(actor)

    def send(surface, row, method="post"):
        row = _fresh(row)
        if surface == "page":
            url = reverse(subject.edit_page, args=[row.pk])
            return page.get(url) if method == "get" else page.post(url, maker.edit(row))
        method = surface.split()[1].lower()
        return getattr(api, method)(_detail(subject, row), maker.edit_body(row), format="json")

    refusals = Refusals()
    done = [t for t in tries if t[2] in (302, 200)]
    for surface, row, expected in [t for t in tries if t not in done]:
        what = f"changing {row!r} by {surface.split()[0]}"
        if surface == "page":
            refusals.check(send(surface, row, "get"), expected, f"the edit page of {row!r}")
        refusals.check(send(surface, row), expected, what)
    refusals.unchanged()
    for surface, row, expected in done:
        before = _values(row)
        response = send(surface, row)
        assert response.status_code == expected, (surface, row, response.content)
        assert _values(row) != before, f"changing {row!r} by {surface} changed nothing"
        if surface == "page":
            assert response["Location"] == row.get_absolute_url()
            assert _said(response) == f"Updated {model._meta.verbose_name} {_fresh(row)}."


def _fresh(row: Model) -> Model:
    return type(row)._default_manager.get(pk=row.pk)


@pytest.mark.parametrize(("subject", "actor"), _cases("delete_page", "destroy"), indirect=True)
def test_delete(subject, actor, rows, people):
    """The page deletes the rows of one maker's round, the REST API those of another."""
    model = subject.model
    tries = []
    if subject.delete_page:
        tries += _write_tries(subject, actor, list(rows.values()), ["page"], delete=True)
    if "destroy" in subject.api_actions:
        more = list(_make(model, people).values())
        tries += _write_tries(subject, actor, more, ["REST"], delete=True)
    page, api = _page_client(actor), _api_client(actor)

    def send(surface, row, method="post"):
        if surface == "page":
            return getattr(page, method)(reverse(subject.delete_page, args=[row.pk]))
        return api.delete(_detail(subject, row))

    refusals = Refusals()
    done = [t for t in tries if t[2] in (302, 204)]
    for surface, row, expected in [t for t in tries if t not in done]:
        if surface == "page":
            refusals.check(send(surface, row, "get"), expected, f"the delete page of {row!r}")
        refusals.check(send(surface, row), expected, f"deleting {row!r} by {surface}")
    refusals.unchanged()
    for surface, row, expected in done:
        response = send(surface, row)
        assert response.status_code == expected, (surface, row, response.content)
        assert not model._default_manager.filter(pk=row.pk).exists()
        if surface == "page":
            assert response["Location"] == reverse(subject.list_page)
            assert _said(response) == f"Deleted {model._meta.verbose_name} {row}."
