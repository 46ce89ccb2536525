from __future__ import annotations

from typing import Any

from django import forms

from portal.forms import ActorForm
from zones import selectors
from zones.models import AllocationState, Hypervisor, NetworkType, StoragePoolScope


class ZoneForm(ActorForm):
    create_only = ("network_type",)
    name = forms.CharField(max_length=255)
    description = forms.CharField(max_length=1024, required=False)
    network_type = forms.ChoiceField(choices=NetworkType.choices, initial=NetworkType.ADVANCED)
    dns1 = forms.CharField(label="DNS 1", help_text="Public DNS server for guest VMs.")
    dns2 = forms.CharField(label="DNS 2", required=False)
    internal_dns1 = forms.CharField(label="Internal DNS 1", help_text="DNS server for system VMs.")
    internal_dns2 = forms.CharField(label="Internal DNS 2", required=False)
    guest_cidr = forms.CharField(
        label="Guest CIDR", required=False, help_text="Advanced zones only; default 10.1.1.0/24."
    )
    vlan = forms.CharField(
        label="Guest VLAN range",
        required=False,
        help_text="Advanced zones only: VLAN ids for guest networks, such as 100-199,300-349.",
    )
    allocation_state = forms.ChoiceField(
        choices=AllocationState.choices, initial=AllocationState.DISABLED
    )


class PodForm(ActorForm):
    create_only = ("zone",)
    zone = forms.ModelChoiceField(queryset=None, help_text="A zone of this region.")
    name = forms.CharField(max_length=255)
    gateway = forms.CharField(help_text="The gateway of the pod's subnet.")
    netmask = forms.CharField(help_text="The netmask of the pod's subnet, such as 255.255.255.0.")
    start_ip = forms.CharField(
        label="Start IP", help_text="The first address reserved for system VMs."
    )
    end_ip = forms.CharField(
        label="End IP", required=False, help_text="The last one; empty: the start IP alone."
    )
    allocation_state = forms.ChoiceField(
        choices=AllocationState.choices, initial=AllocationState.ENABLED
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "zone" in self.fields:
            self.fields["zone"].queryset = selectors.local_zones_visible_to(actor=self.actor)


class ClusterForm(ActorForm):
    create_only = ("pod", "hypervisor")
    pod = forms.ModelChoiceField(queryset=None, help_text="A pod of this region's zones.")
    name = forms.CharField(max_length=255)
    hypervisor = forms.ChoiceField(choices=Hypervisor.choices, initial=Hypervisor.KVM)
    allocation_state = forms.ChoiceField(
        choices=AllocationState.choices, initial=AllocationState.ENABLED
    )
    cpu_overcommit_ratio = forms.CharField(
        label="CPU overcommit ratio",
        help_text="The CPU its hosts offer, as a multiple of what they have (1 or more); "
        "left empty on a new cluster: the zone's cpu.overprovisioning.factor.",
    )
    memory_overcommit_ratio = forms.CharField(
        label="Memory overcommit ratio",
        help_text="The memory its hosts offer, as a multiple of what they have (1 or more); "
        "left empty on a new cluster: the zone's mem.overprovisioning.factor.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is None:  # a new cluster starts from its zone's factors
            for name in ("cpu_overcommit_ratio", "memory_overcommit_ratio"):
                self.fields[name].required = False
        if "pod" in self.fields:
            self.fields["pod"].queryset = selectors.local_pods_visible_to(actor=self.actor)


class VlanIpRangeForm(ActorForm):
    zone = forms.ModelChoiceField(queryset=None, help_text="A zone of this region.")
    pod = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Basic zones' direct ranges only: their pod."
    )
    vlan = forms.CharField(
        label="VLAN", required=False, help_text="A VLAN id from 1 to 4094; empty: untagged."
    )
    gateway = forms.CharField(help_text="The gateway of the range's subnet.")
    netmask = forms.CharField(help_text="The netmask of the range's subnet, such as 255.255.255.0.")
    start_ip = forms.CharField(label="Start IP", help_text="The range's first address.")
    end_ip = forms.CharField(
        label="End IP", required=False, help_text="Its last one; empty: the start IP alone."
    )
    for_virtual_network = forms.BooleanField(
        label="For virtual network",
        required=False,
        initial=True,
        help_text="For guest networks' source NAT and elastic IPs; off: for VMs attached directly.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = selectors.local_zones_visible_to(actor=self.actor)
        self.fields["pod"].queryset = selectors.local_pods_visible_to(actor=self.actor)


class HostForm(ActorForm):
    """Add: the cluster and the URL its driver discovers the host from; edit: name and tags
    (enabling, disabling and maintenance are the host page's buttons)."""

    create_only = ("cluster", "url", "username", "password", "allocation_state")
    cluster = forms.ModelChoiceField(queryset=None, help_text="A cluster of this region's zones.")
    url = forms.CharField(
        label="URL",
        max_length=1024,
        help_text="KVM: qemu+ssh://user@host/system, qemu+tls://host/system or qemu:///system. "
        "Simulator: http://sim/c0/h0?cpucore=16&cpuspeed=2400&memory=65536 (memory in MiB).",
    )
    username = forms.CharField(required=False, help_text="If discovery asks for one.")
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        help_text="Used for the discovery only and kept nowhere; SSH and TLS use the portal's "
        "key or certificate.",
    )
    name = forms.CharField(max_length=255)
    host_tags = forms.CharField(max_length=1024, required=False, help_text="Comma-separated.")
    allocation_state = forms.ChoiceField(
        choices=AllocationState.choices, initial=AllocationState.ENABLED
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is None:
            del self.fields["name"]  # read from the host
        if "cluster" in self.fields:
            self.fields["cluster"].queryset = selectors.local_clusters_visible_to(actor=self.actor)


class HostDeleteForm(forms.Form):
    forced = forms.BooleanField(
        required=False,
        help_text="Delete it even though it is not in maintenance (as CloudStack's forced).",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class StoragePoolForm(ActorForm):
    create_only = ("zone", "scope", "pod", "cluster", "hypervisor", "url")
    zone = forms.ModelChoiceField(queryset=None, help_text="A zone of this region.")
    scope = forms.ChoiceField(
        choices=StoragePoolScope.choices,
        initial=StoragePoolScope.CLUSTER,
        help_text="Who reaches it: the hosts of one cluster, or those of the whole zone.",
    )
    pod = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Cluster-wide pools: the cluster's pod."
    )
    cluster = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Cluster-wide pools: their cluster."
    )
    hypervisor = forms.ChoiceField(
        choices=[("", "---------"), *Hypervisor.choices],
        required=False,
        help_text="Zone-wide pools: the hypervisor of the hosts that use it.",
    )
    name = forms.CharField(max_length=255)
    url = forms.CharField(
        label="URL",
        max_length=255,
        help_text="nfs://server/path, SharedMountPoint:///path or file:///path.",
    )
    capacity_bytes = forms.CharField(
        label="Capacity (bytes)",
        help_text="The size of the share in bytes, such as 1099511627776 (1 TiB).",
    )
    tags = forms.CharField(
        max_length=1024, required=False, help_text="Storage tags, separated by commas."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {
            "zone": selectors.local_zones_visible_to,
            "pod": selectors.local_pods_visible_to,
            "cluster": selectors.local_clusters_visible_to,
        }
        for name, selector in choices.items():
            if name in self.fields:
                self.fields[name].queryset = selector(actor=self.actor)


class StoragePoolDeleteForm(forms.Form):
    forced = forms.BooleanField(
        required=False,
        label="Delete it even if volumes are allocated on it",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
