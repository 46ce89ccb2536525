"""Capacity as CloudStack tracks it: what each cluster, pod and zone has, uses and has
promised, per capacity type (zones.models.CapacityType).

`figures` computes the rows from the inventory (pure reads), `thresholds` says which row is
past which setting; the writes that store rows, allocate and raise alerts are
zones.services.capacity.
"""
