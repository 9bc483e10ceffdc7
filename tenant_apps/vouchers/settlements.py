"""Settlement statements (结算单): what the issuing fund owes each provider for the vouchers deducted on its paid
orders. Operations draft them for a period, confirm them (then they never change) and export them.

What is settled: a deduction (LedgerEntry kind 抵扣) that no refund reversed, on an order whose payment proof was
approved (`Order.payment` 已支付) with the approval (`Order.paid_at`) inside the period, and that is on no
statement yet. Paid orders cannot be cancelled, so a settled deduction stays deducted.

Nothing is settled twice: `SettlementItem.deduction` is UNIQUE. Drafting takes no lock; two drafts over the same
deductions meet at that UNIQUE (each inserts its items in (provider, deduction) order, so the later one waits for
the earlier to commit and then fails) and the later one is refused as a whole with 409 `voucher.settlement_overlap`
— nothing half-made, nothing counted twice; drafting again finds what is still open. Confirm and discard lock the
statement (lock_objects.settlement_lock)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tenant_apps.marketplace.models import Order
from tenant_apps.organisations.models import Organisation
from tenant_apps.vouchers import access, lock_objects
from tenant_apps.vouchers.models import LedgerEntry, Settlement, SettlementItem
from tenants.errors import DomainError, conflict, not_found

ZERO = Decimal("0.00")
PERIOD_MAX_DAYS = 366
EARLIEST = datetime.date(2000, 1, 1)


# --- Reads -------------------------------------------------------------------------------------------------------------
def certified_providers():
    """Providers a voucher type may name and a statement may be for (the pickers' choices)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.PROVIDER, certification=Organisation.Certification.CERTIFIED
    ).order_by("name", "pk")


def provider_choices(selected_ids=()):
    """A voucher type's provider picker: certified providers, plus any it already names."""
    return Organisation.objects.filter(
        Q(certification=Organisation.Certification.CERTIFIED) | Q(pk__in=list(selected_ids or ())),
        kind=Organisation.Kind.PROVIDER,
    ).order_by("name", "pk")


def providers_with_settlements():
    """The settlement list's provider filter: providers that have at least one statement."""
    return Organisation.objects.filter(
        Exists(Settlement.objects.filter(provider_id=OuterRef("pk"))), kind=Organisation.Kind.PROVIDER
    ).order_by("name", "pk")


def _bounds(period_start: datetime.date, period_end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's local days as [start, end) instants, so `paid_at` is compared on its index, not per row."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period_start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def unsettled_deductions(period_start, period_end, provider_id=None):
    """Deductions owed for the period and on no statement yet, in (provider, id) order."""
    start, end = _bounds(period_start, period_end)
    queryset = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.DEDUCT,
        reversed_by__isnull=True,
        order__payment=Order.Payment.PAID,
        order__paid_at__gte=start,
        order__paid_at__lt=end,
    ).exclude(Exists(SettlementItem.objects.filter(deduction_id=OuterRef("pk"))))
    if provider_id is not None:
        queryset = queryset.filter(order__provider_id=provider_id)
    return queryset.order_by("order__provider_id", "pk")


def settlements(*, provider_id=None, state: str = ""):
    """结算单 list, newest period first; each with its provider and its number of items (one query a page)."""
    queryset = Settlement.objects.select_related("provider", "created_by", "confirmed_by").annotate(
        item_count=Count("items")
    )
    if provider_id:
        queryset = queryset.filter(provider_id=provider_id)
    if state in Settlement.State.values:
        queryset = queryset.filter(state=state)
    return queryset.order_by("-period_end", "-id")


def access_settlement(membership, pk) -> Settlement:
    """One statement, for operations (and the city's administrators, to read); 404 for a missing one."""
    access.ops_of(membership)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    settlement = (
        Settlement.objects.select_related("provider", "created_by", "confirmed_by").filter(pk=pk).first()
        if pk
        else None
    )
    if settlement is None:
        raise not_found(_("该结算单不存在。"), code="voucher.settlement_not_found")
    return settlement


@dataclass(frozen=True)
class Line:
    """One line of a statement as it is shown and exported."""

    order_number: str
    buyer: str
    voucher_name: str
    voucher_number: str
    order_total: Decimal
    amount: Decimal
    paid_at: datetime.datetime | None


def settlement_items(settlement: Settlement):
    return SettlementItem.objects.filter(settlement=settlement).select_related(
        "deduction__voucher", "deduction__order__buyer"
    )


def line_of(item: SettlementItem) -> Line:
    order, voucher = item.deduction.order, item.deduction.voucher
    return Line(
        order_number=order.number,
        buyer=order.buyer.name,
        voucher_name=voucher.name,
        voucher_number=voucher.number,
        order_total=order.total,
        amount=item.amount,
        paid_at=order.paid_at,
    )


def settlement_lines(settlement: Settlement) -> list[Line]:
    """Every line (for the exports: one query, whatever the number of items)."""
    return [line_of(item) for item in settlement_items(settlement).order_by("deduction__order__paid_at", "pk")]


