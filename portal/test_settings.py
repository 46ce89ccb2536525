"""Settings for the test suite: portal.settings with test-only defaults."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("PORTAL_FAST_PASSWORD_HASHER", "1")

from portal.settings import *  # noqa: F403
