"""identity.permissions: who may do what, for every role, in one table of truths."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from identity import services
from identity.models import Account, AccountType, Domain, Project, ProjectMembership, User
from identity.permissions import Action, in_subtree, is_root_admin, may, require, visible
from identity.selectors import root_domain
from regions.models import Region
from tests import factories
from zones.models import Zone

ACTIONS = list(Action)
WRITES = [Action.CHANGE, Action.DELETE]
INSTANCE_ACTIONS = [Action.VIEW, *WRITES]  # ADD takes a model and a place, not an instance


@pytest.fixture
def world(root, dadmin, alice, bob, eng, ops, sales):
    """One object of each kind in each part of the tree."""
    return {
        "root_domain": root_domain(),
        "eng": eng,
        "ops": ops,
        "sales": sales,
        "root_account": root.account,
        "dadmin_account": dadmin.account,
        "alice_account": alice.account,
        "bob_account": bob.account,
        "root": root,
        "dadmin": dadmin,
        "alice": alice,
        "bob": bob,
        "ops_project": factories.project(domain=ops),
        "sales_project": factories.project(domain=sales),
        "eng_project": factories.project(domain=eng),
        "region": Region.objects.get(is_local=True),
        "zone": factories.zone(),
    }


def test_action_values():
    assert [a.value for a in Action] == ["view", "add", "change", "delete"]
    assert Action("view") is Action.VIEW


# --- anonymous, disabled, root --------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_may_nothing(world, action):
    anonymous = AnonymousUser()
    for target in world.values():
        assert not may(anonymous, action, target, within=world["eng"])
    for model in (Domain, Account, User, Project, Region, Zone):
        assert not may(anonymous, action, model, within=world["eng"])
        assert visible(anonymous, model) is None
    assert not is_root_admin(anonymous)


@pytest.mark.parametrize("actor", [None, "a string", 42, object()])
def test_non_users_may_nothing(world, actor):
    assert not may(actor, Action.VIEW, world["region"])
    assert visible(actor, Region) is None


def test_root_admin_may_everything(world):
    root = world["root"]
    assert is_root_admin(root)
    for action in ACTIONS:
        for target in world.values():
            assert may(root, action, target)
        for model in (Domain, Account, User, Project, Region, Zone):
            assert may(root, action, model, within=world["sales"])
    for model in (Domain, Account, User, Project, Region, Zone):
        assert visible(root, model) is not None
        assert model.objects.filter(visible(root, model)).count() == model.objects.count()


@pytest.mark.parametrize("how", ["user_disabled", "user_locked", "account_disabled", "locked"])
def test_disabled_users_may_nothing(world, how):
    other_root = factories.root_admin()
    root = world["root"]
    if how == "user_disabled":
        services.user_disable(user=other_root, by=root)
    elif how == "user_locked":
        services.user_lock(user=other_root, by=root)
    elif how == "account_disabled":
        services.account_disable(account=other_root.account, by=root)
    else:
        services.account_lock(account=other_root.account, by=root)
    actor = User.objects.get(pk=other_root.pk)
    assert not is_root_admin(actor)
    for action in ACTIONS:
        for target in world.values():
            assert not may(actor, action, target, within=world["eng"])
    for model in (Domain, Account, User, Project, Region, Zone):
        assert visible(actor, model) is None
    with pytest.raises(PermissionDenied):
        require(actor, Action.VIEW, world["region"])


def test_a_disabled_domain_admin_may_nothing(world):
    services.user_disable(user=world["dadmin"], by=world["root"])
    dadmin = User.objects.get(pk=world["dadmin"].pk)
    for target in (world["eng"], world["ops"], world["alice"], world["ops_project"]):
        assert not may(dadmin, Action.VIEW, target)
    assert not may(dadmin, Action.ADD, Domain, within=world["eng"])


# --- require --------------------------------------------------------------------------------


def test_require_passes_for_the_system_and_allowed_actors(world):
    require(None, Action.DELETE, world["root_domain"])
    require(world["root"], Action.DELETE, world["zone"])
    require(world["alice"], "view", world["alice"])


def test_require_raises_with_a_readable_message(world):
    with pytest.raises(PermissionDenied, match="You may not delete this region"):
        require(world["alice"], Action.DELETE, world["region"])
    with pytest.raises(PermissionDenied, match="add this domain"):
        require(world["alice"], Action.ADD, Domain, within=world["ops"])


def test_unknown_actions_are_errors(world):
    with pytest.raises(ValueError):
        may(world["root"], "destroy", world["zone"])


# --- domain admin -----------------------------------------------------------------------------


def test_domain_admin_manages_their_subtree(world):
    d = world["dadmin"]
    for action in INSTANCE_ACTIONS:
        for name in ("ops", "alice_account", "alice", "ops_project", "eng_project"):
            assert may(d, action, world[name]), (action, name)
    for model, within in (
        (Domain, world["eng"]),
        (Domain, world["ops"]),
        (Account, world["ops"]),
        (Project, world["eng"]),
        (User, world["alice_account"]),
    ):
        assert may(d, Action.ADD, model, within=within)


def test_domain_admin_views_but_does_not_change_their_own_domain(world):
    d = world["dadmin"]
    assert may(d, Action.VIEW, world["eng"])
    for action in WRITES:
        assert not may(d, action, world["eng"])


def test_domain_admin_views_but_does_not_change_their_own_account(world):
    d = world["dadmin"]
    assert may(d, Action.VIEW, d.account)
    for action in WRITES:
        assert not may(d, action, d.account)


def test_domain_admin_may_change_themselves_and_peer_admins(world):
    d = world["dadmin"]
    peer = factories.user(account=d.account)
    assert may(d, Action.CHANGE, d)
    assert may(d, Action.CHANGE, peer)


@pytest.mark.parametrize("action", ACTIONS)
def test_domain_admin_may_nothing_above_or_beside_their_domain(world, action):
    d = world["dadmin"]
    for name in (
        "root_domain",
        "sales",
        "root_account",
        "bob_account",
        "root",
        "bob",
        "sales_project",
    ):
        assert not may(d, action, world[name]), name
    for model in (Domain, Account, User, Project):
        for within in (world["root_domain"], world["sales"], world["bob_account"]):
            assert not may(d, Action.ADD, model, within=within)


def test_add_needs_a_place(world):
    for actor in (world["dadmin"], world["alice"]):
        for model in (Domain, Account, User, Project):
            assert not may(actor, Action.ADD, model)


def test_domain_admin_of_root_cannot_take_over_root_admins(world):
    """A domain admin of ROOT manages the tree, but root admins stay out of their reach."""
    root_dadmin = factories.domain_admin(domain=root_domain())
    root = world["root"]
    assert may(root_dadmin, Action.VIEW, root)
    assert may(root_dadmin, Action.VIEW, root.account)
    for action in WRITES:
        assert not may(root_dadmin, action, root)
        assert not may(root_dadmin, action, root.account)
    assert not may(root_dadmin, Action.ADD, User, within=root.account)
    # ... and everything else in the tree is still theirs.
    for action in INSTANCE_ACTIONS:
        for name in ("sales", "bob_account", "bob", "dadmin", "sales_project"):
            assert may(root_dadmin, action, world[name]), (action, name)
    assert may(root_dadmin, Action.ADD, User, within=world["bob_account"])


def test_domain_admin_of_root_cannot_become_root_admin_through_services(world):
    root_dadmin = factories.domain_admin(domain=root_domain())
    root = world["root"]
    with pytest.raises(PermissionDenied):
        services.user_create(
            account=root.account, username="mole", password=factories.PASSWORD, by=root_dadmin
        )
    with pytest.raises(PermissionDenied):
        services.user_set_password(user=root, password="taken-0ver-now", by=root_dadmin)
    with pytest.raises(PermissionDenied):
        services.user_update(user=root, email="mole@example.com", by=root_dadmin)
    assert not User.objects.filter(username="mole").exists()
    assert User.objects.get(pk=root.pk).check_password(factories.PASSWORD)
    assert User.objects.get(pk=root.pk).email == ""


def test_domain_admin_may_not_add_regions_or_zones(world):
    d = world["dadmin"]
    for target in (world["region"], world["zone"], Region, Zone):
        assert may(d, Action.VIEW, target)
        for action in (Action.ADD, Action.CHANGE, Action.DELETE):
            assert not may(d, action, target)


# --- plain user -------------------------------------------------------------------------------


def test_user_views_and_changes_only_their_own_user(world):
    alice = world["alice"]
    assert may(alice, Action.VIEW, alice)
    assert may(alice, Action.CHANGE, alice)
    assert not may(alice, Action.DELETE, alice)
    teammate = factories.user(account=alice.account)
    for target in (teammate, world["bob"], world["dadmin"], world["root"]):
        for action in ACTIONS:
            assert not may(alice, action, target)


def test_user_views_only_their_own_account_and_domain(world):
    alice = world["alice"]
    assert may(alice, Action.VIEW, alice.account)
    assert may(alice, Action.VIEW, world["ops"])
    for action in WRITES:
        assert not may(alice, action, alice.account)
        assert not may(alice, action, world["ops"])
    for name in ("eng", "sales", "root_domain", "bob_account", "dadmin_account"):
        for action in ACTIONS:
            assert not may(alice, action, world[name]), name


def test_user_sees_projects_they_belong_to(world):
    alice = world["alice"]
    project = world["ops_project"]
    assert not may(alice, Action.VIEW, project)
    services.project_member_add(project=project, account=alice.account, by=None)
    assert may(alice, Action.VIEW, project)
    assert not may(alice, Action.CHANGE, project)
    membership = ProjectMembership.objects.get(project=project, account=alice.account)
    membership.role = "admin"
    membership.save()
    assert may(alice, Action.CHANGE, project)
    assert not may(alice, Action.VIEW, world["sales_project"])


def test_user_owns_their_projects(world):
    alice = world["alice"]
    mine = factories.project(owner=alice.account)
    for action in INSTANCE_ACTIONS:
        assert may(alice, action, mine)


def test_user_may_add_only_projects_in_their_own_domain(world):
    alice = world["alice"]
    assert may(alice, Action.ADD, Project, within=world["ops"])
    assert not may(alice, Action.ADD, Project, within=world["eng"])
    assert not may(alice, Action.ADD, Project, within=world["sales"])
    for model in (Domain, Account, User):
        assert not may(alice, Action.ADD, model, within=world["ops"])
    assert not may(alice, Action.ADD, User, within=alice.account)


def test_user_views_regions_and_zones_only(world):
    alice = world["alice"]
    for target in (world["region"], world["zone"], Region, Zone):
        assert may(alice, Action.VIEW, target)
        for action in (Action.ADD, Action.CHANGE, Action.DELETE):
            assert not may(alice, action, target)
    assert visible(alice, Region) is not None
    assert visible(alice, Zone) is not None


# --- visible ----------------------------------------------------------------------------------


def _visible(actor, model):
    condition = visible(actor, model)
    return set() if condition is None else set(model.objects.filter(condition).distinct())


def test_visible_for_a_domain_admin(world):
    d = world["dadmin"]
    assert _visible(d, Domain) == {world["eng"], world["ops"]}
    assert _visible(d, Account) == {
        d.account,
        world["alice_account"],
        world["eng_project"].owner,
        world["ops_project"].owner,
    }
    assert _visible(d, User) == {d, world["alice"]}
    assert _visible(d, Project) == {world["eng_project"], world["ops_project"]}
    assert _visible(d, ProjectMembership) == set()


def test_visible_for_a_domain_admin_excludes_prefix_siblings(world):
    lookalike = factories.domain(name="engine")
    factories.account(domain=lookalike)
    assert lookalike not in _visible(world["dadmin"], Domain)
    assert all(a.domain != lookalike for a in _visible(world["dadmin"], Account))


def test_visible_for_a_plain_user(world):
    alice = world["alice"]
    services.project_member_add(project=world["ops_project"], account=alice.account, by=None)
    mine = factories.project(owner=alice.account)
    assert _visible(alice, Domain) == {world["ops"]}
    assert _visible(alice, Account) == {alice.account}
    assert _visible(alice, User) == {alice}
    assert _visible(alice, Project) == {world["ops_project"], mine}
    assert _visible(alice, Region) == {world["region"]}
    assert _visible(alice, Zone) == {world["zone"]}


# --- in_subtree -------------------------------------------------------------------------------


def test_in_subtree(world):
    eng, ops, sales = world["eng"], world["ops"], world["sales"]
    lookalike = factories.domain(name="engineering")
    assert in_subtree(eng, eng)
    assert in_subtree(ops, eng)
    assert in_subtree(ops, root_domain())
    assert not in_subtree(eng, ops)
    assert not in_subtree(sales, eng)
    assert not in_subtree(lookalike, eng)


def test_account_type_codes_drive_roles(world):
    assert world["root"].account.type == AccountType.ROOT_ADMIN
    assert world["dadmin"].account.type == AccountType.DOMAIN_ADMIN
    assert world["alice"].account.type == AccountType.USER
