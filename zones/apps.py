from django.apps import AppConfig


class ZonesConfig(AppConfig):
    name = "zones"
    verbose_name = "Zones"

    def ready(self) -> None:
        from zones import related  # noqa: F401  (registers the zone tables of other pages)
