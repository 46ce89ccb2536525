"""Shared fixtures: a set-up region portal and one actor of each role.

Roles: `root` (root admin), `dadmin` (domain admin of domain `eng`), `alice` (a user in
`eng/ops`), `bob` (a user of another branch, `sales`). A zone (`zone`, zone-a) with a pod
(`pod`, rack-a) with a cluster (`cluster`, cluster-a, KVM) and a Simulator cluster
(`sim_cluster`, sim-a) with a host (`host`, sim-h0). Every fixture builds through the real
services.
(`pod`, rack-a) with a cluster (`cluster`, cluster-a) with a storage pool (`storage_pool`,
pool-a). Every fixture builds through the real services.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from tests.api_helpers import api_client
from tests.live import apis, cloud, live_user, private_redis  # noqa: F401  (one live cloud)


@pytest.fixture
def region(db):
    return factories.local_region()


@pytest.fixture
def root(region):
    return factories.root_admin(username="root")


@pytest.fixture
def eng(region):
    return factories.domain(name="eng")


@pytest.fixture
def ops(eng):
    return factories.domain(parent=eng, name="ops")


@pytest.fixture
def sales(region):
    return factories.domain(name="sales")


@pytest.fixture
def dadmin(eng):
    return factories.user(
        account=factories.account(domain=eng, name="eng-admins", type=2), username="dadmin"
    )


@pytest.fixture
def alice(ops):
    return factories.user(account=factories.account(domain=ops, name="ops-team"), username="alice")


@pytest.fixture
def bob(sales):
    return factories.user(
        account=factories.account(domain=sales, name="sales-team"), username="bob"
    )


@pytest.fixture
def zone(region):
    return factories.zone(name="zone-a")


@pytest.fixture
def pod(zone):
    """A pod of zone-a: subnet 192.168.10.0/24 (gateway .1), range .100 to .200."""
    return factories.pod(
        zone=zone,
        name="rack-a",
        gateway="192.168.10.1",
        start_ip="192.168.10.100",
        end_ip="192.168.10.200",
    )


@pytest.fixture
def cluster(pod):
    """A KVM cluster of rack-a, enabled, its overcommit ratios 1."""
    return factories.cluster(pod=pod, name="cluster-a")


@pytest.fixture
def sim_cluster(pod):
    """A Simulator cluster of rack-a."""
    return factories.cluster(pod=pod, name="sim-a", hypervisor="Simulator")


@pytest.fixture
def host(sim_cluster):
    """A simulated host of sim-a (sim-h0): 16 cores at 2400 MHz, 64 GiB, Up and Enabled."""
    return factories.host(
        cluster=sim_cluster, url="http://sim/h0?cpucore=16&cpuspeed=2400&memory=65536"
    )


@pytest.fixture
def storage_pool(cluster):
    """pool-a: cluster-a's NFS share nfs://10.0.0.5/export/primary, 1 TiB, Up, untagged."""
    return factories.storage_pool(
        cluster=cluster, name="pool-a", url="nfs://10.0.0.5/export/primary"
    )


@pytest.fixture
def cast(root, dadmin, alice, bob, eng, ops, sales) -> dict:
    """The role fixtures and the domains they live in, by name (for tests that name them)."""
    return {
        "root": root,
        "dadmin": dadmin,
        "alice": alice,
        "bob": bob,
        "eng": eng,
        "ops": ops,
        "sales": sales,
    }


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root_client(root) -> Client:
    return _client_for(root)


@pytest.fixture
def dadmin_client(dadmin) -> Client:
    return _client_for(dadmin)


@pytest.fixture
def alice_client(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def anon_client(region) -> Client:
    return Client()


@pytest.fixture
def root_api(root) -> APIClient:
    """A REST client signed in as the root admin."""
    return api_client(root)


@pytest.fixture
def actor(request, root):
    """The actor a test is parametrised with, by name (`indirect=True`): one of the role
    fixtures above, or one who may do nothing: "anonymous", "disabled_root" (a root admin
    whose user is disabled), "disabled_<role>" (that role's user, disabled),
    "locked_account" (the domain admin, their account locked)."""
    from django.contrib.auth.models import AnonymousUser

    from identity import services
    from identity.models import User

    name = request.param
    if name == "anonymous":
        return AnonymousUser()
    if name == "disabled_root":  # another root admin: the last one cannot be disabled
        user = factories.root_admin()
        services.user_disable(user=user, by=root)
    elif name.startswith("disabled_"):
        user = request.getfixturevalue(name.removeprefix("disabled_"))
        services.user_disable(user=user, by=root)
    elif name == "locked_account":
        user = request.getfixturevalue("dadmin")
        services.account_lock(account=user.account, by=root)
    else:
        return request.getfixturevalue(name)
    return User.objects.get(pk=user.pk)  # as a request would load it: inactive now
