"""Offline payment: the buyer's proof of a bank transfer, reviewed through the `payment_proof` chain.

The buyer uploads 1–3 files (png/jpg/jpeg/bmp/pdf by content, each ≤ 10 MB) while the order is 待支付: a
`PaymentProof` with its files and a new application of kind `payment_proof`, submitted through the engine (the
chain is the tenant's `[flows.payment_proof]`). The order becomes 支付凭证审核中. The engine's outcome handler
(`payment_outcome`, inside the deciding transaction, after the engine locked application and task) locks the
order: approved → 已支付 / 待签约 (and each product's `order_count` + 1, under the listing's lock); returned or
withdrawn → 待支付 with payment 凭证被退回 (withdrawn: 未支付) and the opinion on the timeline, the deduction kept;
rejected (驳回, where the chain offers it) → the order is cancelled and its voucher deduction given back. Lock
order: see lock_objects."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.marketplace import deductions, lock_objects, orders
from tenant_apps.marketplace.kinds import PAYMENT_PROOF
from tenant_apps.marketplace.models import Listing, Order, PaymentProof, PaymentProofFile
from tenant_apps.workflow.models import Application, LogEntry
from tenant_apps.workflow.registry import Section, on_outcome, register_content, register_edit_url
from tenant_apps.workflow.registry import register_kind as engine_register_kind
from tenants.errors import DomainError, conflict

PROOF_MAX_FILES = 3
PROOF_MAX_BYTES = 10 * 1024 * 1024
PROOF_TYPES = ("png", "jpg", "bmp", "pdf")  # detected kinds; a .jpeg file is detected as jpg
PROOF_TYPES_LABEL = "png/jpg/jpeg/bmp/pdf"
PROOF_ACCEPT = ".png,.jpg,.jpeg,.bmp,.pdf,image/png,image/jpeg,image/bmp,application/pdf"


def _checked(upload) -> str:
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed=PROOF_TYPES,
        max_bytes=PROOF_MAX_BYTES,
        wrong_type=_("请上传 png、jpg、jpeg、bmp 或 pdf 格式的文件。"),
        too_large=_("单个文件不能超过 10 MB。"),
        field="files",
    ).mime


def latest_proof(order: Order) -> PaymentProof | None:
    return order.proofs.select_related("application").order_by("-created_at", "-id").first()


@transaction.atomic
def proof_upload(*, membership, order_id, files, expected_version=None) -> PaymentProof:
    """The buyer hands in proof of the transfer for a 待支付 order (first time or after a return)."""
    from tenant_apps.workflow.services import application_create, application_submit

    organisation = orders.buyer_of(membership)
    files = [f for f in (files or []) if f]
    if not files:
        raise DomainError(_("请上传支付凭证。"), code="market.proof_required", field="files")
    if len(files) > PROOF_MAX_FILES:
        raise DomainError(
            _("最多上传 %(max)s 个文件。") % {"max": PROOF_MAX_FILES}, code="market.proof_too_many", field="files"
        )
    mimes = [_checked(upload) for upload in files]
    order = orders.lock_order_as(membership, order_id, side="buyer")
    if order.state != Order.State.AWAITING_PAYMENT:
        raise orders.wrong_state(order)
    orders.check_version(order, expected_version)
    application = application_create(
        kind=PAYMENT_PROOF,
        applicant=membership.user,
        title=_("订单 %(number)s 支付凭证") % {"number": order.number},
        organisation=organisation,
    )
    proof = PaymentProof.objects.create(order=order, application=application, submitted_by=membership.user)
    for upload, mime in zip(files, mimes, strict=True):
        PaymentProofFile.objects.create(
            proof=proof, file=upload, original_name=upload.name[:200], content_type=mime, size=upload.size
        )
    orders.save_transition(order, state=Order.State.PROOF_IN_REVIEW, payment=Order.Payment.IN_REVIEW)
    orders._event(order, "proof", membership.user, "、".join(upload.name[:60] for upload in files))
    proof.application = application_submit(application=application, actor=membership.user)
    return proof


@on_outcome(PAYMENT_PROOF)
def payment_outcome(application: Application) -> None:
    """Called by the engine inside the deciding transaction (application and task locked): the order follows."""
    state = application.state
    if state in (Application.State.IN_REVIEW, Application.State.DRAFT):
        return
    proof = PaymentProof.objects.filter(application=application).first()
    if proof is None:
        return
    order = lock_objects.order_lock(proof.order_id)
    if order is None or order.state != Order.State.PROOF_IN_REVIEW:
        raise conflict(_("该订单已不在支付凭证审核中，不能处理此凭证。"), code="market.order_state")
    entry = application.log.order_by("-created_at", "-id").first()
    actor = entry.actor if entry else None
    opinion = entry.opinion if entry and entry.action != LogEntry.Action.WITHDRAW else ""
    if state == Application.State.APPROVED:
        order.paid_at = timezone.now()
        orders.save_transition(order, state=Order.State.TO_SIGN, payment=Order.Payment.PAID, fields=("paid_at",))
        listing_ids = list(order.lines.values_list("listing_id", flat=True))
        lock_objects.listings_lock(listing_ids)
        Listing.objects.filter(pk__in=set(listing_ids)).update(order_count=F("order_count") + 1)
        orders._event(order, "proof_approved", actor, opinion)
    elif state == Application.State.WITHDRAWN:
        orders.save_transition(order, state=Order.State.AWAITING_PAYMENT, payment=Order.Payment.UNPAID)
        orders._event(order, "proof_withdrawn", actor)
    elif state == Application.State.REJECTED:  # refused for good: the order is closed, any voucher made whole
        order.cancel_reason, order.cancelled_at = (opinion or _("支付凭证被驳回"))[:200], timezone.now()
        orders.save_transition(
            order, state=Order.State.CANCELLED, payment=Order.Payment.REJECTED, fields=("cancel_reason", "cancelled_at")
        )
        orders._event(order, "proof_rejected", actor, opinion)
        deductions.release(order, actor, _("支付凭证被驳回"))
    else:  # returned: the buyer pays (or proves it) again
        orders.save_transition(order, state=Order.State.AWAITING_PAYMENT, payment=Order.Payment.REJECTED)
        orders._event(order, "proof_returned", actor, opinion)


def access_proof_file(membership, proof_id, file_id) -> PaymentProofFile:
    """A proof's file for the order's buyer and provider and for whoever may see the proof's application (its
    reviewers); 404 for missing and forbidden alike."""
    from django.http import Http404

    from tenant_apps.workflow import policies

    item = PaymentProofFile.objects.select_related("proof").filter(pk=file_id, proof_id=proof_id).first()
    if item is None or membership is None:
        raise Http404
    proof = item.proof
    parties = orders.orders_visible(membership).filter(pk=proof.order_id).exists()
    reviewer = (
        proof.application_id is not None
        and policies.applications_visible(membership).filter(pk=proof.application_id).exists()
    )
    if not (parties or reviewer):
        raise Http404
    return item


def proof_file_url(proof: PaymentProof, item: PaymentProofFile) -> str:
    return reverse("market-proof-file", args=[proof.pk, item.pk])


def content(application) -> list[Section]:
    """What the reviewer reads: the order, both parties, the amount, and the proof's files (access-checked)."""
    proof = (
        PaymentProof.objects.select_related("order__buyer", "order__provider")
        .prefetch_related("files")
        .filter(application=application)
        .first()
    )
    if proof is None:
        return []
    order = proof.order
    links = format_html_join(
        mark_safe("<br>"),
        '<a href="{}">{}</a>',
        ((proof_file_url(proof, item), item.original_name) for item in proof.files.all()),
    )
    lines = "；".join(f"{line.product_name}（{line.spec_name}）× {line.quantity}" for line in order.lines.all())
    account = order.bank_account or {}
    rows = [
        (_("订单编号"), order.number),
        (_("买方"), order.buyer.name),
        (_("服务商"), order.provider.name),
        (_("商品"), lines),
        (_("订单金额（元）"), str(order.total)),
        (_("服务券抵扣（元）"), str(order.deduction)),
        (_("应付金额（元）"), str(order.payable)),
        (
            _("收款账户"),
            " ".join(
                v for v in (account.get("account_name"), account.get("bank_name"), account.get("account_number")) if v
            ),
        ),
        (_("支付凭证"), links),
    ]
    return [Section(_("支付凭证"), rows)]


def edit_url(application) -> str | None:
    """After a return the buyer uploads new proof on the order's page."""
    order_id = PaymentProof.objects.filter(application=application).values_list("order_id", flat=True).first()
    return reverse("market-order", args=[order_id]) if order_id else None


def register_kind() -> None:
    engine_register_kind(PAYMENT_PROOF, gettext_lazy("线下支付凭证"))
    register_edit_url(PAYMENT_PROOF, edit_url)
    register_content(PAYMENT_PROOF, content)
