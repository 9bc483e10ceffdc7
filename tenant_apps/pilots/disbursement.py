"""资金拨付 (the engine's disbursement stage, finance): the finance bureau marks each tranche of an acceptance's
subsidy paid with the date and the payment voucher number; paying the last one approves the engine's disbursement
task as that finance member, so the application ends APPROVED. The enterprise sees every tranche: paid (when, which
voucher) or 待拨付.

Lock order: application → its open task → the acceptance's tranche rows (primary-key order), the engine's order
extended (publicity's batch rows are not touched here)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.organisations.models import Organisation
from tenant_apps.pilots.models import Acceptance, Tranche
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import Section
from tenants.errors import DomainError, conflict, not_found

FINANCE_ROLES = ("finance",)
READ_ROLES = ("finance", "city_bureau")
VOUCHER_MAX = 40
OPINION_PAID = "补贴资金已全部拨付"


class State:
    PENDING = "pending"
    PAID = "paid"
    CHOICES = (("pending", "待拨付"), ("paid", "已拨付"))


def is_finance(membership) -> bool:
    return membership is not None and membership.has_role(*FINANCE_ROLES)


def _finance(membership) -> None:
    if not is_finance(membership):
        raise DomainError(_("只有财政部门可以登记资金拨付。"), code="disbursement.not_finance", status=403)


def tranches_visible(membership, state: str = ""):
    """Finance and the bureau: every tranche of the city; an enterprise: its own organisation's; anyone else is
    refused (403). `state` filters 待拨付 / 已拨付. Oldest acceptance first, then the plan's order."""
    if membership is None or not membership.is_active:
        raise DomainError(_("您没有查看资金拨付的权限。"), code="disbursement.forbidden", status=403)
    queryset = Tranche.objects.select_related("acceptance__organisation", "acceptance__application")
    if membership.has_role(*READ_ROLES):
        pass
    elif (
        membership.has_role("enterprise")
        and membership.organisation_id
        and membership.organisation.kind == Organisation.Kind.ENTERPRISE
    ):
        queryset = queryset.filter(acceptance__organisation_id=membership.organisation_id)
    else:
        raise DomainError(_("您没有查看资金拨付的权限。"), code="disbursement.forbidden", status=403)
    if state == State.PENDING:
        queryset = queryset.filter(paid_on__isnull=True)
    elif state == State.PAID:
        queryset = queryset.filter(paid_on__isnull=False)
    return queryset.order_by("acceptance_id", "position", "pk")


def payable(membership):
    """What finance pays from: tranches still to pay (finance only)."""
    _finance(membership)
    return tranches_visible(membership, State.PENDING)


def _voucher(value) -> str:
    text = ("" if value is None else str(value)).strip()
    if not text:
        raise DomainError(_("请填写拨付凭证号。"), code="disbursement.voucher_required", field="voucher_number")
    if len(text) > VOUCHER_MAX:
        raise DomainError(
            _("凭证号不能超过 %(max)s 个字符。") % {"max": VOUCHER_MAX},
            code="disbursement.voucher_too_long",
            field="voucher_number",
        )
    return text


def _paid_on(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(_("请填写拨付日期（YYYY-MM-DD）。"), code="disbursement.date", field="paid_on") from None
    if value > timezone.localdate():
        raise DomainError(_("拨付日期不能晚于今天。"), code="disbursement.future", field="paid_on")
    return value


@transaction.atomic
def tranche_pay(*, membership, tranche_id, paid_on, voucher_number) -> Tranche:
    """登记拨付. Paying the last unpaid tranche of an acceptance approves its disbursement task (as this member)."""
    from tenant_apps.workflow import lock_objects, policies
    from tenant_apps.workflow.services import task_decide

    _finance(membership)
    try:
        tranche_id = int(tranche_id)
    except (TypeError, ValueError):
        tranche_id = 0
    found = (
        Tranche.objects.filter(pk=tranche_id).values_list("acceptance_id", "acceptance__application_id").first()
        if tranche_id
        else None
    )
    if found is None:
        raise not_found(_("该拨付批次不存在。"), code="disbursement.not_found")
    paid_on = _paid_on(paid_on)
    voucher_number = _voucher(voucher_number)
    acceptance_id, application_id = found
    application = lock_objects.application_lock(application_id)
    open_tasks = lock_objects.open_tasks_lock(application)
    rows = {
        row.pk: row
        for row in Tranche.objects.select_for_update(of=("self",)).filter(acceptance_id=acceptance_id).order_by("pk")
    }
    tranche = rows[tranche_id]
    if tranche.paid_on is not None:
        raise conflict(
            _("该批次已于 %(date)s 拨付（凭证号 %(voucher)s）。")
            % {"date": tranche.paid_on, "voucher": tranche.voucher_number},
            code="disbursement.already_paid",
        )
    task = open_tasks[0] if open_tasks else None
    if application.state != Application.State.IN_REVIEW or task is None or not policies.may_decide(membership, task):
        raise conflict(_("该申请当前不在资金拨付环节。"), code="disbursement.not_at_stage")
    earlier = [row for row in rows.values() if row.position < tranche.position and row.paid_on is None]
    if earlier:  # tranches are paid in the policy's order (签约后 before 验收后)
        raise conflict(
            _("请先拨付「%(label)s」。") % {"label": min(earlier, key=lambda row: row.position).label},
            code="disbursement.out_of_order",
        )
    tranche.paid_on, tranche.voucher_number = paid_on, voucher_number
    tranche.paid_by, tranche.paid_at = membership.user, timezone.now()
    tranche.save(update_fields=["paid_on", "voucher_number", "paid_by", "paid_at"])
    if all(row.paid_on is not None for row in rows.values()):
        task_decide(task_id=task.pk, membership=membership, action="approve", opinion=OPINION_PAID)
    return tranche


# --- What the enterprise sees ---------------------------------------------------------------------------------------
def payment_rows(tranches) -> list[tuple[str, str]]:
    rows = []
    for tranche in tranches:
        label = _("%(label)s（%(amount)s 元）") % {"label": tranche.label, "amount": f"{tranche.amount:,.2f}"}
        if tranche.paid_on is not None:
            value = _("已拨付：%(date)s，凭证号 %(voucher)s") % {
                "date": tranche.paid_on.isoformat(),
                "voucher": tranche.voucher_number,
            }
        else:
            value = _("待拨付")
        rows.append((label, value))
    return rows


def payments_section(acceptance: Acceptance) -> Section | None:
    """资金拨付 on the application page (applicant and reviewers): each tranche, paid or 待拨付; None before any
    tranche exists (publicity not over)."""
    tranches = list(Tranche.objects.filter(acceptance=acceptance).order_by("position", "pk"))
    if not tranches:
        return None
    return Section(_("资金拨付"), payment_rows(tranches))


def payments_content(application) -> list[Section]:
    """`register_content("acceptance", payments_content)` form of the same section."""
    acceptance = Acceptance.objects.filter(application=application).first()
    section = payments_section(acceptance) if acceptance is not None else None
    return [section] if section is not None else []
