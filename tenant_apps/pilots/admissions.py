"""入库申请 (seed 002 §六): a certified enterprise of one of the city's pilot industries fills in five sections,
saves as often as it likes (the draft survives sign-out), and submits; the defect rules run at submit. The review
runs through the engine (kind `admission`): the bureau reviews, the applicant downloads the generated form, prints,
stamps and uploads the scan, the bureau checks it. Approval makes the organisation a pilot enterprise.

Sections: 一、基本情况 (`basic`: prefilled from registration and certification, the registered identity fixed);
二、数字化改造需求 (needs, repeatable); 三、数字化改造情况及成效 (projects with result indicators, repeatable);
四、其他情况 (benchmark 是/否); 五、相关佐证材料 (audit report, credit report; an industry statement when asked)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.organisations.models import Organisation
from tenant_apps.pilots import defects, sheets
from tenant_apps.pilots.models import (
    Admission,
    AdmissionFile,
    AdmissionProject,
    PilotEnterprise,
    ProjectIndicator,
)
from tenant_apps.workflow.models import Application
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict

KIND = "admission"
MODULE = "admission"
NEEDS_MAX, PROJECTS_MAX, INDICATORS_MAX = sheets.NEEDS_MAX, sheets.PROJECTS_MAX, sheets.INDICATORS_MAX
EVIDENCE_MAX_BYTES = 100 * 1024 * 1024
EVIDENCE_TYPES = ("pdf", "jpg", "png")
INVESTMENT_MAX = Decimal("999999999.99")

# 一、基本情况: (code, label, max length, required, fixed). Fixed ones come from registration and certification.
BASIC_FIELDS = [
    ("company_name", gettext_lazy("企业名称"), 64, True, True),
    ("uscc", gettext_lazy("统一社会信用代码"), 18, True, True),
    ("industry", gettext_lazy("所属试点行业"), 60, True, True),
    ("region", gettext_lazy("所在地区"), 60, True, False),
    ("address", gettext_lazy("详细地址"), 100, True, False),
    ("legal_rep", gettext_lazy("法定代表人"), 30, True, False),
    ("contact_name", gettext_lazy("联系人"), 30, True, False),
    ("contact_mobile", gettext_lazy("联系人手机"), 11, True, False),
    ("employees", gettext_lazy("从业人员数"), 8, True, False),
    ("revenue_last_year", gettext_lazy("上年度营业收入（万元）"), 16, True, False),
    ("main_products", gettext_lazy("主营产品"), 200, True, False),
]
FIXED_NOTE = gettext_lazy("此信息来自企业注册和认证信息，不可修改。")


# --- Who may apply -------------------------------------------------------------------------------------------------
def enterprise_of(membership) -> Organisation:
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE or not membership.is_active:
        raise DomainError(_("仅企业用户可以申请入库。"), code="admission.wrong_kind", status=403)
    if organisation.certification != Organisation.Certification.CERTIFIED:
        raise DomainError(
            _("您的单位尚未通过企业认证，认证通过后方可申请入库。"), code="admission.not_certified", status=403
        )
    if organisation.industry is None or not organisation.industry.is_pilot:
        raise DomainError(
            _("入库申请仅面向本市试点行业的企业，您的单位所属行业不在试点行业范围内。"),
            code="admission.not_pilot_industry",
            status=403,
        )
    return organisation


def pilot_of(organisation) -> PilotEnterprise | None:
    return PilotEnterprise.objects.filter(organisation=organisation).first()


def admissions_of(membership):
    return sheets.sheets_of(Admission, membership)


def access_admission(membership, pk) -> Admission:
    """The caller's own organisation's admission; 404 for missing and forbidden alike."""
    return sheets.access(admissions_of(membership), pk, message=_("该入库申请不存在。"), code="admission.not_found")


EVIDENCE_READERS = ("city_bureau", "tenant_admin")


def readable_admissions(membership):
    """An organisation's own admissions; the bureau's and city admin's: every submitted one (drafts stay theirs)."""
    if membership is not None and membership.is_active and membership.has_role(*EVIDENCE_READERS):
        return Admission.objects.exclude(application__state=Application.State.DRAFT)
    return admissions_of(membership)


