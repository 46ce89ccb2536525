"""Shapes of identity objects in the REST API. Related objects are given by UUID and looked
up among what the actor may see; the rules themselves are in identity.services."""

from __future__ import annotations

from rest_framework import serializers

from identity import selectors
from identity.models import Account, Domain, Project, ProjectMembership, ProjectRole, User


class VisiblePrimaryKey(serializers.PrimaryKeyRelatedField):
    """A UUID that must name an object the requesting actor may see (else: does not exist)."""

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(actor=self.context["request"].user)


class DomainSerializer(serializers.ModelSerializer):
    parent = VisiblePrimaryKey(selector=selectors.domains_visible_to)

    class Meta:
        model = Domain
        fields = ["id", "parent", "name", "path", "network_domain", "created", "updated"]
        read_only_fields = ["id", "path", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["parent"].read_only = True
        return fields


class AccountSerializer(serializers.ModelSerializer):
    domain = VisiblePrimaryKey(selector=selectors.domains_visible_to)
    domain_path = serializers.CharField(source="domain.path", read_only=True)

    class Meta:
        model = Account
        fields = [
            "id",
            "domain",
            "domain_path",
            "name",
            "type",
            "state",
            "network_domain",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "state", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["domain"].read_only = True
            fields["type"].read_only = True
        return fields


class UserSerializer(serializers.ModelSerializer):
    account = VisiblePrimaryKey(selector=selectors.accounts_visible_to)
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )

    class Meta:
        model = User
        fields = [
            "id",
            "account",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "timezone",
            "state",
            "last_login",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "state", "last_login", "created", "updated"]
        extra_kwargs = {"username": {"validators": []}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["account"].read_only = True
            fields.pop("password")  # changed through set_password
        return fields


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class ProjectSerializer(serializers.ModelSerializer):
    domain = VisiblePrimaryKey(selector=selectors.domains_visible_to)
    owner = VisiblePrimaryKey(selector=selectors.accounts_visible_to)

    class Meta:
        model = Project
        fields = ["id", "domain", "name", "display_text", "owner", "state", "created", "updated"]
        read_only_fields = ["id", "state", "created", "updated"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["domain"].read_only = True
            fields["owner"].required = False
        return fields


class DomainDeleteSerializer(serializers.Serializer):
    """The query of DELETE /api/domains/<id>/."""

    cleanup = serializers.BooleanField(
        default=False, help_text="Also delete its subdomains, accounts, users and projects."
    )


class MembershipSerializer(serializers.ModelSerializer):
    account = VisiblePrimaryKey(selector=selectors.accounts_visible_to)
    account_name = serializers.CharField(source="account.name", read_only=True)
    role = serializers.ChoiceField(choices=ProjectRole.choices, default=ProjectRole.REGULAR)

    class Meta:
        model = ProjectMembership
        fields = ["id", "account", "account_name", "role"]
        read_only_fields = ["id"]


class MemberRemoveSerializer(serializers.Serializer):
    """The query of DELETE /api/projects/<id>/members/: the account to remove."""

    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())

    def __init__(self, *args, project: Project, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = selectors.accounts_removable_from(
            project=project, actor=actor
        )
