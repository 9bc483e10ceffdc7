"""Writes to a voucher's ledger. Every balance change goes through `post`, under the voucher's lock, so the kept
balance and the sum of the entries move together (the database CHECKs refuse a balance below 0 or above face)."""

from __future__ import annotations

from decimal import Decimal

from tenant_apps.vouchers.models import LedgerEntry, Voucher


def post(voucher: Voucher, kind: str, amount: Decimal, *, order=None, reverses=None, note: str = "") -> LedgerEntry:
    """Append one entry and move the (locked) voucher's balance by `amount` (signed)."""
    voucher.balance = (voucher.balance + Decimal(amount)).quantize(Decimal("0.01"))
    voucher.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        voucher=voucher,
        kind=kind,
        amount=amount,
        balance_after=voucher.balance,
        order=order,
        reverses=reverses,
        note=note[:200],
    )