def access_evidence(membership, admission_id, file_id) -> AdmissionFile:
    """An admission's evidence file, for its organisation and the city bureau; 404 for anyone else."""
    admission = sheets.access(
        readable_admissions(membership), admission_id, message=_("该文件不存在。"), code="admission.file_not_found"
    )
    return sheets.access(admission.files.all(), file_id, message=_("该文件不存在。"), code="admission.file_not_found")


def _basic_prefill(organisation: Organisation) -> dict:
    profile = organisation.profile or {}
    return {
        "company_name": organisation.name,
        "uscc": organisation.uscc or "",
        "industry": organisation.industry.name if organisation.industry else "",
        "region": organisation.region,
        "address": organisation.address,
        "legal_rep": str(profile.get("legal_rep", "")),
        "contact_name": organisation.contact_name,
        "contact_mobile": organisation.contact_mobile,
        "employees": str(profile.get("headcount", "")),
        "revenue_last_year": str(profile.get("revenue_last_year", "")),
        "main_products": str(profile.get("core_products", ""))[:200],
    }


@transaction.atomic
def admission_start(*, membership) -> Admission:
    """添加: the enterprise's admission in progress, or a new draft prefilled from its registration. Refused for a
    pilot enterprise already, and while one is in review or approved."""
    from tenant_apps.workflow.services import application_create

    organisation = enterprise_of(membership)
    if pilot_of(organisation):
        raise conflict(_("您的单位已是试点企业，无需再次申请入库。"), code="admission.already_pilot")
    open_one = (
        Admission.objects.filter(organisation=organisation)
        .exclude(application__state__in=[Application.State.REJECTED])
        .select_related("application")
        .order_by("-id")
        .first()
    )
    if open_one is not None:
        return open_one
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=_("%(name)s 试点企业入库申请") % {"name": organisation.name},
        organisation=organisation,
    )
    return Admission.objects.create(
        organisation=organisation,
        application=application,
        basic=_basic_prefill(organisation),
        created_by=membership.user,
    )


# --- Cleaning ----------------------------------------------------------------------------------------------------------
_clean = Cleaner("admission")
_text, _date, _level = _clean.text, _clean.date, _clean.level


def _money(value, *, field: str, label) -> Decimal | None:
    return _clean.money(value, field=field, label=label, maximum=INVESTMENT_MAX)


def basic_clean(data: dict, organisation: Organisation) -> dict:
    prefill = _basic_prefill(organisation)
    cleaned = {}
    for code, label, max_length, _required, fixed in BASIC_FIELDS:
        if fixed:
            cleaned[code] = prefill[code]
        else:  # required is checked at submit: a draft may be incomplete
            cleaned[code] = _text(
                data.get(code), field=f"basic.{code}", label=label, max_length=max_length, required=False
            )
    for code in ("employees",):
        if cleaned[code] and not cleaned[code].isdigit():
            raise DomainError(_("从业人员数须为整数。"), code="admission.number", field=f"basic.{code}")
    if cleaned["contact_mobile"] and not (cleaned["contact_mobile"].isdigit() and len(cleaned["contact_mobile"]) == 11):
        raise DomainError(_("请填写 11 位手机号。"), code="admission.mobile", field="basic.contact_mobile")
    if cleaned["revenue_last_year"]:
        _money(cleaned["revenue_last_year"], field="basic.revenue_last_year", label=_("上年度营业收入"))
    return cleaned


def needs_clean(rows) -> list[dict]:
    return sheets.needs_clean(rows, _clean)


def projects_clean(rows) -> list[dict]:
    return sheets.projects_clean(
        rows, _clean, investment=lambda value, field: _money(value, field=field, label=_("项目投资"))
    )


