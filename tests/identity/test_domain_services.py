"""Domain services: the tree, its paths, and what a delete may take with it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from identity import services
from identity.models import Account, Domain, Project, ProjectMembership, User
from identity.selectors import root_domain
from tests import factories
from tests.db_state import db_state


def error_codes(excinfo: pytest.ExceptionInfo, field: str) -> list[str]:
    return [e.code for e in excinfo.value.error_dict[field]]


# --- create ---------------------------------------------------------------------------------


def test_create_builds_paths_from_the_root(region):
    eng = services.domain_create(parent=root_domain(), name="eng", by=None)
    ops = services.domain_create(parent=eng, name="ops", network_domain="ops.lan", by=None)

    assert eng.path == "ROOT/eng"
    assert ops.path == "ROOT/eng/ops"
    assert ops.parent == eng
    assert ops.level == 2
    assert ops.network_domain == "ops.lan"
    assert not ops.is_root
    assert Domain.objects.get(pk=ops.pk).path == "ROOT/eng/ops"


def test_a_path_taken_at_commit_is_reported_on_the_name(region, sales):
    # What a concurrent create of the same sibling in another region leaves: the unique
    # path fires at commit, after the service's own name check passed. The request chose
    # the name; the path is derived from it.
    Domain.objects.filter(pk=sales.pk).update(path="ROOT/eng")
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=root_domain(), name="eng", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert "path" not in excinfo.value.error_dict
    assert db_state() == before


def test_create_strips_the_name(region):
    eng = services.domain_create(parent=root_domain(), name="  eng  ", by=None)
    assert eng.name == "eng"
    assert eng.path == "ROOT/eng"


def test_create_by_root_admin(root):
    eng = services.domain_create(parent=root_domain(), name="eng", by=root)
    assert Domain.objects.filter(pk=eng.pk).exists()


def test_sibling_names_are_unique_case_insensitively(eng):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=root_domain(), name="ENG", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_the_same_name_is_allowed_under_different_parents(eng, sales):
    one = services.domain_create(parent=eng, name="ops", by=None)
    two = services.domain_create(parent=sales, name="OPS", by=None)
    assert {one.path, two.path} == {"ROOT/eng/ops", "ROOT/sales/OPS"}


@pytest.mark.parametrize("name", ["a/b", "/", "eng/"])
def test_names_cannot_contain_the_path_separator(region, name):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=root_domain(), name=name, by=None)
    assert "name" in excinfo.value.error_dict
    assert db_state() == before


@pytest.mark.parametrize(
    ("name", "code"), [("", "required"), ("   ", "required"), ("x" * 65, "invalid")]
)
def test_names_must_be_present_and_short(region, name, code):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=root_domain(), name=name, by=None)
    assert error_codes(excinfo, "name") == [code]
    assert db_state() == before


def test_a_domain_needs_a_parent(region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=None, name="second-root", by=None)
    assert error_codes(excinfo, "parent") == ["required"]
    assert db_state() == before


def test_network_domain_length_is_checked(region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_create(parent=root_domain(), name="eng", network_domain="x" * 256, by=None)
    assert "network_domain" in excinfo.value.error_dict
    assert db_state() == before


# --- update ---------------------------------------------------------------------------------


def test_rename_rewrites_the_whole_subtree(eng, ops):
    deep = factories.domain(parent=ops, name="deep")
    other = factories.domain(name="engineering")  # shares a prefix, is not in the subtree

    services.domain_update(domain=eng, name="rnd", by=None)

    assert Domain.objects.get(pk=eng.pk).path == "ROOT/rnd"
    assert Domain.objects.get(pk=ops.pk).path == "ROOT/rnd/ops"
    assert Domain.objects.get(pk=deep.pk).path == "ROOT/rnd/ops/deep"
    assert Domain.objects.get(pk=other.pk).path == "ROOT/engineering"
    assert eng.path == "ROOT/rnd"


def test_rename_of_a_middle_node_leaves_ancestors_alone(eng, ops):
    deep = factories.domain(parent=ops, name="deep")
    services.domain_update(domain=ops, name="sre", by=None)
    assert Domain.objects.get(pk=eng.pk).path == "ROOT/eng"
    assert Domain.objects.get(pk=ops.pk).path == "ROOT/eng/sre"
    assert Domain.objects.get(pk=deep.pk).path == "ROOT/eng/sre/deep"


def test_rename_may_change_only_the_case(eng, ops):
    services.domain_update(domain=eng, name="ENG", by=None)
    assert Domain.objects.get(pk=ops.pk).path == "ROOT/ENG/ops"


def test_rename_to_a_sibling_name_is_refused(eng, ops, sales):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_update(domain=eng, name="Sales", by=None)
    assert error_codes(excinfo, "name") == ["unique"]
    assert db_state() == before


def test_rename_with_a_separator_is_refused(eng, ops):
    before = db_state()
    with pytest.raises(ValidationError):
        services.domain_update(domain=eng, name="a/b", by=None)
    assert db_state() == before


def test_a_failing_update_rolls_back_the_subtree_rename(eng, ops):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_update(domain=eng, name="rnd", network_domain="x" * 256, by=None)
    assert "network_domain" in excinfo.value.error_dict
    assert db_state() == before


def test_update_network_domain_only(eng):
    services.domain_update(domain=eng, network_domain="eng.example.com", by=None)
    eng.refresh_from_db()
    assert eng.network_domain == "eng.example.com"
    assert eng.path == "ROOT/eng"


def test_root_cannot_be_renamed(region):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_update(domain=root_domain(), name="TOP", by=None)
    assert "name" in excinfo.value.error_dict
    assert db_state() == before


def test_root_network_domain_can_change(root):
    services.domain_update(domain=root_domain(), network_domain="cloud.lan", by=root)
    assert root_domain().network_domain == "cloud.lan"


# --- delete ---------------------------------------------------------------------------------


def test_root_cannot_be_deleted(root):
    before = db_state()
    with pytest.raises(ValidationError) as excinfo:
        services.domain_delete(domain=root_domain(), cleanup=True, by=root)
    assert "domain" in excinfo.value.error_dict
    assert db_state() == before


def test_an_empty_domain_is_deleted(eng):
    services.domain_delete(domain=eng, by=None)
    assert not Domain.objects.filter(pk=eng.pk).exists()


@pytest.mark.parametrize("holding", ["subdomain", "account", "project"])
def test_delete_refuses_while_the_domain_holds_anything(eng, holding):
    if holding == "subdomain":
        factories.domain(parent=eng)
    elif holding == "account":
        factories.account(domain=eng)
    else:
        factories.project(domain=eng)
    before = db_state()

    with pytest.raises(ValidationError) as excinfo:
        services.domain_delete(domain=eng, by=None)

    assert error_codes(excinfo, "cleanup") == ["in_use"]
    assert holding in excinfo.value.error_dict["cleanup"][0].message
    assert db_state() == before


def test_cleanup_removes_the_whole_subtree(eng, ops, sales):
    eng_account = factories.account(domain=eng)
    ops_account = factories.account(domain=ops)
    eng_user = factories.user(account=eng_account)
    ops_user = factories.user(account=ops_account)
    eng_project = factories.project(owner=eng_account)
    ops_project = factories.project(owner=ops_account)
    # Things outside the subtree, one of them linked into it, must survive.
    sales_account = factories.account(domain=sales)
    sales_user = factories.user(account=sales_account)
    root_account = factories.account()
    root_project = factories.project(owner=root_account)
    services.project_member_add(project=root_project, account=ops_account, by=None)

    services.domain_delete(domain=eng, cleanup=True, by=None)

    assert not Domain.objects.filter(pk__in=[eng.pk, ops.pk]).exists()
    assert not Account.objects.filter(pk__in=[eng_account.pk, ops_account.pk]).exists()
    assert not User.objects.filter(pk__in=[eng_user.pk, ops_user.pk]).exists()
    assert not Project.objects.filter(pk__in=[eng_project.pk, ops_project.pk]).exists()
    assert not ProjectMembership.objects.filter(account=ops_account.pk).exists()
    assert Domain.objects.filter(pk=sales.pk).exists()
    assert User.objects.filter(pk=sales_user.pk).exists()
    assert Project.objects.filter(pk=root_project.pk).exists()
    assert list(root_project.memberships.values_list("account", flat=True)) == [root_account.pk]


def test_cleanup_leaves_a_sibling_with_a_common_prefix(eng):
    sibling = factories.domain(name="eng2")
    sibling_user = factories.user(account=factories.account(domain=sibling))
    services.domain_delete(domain=eng, cleanup=True, by=None)
    assert Domain.objects.filter(pk=sibling.pk).exists()
    assert User.objects.filter(pk=sibling_user.pk).exists()


def test_cleanup_of_a_subdomain_keeps_the_parent(eng, ops):
    factories.user(account=factories.account(domain=ops))
    services.domain_delete(domain=ops, cleanup=True, by=None)
    assert list(Domain.objects.values_list("path", flat=True)) == ["ROOT", "ROOT/eng"]


# --- permissions ----------------------------------------------------------------------------


def test_domain_admin_manages_below_their_domain(dadmin, eng, ops):
    child = services.domain_create(parent=ops, name="child", by=dadmin)
    services.domain_update(domain=ops, name="sre", by=dadmin)
    child.refresh_from_db()
    assert child.path == "ROOT/eng/sre/child"
    services.domain_delete(domain=ops, cleanup=True, by=dadmin)
    assert list(Domain.objects.values_list("path", flat=True)) == ["ROOT", "ROOT/eng"]


def test_domain_admin_may_create_directly_below_their_domain(dadmin, eng):
    created = services.domain_create(parent=eng, name="new", by=dadmin)
    assert created.path == "ROOT/eng/new"


@pytest.mark.parametrize(
    "call",
    [
        lambda d, eng, sales: services.domain_create(parent=root_domain(), name="x", by=d),
        lambda d, eng, sales: services.domain_create(parent=sales, name="x", by=d),
        lambda d, eng, sales: services.domain_update(domain=eng, name="x", by=d),
        lambda d, eng, sales: services.domain_update(domain=eng, network_domain="x", by=d),
        lambda d, eng, sales: services.domain_update(domain=sales, name="x", by=d),
        lambda d, eng, sales: services.domain_delete(domain=eng, cleanup=True, by=d),
        lambda d, eng, sales: services.domain_delete(domain=sales, cleanup=True, by=d),
        lambda d, eng, sales: services.domain_update(
            domain=root_domain(), network_domain="x", by=d
        ),
    ],
    ids=[
        "create-in-root",
        "create-in-sibling",
        "rename-own",
        "change-own",
        "rename-sibling",
        "delete-own",
        "delete-sibling",
        "change-root",
    ],
)
def test_domain_admin_is_refused_outside_below_their_domain(dadmin, eng, sales, call):
    before = db_state()
    with pytest.raises(PermissionDenied):
        call(dadmin, eng, sales)
    assert db_state() == before


@pytest.mark.parametrize(
    "actor", ["alice", "anonymous", "disabled_root", "locked_account"], indirect=True
)
def test_users_anonymous_and_disabled_admins_may_not_write_domains(eng, ops, actor):
    by = actor
    before = db_state()
    for call in (
        lambda: services.domain_create(parent=ops, name="x", by=by),
        lambda: services.domain_update(domain=ops, name="x", by=by),
        lambda: services.domain_delete(domain=ops, cleanup=True, by=by),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert db_state() == before