# --- Writes ------------------------------------------------------------------------------------------------------------
def _date(value, *, field: str, label: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DomainError(
            _("请填写%(label)s（YYYY-MM-DD）。") % {"label": label}, code="voucher.settlement_period", field=field
        ) from None


def period_clean(period_start, period_end) -> tuple[datetime.date, datetime.date]:
    start = _date(period_start, field="period_start", label=_("结算期开始"))
    end = _date(period_end, field="period_end", label=_("结算期结束"))
    if start < EARLIEST:
        raise DomainError(
            _("结算期开始不能早于 %(date)s。") % {"date": EARLIEST.isoformat()},
            code="voucher.settlement_period",
            field="period_start",
        )
    if end < start:
        raise DomainError(_("结算期结束不能早于开始。"), code="voucher.settlement_period", field="period_end")
    if (end - start).days >= PERIOD_MAX_DAYS:
        raise DomainError(_("结算期最长一年。"), code="voucher.settlement_period", field="period_end")
    if start > timezone.localdate():
        raise DomainError(_("结算期尚未开始。"), code="voucher.settlement_period", field="period_start")
    return start, end


def settlement_number(settlement_id: int, period_end: datetime.date) -> str:
    """JS + the period's month (yyyymm) + the id in six digits, e.g. JS202612000042."""
    return f"JS{period_end:%Y%m}{settlement_id:06d}"


def _next_settlement_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Settlement._meta.db_table])
        return cursor.fetchone()[0]


def settlement_draft(*, actor, provider_id=None, period_start, period_end) -> list[Settlement]:
    """One draft statement per provider with unsettled deductions in the period (or only `provider_id`'s).
    Refuses when there is nothing to settle (400) and when another draft took some of the same deductions
    meanwhile (409): then nothing of this call is kept."""
    start, end = period_clean(period_start, period_end)
    if provider_id not in (None, ""):
        try:
            provider_id = int(provider_id)
        except (TypeError, ValueError):
            provider_id = 0
        if not Organisation.objects.filter(pk=provider_id, kind=Organisation.Kind.PROVIDER).exists():
            raise DomainError(_("请选择服务商。"), code="voucher.settlement_provider", field="provider")
    else:
        provider_id = None
    try:
        with transaction.atomic():
            return _draft(actor, provider_id, start, end)
    except IntegrityError as error:
        if "deduction_id" not in str(error) and "settled" not in str(error):
            raise
        raise conflict(
            _("部分抵扣刚刚被另一张结算单结算，请刷新后重新生成。"), code="voucher.settlement_overlap"
        ) from error


def _draft(actor, provider_id, start, end) -> list[Settlement]:
    by_provider: dict[int, list[tuple[int, Decimal]]] = {}
    for pk, provider, amount in unsettled_deductions(start, end, provider_id).values_list(
        "pk", "order__provider_id", "amount"
    ):
        by_provider.setdefault(provider, []).append((pk, -amount))
    if not by_provider:
        raise DomainError(_("该结算期内没有待结算的服务券抵扣。"), code="voucher.settlement_empty", field="period_end")
    created = []
    for provider, rows in sorted(by_provider.items()):
        settlement_id = _next_settlement_id()
        settlement = Settlement.objects.create(
            pk=settlement_id,
            number=settlement_number(settlement_id, end),
            provider_id=provider,
            period_start=start,
            period_end=end,
            total=sum((amount for _pk, amount in rows), ZERO),
            created_by=actor,
        )
        SettlementItem.objects.bulk_create(
            [SettlementItem(settlement=settlement, deduction_id=pk, amount=amount) for pk, amount in rows]
        )
        created.append(settlement)
    return created


def _locked(settlement_id) -> Settlement:
    settlement = lock_objects.settlement_lock(settlement_id)
    if settlement is None:
        raise not_found(_("该结算单不存在。"), code="voucher.settlement_not_found")
    if settlement.state != Settlement.State.DRAFT:
        raise conflict(_("该结算单已确认，不能再修改。"), code="voucher.settlement_confirmed")
    return settlement


@transaction.atomic
def settlement_confirm(*, actor, settlement_id) -> Settlement:
    """待确认 → 已确认 (by whom, when). A confirmed statement is final: it is never edited or discarded."""
    settlement = _locked(settlement_id)
    items = SettlementItem.objects.filter(settlement=settlement)
    if items.filter(deduction__reversed_by__isnull=False).exists():  # a paid order is never refunded; checked anyway
        raise conflict(_("结算单中有抵扣已退回，请作废后重新生成。"), code="voucher.settlement_changed")
    total = items.aggregate(total=Sum("amount"))["total"] or ZERO
    if total != settlement.total:
        raise conflict(_("结算单金额与明细不符，请作废后重新生成。"), code="voucher.settlement_changed")
    settlement.state, settlement.confirmed_by, settlement.confirmed_at = (
        Settlement.State.CONFIRMED,
        actor,
        timezone.now(),
    )
    settlement.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    return settlement


@transaction.atomic
def settlement_discard(*, actor, settlement_id) -> str:
    """作废 a draft: the statement goes, its deductions are free to be settled again. Returns its number."""
    settlement = _locked(settlement_id)
    number = settlement.number
    settlement.delete()  # its items go with it (CASCADE)
    return number
