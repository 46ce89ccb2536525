"""What single sign-on keeps: this region's signing keys (local) and, per user, the region
last chosen in the switcher and the last "sign out of all regions" (both replicated, each
its own row so neither can overwrite a concurrent change of the user or of the other)."""

from __future__ import annotations

from django.db import models

from portal.declarations import Audience, Scope, declare
from portal.models import UUIDModel


class SigningKey(models.Model):
    """An RSA key that signs this region's ID tokens; the newest active one signs.

    Local to the region. The private key is stored encrypted (identity.crypto). Older keys
    stay published in the JWKS until `expires_at`, so tokens they signed still verify.
    """

    kid = models.CharField(max_length=64, unique=True)
    private_key_encrypted = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    not_before = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-not_before"]

    def __str__(self) -> str:
        return f"signing key {self.kid}"


declare(SigningKey, scope=Scope.REGION, audience=Audience.SYSTEM)


class RegionChoice(UUIDModel):
    """The region a user last chose in the switcher; sign-in takes them back there.

    Keyed by the user's own UUID, so the row made for a user in any region is the same row.
    """

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="sso_one_choice_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} prefers region {self.region_id}"


declare(RegionChoice, scope=Scope.CLOUD, audience=Audience.SYSTEM, replicated=True)


class GlobalSignOut(UUIDModel):
    """The moment a user signed out of all regions: older sessions everywhere end.

    Keyed by the user's own UUID, like RegionChoice.
    """

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user"], name="sso_one_sign_out_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} signed out everywhere at {self.at:%Y-%m-%d %H:%M:%S}"


declare(GlobalSignOut, scope=Scope.CLOUD, audience=Audience.SYSTEM, replicated=True)
