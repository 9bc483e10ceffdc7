"""Certification: the first consumer of the review engine."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.certification.models import CertificationRequest
from tenant_apps.certification.selectors import KIND, certification_latest, certification_request_of
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import on_outcome
from tenant_apps.workflow.services import application_create, application_submit, application_touch
from tenants.errors import DomainError, conflict

ORGANISATION_KIND = {"enterprise": Organisation.Kind.ENTERPRISE, "provider": Organisation.Kind.PROVIDER}


@transaction.atomic
def certification_submit(*, membership, data: dict, expected_version: int | None = None) -> CertificationRequest:
    """Submit (or, after a return or withdrawal, resubmit) the organisation's certification form (the kind of
    tenant whose registration does not collect the organisation's data; otherwise the profile is re-edited).

    The membership row is locked first (two quick submits make one organisation and one application), then the
    application through `application_touch` — the documented order."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=membership.pk)
    organisation = membership.organisation
    latest = certification_latest(organisation)
    if latest and latest.state == Application.State.IN_REVIEW:
        raise conflict(_("认证审核中，请勿重复提交。"), code="certification.in_review")
    if organisation and organisation.certification == Organisation.Certification.CERTIFIED:
        raise conflict(_("已通过认证。"), code="certification.done")
    request = certification_request_of(latest)
    if latest is not None and request is None:
        raise DomainError(
            _("您的单位信息来自注册时填写的组织档案，请在组织档案中修改后重新提交。"), code="certification.edit_profile"
        )
    clash = Organisation.objects.filter(uscc=data["uscc"])
    if organisation is not None:
        clash = clash.exclude(pk=organisation.pk)
    if clash.exists():
        raise DomainError(
            _("该统一社会信用代码已注册。请联系该单位的主账号为您开通子账号，或通过手机号找回账号。"),
            code="certification.uscc_taken",
            field="uscc",
        )
    if organisation is None:
        role = next(r for r in membership.roles if r in ORGANISATION_KIND)
        organisation = Organisation.objects.create(
            kind=ORGANISATION_KIND[role], name=data["company_name"], uscc=data["uscc"]
        )
        membership.organisation = organisation
        membership.save(update_fields=["organisation"])
    if latest is not None:  # returned or withdrawn: the same application, re-edited
        application_touch(application=latest, actor=membership.user, expected_version=expected_version)
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
    latest = certification_latest(organisation)
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
        request = certification_request_of(application)
        if request is not None and Organisation.objects.filter(uscc=request.uscc).exclude(pk=organisation.pk).exists():
            # Someone registered this USCC after the form was submitted: refuse the approval, never a 500.
            raise conflict(
                _("该统一社会信用代码已被其他单位注册，不能通过。请退回申请人核实。"), code="certification.uscc_taken"
            )
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
    elif state == Application.State.RETURNED:
        organisation.certification = Organisation.Certification.RETURNED
    elif state == Application.State.WITHDRAWN:
        organisation.certification = Organisation.Certification.NONE
    else:
        organisation.certification = Organisation.Certification.PENDING
    organisation.save()
