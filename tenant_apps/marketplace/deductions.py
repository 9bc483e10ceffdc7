"""The seam between buying and what pays part of an order (today: service vouchers, tenant_apps.vouchers).

The marketplace knows nothing of vouchers. A deduction source registers itself here and is asked:

- `offers(organisation, draft)`: what the buyer could apply to an order about to be placed (best first), for the
  confirm page and the checkout preview API;
- `apply(order, choice, actor)`: inside checkout, after the order row exists (lock order: order → listings →
  voucher → ledger), take the deduction and return its amount; a choice that no longer fits is a DomainError;
- `release(order, actor, note)`: the order was cancelled (by a party, or because ops rejected its payment proof):
  give the deduction back, exactly once however often it is called;
- `used_on(order)`: what was applied, for the order's pages.

With no source registered (the voucher module off in this deployment) every order's deduction is 0.00."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Offer:
    """One thing the buyer may apply to an order: an id the buyer sends back, what it is, and what it would take."""

    id: int
    label: str
    balance: Decimal
    valid_to: object
    deduction: Decimal


@dataclass(frozen=True)
class Used:
    label: str
    number: str
    amount: Decimal
    refunded: bool


class Source(Protocol):
    def offers(self, organisation, draft) -> list[Offer]: ...

    def apply(self, order, choice, actor) -> Decimal: ...

    def release(self, order, actor, note: str = "") -> Decimal: ...

    def used_on(self, order) -> list[Used]: ...

    def cap_note(self) -> str: ...


_source: Source | None = None


def register(source: Source) -> None:
    global _source
    _source = source


def source() -> Source | None:
    """The registered source while its module is on in this tenant (checkout offers and takes nothing otherwise)."""
    from tenants.models import current_tenant

    if _source is None:
        return None
    tenant = current_tenant()
    return _source if tenant is not None and _source.module in (tenant.modules or []) else None


def offers(organisation, draft) -> list[Offer]:
    found = source()
    return found.offers(organisation, draft) if found else []


def apply(order, choice, actor) -> Decimal:
    found = source()
    if found is None or choice in (None, "", 0, "0"):
        return ZERO
    return found.apply(order, choice, actor)


def release(order, actor, note: str = "") -> Decimal:
    """Called by every path that cancels an order; works even when the module was switched off since."""
    return _source.release(order, actor, note) if _source is not None and order.deduction > 0 else ZERO


def used_on(order) -> list[Used]:
    return _source.used_on(order) if _source is not None and order.deduction > 0 else []


def used_on_many(orders) -> dict[int, list[Used]]:
    """`used_on` for a page of orders (order id → what was applied), in a bounded number of queries where the
    source offers `used_on_many`; orders without a deduction are left out."""
    taken = [order for order in orders if order.deduction > 0]
    if _source is None or not taken:
        return {}
    batch = getattr(_source, "used_on_many", None)
    return batch(taken) if batch is not None else {order.pk: _source.used_on(order) for order in taken}


def cap_note() -> str:
    found = source()
    return found.cap_note() if found else ""
