"""Shapes of identity objects in the REST API. Related objects are given by UUID and looked
up among what the actor may see; the rules themselves are in identity.services."""

from __future__ import annotations

from rest_framework import serializers

from identity import selectors
from identity.models import Account, Domain, Project, ProjectMembership, ProjectRole, User
from portal.api.serializers import StrictJSONModelSerializer, StrictJSONSerializer


class VisiblePrimaryKey(serializers.PrimaryKeyRelatedField):
    """A UUID that must name an object the requesting actor may see (else: does not exist)."""

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(actor=self.context["request"].user)


class DomainSerializer(StrictJSONModelSerializer):
    parent = VisiblePrimaryKey(selector=selectors.domains_visible_to)

    class Meta:
        model = Domain
        fields = ["id", "parent", "name", "path", "network_domain", "created", "updated"]
        read_only_fields = ["id", "path", "created", "updated"]


class DomainUpdateSerializer(DomainSerializer):
    """PUT and PATCH: a domain never moves (and ROOT has no parent)."""

    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)


class AccountSerializer(StrictJSONModelSerializer):
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


class AccountUpdateSerializer(AccountSerializer):
    """PUT and PATCH: an account keeps its domain and type."""

    domain = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(AccountSerializer.Meta):
        read_only_fields = [*AccountSerializer.Meta.read_only_fields, "type"]


class UserSerializer(StrictJSONModelSerializer):
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


class UserUpdateSerializer(UserSerializer):
    """PUT and PATCH: a user keeps its account; the password changes through set_password."""

    account = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta(UserSerializer.Meta):
        fields = [name for name in UserSerializer.Meta.fields if name != "password"]


class PasswordSerializer(StrictJSONSerializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    current_password = serializers.CharField(
        write_only=True,
        trim_whitespace=False,
        required=False,
        help_text="Required to change your own password; admins setting another's omit it.",
    )


class ProjectSerializer(StrictJSONModelSerializer):
    domain = VisiblePrimaryKey(selector=selectors.domains_visible_to)
    owner = VisiblePrimaryKey(selector=selectors.accounts_visible_to)

    class Meta:
        model = Project
        fields = ["id", "domain", "name", "display_text", "owner", "state", "created", "updated"]
        read_only_fields = ["id", "state", "created", "updated"]


class ProjectUpdateSerializer(ProjectSerializer):
    """PUT and PATCH: a project stays in its domain; without `owner` it keeps its owner."""

    domain = serializers.PrimaryKeyRelatedField(read_only=True)
    owner = VisiblePrimaryKey(selector=selectors.accounts_visible_to, required=False)


class DomainDeleteSerializer(serializers.Serializer):
    """The query of DELETE /api/domains/<id>/."""

    cleanup = serializers.BooleanField(
        default=False, help_text="Also delete its subdomains, accounts, users and projects."
    )


class MembershipSerializer(StrictJSONModelSerializer):
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
