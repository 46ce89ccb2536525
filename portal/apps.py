from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Region Portal"

    def ready(self) -> None:
        from portal import audit  # the change log's receivers (its module imports models)

        audit.connect()
