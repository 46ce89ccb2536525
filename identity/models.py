"""The identity hierarchy: domains, accounts, users and projects, valid in every region.

Every row is keyed by a UUID made once, in the region where it was created, so the same
record has the same identity everywhere it is replicated to.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.urls import reverse

from portal.declarations import Audience, Menu, Scope, declare
from portal.models import UUIDModel

# Every region creates the ROOT domain in its first migration; a fixed UUID makes it the
# same row everywhere, so replication never sees two ROOTs.
ROOT_DOMAIN_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
ROOT_DOMAIN_NAME = "ROOT"
PATH_SEPARATOR = "/"


class Domain(UUIDModel):
    """A node of the domain tree; `path` (ROOT/eng/ops) is kept by the services."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=64)
    path = models.CharField(max_length=1024, unique=True, editable=False)
    network_domain = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                "parent", Lower("name"), name="identity_domain_name_unique_among_siblings"
            ),
        ]

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("identity:domain", args=[self.pk])

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def level(self) -> int:
        return self.path.count(PATH_SEPARATOR)


declare(
    Domain,
    scope=Scope.CLOUD,
    audience=Audience.OWNERS,
    domain="",
    replicated=True,
    menu=Menu("Domains", "identity:domain_list", group="Identity", order=40),
)


class AccountType(models.IntegerChoices):
    """CloudStack's account type codes."""

    USER = 0, "User"
    ROOT_ADMIN = 1, "Root admin"
    DOMAIN_ADMIN = 2, "Domain admin"


class AccountState(models.TextChoices):
    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"
    LOCKED = "locked", "Locked"


class Account(UUIDModel):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="accounts")
    name = models.CharField(max_length=100)
    type = models.PositiveSmallIntegerField(choices=AccountType.choices, default=AccountType.USER)
    state = models.CharField(
        max_length=16, choices=AccountState.choices, default=AccountState.ENABLED
    )
    network_domain = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["domain__path", "name"]
        constraints = [
            models.UniqueConstraint(
                "domain", Lower("name"), name="identity_account_name_unique_in_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("identity:account", args=[self.pk])

    @property
    def is_root_admin(self) -> bool:
        return self.type == AccountType.ROOT_ADMIN

    @property
    def is_domain_admin(self) -> bool:
        return self.type == AccountType.DOMAIN_ADMIN


declare(
    Account,
    scope=Scope.CLOUD,
    audience=Audience.OWNERS,
    domain="domain",
    account="",
    replicated=True,
    menu=Menu("Accounts", "identity:account_list", group="Identity", order=41),
)


class UserState(models.TextChoices):
    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Disabled"
    LOCKED = "locked", "Locked"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # lower() on both sides, as the unique index says it: the index finds the row (an
        # iexact lookup compiles to upper() on PostgreSQL and reads the whole table).
        return self.get(Exact(Lower("username"), Lower(Value(username))))


class User(AbstractBaseUser, UUIDModel):
    """The portal's user (AUTH_USER_MODEL); a member of exactly one account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="users")
    # Unique whatever its case (Meta.constraints): a second, case-sensitive unique index and
    # its LIKE index would only slow every insert (an import, a replicated page) down.
    username = models.CharField(max_length=150)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    # Checked by the services against this machine's time zone database
    # (selectors.timezone_names), not by choices: those would put the whole database in a
    # migration, and every tzdata update would ask for another.
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="An IANA time zone name, such as Europe/Paris."
    )
    state = models.CharField(max_length=16, choices=UserState.choices, default=UserState.ENABLED)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="identity_user_username_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return reverse("identity:user", args=[self.pk])

    @property
    def is_active(self) -> bool:
        """Signs in only while both the user and their account are enabled."""
        return self.state == UserState.ENABLED and self.account.state == AccountState.ENABLED

    @property
    def is_root_admin(self) -> bool:
        return self.account.is_root_admin

    @property
    def is_domain_admin(self) -> bool:
        return self.account.is_domain_admin

    # Django admin reads these; root admins are the only staff.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_root_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username

    def get_short_name(self) -> str:
        return self.first_name or self.username


declare(
    User,
    scope=Scope.CLOUD,
    audience=Audience.OWNERS,
    domain="account__domain",
    account="account",
    replicated=True,
    menu=Menu("Users", "identity:user_list", group="Identity", order=42),
    secret_fields=("password",),
    quiet_fields=("last_login",),
)


class ProjectState(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Project(UUIDModel):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=100)
    display_text = models.CharField(max_length=255, blank=True)
    owner = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="owned_projects")
    state = models.CharField(
        max_length=16, choices=ProjectState.choices, default=ProjectState.ACTIVE
    )
    members = models.ManyToManyField(Account, through="ProjectMembership", related_name="projects")

    class Meta:
        ordering = ["domain__path", "name"]
        constraints = [
            models.UniqueConstraint(
                "domain", Lower("name"), name="identity_project_name_unique_in_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("identity:project", args=[self.pk])


declare(
    Project,
    scope=Scope.CLOUD,
    audience=Audience.OWNERS,
    domain="domain",
    account="owner",
    replicated=True,
    menu=Menu("Projects", "identity:project_list", group="Identity", order=43),
)


class ProjectRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    REGULAR = "regular", "Regular"


class ProjectMembership(UUIDModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=16, choices=ProjectRole.choices, default=ProjectRole.REGULAR)

    class Meta:
        ordering = ["project__name", "account__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "account"], name="identity_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} in {self.project}"


declare(
    ProjectMembership,
    scope=Scope.CLOUD,
    audience=Audience.PARENT,
    domain="project__domain",
    parent="project",
    event="PROJECT.ACCOUNT",
    replicated=True,
)


class ApiKey(UUIDModel):
    """A user's CloudStack API key pair; the secret key is stored encrypted (identity.crypto).

    `api_key` is public (it travels with every signed request) and unique cloud-wide.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    api_key = models.CharField(max_length=128, unique=True)
    secret_key_encrypted = models.TextField()

    class Meta:
        ordering = ["-created"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.api_key


declare(
    ApiKey,
    scope=Scope.CLOUD,
    audience=Audience.PARENT,
    domain="user__account__domain",
    parent="user",
    replicated=True,
    secret_fields=("secret_key_encrypted",),
    event="USER.KEYS",
)


class SignInAttempt(models.Model):
    """One password check, recorded before the password is hashed (identity.sign_in_limits).

    A success deletes its row; a failure keeps it for a day. Local to this region and never
    replicated; written on its own database connection, so a transaction that rolls back
    (a password change refused) cannot take a guess back.
    """

    username = models.CharField(max_length=150)  # lower case, as typed; may name no user
    address = models.CharField(max_length=64, blank=True)  # client address or IPv6 /64
    at = models.DateTimeField()
    counts_for_lock = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="sign_in_username_at"),
            models.Index(fields=["address", "at"], name="sign_in_address_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address or '?'} at {self.at:%Y-%m-%d %H:%M:%S}"


declare(SignInAttempt, scope=Scope.REGION, audience=Audience.SYSTEM)
