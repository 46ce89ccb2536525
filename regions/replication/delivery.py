"""Delivery of local changes to peers (filled in with the peer transport)."""


def announce_local_changes() -> None:
    """After a commit: tell peers there is something new to pull."""
