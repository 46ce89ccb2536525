"""Corrections drf-spectacular cannot infer, applied to the generated OpenAPI schema."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}

#: what every operation may answer besides its success (portal/api/errors.py shapes them)
ERRORS = {
    "400": "The request cannot be read, or a field is invalid (named in the body).",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed.",
    "404": "Nothing here, or nothing the caller may see.",
    "409": "A concurrent change won: the field named in the body says which.",
}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """The ROOT domain has no parent; errors are documented on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    parent = schemas.get("Domain", {}).get("properties", {}).get("parent")
    if parent is not None:
        parent["nullable"] = True
    schemas["Error"] = {
        "type": "object",
        "description": "`detail` for the request as a whole, or a list of messages per field.",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = {"400", "401", "403"}
            if "{" in path:
                wanted.add("404")
            if method in ("post", "put", "patch", "delete"):
                wanted.add("409")
            for status in sorted(wanted):
                operation["responses"].setdefault(
                    status,
                    {
                        "description": ERRORS[status],
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    return result
