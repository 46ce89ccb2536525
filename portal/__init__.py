"""Project package: settings, URLs, the Celery app and shared bases."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
