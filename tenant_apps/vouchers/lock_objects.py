"""The voucher module's locks, and its only `select_for_update` calls. It extends the marketplace's order
(tenant_apps/marketplace/lock_objects.py):

    cart items → (engine: application → tasks) → order → listing(s) → voucher → voucher type (stock) → (ledger: insert only)

each family in primary-key order, `of=("self",)`.

- Issuing (a grab, an approved application) inserts the voucher and its issue entry, then takes the type's row
  with its conditional UPDATE (stock − 1 only while stock > 0) as its last statement, so the hot row is held only
  until COMMIT. New rows are invisible to others; the only wait on them is a second insert of the same UNIQUE place
  or key (the same enterprise and type), which never holds the type's row first.
- Checkout has created its order rows (new, invisible) before it locks the voucher it deducts from.
- Cancelling an order, and the payment-proof outcome handler, hold the order before they lock its voucher.
- An approved voucher application holds the engine's application and task, then the type, then inserts.
- Expiry locks one voucher at a time; the ledger is never locked, only appended to under its voucher's lock."""

from __future__ import annotations

from tenant_apps.vouchers.models import Voucher, VoucherType


def voucher_lock(pk) -> Voucher | None:
    return Voucher.objects.select_for_update(of=("self",)).filter(pk=pk).first()


def vouchers_lock(pks) -> list[Voucher]:
    return list(Voucher.objects.order_by("pk").select_for_update(of=("self",)).filter(pk__in=sorted(set(pks))))


def type_lock(pk) -> VoucherType | None:
    return VoucherType.objects.select_for_update(of=("self",)).filter(pk=pk).first()


def settlement_lock(pk):
    """A settlement statement (confirm, discard): its items are only inserted (UNIQUE on the deduction), never
    locked, so drafting takes no lock at all and two drafts meet at that UNIQUE."""
    from tenant_apps.vouchers.models import Settlement

    return Settlement.objects.select_for_update(of=("self",)).filter(pk=pk).first()
