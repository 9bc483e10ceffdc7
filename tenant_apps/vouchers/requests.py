"""申请: an enterprise applies for a voucher of an `apply` type; the tenant's `voucher_application` chain decides
(national preset: operations). Approval issues the voucher from the type's stock inside the engine's deciding
transaction (lock order: application → task → type → voucher); a type sold out by then refuses the approval with
409, so the reviewer returns or rejects instead. The per-enterprise limit counts held vouchers and requests in
review together, so an enterprise cannot queue more requests than it may hold."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.vouchers import access, issuing
from tenant_apps.vouchers.models import Voucher, VoucherRequest, VoucherType
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url
from tenant_apps.workflow.registry import register_kind as engine_register_kind
from tenants.errors import DomainError, conflict

KIND = "voucher_application"
REASON_MAX = 500


@transaction.atomic
def request_submit(*, membership, type_id, reason: str = "") -> VoucherRequest:
    from tenant_apps.vouchers import activities
    from tenant_apps.workflow.services import application_create, application_submit

    organisation = access.certified_enterprise(membership)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("申请说明不能超过 %(max)s 字。") % {"max": REASON_MAX}, code="voucher.too_long", field="reason"
        )
    vtype = activities.type_for_claim(type_id)
    issuing.obtainable(vtype, organisation, method=VoucherType.Method.APPLY)
    if vtype.stock_left <= 0:
        raise conflict(_("服务券已被领完。"), code="voucher.sold_out")
    held = Voucher.objects.filter(type=vtype, organisation=organisation).count()
    pending = VoucherRequest.objects.filter(
        type=vtype, organisation=organisation, application__state=Application.State.IN_REVIEW
    ).count()
    if held + pending >= vtype.per_enterprise_limit:
        message = (
            _("您的单位已有该服务券的申请在审核中。")
            if pending
            else _("每家企业限领 %(limit)s 张，您的单位已领取。") % {"limit": vtype.per_enterprise_limit}
        )
        raise conflict(message, code="voucher.limit_reached")
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=_("申请服务券：%(name)s") % {"name": vtype.name},
        organisation=organisation,
    )
    request = VoucherRequest.objects.create(
        type=vtype, organisation=organisation, application=application, reason=reason
    )
    request.application = application_submit(application=application, actor=membership.user)
    return request


@on_outcome(KIND)
def request_outcome(application: Application) -> None:
    if application.state != Application.State.APPROVED:
        return
    request = VoucherRequest.objects.select_related("type", "organisation").filter(application=application).first()
    if request is None or request.voucher_id:
        return
    voucher = issuing.issue(request.type, request.organisation, application.applicant_id, source=Voucher.Source.APPLY)
    request.voucher = voucher
    request.save(update_fields=["voucher"])
    from tenant_apps.vouchers import activities

    activities.state_changing()


def content(application) -> list[Section]:
    request = (
        VoucherRequest.objects.select_related("type__activity", "organisation", "organisation__industry")
        .filter(application=application)
        .first()
    )
    if request is None:
        return []
    vtype, organisation = request.type, request.organisation
    held = Voucher.objects.filter(organisation=organisation, type=vtype).count()
    rows = [
        (_("活动"), vtype.activity.name),
        (_("服务券"), vtype.name),
        (_("面值（元）"), str(vtype.face_value)),
        (_("剩余数量"), f"{vtype.stock_left} / {vtype.stock_total}"),
        (_("申请单位"), organisation.name),
        (_("所属行业"), organisation.industry.name if organisation.industry else "—"),
        (_("所在地区"), organisation.region or "—"),
        (_("已领取该券"), _("%(held)s 张（限领 %(limit)s 张）") % {"held": held, "limit": vtype.per_enterprise_limit}),
        (_("申请说明"), request.reason or "—"),
    ]
    return [Section(_("服务券申请"), rows)]


def edit_url(application) -> str | None:
    activity_id = (
        VoucherRequest.objects.filter(application=application).values_list("type__activity_id", flat=True).first()
    )
    return reverse("voucher-activity", args=[activity_id]) if activity_id else None


def register_kind() -> None:
    engine_register_kind(KIND, gettext_lazy("服务券申请"))
    register_edit_url(KIND, edit_url)
    register_content(KIND, content)
