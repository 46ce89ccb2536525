"""Domain pages: list, detail, add, edit, delete with cleanup, through the test client.

Which role sees, adds, changes and deletes which rows is tested for every model by
tests/portal/test_model_contracts.py; here, what is particular to domains.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from identity.models import Account, Domain, User
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state
from tests.page_helpers import form_errors, shown_messages

pytestmark = pytest.mark.django_db


# --- List and detail -----------------------------------------------------------------------


def test_search_filters_the_list(root_client, eng, ops, sales):
    response = root_client.get("/identity/domains/", {"q": "sal"})
    assert [d.path for d in response.context["object_list"]] == ["ROOT/sales"]
    assertContains(response, 'value="sal"')


def test_the_detail_page_shows_subdomains_accounts_and_projects(root_client, eng, ops, dadmin):
    project = factories.project(owner=dadmin.account, name="platform")
    response = root_client.get(eng.get_absolute_url())

    assertContains(response, "Domain ROOT/eng")
    assertContains(response, f'href="{ops.get_absolute_url()}"')
    assertContains(response, f'href="{dadmin.account.get_absolute_url()}"')
    assertContains(response, f'href="{project.get_absolute_url()}"')
    assertContains(response, f'href="/identity/domains/{eng.pk}/edit/"')
    assertContains(response, f'href="/identity/domains/{eng.pk}/delete/"')


# --- Add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_domain(root_client, eng):
    response = root_client.post(
        "/identity/domains/add/",
        {"parent": eng.pk, "name": "qa", "network_domain": "qa.example.com"},
        follow=True,
    )
    domain = Domain.objects.get(path="ROOT/eng/qa")
    assert response.redirect_chain == [(domain.get_absolute_url(), 302)]
    assert (domain.parent, domain.network_domain) == (eng, "qa.example.com")
    assert shown_messages(response) == ["Created domain ROOT/eng/qa."]
    assertContains(response, "Created domain ROOT/eng/qa.")


def test_the_add_form_offers_only_visible_parents(dadmin_client, eng, ops, sales):
    response = dadmin_client.get("/identity/domains/add/")
    parents = list(response.context["form"].fields["parent"].queryset)
    assert parents == [eng, ops]
    assertContains(response, 'name="csrfmiddlewaretoken"')


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 65, "at most 64 characters"),
        ("Ops", "Domain ROOT/eng already has a subdomain named Ops."),
        ("a/b", "A domain name cannot contain &#x27;/&#x27;."),
    ],
)
def test_bad_domain_names_are_shown_on_the_form(root_client, eng, ops, name, message):
    before = db_state()
    response = root_client.post("/identity/domains/add/", {"parent": eng.pk, "name": name})
    assert response.status_code == 200
    assert form_errors(response, "name")
    assertContains(response, message)
    assertContains(response, "invalid-feedback")
    assert db_state() == before


def test_a_missing_parent_is_shown_on_the_form(root_client, eng):
    before = db_state()
    response = root_client.post("/identity/domains/add/", {"name": "qa"})
    assert form_errors(response, "parent") == ["This field is required."]
    assert db_state() == before


# --- Edit ----------------------------------------------------------------------------------


def test_renaming_a_domain_moves_its_subtree(root_client, eng, ops):
    url = f"/identity/domains/{eng.pk}/edit/"
    form = root_client.get(url)
    assert form.context["form"].initial["name"] == "eng"
    assert "parent" not in form.context["form"].fields
    assertContains(form, f'href="{eng.get_absolute_url()}"')  # cancel

    response = root_client.post(url, {"name": "engineering", "network_domain": "x.example"})
    assertRedirects(response, eng.get_absolute_url(), fetch_redirect_response=False)
    eng.refresh_from_db()
    ops.refresh_from_db()
    assert (eng.path, eng.network_domain) == ("ROOT/engineering", "x.example")
    assert ops.path == "ROOT/engineering/ops"


def test_a_domain_admin_edits_a_subdomain(dadmin_client, ops):
    response = dadmin_client.post(
        f"/identity/domains/{ops.pk}/edit/", {"name": "operations"}, follow=True
    )
    ops.refresh_from_db()
    assert ops.path == "ROOT/eng/operations"
    assert shown_messages(response) == ["Updated domain ROOT/eng/operations."]


def test_renaming_onto_a_sibling_is_refused(root_client, eng, sales):
    before = db_state()
    response = root_client.post(f"/identity/domains/{eng.pk}/edit/", {"name": "SALES"})
    assertContains(response, "Domain ROOT already has a subdomain named SALES.")
    assert db_state() == before


def test_renaming_root_is_refused(root_client, region):
    root = root_domain()
    before = db_state()
    response = root_client.post(f"/identity/domains/{root.pk}/edit/", {"name": "TOP"})
    assertContains(response, "The ROOT domain cannot be renamed.")
    assert form_errors(response, "name") == ["The ROOT domain cannot be renamed."]
    assert db_state() == before


# --- Delete --------------------------------------------------------------------------------


def test_the_delete_page_asks_first_and_offers_cleanup(root_client, sales):
    response = root_client.get(f"/identity/domains/{sales.pk}/delete/")
    assertContains(response, "Delete domain ROOT/sales?")
    assertContains(response, 'type="checkbox" name="cleanup"')
    assertContains(response, f'href="{sales.get_absolute_url()}"')
    assert Domain.objects.filter(pk=sales.pk).exists()


def test_a_domain_that_holds_accounts_is_kept_without_cleanup(root_client, bob):
    sales = bob.account.domain
    before = db_state()
    response = root_client.post(f"/identity/domains/{sales.pk}/delete/")
    assert response.status_code == 200
    assert form_errors(response, "cleanup")
    assertContains(response, "Domain ROOT/sales still holds 1 account.")
    assert db_state() == before


def test_cleanup_deletes_the_domain_with_everything_in_it(root_client, dadmin, alice, bob):
    eng = dadmin.account.domain
    factories.project(owner=alice.account, name="ops-proj")
    response = root_client.post(f"/identity/domains/{eng.pk}/delete/", {"cleanup": "on"})
    assertRedirects(response, "/identity/domains/", fetch_redirect_response=False)
    assert not Domain.objects.filter(path__startswith="ROOT/eng").exists()
    assert not User.objects.filter(username__in=["dadmin", "alice"]).exists()
    assert not Account.objects.filter(domain__path__startswith="ROOT/eng").exists()
    assert User.objects.filter(username="bob").exists()


def test_the_root_domain_cannot_be_deleted(root_client, region):
    root = root_domain()
    before = db_state()
    response = root_client.post(f"/identity/domains/{root.pk}/delete/", {"cleanup": "on"})
    assert response.status_code == 200
    assertContains(response, "The ROOT domain cannot be deleted.")
    assert db_state() == before


def test_the_detail_page_lists_only_what_the_actor_may_see(alice_client, alice, ops):
    factories.account(domain=ops, name="ops-2")
    factories.project(owner=factories.account(domain=ops, name="ops-3"), name="hidden-proj")
    mine = factories.project(owner=alice.account, name="my-proj")
    factories.domain(parent=ops, name="deeper")

    response = alice_client.get(ops.get_absolute_url())

    assertContains(response, f'href="{alice.account.get_absolute_url()}"')
    assertContains(response, f'href="{mine.get_absolute_url()}"')
    for hidden in ("ops-2", "ops-3", "hidden-proj", "ROOT/eng/ops/deeper"):
        assertNotContains(response, hidden)


def test_long_lists_are_paginated_and_keep_the_search(root_client, eng):
    for number in range(52):
        factories.domain(parent=eng, name=f"team{number:02}")
    response = root_client.get("/identity/domains/", {"q": "team"})
    assert len(response.context["object_list"]) == 50
    assertContains(response, "Page 1 of 2")
    assertContains(response, 'href="?q=team&amp;page=2"')
    assertContains(response, "50 of 52 shown.")
    response = root_client.get("/identity/domains/", {"q": "team", "page": "2"})
    assert [d.name for d in response.context["object_list"]] == ["team50", "team51"]
    assertContains(response, "2 of 52 shown.")


def test_the_list_says_how_many_rows_it_shows(root_client, eng, ops):
    assertContains(root_client.get("/identity/domains/"), "3 of 3 shown.")
