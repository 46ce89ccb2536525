"""Every model is declared once, and the declaration drives permissions, replication, the
navigation and where a region switch lands."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from identity import services
from identity.models import ProjectMembership, User
from identity.permissions import Action, may, visible
from portal import declarations
from portal.declarations import Audience, Scope, declaration, project_models
from portal.navigation import menu_for
from regions.federation.replication import registry
from regions.models import Override, Region
from tests import factories
from zones.models import Zone


@pytest.fixture
def without(monkeypatch):
    """Take MODEL's declaration away for one test."""

    def remove(model):
        monkeypatch.delitem(declarations._declared, model._meta.label)

    return remove


@pytest.fixture
def redeclared(monkeypatch):
    """Change fields of MODEL's declaration for one test."""

    def change(model, **fields):
        label = model._meta.label
        monkeypatch.setitem(
            declarations._declared, label, dataclasses.replace(declaration(model), **fields)
        )

    return change


def test_every_model_of_the_project_is_declared():
    labels = {model._meta.label for model in project_models()}
    assert {"identity.User", "zones.Zone", "regions.Region", "portal.AsyncJob"} <= labels
    assert all(declaration(model).model is model for model in project_models())
    assert not [m for m in declarations.check_declarations() if m.id.startswith("portal.")]


def test_a_model_without_a_declaration_fails_the_checks(without):
    without(Zone)
    errors = [m for m in declarations.check_declarations() if m.id == "portal.E001"]
    assert [e.obj for e in errors] == [Zone]
    with pytest.raises(SystemCheckError, match=r"zones\.Zone has no declaration"):
        call_command("check")


def test_a_model_without_a_declaration_is_refused_to_everyone(without, root):
    # Never silently "root admin only": the question itself fails, for root admins too.
    without(Zone)
    with pytest.raises(declarations.Undeclared, match=r"zones\.Zone"):
        may(root, Action.VIEW, Zone)
    with pytest.raises(declarations.Undeclared):
        visible(root, Zone)


def test_the_declaration_and_the_replication_registry_must_agree(redeclared):
    redeclared(Region, replicated=False)
    redeclared(Zone, replicated=True)
    errors = {m.obj: m.id for m in declarations.check_declarations()}
    assert errors == {Region: "portal.E002", Zone: "portal.E002"}


def test_only_a_model_declared_replicated_can_be_registered():
    with pytest.raises(ImproperlyConfigured, match=r"zones\.Zone is not declared replicated"):
        registry.register(registry.ReplicatedModel(Zone))
    assert registry.spec_for(Zone) is None


def test_declarations_refuse_what_cannot_work():
    with pytest.raises(ImproperlyConfigured, match="must replicate"):
        declarations.declare(Zone, scope=Scope.CLOUD, audience=Audience.EVERYONE)
    with pytest.raises(ImproperlyConfigured, match="domain path"):
        declarations.declare(Zone, scope=Scope.ZONE, audience=Audience.OWNERS)
    with pytest.raises(ImproperlyConfigured, match="parent"):
        declarations.declare(Zone, scope=Scope.ZONE, audience=Audience.PARENT)
    assert declaration(Zone).audience == Audience.EVERYONE  # nothing was replaced


# --- the audience drives may() and visible() ------------------------------------------------


def test_the_audience_decides_who_sees_a_model(redeclared, root, dadmin, alice, region):
    factories.zone()
    assert may(alice, Action.VIEW, Zone) and visible(alice, Zone) is not None
    redeclared(Zone, audience=Audience.ADMINS)
    assert not may(alice, Action.VIEW, Zone) and visible(alice, Zone) is None
    assert may(dadmin, Action.VIEW, Zone) and not may(dadmin, Action.CHANGE, Zone)
    redeclared(Zone, audience=Audience.ROOT)
    assert not may(dadmin, Action.VIEW, Zone) and visible(dadmin, Zone) is None
    assert may(root, Action.DELETE, Zone)


def test_an_owned_model_follows_its_owner_paths(redeclared, alice, bob, dadmin, ops):
    """What a new tenant model gets from its declaration alone (here: memberships declared
    as owned by their account)."""
    redeclared(ProjectMembership, audience=Audience.OWNERS, parent=None, account="account")
    project = factories.project(domain=ops)
    mine = services.project_member_add(project=project, account=alice.account, by=None)
    theirs = services.project_member_add(
        project=factories.project(domain=bob.account.domain), account=bob.account, by=None
    )
    assert may(alice, Action.DELETE, mine) and not may(alice, Action.VIEW, theirs)
    assert set(ProjectMembership.objects.filter(visible(alice, ProjectMembership))) == {mine}
    # the domain admin of eng sees the rows in ops (below eng), not those in sales
    assert set(ProjectMembership.objects.filter(visible(dadmin, ProjectMembership))) == set(
        project.memberships.all()
    )
    assert may(dadmin, Action.CHANGE, mine) and not may(dadmin, Action.CHANGE, theirs)


def test_rows_of_a_parent_follow_the_parent(alice, bob, ops):
    project = factories.project(domain=ops, owner=alice.account)
    membership = project.memberships.get(account=alice.account)  # the owner is a member
    assert may(alice, Action.DELETE, membership)  # she owns the project
    assert not may(bob, Action.VIEW, membership)
    assert visible(alice, ProjectMembership) is None  # shown on the project's page only


# --- navigation and the region switch -------------------------------------------------------


def _labels(entries):
    return [(e.label, [c.label for c in e.children]) for e in entries]


def test_the_menu_shows_what_each_role_may_see(root, dadmin, alice, region):
    identity = ("Identity", ["Domains", "Accounts", "Users", "Projects"])
    assert _labels(menu_for(alice)) == [("Regions", []), ("Zones", []), identity]
    assert _labels(menu_for(dadmin)) == [("Regions", []), ("Zones", []), ("Settings", []), identity]
    assert _labels(menu_for(root))[:3] == [
        ("Regions", []),
        ("Zones", []),
        ("Infrastructure", ["Pods", "Clusters", "Hosts", "Primary storage", "Public IP ranges"]),
    ]
    assert _labels(menu_for(root))[-2:] == [("Federation", []), ("Changes", [])]


def test_a_declared_menu_entry_appears_on_the_page(redeclared, root, region):
    redeclared(Override, menu=declarations.Menu("Conflicts", "regions:federation", order=92))
    client = Client()
    client.force_login(root)
    page = client.get("/").content.decode()
    assert ">Conflicts</a>" in page
    assert page.index(">Federation</a>") < page.index(">Conflicts</a>")


def test_a_plain_user_gets_no_admin_entries_on_the_page(alice, region):
    client = Client()
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert ">Zones</a>" in page and ">Users</a>" in page
    assert ">Settings</a>" not in page and ">Federation</a>" not in page


def test_where_a_switch_lands_follows_the_scope(redeclared, region):
    from identity.sso.selectors import equivalent_path

    user = factories.user()
    assert equivalent_path(user.get_absolute_url()) == user.get_absolute_url()
    redeclared(User, scope=Scope.REGION)  # as if users were a region's own rows
    assert equivalent_path(user.get_absolute_url()) == "/identity/users/"
    account_page = user.account.get_absolute_url()
    assert equivalent_path(account_page) == account_page  # only users were redeclared
