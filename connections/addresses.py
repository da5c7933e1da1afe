"""Where a connection may send its credentials.

A tenant admin edits a connection's addresses (base URL, login URL, instance URL). Pointed at a host the admin
controls, "Test connection" would hand over the cached token or, after a secret edit, the client secret; pointed at
an internal address, it would scan the network for them. So, outside development:
- a connection's hosts must be the vendor's (the registry names the host suffixes each vendor serves from), unless a
  superuser saves it; systems customers host themselves (Acumatica) take any public host;
- private, loopback and link-local addresses are refused, by name and by what the name resolves to;
- the simulator environment is for development only.
A change to any address drops the cached tokens and needs the credentials entered again (connections/forms.py).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError


def url_fields(spec) -> list[str]:
    return [field.name for field in spec.config_fields if field.kind == "url"]


def check_addresses(spec, config: dict, environment: str, user) -> None:
    """Raise ValidationError (naming the field) for an address this user may not give this connection."""
    if settings.DEBUG:
        return
    superuser = bool(getattr(user, "is_superuser", False))
    if environment == "simulator" and not superuser:
        raise ValidationError({"environment": "The simulator environment is for development only."})
    for name in url_fields(spec):
        host = urlparse(config.get(name) or "").hostname
        if not host:
            continue
        if is_internal(host):
            raise ValidationError({name: "Private, loopback and link-local addresses are not allowed."})
        if spec.allowed_hosts and not superuser and not _vendor_host(host, spec.allowed_hosts):
            raise ValidationError(
                {name: f"Must be a {spec.label} host ({', '.join(spec.allowed_hosts)}); ask a superuser for a proxy."}
            )


def _vendor_host(host: str, suffixes) -> bool:
    host = host.lower().rstrip(".")
    return any(host == suffix or host.endswith("." + suffix) for suffix in suffixes)


def is_internal(host: str) -> bool:
    """Whether the host is, or resolves to, an address inside a private network or this machine."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return False  # does not resolve: the first call fails with a clear connection error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            return True
    return False
