"""POST /api/auth/token/: a REST API token for a username and password."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from identity import sign_in_limits
from portal.api.parsers import JSONParser
from portal.api.schema import error_answer


class TokenView(ObtainAuthToken):
    """DRF's token endpoint; a password check the sign-in throttle refused answers 429 with
    Retry-After instead of "wrong credentials"."""

    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(auth=[], responses={200: AuthTokenSerializer, 429: error_answer(429)})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sign_in_limits.forget_refusal()
        try:
            return super().post(request, *args, **kwargs)
        except exceptions.ValidationError:
            refused = sign_in_limits.refusal()
            if refused is None:
                raise
            # The message already says how long to wait; DRF would append it again.
            throttled = exceptions.Throttled(detail=sign_in_limits.message(refused))
            throttled.wait = refused.retry_after  # the Retry-After header
            raise throttled from None
