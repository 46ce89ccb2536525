"""CloudStack's request signature (ApiServer.verifyRequest), reproduced byte for byte.

Take every parameter but `signature`, sort by name (case-sensitively, as Java sorts
strings), join as `name=value` with the value encoded as java.net.URLEncoder does and `+`
turned into `%20`, lowercase the whole string, HMAC-SHA1 it with the secret key and
base64 the digest.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

SIGNATURE = "signature"

# URLEncoder leaves letters, digits and ". - * _" alone; Python's quote also spares "~".
_URLENCODER_SAFE = "*"


def java_urlencode(value: str) -> str:
    return quote(value, safe=_URLENCODER_SAFE).replace("~", "%7E")


def signing_string(params: Mapping[str, str], *, encode=java_urlencode) -> str:
    """The lowercased string CloudStack signs, from every parameter but the signature."""
    pairs = sorted((k, v) for k, v in params.items() if k.lower() != SIGNATURE)
    return "&".join(f"{name}={encode(value)}" for name, value in pairs).lower()


def signature_compute(secret_key: str, unsigned: str) -> str:
    digest = hmac.new(secret_key.encode(), unsigned.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_matches(params: Mapping[str, str], *, secret_key: str, signature: str) -> bool:
    """Whether SIGNATURE signs PARAMS under SECRET_KEY (compared in constant time).

    Values with a "~" are also checked the way Python clients encode them (left as is,
    where Java writes %7E), so a `cs` user's tilde does not fail their request.
    """
    expected = signature_compute(secret_key, signing_string(params))
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    if any("~" in value for value in params.values()):
        lenient = signature_compute(
            secret_key, signing_string(params, encode=lambda v: quote(v, safe="*~"))
        )
        return hmac.compare_digest(lenient.encode(), signature.encode())
    return False


_EXPIRES_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z")


def expires_parse(value: str) -> datetime.datetime | None:
    """CloudStack's `expires` (2026-01-31T12:00:00+0000), or None when malformed."""
    for fmt in _EXPIRES_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    return None


def expires_valid(value: str | None, *, now: datetime.datetime | None = None) -> bool:
    """Whether a signatureVersion=3 request's EXPIRES is present, well-formed and ahead."""
    if not value:
        return False
    moment = expires_parse(value)
    if moment is None:
        return False
    return moment > (now or datetime.datetime.now(datetime.UTC))
