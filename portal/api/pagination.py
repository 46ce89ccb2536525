"""?limit= and ?offset= paging for every list of the REST API."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class PortalPagination(LimitOffsetPagination):
    """?limit= and ?offset=, as NetBox does; the page size is capped.

    DRF ignores a limit or offset it cannot read and serves the default page; here they are
    a 400 naming the parameter, so a client's mistake is never mistaken for the data. A
    `page` is refused as well: these lists page by offset, and a client sending page=2 would
    otherwise get the first page again and again.
    """

    default_limit = 50
    max_limit = 1000
    #: the largest limit accepted (above max_limit a list is capped, not refused)
    largest_limit = 2**31 - 1
    #: the largest offset accepted (a bigint OFFSET in the database holds far more)
    max_offset = 2**31 - 1

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        if "page" in request.query_params:
            raise ValidationError({"page": ["Lists page with limit and offset, not page."]})
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        # Above the cap a list is capped, as documented (and as DRF and NetBox do).
        return min(
            _whole(self.limit_query_param, raw, low=1, high=self.largest_limit), self.max_limit
        )

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        return _whole(self.offset_query_param, raw, low=0, high=self.max_offset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """DRF's parameters with the bounds enforced above, so the schema says what a 400 is."""
        bounds = {
            self.limit_query_param: (1, self.largest_limit),
            self.offset_query_param: (0, self.max_offset),
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            low, high = bounds[parameter["name"]]
            parameter["schema"].update(minimum=low, maximum=high)
        limit = parameters[0]
        limit["description"] = f"{limit['description']} At most {self.max_limit}; more is capped."
        return parameters


def _whole(name: str, raw: str, *, low: int, high: int) -> int:
    """RAW as a whole number from LOW to HIGH, or a 400 naming NAME."""
    text = raw.strip()
    if not text.isdigit() or not text.isascii():
        raise ValidationError({name: [f"Send a whole number from {low} to {high}."]})
    value = int(text)
    if not low <= value <= high:
        raise ValidationError({name: [f"Send a whole number from {low} to {high}."]})
    return value
