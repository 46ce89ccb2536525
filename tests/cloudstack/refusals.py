"""What a refused command answers through the `cs` client, the database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cs
import pytest

from tests.db_state import db_state


def cs_refused(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[int, dict]:
    """CALL(*ARGS, **KWARGS), a `cs` client's command, refused: the HTTP status and
    CloudStack's error answer; every table as it was."""
    before = db_state()
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    assert db_state() == before
    return caught.value.response.status_code, caught.value.error
