"""Federation: how this region's portal works with the others. The replication engine
(`replication/`), the peer API (`peer/`), joining (`replication/join.py`), the cloud-wide
change log (`change_log/`), and the federation's pages, REST API, services and selectors.

It sits above the region registry and the configuration (regions' own layers, checked by
the import contract in pyproject.toml)."""
