"""Signals about tenants for the apps above `tenants`, which may not be imported from here."""

from django.dispatch import Signal

# Sent with `tenant=` after the platform admin turned a tenant's nationwide publishing on or off; the portal
# content app (cms) starts or stops showing that tenant's notices in every city (ADR 0011).
nationwide_publishing_changed = Signal()
