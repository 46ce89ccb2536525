"""Commands about the API itself: listApis."""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import Call, ListResult
from portal.cloudstack.registry import Param, command, commands_all


def _api_response(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "isasync": spec.is_async,
        "related": "",
        "params": [
            {
                "name": p.name,
                "description": p.description,
                "type": p.type,
                "length": p.length,
                "required": p.required,
                "related": "",
            }
            for p in spec.params
        ],
        "response": [{"name": name} for name in spec.response],
    }


@command(
    "listApis",
    description="Lists the APIs available to the caller, with their parameters.",
    params=[Param("name", description="An API name.")],
    response=("name", "description", "isasync", "related", "params", "response"),
)
def list_apis(call: Call) -> dict[str, Any]:
    account_type = call.actor.account.type
    apis = [spec for spec in commands_all() if spec.allows(account_type)]
    if call.has("name"):
        apis = [spec for spec in apis if spec.name == call.get("name")]
    rendered = [_api_response(spec) for spec in apis]
    return ListResult("api", rendered, len(rendered)).payload()
