"""The live cloud's fixtures (cloud, apis, private_redis) come from tests/live.py through
tests/conftest.py; these helpers are imported by the tests of this folder."""

from tests.live import PASSWORD, Api, db  # noqa: F401
