"""The session store: Django's database sessions, reading only keys Django could have made.

Django makes session keys of lower-case letters and digits; a cookie carrying anything else
(a NUL, which PostgreSQL refuses in text) is no session, never a database error.
"""

from __future__ import annotations

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and _KEY.fullmatch(key) is not None
