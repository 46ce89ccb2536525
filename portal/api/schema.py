"""Corrections drf-spectacular cannot infer, applied to the generated OpenAPI schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

ERROR = {"$ref": "#/components/schemas/Error"}

#: the error answers, all in the Error shape (portal/api/errors.py): 400, 401 and 403 on
#: every operation, 404 on an object's URL, 409 on a write, others where a view says so
ERRORS = {
    "400": "The request cannot be read, or a field is invalid (named in the body).",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed.",
    "404": "Nothing here, or nothing the caller may see.",
    "409": "A concurrent change won: the field named in the body says which.",
    "429": "Too many password checks: try again after the seconds Retry-After gives.",
}


def error_answer(status: int) -> OpenApiResponse:
    """For a view's @extend_schema(responses=...): an error it answers beyond those every
    operation has (postprocess below gives it the Error shape)."""
    return OpenApiResponse(description=ERRORS[str(status)])


#: Django and DRF refuse a null character in any text they read (PostgreSQL cannot store one)
NO_NULL_CHARACTER = "^[^\\u0000]*$"

#: what the HTTP server answers, before the portal sees the request, to a URL longer than it
#: reads (gunicorn: a request line of 4094 bytes; a proxy in front may allow less)
URL_TOO_LONG = {
    "description": "The URL is longer than the HTTP server reads (an HTML page of its own).",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def postprocess(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """The ROOT domain has no parent; errors are documented on every operation, with the
    Error shape on those an operation declares itself, and the HTTP server's own answer to
    a URL too long; text in a query has no null character. Request bodies are documented
    as JSON: forms are read too (DRF's browsable API, `curl -d`), but a form cannot say
    null, a number or true, so the schema of a body cannot hold for one."""
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
            for status in sorted(wanted | (ERRORS.keys() & operation["responses"].keys())):
                answer = operation["responses"].setdefault(status, {"description": ERRORS[status]})
                answer.setdefault("content", {"application/json": {"schema": ERROR}})
            operation["responses"].setdefault("414", URL_TOO_LONG)
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                for media_type in set(body) - {"application/json"}:
                    del body[media_type]
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                free_text = not {"enum", "format", "pattern"} & schema.keys()
                if parameter.get("in") == "query" and schema.get("type") == "string" and free_text:
                    schema["pattern"] = NO_NULL_CHARACTER
    return result
