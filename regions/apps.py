from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "Regions"

    def ready(self) -> None:
        # Registry first (regions before identity: parents before children), then signals.
        import regions.replication.registrations  # noqa: F401, I001
        import identity.replication  # noqa: F401
        from regions.replication import recorder

        recorder.connect()
