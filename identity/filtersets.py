"""The filters of identity's lists: one FilterSet per model for the REST API, the portal's
pages and the CloudStack list commands (portal/filtering.py)."""

from __future__ import annotations

import django_filters

from identity.models import Account, AccountType, Domain, Project, User
from portal.filtering import ListFilterSet

# Ids are UUID filters, not choices among all rows: an invisible id filters to nothing, just
# as an unknown one does, so filters never reveal what exists.


class DomainFilterSet(ListFilterSet):
    parent = django_filters.UUIDFilter(field_name="parent_id")
    name = django_filters.CharFilter(lookup_expr="iexact")
    path = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("path", "network_domain")

    class Meta:
        model = Domain
        fields = ["parent", "name", "path"]


class AccountFilterSet(ListFilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")
    name = django_filters.CharFilter(lookup_expr="iexact")
    search_fields = ("name", "domain__path")

    class Meta:
        model = Account
        fields = ["domain", "type", "state", "name"]


class UserFilterSet(ListFilterSet):
    account = django_filters.UUIDFilter(field_name="account_id")
    domain = django_filters.UUIDFilter(field_name="account__domain_id")
    username = django_filters.CharFilter(lookup_expr="iexact")
    account_name = django_filters.CharFilter(
        field_name="account__name", lookup_expr="iexact", help_text="The account's name."
    )
    account_type = django_filters.ChoiceFilter(
        field_name="account__type",
        choices=AccountType.choices,
        help_text="The account's type: 0 user, 1 root admin, 2 domain admin.",
    )
    search_fields = ("username", "first_name", "last_name", "email", "account__name")

    class Meta:
        model = User
        fields = ["account", "domain", "state", "username", "account_name", "account_type"]


class ProjectFilterSet(ListFilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")
    owner = django_filters.UUIDFilter(field_name="owner_id")
    name = django_filters.CharFilter(lookup_expr="iexact")
    display_text = django_filters.CharFilter(lookup_expr="iexact")
    owner_name = django_filters.CharFilter(
        field_name="owner__name", lookup_expr="iexact", help_text="The owner account's name."
    )
    search_fields = ("name", "display_text", "domain__path", "owner__name")

    class Meta:
        model = Project
        fields = ["domain", "owner", "state", "name", "display_text", "owner_name"]
