"""信息变更 (seed 004 sidebar): a provider changes its basic information — contact, address, nature, profile — and
the change takes effect when the tenant's `[flows.provider_change]` approves it. Name and USCC come from
registration and are never changed here. Every change keeps what it replaced (`previous`), so the history reads as
before → after."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.ecosystem import common
from tenant_apps.ecosystem.models import Nature, ProviderChange, Status
from tenant_apps.organisations.models import Organisation
from tenant_apps.workflow.models import Application
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

KIND = "provider_change"
AREA = "change"
# field: (label, max length); the first five are the organisation's own columns, the rest its ecosystem profile.
FIELDS = {
    "contact_name": (gettext_lazy("联系人"), 30),
    "contact_mobile": (gettext_lazy("联系人手机"), 11),
    "email": (gettext_lazy("电子邮箱"), 254),
    "region": (gettext_lazy("所在地区"), 60),
    "address": (gettext_lazy("详细地址"), 100),
    "nature": (gettext_lazy("公司性质"), 10),
    "profile": (gettext_lazy("服务商简介"), 500),
    "guarantee": (gettext_lazy("服务实施保障"), 500),
}
ORGANISATION_COLUMNS = ("contact_name", "contact_mobile", "email", "region", "address")


def current(organisation: Organisation) -> dict:
    """The provider's basic information now: its columns, then its ecosystem profile (changed before), else the
    latest approved declaration's answers."""
    from tenant_apps.ecosystem.declarations import declarations_of

    values = {field: getattr(organisation, field) or "" for field in ORGANISATION_COLUMNS}
    stored = (organisation.profile or {}).get("ecosystem", {})
    last = declarations_of(organisation).filter(status=Status.APPROVED).first()
    for field in ("nature", "profile", "guarantee"):
        values[field] = stored.get(field, getattr(last, field, "") if last else "") or ""
    return values


def changes_of(organisation):
    return ProviderChange.objects.filter(organisation=organisation).select_related("application")


def access_change(membership, pk) -> ProviderChange:
    change = changes_of(common.provider_of(membership)).filter(pk=pk).first()
    if change is None:
        raise not_found(_("该变更不存在。"), code="change.not_found")
    return change


def _clean(data: dict) -> dict:
    from django.core.validators import validate_email

    from tenants.validators import mobile_validator

    clean = Cleaner(AREA)
    values = {}
    for field, (label, max_length) in FIELDS.items():
        values[field] = clean.text(data.get(field), field=field, label=label, max_length=max_length, required=False)
    if values["nature"] and values["nature"] not in Nature.values:
        raise DomainError(_("请选择公司性质。"), code="change.nature", field="nature")
    for field, validate, message in (
        ("contact_mobile", mobile_validator, _("请输入 11 位手机号码。")),
        ("email", validate_email, _("请输入有效的电子邮箱。")),
    ):
        if values[field]:
            try:
                validate(values[field])
            except Exception:  # noqa: BLE001 - Django's ValidationError; the message is ours
                raise DomainError(message, code=f"change.{field}", field=field) from None
    if not values["contact_name"]:
        raise DomainError(_("请填写联系人。"), code="change.required", field="contact_name")
    return values


@transaction.atomic
def change_save(
    *,
    membership,
    data: dict,
    change: ProviderChange | None = None,
    submit: bool = False,
    expected_version: int | None = None,
) -> ProviderChange:
    """保存 (and 提交 when `submit`): one open change at a time; what is unchanged is refused at submission."""
    from tenant_apps.workflow.services import application_create, application_submit, application_touch

    organisation = common.provider_of(membership)
    values = _clean(data)
    reason = Cleaner(AREA).text(
        data.get("reason"), field="reason", label=_("变更原因"), max_length=200, required=submit
    )
    if change is None:
        if changes_of(organisation).filter(status__in=(*common.EDITABLE, Status.IN_REVIEW)).exists():
            raise conflict(_("已有一项未办结的信息变更，请在列表中继续填写。"), code="change.open_exists")
        application = application_create(
            kind=KIND,
            applicant=membership.user,
            title=_("信息变更：%(name)s") % {"name": organisation.name},
            organisation=organisation,
        )
        change = ProviderChange(organisation=organisation, application=application, created_by=membership.user)
    else:
        if change.organisation_id != organisation.pk:
            raise not_found(_("该变更不存在。"), code="change.not_found")
        common.editable(change, area=AREA)
        change.application = application_touch(
            application=change.application, actor=membership.user, expected_version=expected_version
        )
    change.data, change.reason = values, reason
    change.previous = current(organisation)
    if submit and change.data == change.previous:
        raise DomainError(_("您没有修改任何信息。"), code="change.nothing_changed")
    change.save()
    if submit:
        change.application = application_submit(application=change.application, actor=membership.user)
        change.refresh_from_db(fields=["status"])  # the outcome handler mirrored the engine's state
    return change


@transaction.atomic
def change_delete(*, membership, change: ProviderChange) -> None:
    from tenant_apps.workflow.services import application_discard

    organisation = common.provider_of(membership)
    if change.organisation_id != organisation.pk:
        raise not_found(_("该变更不存在。"), code="change.not_found")
    common.editable(change, area=AREA)
    application_discard(application=change.application, actor=membership.user)  # closed, not left 已退回
    application_id = change.application_id
    change.delete()
    Application.objects.filter(pk=application_id, state=Application.State.DRAFT).delete()


def on_outcome(application: Application) -> None:
    """Mirror the state; approval writes the new values to the organisation (its columns and ecosystem profile)."""
    change = ProviderChange.objects.filter(application=application).first()
    if change is None:
        return
    change.status = common.STATUS_OF_STATE[application.state]
    if application.state == Application.State.APPROVED:
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=change.organisation_id)
        for field in ORGANISATION_COLUMNS:
            setattr(organisation, field, change.data.get(field, ""))
        profile = dict(organisation.profile or {})
        profile["ecosystem"] = {field: change.data.get(field, "") for field in ("nature", "profile", "guarantee")}
        organisation.profile = profile
        organisation.save()
        change.applied_at = timezone.now()
    change.save(update_fields=["status", "applied_at"])
