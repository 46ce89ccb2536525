"""Hybrid logical clock versions: (wall milliseconds, counter, origin region id).

A new version is always above the object's previous one, whatever the local wall clock
says, so a write made after seeing a remote change wins over it even when this region's
clock runs behind. Ties between regions are broken by the origin region id.
"""

from __future__ import annotations

import time

Version = tuple[int, int, int]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def next_version(*, previous: Version | None, origin: int, wall: int | None = None) -> Version:
    wall = now_ms() if wall is None else wall
    if previous is not None and previous[0] >= wall:
        return (previous[0], previous[1] + 1, origin)
    return (wall, 0, origin)
