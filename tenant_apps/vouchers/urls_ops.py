"""Filled in by the voucher pages and API."""

urlpatterns = []
