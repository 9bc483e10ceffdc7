"""Writes about identities: signing in, passwords and the bound mobile. Every outcome lands in SecurityEvent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from shared_apps.accounts.models import SecurityEvent, SmsCode
from shared_apps.accounts.security import event_record, failure_record, lockout_check, sms_code_consume
from tenants.errors import DomainError

User = get_user_model()


def user_by_identifier(identifier: str):
    """The active identity whose username (case-insensitive) or bound mobile is `identifier`, or None."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return User.objects.filter(Q(username__iexact=identifier) | Q(mobile=identifier), is_active=True).first()


def login_with_password(*, identifier: str, password: str, ip: str | None, record_success: bool = True):
    user = user_by_identifier(identifier)
    lockout_check(identifier=identifier, user=user, ip=ip)
    if user is None:
        # Hash the typed password anyway (as Django's ModelBackend does), so an unknown identity takes as long as
        # a known one with a wrong password: the response time must not tell which identities exist.
        User().set_password(password)
    if user is None or not user.check_password(password):
        failure_record(SecurityEvent.Kind.LOGIN_FAILED, user=user, identifier=identifier, ip=ip)
        raise DomainError(_("用户名/手机号或密码不正确。"), code="auth.invalid_credentials")
    if record_success:  # a re-entered password proves the session's owner; it is not a sign-in that clears locks
        event_record(SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, identifier=identifier, ip=ip, detail="password")
    return user


def login_with_sms(*, mobile: str, code: str, ip: str | None):
    user = user_by_identifier(mobile)
    lockout_check(identifier=mobile, user=user, ip=ip, method="sms")
    try:
        sms_code_consume(mobile=mobile, purpose=SmsCode.Purpose.LOGIN, code=code)
    except DomainError:
        failure_record(SecurityEvent.Kind.LOGIN_FAILED, user=user, identifier=mobile, ip=ip, detail="sms")
        raise
    if user is None:
        raise DomainError(_("该手机号尚未注册。"), code="auth.unknown_mobile")
    event_record(SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, identifier=mobile, ip=ip, detail="sms")
    return user


@transaction.atomic
def password_change(*, user, old_password: str, new_password: str, ip: str | None) -> None:
    if not user.check_password(old_password):
        raise DomainError(_("原密码不正确。"), code="auth.wrong_old_password")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save()
    event_record(SecurityEvent.Kind.PASSWORD_CHANGED, user=user, identifier=user.username, ip=ip)


def password_reset_by_sms(*, mobile: str, code: str, new_password: str, ip: str | None):
    """Prove the person with the SMS code first (the cheapest proof; a wrong code counts towards the account's
    lockout), only then judge the new password — its policy names history, which must not be an oracle. The code is
    checked without being used, so a refused new password can be retyped; it is consumed when the password is set."""
    user = user_by_identifier(mobile)
    if user is not None and user.mobile != mobile:
        user = None
    lockout_check(identifier=mobile, user=user, ip=ip, method="sms")
    try:
        sms_code_consume(mobile=mobile, purpose=SmsCode.Purpose.RESET_PASSWORD, code=code, consume=False)
    except DomainError as error:
        failure_record(SecurityEvent.Kind.RESET_CODE_FAILED, user=user, identifier=mobile, ip=ip, detail=error.code)
        raise
    if user is None:  # the person has just proven they hold this number: telling them it has no account is no leak
        raise DomainError(_("该手机号尚未注册。"), code="auth.unknown_mobile")
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        codes = ",".join(sorted({e.code or "" for e in error.error_list}))
        event_record(SecurityEvent.Kind.RESET_REFUSED, user=user, identifier=mobile, ip=ip, detail=codes[:200])
        raise
    sms_code_consume(mobile=mobile, purpose=SmsCode.Purpose.RESET_PASSWORD, code=code)  # once, re-checked under lock
    with transaction.atomic():
        user.set_password(new_password)
        user.save()
        event_record(SecurityEvent.Kind.PASSWORD_RESET, user=user, identifier=mobile, ip=ip)
    return user


def mobile_change(*, user, new_mobile: str, code: str, ip: str | None) -> None:
    """Bind a new mobile after proving it with a code sent to that new number. Whether the number is taken is told
    only to whoever holds it (after the code), so the form cannot be used to probe which numbers have accounts."""
    sms_code_consume(mobile=new_mobile, purpose=SmsCode.Purpose.CHANGE_MOBILE, code=code, consume=False)
    if User.objects.filter(mobile=new_mobile).exclude(pk=user.pk).exists():
        raise DomainError(_("该手机号已被其他账号绑定。"), code="auth.mobile_taken")
    sms_code_consume(mobile=new_mobile, purpose=SmsCode.Purpose.CHANGE_MOBILE, code=code)  # commits on its own
    old = user.mobile or ""
    with transaction.atomic():
        user.mobile = new_mobile
        user.save(update_fields=["mobile"])
        event_record(SecurityEvent.Kind.MOBILE_CHANGED, user=user, identifier=new_mobile, ip=ip, detail=f"from {old}")


@transaction.atomic
def sessions_end_everywhere(*, user, ip: str | None) -> None:
    """End every session of this identity on every host, and every API token. The caller keeps its own session
    with `update_session_auth_hash` (the person pressing the button stays signed in)."""
    from shared_apps.accounts.tokens import api_tokens_revoke_all

    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    revoked = api_tokens_revoke_all(user)
    event_record(
        SecurityEvent.Kind.SIGNED_OUT_EVERYWHERE, user=user, identifier=user.username, ip=ip, detail=f"tokens {revoked}"
    )


def api_token_create(*, user, password: str, label: str, days: int, ip: str | None):
    """A token for an integration, made by a signed-in person who re-enters their password (a long-lived credential
    is a step up); the check goes through the sign-in service, so it is counted, locked and audited the same."""
    from shared_apps.accounts.tokens import api_token_issue

    try:
        login_with_password(identifier=user.username, password=password, ip=ip, record_success=False)
    except DomainError as error:
        message = _("密码不正确。") if error.code == "auth.invalid_credentials" else error.message
        raise DomainError(message, code=error.code, field="password", status=error.status) from error
    token, key = api_token_issue(user, label=label, days=days)
    event_record(SecurityEvent.Kind.TOKEN_CREATED, user=user, identifier=user.username, ip=ip, detail=label[:200])
    return token, key
