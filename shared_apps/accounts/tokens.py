"""API tokens of our own (ADR 0015): hashed at rest, expiring, listed and revoked by their owner.

DRF's authtoken keeps the key in clear, never expires and allows one token per user; django-rest-knox would fit but
is not a dependency. This is small: one model, one authentication class, a few services.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from shared_apps.accounts.models import ApiToken
from tenants.errors import not_found

LAST_USED_GRANULARITY = timedelta(minutes=1)  # at most one write per token per minute


def token_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "PLATFORM_API_TOKEN_DAYS", 30)))


TOKEN_DAY_CHOICES = (7, 30, 90)  # what a person may choose for an integration's token on the account page


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()  # 256 random bits: a fast hash is enough, and it is a lookup key


def api_token_issue(user, *, label: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; the clear key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_digest(key),
        prefix=key[:8],
        label=label[:60],
        expires_at=timezone.now() + (timedelta(days=days) if days else token_lifetime()),
    )
    return token, key


def api_tokens_active(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())


def api_token_revoke(user, pk: int) -> None:
    """The owner revokes one of their tokens; someone else's token id is answered as not found."""
    if not ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        raise not_found(_("该令牌不存在。"), code="auth.token_not_found")


def api_tokens_revoke_all(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` against ApiToken: unknown, revoked, expired or an inactive owner → 401."""

    def authenticate_credentials(self, key):
        now = timezone.now()
        token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key)).first()
        if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期。"))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            with transaction.atomic():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
