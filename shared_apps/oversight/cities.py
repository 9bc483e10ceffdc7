"""A new city from the national console: the tenant from a preset, its own authority and pilot period, and its first
administrator — one identity by mobile across cities (docs/identity.md), told by SMS how to get in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from shared_apps.accounts.sms import sms_send
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_changes, audit_record
from tenants.errors import DomainError
from tenants.invitations import invitation_issue, invitation_lifetime
from tenants.models import Tenant
from tenants.services import tenant_provision, tenant_url


@dataclass(frozen=True)
class CityCreated:
    tenant: Tenant
    administrator: object  # accounts.User
    invited: bool  # True: a one-time set-password link went out; False: an existing account was told by SMS
    seconds: float


def _free_username(mobile: str) -> str:
    """A new identity signs in with its mobile; the username is the mobile too unless someone already has it."""
    User = get_user_model()
    candidate, n = mobile, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{mobile}_{n}"
    return candidate


def administrator_identity(*, name: str, mobile: str):
    """The identity bound to `mobile`, or a new one without a usable password (the invitation sets it)."""
    User = get_user_model()
    user = User.objects.filter(mobile=mobile).first()
    if user is not None:
        if not user.is_active:
            raise DomainError(
                _("该手机号的账号已停用，不能设为城市管理员。"), code="console.admin_inactive", field="admin_mobile"
            )
        return user
    user = User(username=_free_username(mobile), mobile=mobile, first_name=name[:150])
    user.set_unusable_password()
    user.save()
    return user


def _mask(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if mobile and len(mobile) == 11 else mobile


@transaction.atomic
def city_create(
    *,
    actor,
    preset: str,
    schema_name: str,
    name: str,
    authority: str,
    pilot_start: date,
    pilot_end: date,
    admin_name: str,
    admin_mobile: str,
    ip: str | None = None,
) -> CityCreated:
    """Create the city, make the person its administrator and send them the way in; all or nothing (the schema
    clone, the rows and the SMS in the outbox are one transaction). Never updates an existing city."""
    if pilot_end < pilot_start:
        raise DomainError(_("试点期结束日期不能早于开始日期。"), code="console.pilot_period_order", field="pilot_end")
    if Tenant.objects.filter(schema_name=schema_name).exists():
        raise DomainError(_("该标识已被使用。"), code="provisioning.schema_taken", field="schema_name")
    administrator = administrator_identity(name=admin_name, mobile=admin_mobile)
    result = tenant_provision(
        preset,
        schema_name=schema_name,
        name=name,
        overrides={
            "identity": {"authority": authority},
            "pilot_period": {"start": pilot_start, "end": pilot_end},
        },
        administrators=[administrator.pk],
    )
    tenant = result.tenant
    home = tenant_url(tenant).rstrip("/")
    invited = not administrator.has_usable_password()
    with schema_context(tenant.schema_name):  # the city's outbox and the city's audit trail
        if invited:
            _invitation, token = invitation_issue(tenant=tenant, user=administrator, created_by=actor)
            link = home + reverse("invitation-accept", args=[token], urlconf=settings.ROOT_URLCONF)
            hours = int(invitation_lifetime().total_seconds() // 3600)
            text = _(
                "您已被设为%(city)s的城市管理员。请在 %(hours)d 小时内打开以下链接设置密码（仅可使用一次）：%(link)s"
            ) % {"city": tenant.name, "hours": hours, "link": link}
        else:
            text = _("您已被设为%(city)s的城市管理员，请使用现有账号登录：%(link)s") % {
                "city": tenant.name,
                "link": home + reverse("login", urlconf=settings.ROOT_URLCONF),
            }
        audit_record(
            action=AuditEntry.Action.CREATE,
            target=tenant,
            changes=audit_changes(
                {},
                {
                    "name": tenant.name,
                    "schema_name": tenant.schema_name,
                    "preset": tenant.preset,
                    "authority": authority,
                    "pilot_period": f"{pilot_start:%Y-%m-%d} – {pilot_end:%Y-%m-%d}",
                    "administrator": f"{admin_name} {_mask(admin_mobile)}",
                    "administrator_access": _("短信发送设置密码链接") if invited else _("短信通知已有账号"),
                },
            ),
            actor=actor,
            ip=ip,
        )
        sms_send(admin_mobile, text)
    return CityCreated(tenant=tenant, administrator=administrator, invited=invited, seconds=result.seconds)
