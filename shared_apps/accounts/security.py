"""Sign-in security: one-time SMS codes, lockout after repeated failures, and the audit trail behind both."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from shared_apps.accounts.models import SecurityEvent, SmsCode
from shared_apps.accounts.sms import sms_send
from tenants.errors import DomainError

CODE_LIFETIME = timedelta(minutes=5)
RESEND_COOLDOWN = timedelta(seconds=60)
MAX_CODE_ATTEMPTS = 5
# What counts towards the lockout: failed sign-ins (password or SMS) and wrong codes on the reset form.
FAILURE_KINDS = (SecurityEvent.Kind.LOGIN_FAILED, SecurityEvent.Kind.RESET_CODE_FAILED)


def _daily_cap(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def event_record(
    kind: str, *, user=None, identifier: str = "", ip: str | None = None, detail: str = "", now=None
) -> None:
    SecurityEvent.objects.create(
        kind=kind,
        user=user,
        identifier=identifier[:150],
        ip=ip,
        schema_name=connection.schema_name,
        detail=detail,
        created_at=now or timezone.now(),
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


# --- Lockout (ADR 0016) -----------------------------------------------------------------------------------------
# The audit trail is the counter, and a lock is itself an event (`locked_out`, detail = its scope): a lock lasts from
# the moment it was taken, and a success, an SMS reset or an administrator's unlock after it ends it.
PAIR_DELAYS = {3: timedelta(seconds=30), 4: timedelta(seconds=60)}  # after the 3rd and 4th failure: wait, then retry
PAIR_THRESHOLD = 5  # the 5th failure of one account from one address pauses that pair
PAIR_PAUSE = timedelta(minutes=15)
ACCOUNT_WINDOW = timedelta(hours=24)
IP_WINDOW = timedelta(minutes=15)
IP_PAUSE = timedelta(minutes=15)
SCOPE_PAIR, SCOPE_ACCOUNT, SCOPE_IP = "pair", "account", "ip"
# Events after which an account's counts start afresh and its locks end.
CLEARING_KINDS = (SecurityEvent.Kind.LOGIN_SUCCEEDED, SecurityEvent.Kind.PASSWORD_RESET, SecurityEvent.Kind.UNLOCKED)


def account_lock_minutes() -> int:
    return _daily_cap("PLATFORM_LOCKOUT_ACCOUNT_MINUTES", 30)


def _account_q(user, identifier: str) -> Q:
    """An account is the identity when one matches, else the typed identifier — so an unknown name is counted and
    locked exactly like a real one and the answers cannot tell them apart."""
    return Q(user=user) if user is not None else Q(user__isnull=True, identifier=identifier[:150])


def _cleared_at(user):
    """(latest clearing event, latest administrator's unlock) of this identity. Any clearing event ends the account
    lock and restarts the counts; only an unlock ends a pause of one address — the owner signing in elsewhere does
    not lift the pause of the address that was guessing."""
    if user is None:
        return None, None
    row = SecurityEvent.objects.filter(user=user, kind__in=CLEARING_KINDS).aggregate(
        cleared=Max("created_at"), unlocked=Max("created_at", filter=Q(kind=SecurityEvent.Kind.UNLOCKED))
    )
    return row["cleared"], row["unlocked"]


def _later(*moments):
    return max(m for m in moments if m is not None)


def _locks(*, user, identifier: str, ip: str | None, now) -> list[SecurityEvent]:
    """Locks taken within the longest duration that still concern this account or this address."""
    scope = _account_q(user, identifier)
    if ip:
        scope |= Q(ip=ip, detail=SCOPE_IP)
    since = now - max(PAIR_PAUSE, IP_PAUSE, timedelta(minutes=account_lock_minutes()))
    return list(SecurityEvent.objects.filter(scope, kind=SecurityEvent.Kind.LOCKED_OUT, created_at__gt=since))


def _pair_failures(*, user, identifier: str, ip: str | None, since):
    rows = SecurityEvent.objects.filter(
        _account_q(user, identifier), kind__in=FAILURE_KINDS, ip=ip, created_at__gt=since
    ).aggregate(n=Count("id"), last=Max("created_at"))
    return rows["n"], rows["last"]


def _wait_text(until, now) -> dict:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    return {"minutes": minutes, "time": timezone.localtime(until).strftime("%H:%M")}


def lockout_check(*, identifier: str, user=None, ip: str | None, method: str = "password") -> None:
    """Refuse an attempt while a lock or a delay applies; say which, and until when.

    - the address is paused (too many failures across accounts): every method from it, every account;
    - this account from this address is paused (5 failures) or must wait (30 s after the 3rd, 60 s after the 4th);
    - the account is locked for passwords (10 failures from anywhere in 24 h). SMS sign-in and the SMS reset stay
      open: they prove the owner, end the lock, and so a stranger cannot lock the owner out."""
    now = timezone.now()
    cleared, unlocked = _cleared_at(user)
    refusal = None
    ends = {}  # scope → when its latest live lock ends
    for lock in _locks(user=user, identifier=identifier, ip=ip, now=now):
        if lock.detail == SCOPE_IP:
            until = lock.created_at + IP_PAUSE
        elif lock.detail == SCOPE_PAIR and lock.ip == ip and (unlocked is None or lock.created_at > unlocked):
            until = lock.created_at + PAIR_PAUSE
        elif lock.detail == SCOPE_ACCOUNT and method == "password" and (cleared is None or lock.created_at > cleared):
            until = lock.created_at + timedelta(minutes=account_lock_minutes())
        else:
            continue
        if until > now:
            ends[lock.detail] = max(until, ends.get(lock.detail, until))
    if SCOPE_IP in ends:
        refusal = DomainError(
            _("当前网络登录失败次数过多，请 %(minutes)d 分钟后（%(time)s）再试。") % _wait_text(ends[SCOPE_IP], now),
            code="auth.ip_locked",
            status=429,
        )
    elif SCOPE_ACCOUNT in ends:
        refusal = DomainError(
            _("该账号登录失败次数过多，密码登录已暂停至 %(time)s。您可以使用短信验证码登录或找回密码，立即恢复。")
            % _wait_text(ends[SCOPE_ACCOUNT], now),
            code="auth.locked",
            status=429,
        )
    elif SCOPE_PAIR in ends:
        refusal = DomainError(
            _("登录失败次数过多，请 %(minutes)d 分钟后（%(time)s）再试，或使用短信验证码登录。")
            % _wait_text(ends[SCOPE_PAIR], now),
            code="auth.paused",
            status=429,
        )
    else:
        pair_since = _later(cleared, now - ACCOUNT_WINDOW, *_pair_lock_times(user, identifier, ip))
        failures, last = _pair_failures(user=user, identifier=identifier, ip=ip, since=pair_since)
        delay = PAIR_DELAYS.get(failures)
        if delay and last + delay > now:
            seconds = math.ceil((last + delay - now).total_seconds())
            refusal = DomainError(
                _("登录失败次数较多，请 %(s)d 秒后再试。") % {"s": seconds}, code="auth.slow_down", status=429
            )
    if refusal is not None:
        event_record(
            SecurityEvent.Kind.LOCK_REFUSED, user=user, identifier=identifier, ip=ip, detail=refusal.code, now=now
        )
        raise refusal


def _pair_lock_times(user, identifier: str, ip: str | None) -> list:
    last = (
        SecurityEvent.objects.filter(
            _account_q(user, identifier), kind=SecurityEvent.Kind.LOCKED_OUT, detail=SCOPE_PAIR, ip=ip
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return [last]


def failure_record(kind: str, *, user=None, identifier: str, ip: str | None, detail: str = "") -> None:
    """Record a failed proof and take the locks it completes (each a `locked_out` event of its scope)."""
    now = timezone.now()
    event_record(kind, user=user, identifier=identifier, ip=ip, detail=detail, now=now)
    cleared = _cleared_at(user)[0]
    failures = SecurityEvent.objects.filter(kind__in=FAILURE_KINDS)
    pair_since = _later(cleared, now - ACCOUNT_WINDOW, *_pair_lock_times(user, identifier, ip))
    if _pair_failures(user=user, identifier=identifier, ip=ip, since=pair_since)[0] >= PAIR_THRESHOLD:
        event_record(SecurityEvent.Kind.LOCKED_OUT, user=user, identifier=identifier, ip=ip, detail=SCOPE_PAIR, now=now)
    account_locks = SecurityEvent.objects.filter(
        _account_q(user, identifier), kind=SecurityEvent.Kind.LOCKED_OUT, detail=SCOPE_ACCOUNT
    )
    account_since = _later(
        cleared,
        now - ACCOUNT_WINDOW,
        account_locks.order_by("-created_at").values_list("created_at", flat=True).first(),
    )
    threshold = _daily_cap("PLATFORM_LOCKOUT_PER_ACCOUNT", 10)
    if failures.filter(_account_q(user, identifier), created_at__gt=account_since).count() >= threshold:
        event_record(
            SecurityEvent.Kind.LOCKED_OUT, user=user, identifier=identifier, ip=ip, detail=SCOPE_ACCOUNT, now=now
        )
        if user is not None and user.mobile:
            until = now + timedelta(minutes=account_lock_minutes())
            sms_send(
                user.mobile,
                _(
                    "您的账号 %(name)s 多次登录失败，密码登录已暂停至 %(time)s。"
                    "如非本人操作，请使用短信验证码登录并修改密码。"
                )
                % {"name": user.username, "time": timezone.localtime(until).strftime("%H:%M")},
            )
    if ip:
        ip_locks = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOCKED_OUT, detail=SCOPE_IP, ip=ip)
        ip_since = _later(
            now - IP_WINDOW, ip_locks.order_by("-created_at").values_list("created_at", flat=True).first()
        )
        if failures.filter(ip=ip, created_at__gt=ip_since).count() >= _daily_cap("PLATFORM_LOCKOUT_PER_IP", 20):
            event_record(SecurityEvent.Kind.LOCKED_OUT, identifier="", ip=ip, detail=SCOPE_IP, now=now)


def account_unlock(*, user, by=None, ip: str | None = None) -> None:
    """An administrator ends every lock of this account (the owner's own path is an SMS sign-in or reset)."""
    event_record(
        SecurityEvent.Kind.UNLOCKED,
        user=user,
        identifier=user.username,
        ip=ip,
        detail=f"by {by.username}" if by else "",
    )


def with_lock_state(users):
    """Annotate a queryset of users with `password_locked_at` (their live account lock, if any) in the same query,
    for administrators' lists (no query per row)."""
    live_since = timezone.now() - timedelta(minutes=account_lock_minutes())
    events = SecurityEvent.objects.filter(user=OuterRef("pk")).order_by("-created_at")
    locks = events.filter(kind=SecurityEvent.Kind.LOCKED_OUT, detail=SCOPE_ACCOUNT, created_at__gt=live_since)
    clearing = events.filter(kind__in=CLEARING_KINDS)
    return users.annotate(
        password_locked_at=Subquery(locks.values("created_at")[:1]),
        password_cleared_at=Subquery(clearing.values("created_at")[:1]),
    )


def lock_state_locked(user) -> bool:
    locked_at, cleared_at = user.password_locked_at, user.password_cleared_at
    return locked_at is not None and (cleared_at is None or locked_at > cleared_at)
