"""The first run of a portal: its region, its root admin and optionally its first zone, or a
whole datacenter (deploy_datacenter's description)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from identity.models import AccountType, User
from identity.selectors import root_domain
from identity.services import account_create, user_create
from portal.validation import invalid
from regions.federation.services import federation_ensure
from regions.models import Region
from regions.services import region_create
from zones.services import zone_create
from zones.services.datacenter import DeployError, datacenter_deploy


@dataclass(frozen=True)
class SetupResult:
    region: Region
    admin: User
    zone: Any = None


@transaction.atomic
def region_setup(
    *,
    region: dict[str, Any],
    admin: dict[str, Any],
    zone: dict[str, Any] | None = None,
    datacenter: Any = None,
) -> SetupResult:
    """First run: define this portal's region, its root admin and optionally a first zone.

    All or nothing: any invalid part leaves the install untouched, and a portal that
    already serves a region refuses.
    """
    if Region.objects.filter(is_local=True).exists():
        raise invalid(
            "region", "This portal is already set up: it serves a region.", "already_setup"
        )
    local = region_create(**region, is_local=True, by=None)
    federation_ensure()
    try:
        account = account_create(
            domain=root_domain(),
            name=admin.get("username", ""),
            type=AccountType.ROOT_ADMIN,
            by=None,
        )
    except ValidationError as error:
        # The account is named after the admin, so its only input is the username.
        messages = [e for errors in error.error_dict.values() for e in errors]
        raise ValidationError({"username": messages}) from error
    user = user_create(account=account, by=None, **admin)
    first_zone = None
    if zone:
        first_zone = zone_create(by=None, **zone)
    if datacenter:
        try:
            datacenter_deploy(description=datacenter, by=None)
        except DeployError as error:
            raise invalid("datacenter", str(error)) from error
    return SetupResult(region=local, admin=user, zone=first_zone)
