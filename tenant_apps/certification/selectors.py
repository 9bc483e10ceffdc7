"""Reads about an organisation's certification."""

from __future__ import annotations

from tenant_apps.certification.models import CertificationRequest
from tenant_apps.workflow.models import Application

KIND = "certification"


def certification_latest(organisation) -> Application | None:
    """The organisation's newest certification application (there is one at a time; returned ones are re-edited)."""
    if organisation is None:
        return None
    return organisation.applications.filter(kind=KIND).order_by("-created_at", "-id").first()


def certification_request_of(application: Application | None) -> CertificationRequest | None:
    """The certification form behind an application; None when the data came from registration (the profile)."""
    if application is None:
        return None
    return CertificationRequest.objects.filter(application=application).select_related("industry").first()
