"""The client's IP address, the one resolver behind per-IP lockout, SMS caps, audit and the API throttle.

`PLATFORM_TRUSTED_PROXIES` says how many reverse proxies stand in front of Django. With 0 (the default) only
`REMOTE_ADDR` counts and any `X-Forwarded-For` a client sends is ignored. With N ≥ 1 the nearest proxy is
`REMOTE_ADDR` and the client is the N-th entry of `X-Forwarded-For` from the right, the one the outermost trusted
proxy wrote: whatever a client puts in front of it is never read. python-ipware parses and validates that entry;
a header that is missing, too short or not an address falls back to `REMOTE_ADDR`. Our nginx overwrites the
header (`proxy_set_header X-Forwarded-For $remote_addr`), so behind it N = 1. DRF's throttles read the same count
(`NUM_PROXIES` is set from the same setting, and DRF also takes the N-th entry from the right).
"""

from __future__ import annotations

from django.conf import settings
from python_ipware import IpWare


def client_ip(request) -> str | None:
    proxies = settings.PLATFORM_TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies <= 0 or len(forwarded) < proxies:
        return remote
    trusted_part = ", ".join(forwarded[-proxies:])  # written by our proxies, not by the client
    resolver = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), leftmost=True, proxy_count=proxies - 1)
    ip, _trusted = resolver.get_client_ip({"HTTP_X_FORWARDED_FOR": trusted_part}, True)
    return str(ip) if ip is not None else remote
