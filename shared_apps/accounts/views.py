"""Sign-in, password and mobile pages, the same on the console host and every tenant host."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from shared_apps.accounts import services
from shared_apps.accounts.forms import (
    ApiTokenCreateForm,
    MobileChangeForm,
    PasswordChangeForm,
    PasswordLoginForm,
    PasswordResetForm,
    SmsLoginForm,
    SmsRequestForm,
)
from shared_apps.accounts.models import SmsCode, SmsMessage
from shared_apps.accounts.security import sms_code_issue
from shared_apps.accounts.tokens import api_token_revoke, api_tokens_active
from tenants.client_ip import client_ip as resolve_client_ip
from tenants.errors import DomainError, attach_error

AUTH_BACKEND = "tenant_apps.organisations.backends.TenantRoleBackend"


def client_ip(request) -> str | None:
    return resolve_client_ip(request)  # one resolver, with the configured trusted proxies


def _after_login_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    try:
        return reverse("workbench")
    except NoReverseMatch:
        return reverse("console-home")


def _sms_send_step(request, purpose: str):
    """Shared first step of every SMS flow: mobile + image captcha → a code is sent, or field errors."""
    form = SmsRequestForm(request.POST, prefix="send")
    if form.is_valid():
        try:
            sms_code_issue(mobile=form.cleaned_data["mobile"], purpose=purpose, ip=client_ip(request))
        except DomainError as error:
            attach_error(form, error, "mobile")
        else:
            messages.info(request, _("验证码已发送，5 分钟内有效。"))
            return form, True
    return form, False


def login_view(request):
    mode = request.POST.get("mode") or request.GET.get("mode") or "password"
    password_form = PasswordLoginForm(prefix="pw")
    send_form = SmsRequestForm(prefix="send")
    sms_form = SmsLoginForm(prefix="sms")
    code_sent = False
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "password":
            password_form = PasswordLoginForm(request.POST, prefix="pw")
            if password_form.is_valid():
                try:
                    user = services.login_with_password(
                        identifier=password_form.cleaned_data["identifier"],
                        password=password_form.cleaned_data["password"],
                        ip=client_ip(request),
                    )
                except DomainError as error:
                    attach_error(password_form, error)
                else:
                    login(request, user, backend=AUTH_BACKEND)
                    return redirect(_after_login_url(request))
        elif action == "sms_send":
            send_form, code_sent = _sms_send_step(request, SmsCode.Purpose.LOGIN)
            sms_form = SmsLoginForm(initial={"mobile": request.POST.get("send-mobile", "")}, prefix="sms")
        elif action == "sms_login":
            sms_form = SmsLoginForm(request.POST, prefix="sms")
            code_sent = True
            if sms_form.is_valid():
                try:
                    user = services.login_with_sms(
                        mobile=sms_form.cleaned_data["mobile"],
                        code=sms_form.cleaned_data["code"],
                        ip=client_ip(request),
                    )
                except DomainError as error:
                    attach_error(sms_form, error, "code")
                else:
                    login(request, user, backend=AUTH_BACKEND)
                    return redirect(_after_login_url(request))
        status = 400 if any(f.errors for f in (password_form, send_form, sms_form)) else 200
    return render(
        request,
        "accounts/login.html",
        {
            "mode": mode,
            "password_form": password_form,
            "send_form": send_form,
            "sms_form": sms_form,
            "code_sent": code_sent,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=status,
    )


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except DomainError as error:
            attach_error(form, error, "old_password")
        except ValidationError as error:
            attach_error(form, error, "new_password1")
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect(_after_login_url(request))
    status = 400 if form.errors else 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


def _sms_flow(request, *, purpose, form_class, template, act, success_message, success_url):
    """Two-step page: (1) mobile + captcha sends a code, (2) the code plus the flow's own fields finish it.
    `act(cleaned_data)` performs the service call; its DomainError lands on the code, a password-policy
    ValidationError on the new password."""
    send_form = SmsRequestForm(prefix="send")
    form = form_class(prefix="verify")
    code_sent = False
    if request.method == "POST":
        if request.POST.get("action") == "sms_send":
            send_form, code_sent = _sms_send_step(request, purpose)
            form = form_class(initial={"mobile": request.POST.get("send-mobile", "")}, prefix="verify")
        else:
            code_sent = True
            form = form_class(request.POST, prefix="verify")
            if form.is_valid():
                try:
                    act(form.cleaned_data)
                except DomainError as error:
                    attach_error(form, error, "code")
                except ValidationError as error:
                    attach_error(form, error, "new_password1")
                else:
                    messages.success(request, success_message)
                    return redirect(success_url)
    status = 400 if send_form.errors or form.errors else 200
    return render(request, template, {"send_form": send_form, "form": form, "code_sent": code_sent}, status=status)


def password_reset_view(request):
    def act(data):
        services.password_reset_by_sms(
            mobile=data["mobile"], code=data["code"], new_password=data["new_password1"], ip=client_ip(request)
        )

    return _sms_flow(
        request,
        purpose=SmsCode.Purpose.RESET_PASSWORD,
        form_class=PasswordResetForm,
        template="accounts/password_reset.html",
        act=act,
        success_message=_("密码已重置，请使用新密码登录。"),
        success_url=reverse("login"),
    )


@login_required
def mobile_change_view(request):
    def act(data):
        services.mobile_change(user=request.user, new_mobile=data["mobile"], code=data["code"], ip=client_ip(request))

    return _sms_flow(
        request,
        purpose=SmsCode.Purpose.CHANGE_MOBILE,
        form_class=MobileChangeForm,
        template="accounts/mobile_change.html",
        act=act,
        success_message=_("手机号已更换。"),
        success_url=_after_login_url(request),
    )


def sms_outbox_view(request):
    """Dev-only: the messages the outbox backend 'sent' from this host, so a demo user can read their code."""
    if not (settings.DEBUG or getattr(settings, "PLATFORM_SMS_OUTBOX_VISIBLE", False)):
        raise Http404
    outbox = SmsMessage.objects.filter(schema_name=connection.schema_name)[:50]
    return render(request, "accounts/sms_outbox.html", {"outbox": outbox})


@login_required
@never_cache
def account_security_view(request):
    """账号安全: sign out every other device, create a token for an integration (shown once), list and revoke
    tokens (ADR 0015). Another person's token id is not found."""
    form = ApiTokenCreateForm(prefix="token")
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            try:
                api_token_revoke(request.user, int(request.POST.get("token") or 0))
            except (DomainError, ValueError) as error:
                raise Http404 from error
            messages.success(request, _("令牌已撤销。"))
            return redirect("account-security")
        if action == "sign_out_everywhere":
            services.sessions_end_everywhere(user=request.user, ip=client_ip(request))
            update_session_auth_hash(request, request.user)  # this device stays signed in
            messages.success(request, _("已退出其他所有设备，全部 API 令牌已撤销。"))
            return redirect("account-security")
        if action == "create":
            form = ApiTokenCreateForm(request.POST, prefix="token")
            if form.is_valid():
                try:
                    _token, new_key = services.api_token_create(
                        user=request.user,
                        password=form.cleaned_data["password"],
                        label=form.cleaned_data["label"],
                        days=form.cleaned_data["days"],
                        ip=client_ip(request),
                    )
                except DomainError as error:
                    attach_error(form, error)
                else:
                    form = ApiTokenCreateForm(prefix="token")
    context = {"tokens": api_tokens_active(request.user), "form": form, "new_key": new_key}
    return render(request, "accounts/security.html", context, status=400 if form.errors else 200)
