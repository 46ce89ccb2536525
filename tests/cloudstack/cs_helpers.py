"""What the CloudStack API tests read from a refused call through the `cs` client."""

from __future__ import annotations

import cs
import pytest


def api_error(call, *args, **kwargs) -> tuple[int, dict]:
    """CALL(*ARGS, **KWARGS) refused: the HTTP status and CloudStack's error body."""
    with pytest.raises(cs.CloudStackApiException) as caught:
        call(*args, **kwargs)
    return caught.value.response.status_code, caught.value.error
