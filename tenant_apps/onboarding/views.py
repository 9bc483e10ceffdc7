"""Registration pages of a tenant host: account (or join), profile with server-side draft, done."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shared_apps.accounts.forms import CaptchaMixin
from shared_apps.accounts.views import AUTH_BACKEND, client_ip
from tenant_apps.certification.selectors import certification_latest
from tenant_apps.configuration.selectors import tenant_settings
from tenant_apps.onboarding import services
from tenant_apps.onboarding.forms import AccountForm, JoinForm
from tenant_apps.onboarding.profile_forms import OrganisationCoreForm, ProfileForm
from tenant_apps.onboarding.selectors import profile_is_the_form, registration_draft_of
from tenant_apps.organisations.models import Organisation
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.selectors import latest_return
from tenants.errors import DomainError, attach_error


def _open_settings():
    row = tenant_settings()
    if row is None or not row.registration_roles:
        raise Http404(_("本平台暂未开放注册。"))
    return row


def _next_step(settings_row):
    return redirect("register-profile" if settings_row.registration_profile_step else "register-done")


def register_view(request):
    settings_row = _open_settings()
    if request.user.is_authenticated:
        return _join(request, settings_row)
    sending = request.method == "POST" and request.POST.get("action") == "sms_send"
    form = AccountForm(request.POST or None, settings_row=settings_row, sending=sending)
    code_sent = bool(request.POST.get("code_sent"))
    if sending:
        form.is_valid()
        if form.code_may_be_sent():
            try:
                services.registration_code_send(mobile=form.cleaned_data["mobile"], ip=client_ip(request))
            except DomainError as error:
                attach_error(form, error, "mobile")
            else:
                code_sent = True
                messages.success(request, _("验证码已发送至 %(mobile)s，5 分钟内有效。") % {"mobile": _masked(form)})
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _membership = services.registration_account_create(
                role=data["role"],
                username=data.get("username"),
                mobile=data["mobile"],
                mobile_code=data["mobile_code"],
                password=data["new_password1"],
                agreed=data["agree"],
                company=form.company_data(),
                ip=client_ip(request),
            )
        except (DomainError, ValidationError) as error:
            attach_error(form, error)
        else:
            login(request, user, backend=AUTH_BACKEND)
            return _next_step(settings_row)
    status = 400 if form.errors else 200
    context = {"form": form, "settings_row": settings_row, "code_sent": code_sent, "captcha_form": _captcha_of(form)}
    return render(request, "onboarding/register.html", context, status=status)


def _masked(form) -> str:
    mobile = form.cleaned_data["mobile"]
    return f"{mobile[:3]}****{mobile[-4:]}"


def _captcha_of(form):
    """The image captcha beside 获取验证码: the form's own while sending (with its message), else a fresh one."""
    return form if "captcha" in form.fields else CaptchaMixin()


def _join(request, settings_row):
    if current_membership(request.user) is not None:
        messages.info(request, _("您已加入本城市平台。"))
        return redirect("workbench")
    form = JoinForm(request.POST or None, settings_row=settings_row)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_join(
                user=request.user,
                role=form.cleaned_data["role"],
                agreed=form.cleaned_data["agree"],
                company=form.company_data(),
                ip=client_ip(request),
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            return _next_step(settings_row)
    context = {"form": form, "settings_row": settings_row, "joining": True}
    return render(request, "onboarding/register.html", context, status=400 if form.errors else 200)


@login_required
def profile_view(request):
    settings_row = _open_settings()
    membership = current_membership(request.user)
    role = next((r for r in (membership.roles if membership else []) if r in services.ORGANISATION_KIND), None)
    if role is None:
        raise Http404
    organisation = membership.organisation
    if organisation is not None and organisation.certification == Organisation.Certification.CERTIFIED:
        return redirect("workbench")
    if not profile_is_the_form(membership):
        return redirect("my-enterprise")  # this organisation's data is edited in its certification form
    latest = certification_latest(organisation)
    if latest is not None and latest.state == Application.State.IN_REVIEW:
        # Under review the data is what reviewers read: withdraw first to change it (the detail page offers it).
        return render(request, "onboarding/profile.html", {"settings_row": settings_row, "in_review": latest})
    draft = None
    if request.method == "POST":
        form = ProfileForm(request.POST, role=role)
        if form.is_valid():
            core = {name: form.cleaned_data[name] for name in OrganisationCoreForm.base_fields}
            try:
                services.registration_profile_submit(
                    membership=membership,
                    core=core,
                    profile=form.profile_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                return redirect("register-done")
    else:
        draft = registration_draft_of(request.user)
        initial = {
            **(draft.data if draft else _initial_from(organisation)),
            "version": latest.version if latest else None,
        }
        form = ProfileForm(initial=initial, role=role)
    returned = latest_return(latest)
    context = {
        "form": form,
        "settings_row": settings_row,
        "draft_restored": draft is not None,
        "returned": returned,
        "application": latest,
    }
    return render(request, "onboarding/profile.html", context, status=400 if form.errors else 200)


def _initial_from(organisation):
    if organisation is None:
        return {}
    initial = {name: getattr(organisation, name) for name in OrganisationCoreForm.base_fields if name != "industry"}
    initial["industry"] = organisation.industry_id
    for group_code, values in (organisation.profile or {}).items():
        for code, value in values.items():
            initial[f"{group_code}__{code}"] = value
    return initial


@login_required
def done_view(request):
    membership = current_membership(request.user)
    if membership is None:
        return redirect("register")
    return render(request, "onboarding/done.html", {"membership": membership, "checks": _open_checks(membership)})


def _open_checks(membership) -> list:
    """What the applicant still has to do before the review of their registration can pass (e.g. the survey)."""
    from tenant_apps.workflow.models import Application
    from tenant_apps.workflow.selectors import my_applications
    from tenant_apps.workflow.services import stage_checks

    pending = my_applications(membership).filter(state=Application.State.IN_REVIEW).first()
    return [check for check in stage_checks(pending) if not check.passed] if pending else []


def agreement_view(request, which: str):
    settings_row = tenant_settings()
    text = getattr(settings_row, which, "") if settings_row else ""
    title = _("服务协议") if which == "service_agreement" else _("隐私政策")
    return render(request, "onboarding/agreement.html", {"title": title, "text": text})
