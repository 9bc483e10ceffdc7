"""The one lock order of buying, and the only place in the marketplace's buying code that calls
`select_for_update`.

    cart items → (engine: application → tasks) → order → listing(s) → voucher type → voucher (→ ledger, appended)

each family in primary-key order, `of=("self",)` so a join never locks the joined rows.

- Checkout locks the buyer's cart items first (two quick checkouts make one set of orders), then creates orders
  (new rows nobody else can see).
- Every order transition (cancel, delivery, confirm, rating) locks the order, then — for a rating — the listing.
- A payment-proof decision comes from the engine, which has locked the proof's application and its task; the
  outcome handler then locks the order, then the listings whose `order_count` it raises. The buyer's upload locks
  the order and then creates and submits a *new* application: a row invisible to every other transaction until
  commit, so taking its lock after the order's cannot deadlock with a decision (which only ever holds an older,
  already visible application).
- The voucher module (tenant_apps/vouchers/lock_objects.py) locks a voucher after the order, never before, and
  only appends to its ledger.
"""

from __future__ import annotations

from tenant_apps.marketplace.models import CartItem, Listing, Order


def cart_items_qs_select_for_update():
    return CartItem.objects.order_by("pk").select_for_update(of=("self",))


def order_qs_select_for_update():
    return Order.objects.order_by("pk").select_for_update(of=("self",))


def listing_qs_select_for_update():
    return Listing.objects.order_by("pk").select_for_update(of=("self",))


def order_lock(pk: int) -> Order | None:
    return order_qs_select_for_update().filter(pk=pk).first()


def listings_lock(pks) -> list[Listing]:
    """Lock listings (after their order) in primary-key order."""
    return list(listing_qs_select_for_update().filter(pk__in=sorted(set(pks))))
