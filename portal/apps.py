from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Region Portal"

    def ready(self) -> None:
        # the change log's receivers, and listApis registered
        import portal.cloudstack.commands  # noqa: F401
        from portal import audit

        audit.connect()
