"""Answers in CloudStack's two forms: JSON with `response=json`, XML otherwise (its default).

Both wrap the body in `<command>response`; empty values are left out, as CloudStack's
serializer leaves out nulls; a list is repeated elements in XML and an array in JSON.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
#: the CloudStack version whose API this one follows, reported by XML answers and
#: listCapabilities
CLOUDSTACK_VERSION = "4.20.0.0"


def timestamp(moment: datetime.datetime | None) -> str | None:
    """CloudStack's date format: 2026-01-31T12:00:00+0000."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S%z")


def wants_json(params: dict[str, str]) -> bool:
    value = next((v for k, v in params.items() if k.lower() == "response"), "")
    return value.strip().lower() == "json"


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _xml(name: str, value: Any, out: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, list | tuple):
        for item in value:
            _xml(name, item, out)
        return
    out.append(f"<{name}>")
    if isinstance(value, dict):
        for key, item in value.items():
            _xml(key, item, out)
    elif isinstance(value, bool):
        out.append("true" if value else "false")
    else:
        out.append(escape(_NOT_XML.sub("\ufffd", str(value))))
    out.append(f"</{name}>")


#: characters XML 1.0 cannot carry, even escaped: a row stored before the services refused
#: them (or arriving from an older region) shows U+FFFD instead of breaking the document
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(
    response_name: str, body: dict[str, Any], *, as_json: bool, status: int = 200
) -> HttpResponse:
    body = _clean(body)
    if as_json:
        content = json.dumps({response_name: body}, ensure_ascii=False)
        response = HttpResponse(content, status=status, content_type=JSON_CONTENT_TYPE)
    else:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<{response_name} cloud-stack-version="{CLOUDSTACK_VERSION}">',
        ]
        for key, value in body.items():
            _xml(key, value, out)
        out.append(f"</{response_name}>")
        response = HttpResponse("".join(out), status=status, content_type=XML_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"  # answers may carry secret keys or session keys
    return response
