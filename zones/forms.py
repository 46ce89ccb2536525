from __future__ import annotations

from typing import Any

from django import forms

from portal.forms import ActorForm
from zones import selectors
from zones.models import AllocationState, Hypervisor, NetworkType


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
        initial="1.0",
        help_text="The CPU its hosts offer, as a multiple of what they have (1 or more).",
    )
    memory_overcommit_ratio = forms.CharField(
        label="Memory overcommit ratio",
        initial="1.0",
        help_text="The memory its hosts offer, as a multiple of what they have (1 or more).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "pod" in self.fields:
            self.fields["pod"].queryset = selectors.local_pods_visible_to(actor=self.actor)
