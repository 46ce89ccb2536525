"""Projects of the role fixtures' accounts (tests/conftest.py), for identity's tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def ops_project(alice):
    """A project of ops owned by alice's account."""
    return factories.project(owner=alice.account, name="ops-proj")


@pytest.fixture
def sales_project(bob):
    """A project of sales owned by bob's account."""
    return factories.project(owner=bob.account, name="sales-proj")
