"""Reads of the admission pages that depend on who asks: the city's pilot enterprises (the bureau's list) and the
admission reviews waiting for this person. Views reach these rows only through here (docs/conventions.md §2)."""

from __future__ import annotations

from tenant_apps.pilots.models import PilotEnterprise
from tenant_apps.workflow.policies import tasks_awaiting

KIND = "admission"
BUREAU_ROLES = ("city_bureau",)


def sees_pilots(membership) -> bool:
    return membership is not None and membership.has_role(*BUREAU_ROLES)


def pilots_visible(membership):
    """试点企业 of this city, newest first, for the bureau; nothing for anyone else. One query per page."""
    if not sees_pilots(membership):
        return PilotEnterprise.objects.none()
    return PilotEnterprise.objects.select_related("organisation__industry", "admission__application").order_by(
        "-admitted_on", "-id"
    )


def admission_tasks_awaiting(membership) -> int:
    """How many admission reviews wait for this person (the bureau's link to 我的待办)."""
    return tasks_awaiting(membership).filter(application__kind=KIND).count()
