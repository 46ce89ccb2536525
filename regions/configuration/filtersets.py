"""The settings list's filters: the REST API, the settings page and listConfigurations
(portal/filtering.py). A name matches in part, as CloudStack's listConfigurations does."""

from __future__ import annotations

import django_filters

from portal.filtering import ListFilterSet
from regions.models.configuration import Setting, SettingScope


class SettingFilterSet(ListFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    category = django_filters.CharFilter(lookup_expr="iexact")
    scope = django_filters.ChoiceFilter(choices=SettingScope.choices)
    search_fields = ("name", "description")

    class Meta:
        model = Setting
        fields = ["name", "category", "scope", "type"]
