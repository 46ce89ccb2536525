from django.apps import AppConfig


class ZonesConfig(AppConfig):
    name = "zones"
    verbose_name = "Zones"

    def ready(self) -> None:
        # Registrations with the layers below: the zone, pod, cluster, host and storage pool
        # tables of other pages, and where zone-scoped settings keep their values.
        from zones import related, setting_values  # noqa: F401
        from zones.capacity import refresh

        refresh.connect()  # an inventory write recomputes its zone's capacity
