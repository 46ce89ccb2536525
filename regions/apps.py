from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "Regions"

    def ready(self) -> None:
        # This app's replicated models (each app registers its own; the registry orders
        # them parents first by their foreign keys), then the recorder's signals.
        import regions.federation.replication.registrations  # noqa: F401  (Region, Setting)
        from regions.configuration.services import definitions_sync_after_migrate  # receiver
        from regions.federation.replication import announce, recorder  # the recorder's receivers

        recorder.connect(announce=announce.announce_local_changes)
        post_migrate.connect(
            definitions_sync_after_migrate, sender=self, dispatch_uid="regions-settings-sync"
        )
