"""Certification: the first consumer of the review engine."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.certification.models import CertificationRequest
from tenant_apps.organisations.models import Organisation
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import on_outcome
from tenant_apps.workflow.services import WorkflowError, application_create, application_submit

KIND = "certification"
ORGANISATION_KIND = {"enterprise": Organisation.Kind.ENTERPRISE, "provider": Organisation.Kind.PROVIDER}


def _pending(organisation: Organisation | None) -> Application | None:
    if organisation is None:
        return None
    return organisation.applications.filter(kind=KIND).order_by("-created_at").first()


@transaction.atomic
def certification_submit(*, membership, data: dict) -> CertificationRequest:
    """Submit (or, after a return or withdrawal, resubmit) the organisation's certification form."""
    organisation = membership.organisation
    latest = _pending(organisation)
    if latest and latest.state == Application.State.IN_REVIEW:
        raise WorkflowError(_("认证审核中，请勿重复提交。"))
    if organisation and organisation.certification == Organisation.Certification.CERTIFIED:
        raise WorkflowError(_("已通过认证。"))
    clash = Organisation.objects.filter(uscc=data["uscc"])
    if organisation is not None:
        clash = clash.exclude(pk=organisation.pk)
    if clash.exists():
        raise WorkflowError(_("该统一社会信用代码已注册。请联系该单位的主账号为您开通子账号，或通过手机号找回账号。"))
    if organisation is None:
        role = next(r for r in membership.roles if r in ORGANISATION_KIND)
        organisation = Organisation.objects.create(
            kind=ORGANISATION_KIND[role], name=data["company_name"], uscc=data["uscc"]
        )
        membership.organisation = organisation
        membership.save(update_fields=["organisation"])
    Organisation.objects.filter(pk=organisation.pk).update(certification=Organisation.Certification.PENDING)
    if latest and latest.state in Application.EDITABLE_STATES:
        request = latest.certification_request
        for name, value in data.items():
            setattr(request, name, value)
        request.save()
        application = latest
    else:
        application = application_create(
            kind=KIND,
            applicant=membership.user,
            title=_("%(name)s 企业认证") % {"name": data["company_name"]},
            organisation=organisation,
        )
        request = CertificationRequest.objects.create(organisation=organisation, application=application, **data)
    application_submit(application=application, actor=membership.user)
    return request


def certification_start_from_profile(*, membership, organisation: Organisation) -> Application | None:
    """Registration that already collected the organisation's data starts its certification review directly."""
    from tenant_apps.workflow.models import Flow

    if not Flow.objects.filter(kind=KIND, is_active=True).exists():
        return None
    latest = _pending(organisation)
    if latest and latest.state == Application.State.IN_REVIEW:
        return latest
    application = latest if latest and latest.state in Application.EDITABLE_STATES else None
    if application is None:
        application = application_create(
            kind=KIND,
            applicant=membership.user,
            title=_("%(name)s 注册认证") % {"name": organisation.name},
            organisation=organisation,
        )
    return application_submit(application=application, actor=membership.user)


@on_outcome(KIND)
def certification_outcome(application: Application) -> None:
    organisation = application.organisation
    if organisation is None:
        return
    state = application.state
    if state == Application.State.APPROVED:
        organisation.certification = Organisation.Certification.CERTIFIED
        request = CertificationRequest.objects.filter(application=application).first()
        if request is not None:  # the reviewed form becomes the organisation's basic information
            organisation.name, organisation.uscc, organisation.industry_id = (
                request.company_name,
                request.uscc,
                request.industry_id,
            )
            organisation.region, organisation.address = request.region, request.address
            organisation.contact_name, organisation.email = request.contact_name, request.email
    elif state == Application.State.REJECTED:
        organisation.certification = Organisation.Certification.REJECTED
    else:
        organisation.certification = Organisation.Certification.PENDING
    organisation.save()
