"""Vouchers at checkout: the marketplace's deduction source (tenant_apps/marketplace/deductions.py).

A voucher fits an order when it belongs to the buyer, has a balance, is valid today, and its type applies to the
order: the type's providers (if any) include the order's provider, and every line's product is in the type's
catalogues and categories (where the type names any). Offers are sorted best first: the larger deduction, then the
voucher that expires sooner (use it before it lapses), then the older one. One voucher per order (计费模式
单独计价, seed 001); a voucher with balance left serves a later order."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.marketplace import deductions as seam
from tenant_apps.vouchers import access, ledger, lock_objects, rules
from tenant_apps.vouchers.models import LedgerEntry, Voucher
from tenants.errors import DomainError

ZERO = Decimal("0.00")


def usable_vouchers(organisation, today=None):
    today = today or timezone.localdate()
    return (
        Voucher.objects.filter(organisation=organisation, balance__gt=0, valid_from__lte=today, valid_to__gte=today)
        .select_related("type")
        .prefetch_related("type__catalogues", "type__categories", "type__providers")
    )


def _line_facts(order_or_draft) -> tuple[int, list[tuple[int | None, set[int]]]]:
    """(provider id, [(catalogue id, {category ids}) per line]) of a draft (confirm page) or a placed order."""
    lines = []
    if hasattr(order_or_draft, "lines") and isinstance(order_or_draft.lines, list):  # a DraftOrder
        for line in order_or_draft.lines:
            version = line.spec.version
            lines.append((version.catalogue_id, {c.pk for c in version.categories.all()}))
        return order_or_draft.provider.pk, lines
    for line in order_or_draft.lines.select_related("version").prefetch_related("version__categories"):
        lines.append((line.version.catalogue_id, {c.pk for c in line.version.categories.all()}))
    return order_or_draft.provider_id, lines


def applies(voucher: Voucher, provider_id: int, lines) -> bool:
    vtype = voucher.type
    providers = {p.pk for p in vtype.providers.all()}
    if providers and provider_id not in providers:
        return False
    catalogues = {c.pk for c in vtype.catalogues.all()}
    if catalogues and any(catalogue not in catalogues for catalogue, _categories in lines):
        return False
    categories = {c.pk for c in vtype.categories.all()}
    if categories and any(not (line_categories & categories) for _catalogue, line_categories in lines):
        return False
    return True


def label(voucher: Voucher) -> str:
    return _("%(name)s（余额 %(balance)s 元，有效期至 %(to)s）") % {
        "name": voucher.name,
        "balance": f"{voucher.balance:,.2f}",
        "to": voucher.valid_to.isoformat(),
    }


class VoucherSource:
    module = access.MODULE

    def offers(self, organisation, draft) -> list[seam.Offer]:
        provider_id, lines = _line_facts(draft)
        ratio = rules.current_ratio()
        offers = [
            seam.Offer(
                id=v.pk,
                label=label(v),
                balance=v.balance,
                valid_to=v.valid_to,
                deduction=rules.deduction_for(draft.total, v.balance, ratio),
            )
            for v in usable_vouchers(organisation)
            if applies(v, provider_id, lines)
        ]
        offers = [o for o in offers if o.deduction > 0]
        offers.sort(key=lambda o: (-o.deduction, o.valid_to, o.id))
        return offers

    def apply(self, order, choice, actor) -> Decimal:
        """Deduct from the chosen voucher for a just-created order (the order row is ours; lock the voucher)."""
        try:
            voucher_id = int(choice)
        except (TypeError, ValueError):
            voucher_id = 0
        voucher = lock_objects.voucher_lock(voucher_id) if voucher_id else None
        if voucher is None or voucher.organisation_id != order.buyer_id:
            raise DomainError(_("所选服务券不存在。"), code="voucher.not_found", field="voucher")
        today = timezone.localdate()
        if voucher.valid_to < today:
            raise DomainError(_("所选服务券已过期。"), code="voucher.expired", field="voucher")
        if voucher.valid_from > today:
            raise DomainError(
                _("所选服务券自 %(from)s 起可用。") % {"from": voucher.valid_from.isoformat()},
                code="voucher.not_yet_valid",
                field="voucher",
            )
        if voucher.balance <= 0:
            raise DomainError(_("所选服务券余额为 0。"), code="voucher.used_up", field="voucher")
        provider_id, lines = _line_facts(order)
        if not applies(voucher, provider_id, lines):
            raise DomainError(
                _("所选服务券不适用于该订单的商品或服务商。"), code="voucher.not_applicable", field="voucher"
            )
        amount = rules.deduction_for(order.total, voucher.balance, rules.current_ratio())
        if amount <= 0:
            return ZERO
        ledger.post(voucher, LedgerEntry.Kind.DEDUCT, -amount, order=order, note=order.number)
        return amount

    def release(self, order, actor, note: str = "") -> Decimal:
        """Give every not yet refunded deduction of the order back, each exactly once: the refund's UNIQUE
        `reverses` and the voucher's lock make a second call (a redelivered event, a double click) a no-op."""
        pending = list(
            LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.DEDUCT, reversed_by__isnull=True).values_list(
                "pk", "voucher_id"
            )
        )
        returned = ZERO
        for voucher in lock_objects.vouchers_lock([voucher_id for _pk, voucher_id in pending]):
            for entry in LedgerEntry.objects.filter(
                order=order, voucher=voucher, kind=LedgerEntry.Kind.DEDUCT, reversed_by__isnull=True
            ):
                ledger.post(
                    voucher,
                    LedgerEntry.Kind.REFUND,
                    -entry.amount,
                    order=order,
                    reverses=entry,
                    note=note or order.number,
                )
                returned += -entry.amount
        return returned

    def used_on(self, order) -> list[seam.Used]:
        entries = LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.DEDUCT).select_related("voucher")
        refunded = set(
            LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.REFUND).values_list("reverses_id", flat=True)
        )
        return [
            seam.Used(label=e.voucher.name, number=e.voucher.number, amount=-e.amount, refunded=e.pk in refunded)
            for e in entries
        ]

    def used_on_many(self, orders) -> dict[int, list[seam.Used]]:
        """`used_on` for a page of orders: two queries, whatever the number of orders."""
        ids = [order.pk for order in orders]
        refunded = set(
            LedgerEntry.objects.filter(order_id__in=ids, kind=LedgerEntry.Kind.REFUND).values_list(
                "reverses_id", flat=True
            )
        )
        found: dict[int, list[seam.Used]] = {pk: [] for pk in ids}
        for e in (
            LedgerEntry.objects.filter(order_id__in=ids, kind=LedgerEntry.Kind.DEDUCT)
            .select_related("voucher")
            .order_by("id")
        ):
            found[e.order_id].append(
                seam.Used(label=e.voucher.name, number=e.voucher.number, amount=-e.amount, refunded=e.pk in refunded)
            )
        return found

    def cap_note(self) -> str:
        return rules.ratio_label(rules.current_ratio())


def register() -> None:
    seam.register(VoucherSource())


def deductions_of_provider(provider_id):
    """服务券使用情况 for a provider: the deductions taken on its orders (newest first)."""
    return (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DEDUCT, order__provider_id=provider_id)
        .select_related("voucher", "order", "order__buyer")
        .order_by("-created_at", "-id")
    )


def not_refunded():
    return Q(reversed_by__isnull=True)
