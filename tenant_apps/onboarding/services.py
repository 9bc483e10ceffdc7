"""Registration writes: a new identity or an existing one joins this tenant, the profile draft, the profile."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shared_apps.accounts.models import SecurityEvent, SmsCode
from shared_apps.accounts.security import event_record, sms_code_consume, sms_code_issue
from tenant_apps.configuration.selectors import tenant_settings
from tenant_apps.onboarding.models import ProfileField, ProfileFieldGroup, RegistrationDraft
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.organisations.selectors import forget_membership
from tenants.errors import DomainError, conflict

DRAFT_MAX_BYTES = 64 * 1024
ORGANISATION_KIND = {"enterprise": Organisation.Kind.ENTERPRISE, "provider": Organisation.Kind.PROVIDER}


def _allowed_role(role: str) -> None:
    row = tenant_settings()
    if row is None or role not in row.registration_roles:
        raise DomainError(_("本平台不开放该身份的注册。"), code="registration.role_closed", field="role")


def _registration_checked(*, role: str, agreed: bool, company: dict | None) -> dict | None:
    """What every registration path must bring, the page and the API alike: a role this tenant opens, consent to
    the service agreement and privacy policy, and — where the tenant collects the company at sign-up — the company,
    validated by the same fields as the page. Returns the company data to store (None where not collected)."""
    from tenant_apps.onboarding.forms import CompanyForm

    _allowed_role(role)
    if agreed is not True:
        raise DomainError(_("请阅读并同意服务协议和隐私政策。"), code="registration.agreement_required", field="agree")
    if not company and not tenant_settings().registration_company_step:
        return None  # not collected at sign-up here (the profile step or certification asks for it)
    form = CompanyForm({f"company_{name}": value for name, value in (company or {}).items()})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(errors[0], code="registration.company_invalid", field=field)
    return form.company_data()


def _organisation_create(*, role: str, company: dict) -> Organisation:
    uscc = (company.get("uscc") or "").strip().upper() or None
    if uscc and Organisation.objects.filter(uscc=uscc).exists():
        raise DomainError(
            _("该统一社会信用代码已注册。请联系该单位的主账号为您开通子账号，或通过手机号找回账号。"),
            code="registration.uscc_taken",
            field="company_uscc",
        )
    return Organisation.objects.create(
        kind=ORGANISATION_KIND[role],
        name=company["name"],
        uscc=uscc,
        region=company.get("region", ""),
        address=company.get("address", ""),
        contact_name=company.get("contact_name", ""),
        profile={"registration": {"industry_section": company.get("industry_section", "")}}
        if company.get("industry_section")
        else {},
        certification=Organisation.Certification.PENDING,
    )


def _certification_start(membership, organisation) -> None:
    from tenant_apps.certification.services import certification_start_from_profile

    certification_start_from_profile(membership=membership, organisation=organisation)


def registration_code_send(*, mobile: str, ip: str | None) -> None:
    """Send the code that proves the mobile before an account is created (seeds 001/004 verify it).

    Sent whether or not the mobile is registered, so the answer says nothing about who has an account; only the
    person holding the phone learns it, after typing the code. The caller has checked the image captcha; the
    cooldown and the daily caps per mobile and per address apply as to every code."""
    sms_code_issue(mobile=mobile, purpose=SmsCode.Purpose.REGISTER, ip=ip)


def _mobile_code_check(mobile: str, code: str, *, consume: bool = True) -> None:
    try:
        sms_code_consume(mobile=mobile, purpose=SmsCode.Purpose.REGISTER, code=code, consume=consume)
    except DomainError as error:
        error.field = "mobile_code"  # the refusal belongs beside the code the person typed
        raise


def registration_account_create(
    *,
    role: str,
    username: str | None,
    mobile: str,
    mobile_code: str,
    password: str,
    agreed: bool,
    company: dict | None = None,
    ip: str | None = None,
):
    """A new identity (global) with its membership here. Raises DomainError or ValidationError (password). The page
    and the API both come here, so both are held to `_registration_checked`.

    The SMS code is the cheapest proof and comes first: whether the mobile, the username or the USCC is taken is
    only said to someone who holds the phone. The code is checked without being spent, so a typo elsewhere in the
    form does not cost a new code, and spent inside the transaction that creates the account."""
    User = get_user_model()
    _mobile_code_check(mobile, mobile_code, consume=False)
    company = _registration_checked(role=role, agreed=agreed, company=company)
    username = username or mobile
    if User.objects.filter(mobile=mobile).exists():
        raise DomainError(
            _("该手机号已注册。请直接登录，登录后可加入本城市平台。"), code="registration.mobile_taken", field="mobile"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("该用户名已被使用。"), code="registration.username_taken", field="username")
    validate_password(password, User(username=username, mobile=mobile))
    try:
        with transaction.atomic():
            _mobile_code_check(mobile, mobile_code)
            user = User.objects.create_user(username=username, mobile=mobile, password=password)
            organisation = _organisation_create(role=role, company=company) if company else None
            membership = Membership.objects.create(user=user, roles=[role], organisation=organisation)
            if organisation is not None:
                _certification_start(membership, organisation)
    except IntegrityError as error:  # a concurrent registration took the name or mobile first
        raise DomainError(
            _("该用户名或手机号已被注册。"), code="registration.identity_taken", field="mobile"
        ) from error
    event_record(SecurityEvent.Kind.REGISTERED, user=user, identifier=username, ip=ip, detail=role)
    return user, membership


def registration_join(
    *, user, role: str, agreed: bool, company: dict | None = None, ip: str | None = None
) -> Membership:
    """A person known in another city joins this one with the same credentials (held to the same checks)."""
    company = _registration_checked(role=role, agreed=agreed, company=company)
    if Membership.objects.filter(user=user).exists():
        raise DomainError(_("您已加入本城市平台。"), code="registration.already_member")
    with transaction.atomic():
        organisation = _organisation_create(role=role, company=company) if company else None
        membership = Membership.objects.create(user=user, roles=[role], organisation=organisation)
        if organisation is not None:
            _certification_start(membership, organisation)
    forget_membership(user)
    event_record(SecurityEvent.Kind.JOINED_TENANT, user=user, identifier=user.username, ip=ip, detail=role)
    return membership


def registration_draft_save(*, user, data: dict) -> RegistrationDraft:
    """Keep what was typed so far; only strings and lists of strings, bounded in size, without NUL characters
    (PostgreSQL cannot store them)."""

    def text(value, limit: int) -> str:
        return str(value).replace("\x00", "")[:limit]

    clean = {}
    for key, value in data.items():
        if isinstance(value, list):
            clean[text(key, 80)] = [text(item, 500) for item in value][:50]
        elif value is not None:
            clean[text(key, 80)] = text(value, 2000)
    if len(repr(clean).encode()) > DRAFT_MAX_BYTES:
        raise DomainError(_("草稿内容过多，无法保存。"), code="registration.draft_too_large")
    draft, _created = RegistrationDraft.objects.update_or_create(user=user, defaults={"data": clean})
    return draft


@transaction.atomic
def registration_profile_submit(
    *, membership: Membership, core: dict, profile: dict, expected_version: int | None = None
) -> Organisation:
    """Create (or, while not yet certified, update) the organisation from step 2; it awaits certification.

    Locks in the documented order: the membership (two quick submits make one organisation), then the application
    being re-edited (a stale form is refused), and only then writes the organisation."""
    from tenant_apps.certification.selectors import certification_latest, certification_request_of
    from tenant_apps.workflow.services import application_touch

    role = next(role for role in membership.roles if role in ORGANISATION_KIND)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=membership.pk)
    organisation = membership.organisation
    latest = certification_latest(organisation)
    if latest is not None and certification_request_of(latest) is not None:
        raise DomainError(
            _("您的单位通过企业认证表提交了信息，请在“我的企业”中修改后重新提交。"), code="registration.edit_form"
        )
    if latest is not None and latest.state == latest.State.IN_REVIEW:
        raise conflict(_("组织档案正在认证审核中，请先撤销申请再修改。"), code="registration.in_review")
    if latest is not None and latest.state in latest.EDITABLE_STATES:
        application_touch(application=latest, actor=membership.user, expected_version=expected_version)
    uscc = core["uscc"]
    clash = Organisation.objects.filter(uscc=uscc)
    if organisation is not None:
        clash = clash.exclude(pk=organisation.pk)
    if clash.exists():
        raise DomainError(
            _("该统一社会信用代码已注册。请联系该单位的主账号为您开通子账号，或通过手机号找回账号。"),
            code="registration.uscc_taken",
            field="uscc",
        )
    # Groups the form does not show (e.g. what registration collected at sign-up) are kept, not dropped.
    kept = dict(organisation.profile or {}) if organisation is not None else {}
    fields = {**core, "profile": {**kept, **profile}, "certification": Organisation.Certification.PENDING}
    if organisation is None:
        organisation = Organisation.objects.create(kind=ORGANISATION_KIND[role], **fields)
        membership.organisation = organisation
        membership.save(update_fields=["organisation"])
    else:
        for name, value in fields.items():
            setattr(organisation, name, value)
        organisation.save()
    RegistrationDraft.objects.filter(user_id=membership.user_id).delete()
    _certification_start(membership, organisation)
    return organisation


@transaction.atomic
def profile_config_apply(groups: list[dict]) -> None:
    """Create or update the profile field groups and fields of a preset (rows the preset does not name stay)."""
    for position, spec in enumerate(groups):
        group, _created = ProfileFieldGroup.objects.update_or_create(
            role=spec["role"], code=spec["code"], defaults={"name": spec["name"], "position": position}
        )
        for field_position, field in enumerate(spec.get("fields", [])):
            if field.get("kind", "text") not in ProfileField.Kind.values:
                raise ValidationError(f"unknown field kind {field['kind']!r} in group {spec['code']}")
            ProfileField.objects.update_or_create(
                group=group,
                code=field["code"],
                defaults={
                    "label": field["label"],
                    "kind": field.get("kind", "text"),
                    "required": field.get("required", False),
                    "max_length": field.get("max_length"),
                    "choices": field.get("choices", []),
                    "help_text": field.get("help_text", ""),
                    "position": field_position,
                },
            )
