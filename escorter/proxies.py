"""Client address and scheme behind reverse proxies we trust, and only those.

Neither gunicorn nor Django rewrites REMOTE_ADDR: behind a reverse proxy it is the
proxy's address. `X-Forwarded-For` and `X-Forwarded-Proto` are believed only when
the connection comes from an address in settings.TRUSTED_PROXIES (IPs or CIDRs);
from anyone else they are client-controlled text, so the middleware below drops them
before Django's SecurityMiddleware reads the scheme (a client-sent
`X-Forwarded-Proto: https` must not skip the HTTPS redirect).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """`("10.0.0.5", "172.18.0.0/16")` → networks; a malformed entry fails loudly at start."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            message = f"TRUSTED_PROXIES: « {entry} » n'est ni une adresse IP ni un réseau CIDR."
            raise ImproperlyConfigured(message) from exc
    return tuple(networks)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def peer_is_trusted(meta) -> bool:
    return _trusted(meta.get("REMOTE_ADDR", ""), parse_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The address of whoever sent the request (audit rows, django-axes lockouts).

    Walks X-Forwarded-For from the right, skipping our own proxies: the first address
    that is not a trusted proxy is the client (the left part of the header is whatever
    the client chose to send, so it is never read past an untrusted hop).
    """
    peer = request.META.get("REMOTE_ADDR") or None
    networks = parse_networks(tuple(settings.TRUSTED_PROXIES))
    if peer is None or not _trusted(peer, networks):
        return peer
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = peer
    for hop in reversed(forwarded):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage in the chain: keep the last address a trusted proxy vouched for
        client = hop
        if not _trusted(hop, networks):
            break
    return client


class ForwardedHeadersMiddleware:
    """First in the stack: forwarded headers from an untrusted peer are removed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not peer_is_trusted(request.META):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
