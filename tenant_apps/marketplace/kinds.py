"""What the marketplace brings to the review engine: the listing and payment-proof kinds (names, re-edit pages,
what reviewers read, what an outcome does). Filled in by listings.py and payments.py."""

from __future__ import annotations

LISTING = "listing"
PAYMENT_PROOF = "payment_proof"


def register() -> None:
    from tenant_apps.marketplace import listings, payments

    listings.register_kind()
    payments.register_kind()
