from __future__ import annotations

from django import forms

from portal.forms import ActorForm
from zones.models import AllocationState, NetworkType


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
