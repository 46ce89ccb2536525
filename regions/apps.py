from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "Regions"

    def ready(self) -> None:
        # This app's replicated models (each app registers its own; the registry orders
        # them parents first by their foreign keys), then the recorder's signals.
        import regions.configuration.replication
        import regions.replication.registrations  # noqa: F401
        from regions.replication import recorder

        recorder.connect()
        post_migrate.connect(_settings_sync, sender=self, dispatch_uid="regions-settings-sync")


def _settings_sync(
    sender: AppConfig, apps: Any = None, using: str = "default", **kwargs: Any
) -> None:
    """After every migrate: a row for every setting definition, values left alone."""
    from regions.configuration.services import definitions_sync

    try:
        model = apps.get_model("regions", "Setting")
    except (AttributeError, LookupError):
        return  # migrated to a point before settings existed
    definitions_sync(model=model, using=using)
