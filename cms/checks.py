"""The needs survey as a review check: in tenants whose registration review names `needs_survey`, approval
waits until the applicant's organisation has answered the survey (seed 000: unanswered → registration fails)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenant_apps.workflow.registry import Check, register_check


def survey_answered(application) -> bool:
    from cms.models import SurveySubmission
    from tenant_apps.organisations.models import Membership

    organisation = application.organisation
    accounts = {application.applicant_id}
    match = Q()
    if organisation is not None:
        accounts |= set(Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True))
        if organisation.uscc:
            match |= Q(uscc=organisation.uscc.strip().upper())
    match |= Q(user_id__in=accounts)
    return SurveySubmission.objects.filter(match).exists()


def survey_url(application) -> str | None:
    from cms.models import SurveyPage

    page = SurveyPage.objects.live().first()
    return page.get_url() if page else None


NEEDS_SURVEY = register_check(
    Check(
        code="needs_survey",
        label=_("已填写需求调研表"),
        passes=survey_answered,
        failure=_("申请单位尚未填写需求调研表（按统一社会信用代码或账号核对），注册审核不能通过。"),
        remedy_url=survey_url,
    )
)
