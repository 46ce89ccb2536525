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
        from identity.sso import keycache, sessions  # installed and connected below
        from identity.sso.services import signing_key_after_migrate  # receiver

        keycache.install()
        user_logged_in.connect(sessions.signed_in, dispatch_uid="sso-signed-in-at")
        post_migrate.connect(signing_key_after_migrate, sender=self, dispatch_uid="sso-signing-key")
