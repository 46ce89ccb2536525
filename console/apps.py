from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The top layer: what puts every app together for an operator (the first-run setup,
    its wizard and command, the dashboard). Nothing imports it but the URL wiring."""

    name = "console"
    verbose_name = "Console"
