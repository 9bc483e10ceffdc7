"""Content the portal shows but does not own: notices and the page navigation, provided from above.

The Wagtail pages (`cms`) sit above `tenant_apps`, so the portal may not import them; `CmsConfig.ready()` registers
what the workbench and the page chrome need. Without a provider the portal shows no notices and no page links.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class ContentProvider:
    latest_notices: Callable[[HttpRequest, int], tuple[list, str | None]]  # newest items and the column's URL
    notices_url: Callable[[HttpRequest], str | None]  # where the notices module's public entry leads
    nav: Callable[[HttpRequest], list]  # the second navigation row: items with `label` and `url`


_provider: ContentProvider | None = None


def content_register(*, latest_notices, notices_url, nav) -> None:
    global _provider
    _provider = ContentProvider(latest_notices=latest_notices, notices_url=notices_url, nav=nav)


def latest_notices(request, count: int = 5) -> tuple[list, str | None]:
    return _provider.latest_notices(request, count) if _provider else ([], None)


def notices_url(request) -> str | None:
    return _provider.notices_url(request) if _provider else None


def portal_nav(request) -> list:
    return _provider.nav(request) if _provider else []
