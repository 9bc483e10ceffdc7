"""企业认定查询 for anyone: exact company name + USCC, behind an image captcha and a per-address budget.

The order is the cheapest proof first: the captcha (checked by the form or the API's serializer, one-time even
when wrong), then the budget of the client's address (`LookupBudget`, DRF's sliding window over the tenant's
cache, spent by the page and the API alike), then one query. Every answer without a match is the same."""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from tenant_apps.cultivation import recognitions
from tenants.errors import DomainError

DEFAULT_PER_HOUR = 20


class LookupBudget(SimpleRateThrottle):
    """At most `PLATFORM_CULTIVATION_LOOKUPS_PER_HOUR` lookups per client address in any hour (per tenant)."""

    scope = "cultivation_lookup"

    def __init__(self, ip: str | None):
        self.ident = ip or "unknown"
        super().__init__()

    def get_rate(self) -> str:
        return f"{int(getattr(settings, 'PLATFORM_CULTIVATION_LOOKUPS_PER_HOUR', DEFAULT_PER_HOUR))}/hour"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def lookup_spend(ip: str | None) -> None:
    """Count one lookup against the address's budget, or refuse (429) once it is spent."""
    budget = LookupBudget(ip)
    if not budget.allow_request(None, None):
        minutes = max(1, math.ceil((budget.wait() or budget.duration) / 60))
        raise DomainError(
            _("查询过于频繁，请 %(minutes)d 分钟后再试。") % {"minutes": minutes},
            code="cultivation.lookup_throttled",
            status=429,
        )


def recognition_lookup_public(*, name: str, uscc: str, ip: str | None) -> list:
    """The captcha has been checked by the caller; spend the budget, then look up (exact match on both)."""
    lookup_spend(ip)
    return recognitions.recognitions_matching(name=name, uscc=uscc)


def not_found_message() -> str:
    return _("未查询到认定信息。")
