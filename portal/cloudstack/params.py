"""Parameters many commands take alike, declared once: the `id` a command acts on, and a
list's `id`, `name` and parents (the list scope is in scope.py, paging in
registry.LIST_PARAMS)."""

from __future__ import annotations

from portal.cloudstack.registry import Param


def id_param(noun: str, *, required: bool = True, type: str = "uuid") -> Param:
    """The `id` of the NOUN a command acts on ("The ID of the zone.")."""
    return Param("id", type, required=required, description=f"The ID of the {noun}.")


def list_id_param(noun: str) -> Param:
    """A list command's `id`: only the NOUN with this ID."""
    return Param("id", "uuid", description=f"List the {noun} with this ID.")


def list_of_param(parent: str, nouns: str) -> Param:
    """A list's `<parent>id` (zoneid, podid): only the NOUNS of that PARENT, filling the
    list's filter PARENT."""
    return Param(
        f"{parent}id", "uuid", description=f"List the {nouns} of this {parent}.", field=parent
    )


def list_name_param(nouns: str) -> Param:
    """A list command's `name`: only the NOUNS of that name."""
    return Param("name", description=f"List {nouns} by name.")
