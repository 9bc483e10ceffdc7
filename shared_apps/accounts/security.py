"""Sign-in security: one-time SMS codes, lockout after repeated failures, and the audit trail behind both."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import SecurityEvent, SmsCode
from shared_apps.accounts.sms import sms_send
from tenants.errors import DomainError

CODE_LIFETIME = timedelta(minutes=5)
RESEND_COOLDOWN = timedelta(seconds=60)
LOCKOUT_WINDOW = timedelta(minutes=15)
LOCKOUT_THRESHOLD = 5  # per account; per IP it is PLATFORM_LOCKOUT_PER_IP (default 5, raise it behind a shared NAT)
MAX_CODE_ATTEMPTS = 5
# What counts towards the lockout: failed sign-ins (password or SMS) and wrong codes on the reset form.
FAILURE_KINDS = (SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.RESET_CODE_FAILED)


def _daily_cap(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def event_record(kind: str, *, user=None, identifier: str = "", ip: str | None = None, detail: str = "") -> None:
    SecurityEvent.objects.create(
        kind=kind, user=user, identifier=identifier[:150], ip=ip, schema_name=connection.schema_name, detail=detail
    )


# --- SMS codes -----------------------------------------------------------------------------------------------
@transaction.atomic
def sms_code_issue(*, mobile: str, purpose: str, ip: str | None) -> SmsCode:
    """Send a fresh 6-digit code, refusing inside the 60 s cooldown or past the per-mobile / per-IP daily caps."""
    now = timezone.now()
    # Serialise issuing per mobile so two quick clicks cannot both pass the cooldown check.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"sms:{mobile}"])
    recent = SmsCode.objects.filter(mobile=mobile, created_at__gte=now - timedelta(days=1))
    last = recent.order_by("-created_at").first()
    if last and now - last.created_at < RESEND_COOLDOWN:
        wait = int((RESEND_COOLDOWN - (now - last.created_at)).total_seconds()) + 1
        raise DomainError(_("验证码发送过于频繁，请 %(s)d 秒后再试。") % {"s": wait}, code="auth.cooldown", status=429)
    if recent.count() >= _daily_cap("PLATFORM_SMS_DAILY_PER_MOBILE", 10):
        raise DomainError(_("该手机号今日获取验证码次数已达上限。"), code="auth.mobile_cap", status=429)
    if ip and SmsCode.objects.filter(ip=ip, created_at__gte=now - timedelta(days=1)).count() >= _daily_cap(
        "PLATFORM_SMS_DAILY_PER_IP", 30
    ):
        raise DomainError(_("当前网络今日获取验证码次数已达上限。"), code="auth.ip_cap", status=429)
    code = f"{secrets.randbelow(1_000_000):06d}"
    record = SmsCode.objects.create(
        mobile=mobile,
        purpose=purpose,
        schema_name=connection.schema_name,
        code_hash=make_password(code),
        ip=ip,
        expires_at=now + CODE_LIFETIME,
    )
    sms_send(mobile, _("您的验证码为 %(code)s，5 分钟内有效。请勿泄露给他人。") % {"code": code})
    return record


def sms_code_consume(*, mobile: str, purpose: str, code: str, consume: bool = True) -> None:
    """Accept the latest unused, unexpired code for this mobile, purpose and host — once.

    `consume=False` only checks it (a wrong guess still counts), so a flow can prove the person first and then
    validate the rest of its form without burning the code; it consumes (re-checked under lock) when it acts.
    The refusal is raised only after the transaction commits, so a wrong guess is counted even when the caller's
    own work is rolled back."""
    refusal = _sms_code_check_and_mark(mobile=mobile, purpose=purpose, code=code, consume=consume)
    if refusal:
        raise refusal


@transaction.atomic
def _sms_code_check_and_mark(*, mobile: str, purpose: str, code: str, consume: bool = True) -> DomainError | None:
    now = timezone.now()
    record = (
        SmsCode.objects.select_for_update()
        .filter(mobile=mobile, purpose=purpose, schema_name=connection.schema_name, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if record is None or record.expires_at <= now:
        return DomainError(_("验证码已失效，请重新获取。"), code="auth.expired")
    if record.failed_attempts >= MAX_CODE_ATTEMPTS:
        return DomainError(_("验证码错误次数过多，请重新获取。"), code="auth.too_many_attempts")
    if not check_password(code or "", record.code_hash):
        SmsCode.objects.filter(pk=record.pk).update(failed_attempts=record.failed_attempts + 1)
        return DomainError(_("验证码不正确。"), code="auth.wrong_code")
    if not consume:
        return None
    record.used_at = now
    record.save(update_fields=["used_at"])
    return None


# --- Lockout ---------------------------------------------------------------------------------------------------
def lockout_check(*, identifier: str, user=None, ip: str | None) -> None:
    """Refuse while the account or the IP has 5 failures in the last 15 minutes."""
    since = timezone.now() - LOCKOUT_WINDOW
    failures = SecurityEvent.objects.filter(kind__in=FAILURE_KINDS, created_at__gte=since)
    if user is not None:
        # A successful sign-in starts the account's count afresh.
        last_success = (
            SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, created_at__gte=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        by_account = failures.filter(user=user, created_at__gt=last_success or since)
    else:
        by_account = failures.filter(identifier=identifier)
    if by_account.count() >= LOCKOUT_THRESHOLD:
        event_record(SecurityEvent.Kind.LOCKED_OUT, user=user, identifier=identifier, ip=ip)
        raise DomainError(
            _("登录失败次数过多，账号已锁定 15 分钟，请稍后再试或通过短信验证码找回密码。"),
            code="auth.locked",
            status=429,
        )
    if ip and failures.filter(ip=ip).count() >= _daily_cap("PLATFORM_LOCKOUT_PER_IP", LOCKOUT_THRESHOLD):
        # The network is paused, not the account: say so, and do not tell a stranger anything about the account.
        event_record(SecurityEvent.Kind.LOCKED_OUT, user=user, identifier=identifier, ip=ip, detail="ip")
        raise DomainError(
            _("当前网络登录失败次数过多，请 15 分钟后再试。"),
            code="auth.ip_locked",
            status=429,
        )
