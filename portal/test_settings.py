"""Settings for the test suite: portal.settings with test-only defaults."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("PORTAL_FAST_PASSWORD_HASHER", "1")

from portal.settings import *  # noqa: F403

# Pages render without a collectstatic run; whitenoise serves from the finders.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Unit tests run in one transaction per test: sign-in attempts go through it too (a live
# portal, tests/identity/test_sign_in_limits_live.py, proves the separate connection).
DATABASES.pop("sign_in", None)  # noqa: F405
