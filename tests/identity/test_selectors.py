"""identity.selectors: reads scoped to what the actor may see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from identity import selectors, services
from identity.models import ROOT_DOMAIN_ID, Account, Domain, Project, User
from regions.selectors import regions_visible_to
from regions.services import region_create
from tests import factories


@pytest.fixture
def projects(root, dadmin, alice, bob, eng, ops, sales):
    return {
        "eng": factories.project(domain=eng, name="eng-p"),
        "ops": factories.project(domain=ops, name="ops-p"),
        "sales": factories.project(domain=sales, name="sales-p"),
        "root": factories.project(owner=root.account, name="root-p"),
    }


def names(queryset) -> set[str]:
    return {str(row) for row in queryset}


def test_root_admin_sees_everything(root, projects):
    assert names(selectors.domains_visible_to(actor=root)) == set(
        Domain.objects.values_list("path", flat=True)
    )
    assert selectors.accounts_visible_to(actor=root).count() == Account.objects.count()
    assert selectors.users_visible_to(actor=root).count() == User.objects.count()
    assert selectors.projects_visible_to(actor=root).count() == Project.objects.count() == 4


def test_domain_admin_sees_their_subtree(dadmin, alice, projects):
    assert names(selectors.domains_visible_to(actor=dadmin)) == {"ROOT/eng", "ROOT/eng/ops"}
    assert {a.domain.path for a in selectors.accounts_visible_to(actor=dadmin)} == {
        "ROOT/eng",
        "ROOT/eng/ops",
    }
    assert names(selectors.users_visible_to(actor=dadmin)) == {"dadmin", "alice"}
    assert names(selectors.projects_visible_to(actor=dadmin)) == {"eng-p", "ops-p"}


def test_plain_user_sees_their_own_things(alice, ops, projects):
    assert names(selectors.domains_visible_to(actor=alice)) == {"ROOT/eng/ops"}
    assert list(selectors.accounts_visible_to(actor=alice)) == [alice.account]
    assert list(selectors.users_visible_to(actor=alice)) == [alice]
    assert names(selectors.projects_visible_to(actor=alice)) == set()

    services.project_member_add(project=projects["ops"], account=alice.account, by=None)
    mine = services.project_create(domain=ops, name="mine", owner=alice.account, by=alice)
    visible = list(selectors.projects_visible_to(actor=alice))
    assert sorted(p.name for p in visible) == ["mine", "ops-p"]
    assert len(visible) == len(set(visible))  # owner and member: listed once
    assert mine in visible


def test_projects_are_listed_once_with_several_members(alice, ops, projects):
    project = projects["ops"]
    for _ in range(3):
        services.project_member_add(project=project, account=factories.account(domain=ops), by=None)
    services.project_member_add(project=project, account=alice.account, by=None)
    assert selectors.projects_visible_to(actor=alice).count() == 1


@pytest.mark.parametrize("actor", [AnonymousUser(), None])
def test_nobody_sees_nothing(projects, actor):
    assert selectors.identity_counts(actor=actor) == {
        "domains": 0,
        "accounts": 0,
        "users": 0,
        "projects": 0,
    }
    assert not regions_visible_to(actor=actor).exists()


def test_a_disabled_user_sees_nothing(root, alice, projects):
    services.user_disable(user=alice, by=root)
    alice = User.objects.get(pk=alice.pk)
    assert set(selectors.identity_counts(actor=alice).values()) == {0}
    assert not regions_visible_to(actor=alice).exists()


def test_identity_counts(dadmin, alice, projects):
    assert selectors.identity_counts(actor=alice) == {
        "domains": 1,
        "accounts": 1,
        "users": 1,
        "projects": 0,
    }
    counts = selectors.identity_counts(actor=dadmin)
    assert counts["domains"] == 2
    assert counts["users"] == 2
    assert counts["projects"] == 2
    assert counts["accounts"] == Account.objects.filter(domain__path__startswith="ROOT/eng").count()


def test_everyone_signed_in_sees_every_region(alice, region):
    remote = region_create(id=2, name="west", endpoint="http://west.example", by=None)
    assert list(regions_visible_to(actor=alice)) == [region, remote]


def test_get_visible(dadmin, bob, alice):
    assert selectors.get_visible(User, actor=dadmin, pk=alice.pk) == alice
    with pytest.raises(User.DoesNotExist):
        selectors.get_visible(User, actor=dadmin, pk=bob.pk)
    with pytest.raises(Domain.DoesNotExist):
        selectors.get_visible(Domain, actor=alice, pk=bob.account.domain_id)


def test_domain_subtree(eng, ops, sales):
    deep = factories.domain(parent=ops, name="deep")
    lookalike = factories.domain(name="eng-old")
    assert set(selectors.domain_subtree(domain=eng)) == {eng, ops, deep}
    assert set(selectors.domain_subtree(domain=ops)) == {ops, deep}
    assert lookalike not in selectors.domain_subtree(domain=eng)
    assert (
        selectors.domain_subtree(domain=selectors.root_domain()).count() == Domain.objects.count()
    )


def test_root_domain_is_the_fixed_row(region):
    root = selectors.root_domain()
    assert root.pk == ROOT_DOMAIN_ID
    assert root.is_root


def test_domain_contents(eng, ops):
    factories.account(domain=eng)
    factories.account(domain=eng)
    factories.project(domain=eng)
    assert selectors.domain_contents(domain=eng) == {"subdomains": 1, "accounts": 3, "projects": 1}
    assert selectors.domain_contents(domain=ops) == {"subdomains": 0, "accounts": 0, "projects": 0}


def test_project_members(ops):
    project = factories.project(domain=ops)
    extra = factories.account(domain=ops)
    services.project_member_add(project=project, account=extra, by=None)
    assert {m.account for m in selectors.project_members(project=project)} == {
        project.owner,
        extra,
    }
