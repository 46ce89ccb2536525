"""The replication engine: identity and configuration opt in through `registry`."""
