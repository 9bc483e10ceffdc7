"""One-time links to set a password and administer a city (the console's first city administrator).

The token is 256 random bits shown once (in the SMS); only its SHA-256 is stored. A link is valid on its city's
host only, for `PLATFORM_INVITATION_HOURS` (72) hours, and once: setting the password uses it up, and a newer link
for the same person and city replaces the older one. Sending the SMS and signing the person in are the callers'
(the console in `shared_apps.oversight.cities`, the page in `shared_apps.accounts.invitations`): this module knows
tokens and passwords only, so it stays in the base layer next to the tenant registry it points into.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.errors import DomainError, conflict, not_found
from tenants.models import AdminInvitation, Tenant


def invitation_lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "PLATFORM_INVITATION_HOURS", 72)))


def _digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()  # 256 random bits: a fast hash is enough


@transaction.atomic
def invitation_issue(*, tenant: Tenant, user, created_by=None) -> tuple[AdminInvitation, str]:
    """A new link for `user` on `tenant`; earlier unused links of the same person and city stop working. The clear
    token is returned once and never stored."""
    now = timezone.now()
    AdminInvitation.objects.filter(tenant=tenant, user=user, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = AdminInvitation.objects.create(
        tenant=tenant,
        user=user,
        token_hash=_digest(token),
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        expires_at=now + invitation_lifetime(),
    )
    return invitation, token


def _refusal(invitation: AdminInvitation | None, tenant: Tenant) -> DomainError | None:
    if invitation is None or invitation.tenant_id != tenant.pk:
        return not_found(_("该链接无效，请核对短信中的链接。"), code="invitation.not_found")
    if invitation.used_at is not None:
        return conflict(_("该链接已使用过。请使用已设置的密码登录，忘记密码可通过短信找回。"), code="invitation.used")
    if invitation.expires_at <= timezone.now() or not invitation.user.is_active:
        return conflict(_("该链接已过期，请联系国家中心重新发送。"), code="invitation.expired")
    return None


def invitation_check(*, token: str, tenant: Tenant) -> AdminInvitation:
    """The unused, unexpired invitation of this host for `token`; a DomainError (404 unknown or another city's,
    409 used or expired) otherwise."""
    invitation = AdminInvitation.objects.select_related("user").filter(token_hash=_digest(token)).first()
    refusal = _refusal(invitation, tenant)
    if refusal:
        raise refusal
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, tenant: Tenant, password: str):
    """Set the invited person's password (the password policy of this city and of every city they belong to,
    Django's `validate_password`) and use the link up. Returns the identity. Two submissions of one link queue on
    the row lock; the second finds it used."""
    invitation = (
        AdminInvitation.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=_digest(token))
        .first()
    )
    refusal = _refusal(invitation, tenant)
    if refusal:
        raise refusal
    user = invitation.user
    validate_password(password, user)  # ValidationError: the view puts the rules next to the password field
    user.set_password(password)
    user.save()
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
