from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SsoConfig(AppConfig):
    name = "identity.sso"
    label = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        import identity.sso.replication  # noqa: F401  (registers the replicated choices)
        from identity.sso import keycache, sessions

        keycache.install()
        user_logged_in.connect(sessions.signed_in, dispatch_uid="sso-signed-in-at")
        post_migrate.connect(_signing_key_ensure, sender=self, dispatch_uid="sso-signing-key")


def _signing_key_ensure(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """Every region has a signing key from its first migrate on; rotation adds more."""
    from identity.sso.services import signing_key_ensure

    signing_key_ensure(using=using)
