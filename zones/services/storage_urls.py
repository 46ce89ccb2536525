"""A primary storage pool's URL, read as CloudStack's createStoragePool reads it: the scheme
names the pool's type (nfs: NetworkFilesystem, SharedMountPoint, file or Filesystem:
Filesystem, whatever their case), the server and path follow. An NFS URL names its server
(nfs://10.1.1.2/export/primary, or CloudStack's simulator's nfs://10.1.1.2:/export/primary);
the others a path on every host (SharedMountPoint:///mnt/primary, file:///var/lib/primary),
their server `localhost` when none is named. Other schemes (rbd, clvm, iscsi, gluster ...)
are not taken."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from portal.validation import check_dns_name, check_length, invalid, passes
from zones.models import StoragePoolType

#: each URL scheme taken (lowercase) and the pool type it makes
SCHEMES = {
    "nfs": StoragePoolType.NETWORK_FILESYSTEM,
    "sharedmountpoint": StoragePoolType.SHARED_MOUNT_POINT,
    "file": StoragePoolType.FILESYSTEM,
    "filesystem": StoragePoolType.FILESYSTEM,
}
#: the server of a pool whose URL names none: a path on each of its hosts
LOCALHOST = "localhost"
FORMS = "nfs://server/path, SharedMountPoint:///path or file:///path"
_MAX_LENGTH = 255


@dataclass(frozen=True)
class StorageUrl:
    url: str
    pool_type: str
    host_address: str
    path: str


def _server(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        if passes(check_dns_name, field="url", value=text):
            return text
    raise invalid("url", f"{text!r} is not a server name or IP address.")


def storage_url_parse(value: Any) -> StorageUrl:
    """VALUE (a pool's URL) read: its type, server and path; a 400 on `url` otherwise."""
    url = check_length("url", value, max_length=_MAX_LENGTH)
    try:
        parts = urlsplit(url)
        host, _port = parts.hostname, parts.port  # a port that is no number raises
    except ValueError as error:
        raise invalid("url", f"{url!r} is not a URL such as {FORMS}.") from error
    pool_type = SCHEMES.get(parts.scheme.lower())
    if pool_type is None:
        scheme = f"{parts.scheme}://" if parts.scheme else "a URL without a scheme"
        raise invalid("url", f"Primary storage is {FORMS}, not {scheme}.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise invalid("url", "A storage URL names a server and a path only.")
    if pool_type == StoragePoolType.NETWORK_FILESYSTEM and not (host and parts.path):
        raise invalid("url", "Name the server and the path of the share: nfs://server/path.")
    if not parts.path.startswith("/"):
        raise invalid("url", f"Name the path of the share: {parts.scheme}:///path.")
    return StorageUrl(url, pool_type, _server(host) if host else LOCALHOST, parts.path)
