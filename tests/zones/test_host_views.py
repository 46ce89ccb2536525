"""Host pages: list, detail with its state badges and buttons (enable, disable, maintenance,
the simulator's fault control), add by URL, edit, delete (forced or in maintenance), and the
hosts on a cluster's page.

Which role sees, adds, changes and deletes hosts is tested for every model by
tests/portal/test_model_contracts.py (only root admins); here, what is particular to them.
"""

from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from tests import factories
from tests.db_state import db_state
from tests.page_helpers import form_errors, shown_messages
from zones.models import Host, SimulatorHost

pytestmark = pytest.mark.django_db

URL = "http://sim/c0/h7?cpucore=8&memory=4096"


def test_root_admins_find_hosts_under_infrastructure(root_client, dadmin_client, host):
    assertContains(root_client.get("/"), 'href="/zones/hosts/"')
    assertNotContains(dadmin_client.get("/"), 'href="/zones/hosts/"')
    assert dadmin_client.get("/zones/hosts/").status_code == 403


def test_the_list_shows_where_each_host_is_and_its_states(root_client, host):
    response = root_client.get("/zones/hosts/")
    assert [h.name for h in response.context["object_list"]] == ["sim-h0"]
    assertContains(response, f'href="{host.cluster.get_absolute_url()}"')
    assertContains(response, f'href="{host.cluster.pod.zone.get_absolute_url()}"')
    assertContains(response, '<span class="badge text-bg-success">Up</span>', html=True)
    assertContains(response, "64.0\xa0GB")

    def names(query: str) -> list[str]:
        listed = root_client.get(f"/zones/hosts/?{query}").context["object_list"]
        return [h.name for h in listed]

    assert names("state=Down") == []
    assert names("q=sim-a") == ["sim-h0"]


def test_the_detail_page_offers_what_can_be_done(root_client, host):
    response = root_client.get(host.get_absolute_url())
    assertContains(response, "Host sim-h0")
    for value in (host.url.replace("&", "&amp;"), "Routing", "Simulator", "sim-a", "zone-a"):
        assertContains(response, value)
    actions = [action.action for action, _ in response.context["actions"]]
    assert actions == ["disable", "maintenance", "stop-answering"]
    assertContains(response, f'href="/zones/hosts/{host.pk}/edit/"')
    assertContains(response, f'href="/zones/hosts/{host.pk}/delete/"')


def test_the_buttons_do_what_they_say(root_client, host):
    def act(action: str) -> list[str]:
        response = root_client.post(f"/zones/hosts/{host.pk}/{action}/", follow=True)
        return shown_messages(response)

    assert act("disable") == ["Host sim-h0 disabled."]
    assert Host.objects.get(pk=host.pk).resource_state == "Disabled"
    assert act("enable") == ["Host sim-h0 enabled."]
    assert act("maintenance") == ["Host sim-h0 put into maintenance."]
    response = root_client.get(host.get_absolute_url())
    assert [a.action for a, _ in response.context["actions"]] == [
        "cancel-maintenance",
        "stop-answering",
    ]
    assertContains(response, '<span class="badge text-bg-warning">Maintenance</span>', html=True)
    assert act("maintenance") == ["Host sim-h0 is already in Maintenance."]
    assert act("cancel-maintenance") == ["Host sim-h0 taken out of maintenance."]
    assert act("stop-answering") == ["Host sim-h0 no longer answers its pings."]
    assert SimulatorHost.objects.get(url=host.url).answering is False
    response = root_client.get(host.get_absolute_url())
    assert "answer" in [a.action for a, _ in response.context["actions"]]
    assert act("answer") == ["Host sim-h0 answers its pings again."]


def test_a_kvm_host_has_no_simulator_buttons(root_client, cluster):
    kvm = factories.host(cluster=cluster, url="test:///default")
    response = root_client.get(kvm.get_absolute_url())
    assert [a.action for a, _ in response.context["actions"]] == ["disable", "maintenance"]
    before = db_state()
    response = root_client.post(f"/zones/hosts/{kvm.pk}/stop-answering/", follow=True)
    assert shown_messages(response) == ["Host vm is not simulated: it takes no faults."]
    assert db_state() == before


def test_a_clusters_page_lists_its_hosts(root_client, host):
    factories.host(url="http://sim/elsewhere")  # of another cluster
    response = root_client.get(host.cluster.get_absolute_url())
    assertContains(response, '<h2 class="h5">Hosts</h2>', html=True)
    assertContains(response, f'href="{host.get_absolute_url()}"')
    assertNotContains(response, "sim-elsewhere")


# --- add -----------------------------------------------------------------------------------


def test_a_root_admin_adds_a_host_by_its_url(root_client, sim_cluster):
    form = root_client.get("/zones/hosts/add/").context["form"]
    assert "name" not in form.fields  # read from the host
    assert form.fields["password"].widget.input_type == "password"
    response = root_client.post(
        "/zones/hosts/add/",
        {"cluster": sim_cluster.pk, "url": URL, "password": "x", "allocation_state": "Enabled"},
        follow=True,
    )
    host = Host.objects.get(url=URL)
    assert response.redirect_chain == [(host.get_absolute_url(), 302)]
    assert shown_messages(response) == ["Created host sim-c0-h7."]
    assert (host.cpu_number, host.memory) == (8, 4 * 1024**3)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("qemu+ssh://kvm1/system", "is not a simulator URL"),
        ("http://sim/h?cpucore=lots", "cpucore takes a whole number"),
        ("", "This field is required."),
    ],
)
def test_a_url_the_driver_refuses_is_shown_on_the_form(root_client, sim_cluster, url, message):
    before = db_state()
    response = root_client.post(
        "/zones/hosts/add/",
        {"cluster": sim_cluster.pk, "url": url, "allocation_state": "Enabled"},
    )
    assert response.status_code == 200
    assert any(message in error for error in form_errors(response, "url"))
    assert db_state() == before


# --- edit and delete -----------------------------------------------------------------------


def test_a_root_admin_renames_and_retags_a_host(root_client, host):
    url = f"/zones/hosts/{host.pk}/edit/"
    form = root_client.get(url).context["form"]
    assert set(form.fields) == {"name", "host_tags"}
    response = root_client.post(url, {"name": "h-1", "host_tags": "b,a,b"}, follow=True)
    assert shown_messages(response) == ["Updated host h-1."]
    host.refresh_from_db()
    assert (host.name, host.host_tags) == ("h-1", "b,a")


def test_delete_needs_maintenance_or_forced(root_client, host):
    url = f"/zones/hosts/{host.pk}/delete/"
    before = db_state()
    response = root_client.post(url)
    assertContains(response, "Host sim-h0 is not in maintenance")
    assert db_state() == before
    response = root_client.post(url, {"forced": "on"}, follow=True)
    assert response.redirect_chain == [("/zones/hosts/", 302)]
    assert shown_messages(response) == ["Deleted host sim-h0."]
    assert not Host.objects.exists()


def test_a_cluster_with_hosts_is_not_deleted(root_client, host):
    before = db_state()
    response = root_client.post(f"{host.cluster.get_absolute_url()}delete/")
    assertContains(response, "Cluster sim-a still has 1 host(s); delete them first.")
    assert db_state() == before
