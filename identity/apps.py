from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        import identity.replication  # noqa: F401  (registers the replicated identity models)
        from identity import lockout  # its receivers, connected below

        user_login_failed.connect(lockout.sign_in_failed, dispatch_uid="identity-lockout")
        user_logged_in.connect(lockout.signed_in, dispatch_uid="identity-lockout-reset")