# --- Saving ------------------------------------------------------------------------------------------------------------
def _evidence_checked(upload, kind: str) -> str:
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed=EVIDENCE_TYPES,
        max_bytes=EVIDENCE_MAX_BYTES,
        wrong_type=_("请上传 PDF、JPG 或 PNG 格式的文件。"),
        too_large=_("文件须小于 100 MB。"),
        field=f"files.{kind}",
    ).mime


def store_projects(admission: Admission, projects: list[dict]) -> None:
    admission.projects.all().delete()
    for i, row in enumerate(projects):
        indicators = row.pop("indicators")
        project = AdmissionProject.objects.create(admission=admission, position=i, **row)
        ProjectIndicator.objects.bulk_create(
            [ProjectIndicator(project=project, position=j, **x) for j, x in enumerate(indicators)]
        )


RULES = sheets.Rules(basic_clean, needs_clean, projects_clean, store_projects)


@transaction.atomic
def admission_save(
    *,
    membership,
    admission_id,
    basic=None,
    needs=None,
    projects=None,
    benchmark=None,
    files=None,
    expected_version=None,
) -> Admission:
    """保存: replace what the form holds (each section given), keep the rest; files by kind replace the earlier one.
    Only while the application is a draft, returned or withdrawn; a form opened before another save is refused."""
    enterprise_of(membership)
    admission = access_admission(membership, admission_id)
    checked_files = {
        kind: (upload, _evidence_checked(upload, kind)) for kind, upload in (files or {}).items() if upload
    }
    unknown = set(checked_files) - set(AdmissionFile.Kind.values)
    if unknown:
        raise DomainError(_("未知的材料类型。"), code="admission.file_kind", field="files")
    sheets.save_sections(
        admission, RULES, membership, expected_version, basic=basic, needs=needs, projects=projects, benchmark=benchmark
    )
    for kind, (upload, mime) in checked_files.items():
        AdmissionFile.objects.filter(admission=admission, kind=kind).delete()
        AdmissionFile.objects.create(
            admission=admission,
            kind=kind,
            file=upload,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
        )
    return admission


# --- Submitting ----------------------------------------------------------------------------------------------------------
def project_dicts(admission: Admission) -> list[dict]:
    return [sheets.project_dict(p) for p in admission.projects.prefetch_related("indicators")]


def missing(admission: Admission) -> list[tuple[str, str]]:
    """What submission still needs, as (field, message), in the order of the form."""
    return sheets.missing(
        admission,
        project_dicts(admission),
        basic_fields=BASIC_FIELDS,
        investment_label=_("项目投资"),
        needs_message=_("请至少填写一项数字化改造需求。"),
        projects_message=_("请至少填写一个数字化改造项目。"),
        files=(AdmissionFile.Kind, (AdmissionFile.Kind.AUDIT_REPORT, AdmissionFile.Kind.CREDIT_REPORT)),
    )


def defect_results(admission: Admission):
    return defects.evaluate(project_dicts(admission), defects.pilot_period())


@transaction.atomic
def admission_submit(*, membership, admission_id, expected_version=None) -> Admission:
    """提交: everything required is there and no blocking defect rule fails (the first problem is raised on its
    field; the page lists them all beforehand); then the engine takes it (first submission or resubmission)."""
    enterprise_of(membership)
    admission = access_admission(membership, admission_id)
    return sheets.submit(
        admission,
        membership=membership,
        expected_version=expected_version,
        area="admission",
        problems=missing,
        defect_results=defect_results,
    )


def admission_outcome(application: Application) -> None:
    """Approved at the last stage: the organisation becomes a pilot enterprise of this tenant (once)."""
    if application.state != Application.State.APPROVED:
        return
    admission = Admission.objects.filter(application=application).select_related("organisation").first()
    if admission is None or PilotEnterprise.objects.filter(organisation=admission.organisation).exists():
        return
    PilotEnterprise.objects.create(
        organisation=admission.organisation, admission=admission, admitted_on=timezone.localdate()
    )
