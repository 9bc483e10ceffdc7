"""验收申请 / 资金申请 (seed 002 §七): a pilot enterprise asks for its finished transformation projects to be accepted
and subsidised. The form has the admission's shape, refined: 一、基本情况, 二、数字化转型基础 (needs), 三、数字化改造情况及
成效 — projects to accept, each with several digital service providers, each provider with several products or
services and their amounts — and 四、其他情况; then the material: the project summary report (city template), the
investment list, contracts, receiving/acceptance notes, invoices, bank slips, the digital-level self-assessment and
anything else. A new acceptance is prefilled from the enterprise's approved admission.

The review runs through the engine (kind `acceptance`, the tenant's `[flows.acceptance]`); the on-site acceptance,
the recognition and subsidy, publicity and disbursement are the following modules (onsite, recognition, publicity,
disbursement). Amounts here are in 元 (contracts and invoices are); the admission's 万元 are converted."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from tenant_apps.organisations.models import Organisation
from tenant_apps.pilots import admissions, defects
from tenant_apps.pilots.cleaning import Cleaner
from tenant_apps.pilots.models import (
    Acceptance,
    AcceptanceFile,
    AcceptanceIndicator,
    AcceptanceNeed,
    AcceptanceProject,
    Admission,
    PilotEnterprise,
    ProjectProduct,
    ProjectProvider,
)
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError, conflict, not_found

KIND = "acceptance"
MODULE = "acceptance"
NEEDS_MAX, PROJECTS_MAX, INDICATORS_MAX, PROVIDERS_MAX, PRODUCTS_MAX = 20, 20, 10, 10, 20
FILES_PER_KIND_MAX = 20
MATERIAL_MAX_BYTES = 100 * 1024 * 1024
MATERIAL_TYPES = ("pdf", "jpg", "png", "xlsx", "docx")
TEN_THOUSAND = Decimal("10000")
# What submission needs among the material (the rest is optional).
REQUIRED_FILES = (
    AcceptanceFile.Kind.SUMMARY_REPORT,
    AcceptanceFile.Kind.INVESTMENT_LIST,
    AcceptanceFile.Kind.CONTRACT,
    AcceptanceFile.Kind.INVOICE,
    AcceptanceFile.Kind.BANK_SLIP,
    AcceptanceFile.Kind.SELF_ASSESSMENT,
)

_clean = Cleaner("acceptance")


# --- Who may apply -------------------------------------------------------------------------------------------------
def pilot_enterprise_of(membership) -> PilotEnterprise:
    organisation = getattr(membership, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE or not membership.is_active:
        raise DomainError(_("仅企业用户可以申请验收。"), code="acceptance.wrong_kind", status=403)
    pilot = PilotEnterprise.objects.filter(organisation=organisation).select_related("admission").first()
    if pilot is None:
        raise DomainError(
            _("您的单位尚未成为试点企业，入库申请通过后方可申请验收及补贴。"),
            code="acceptance.not_pilot",
            status=403,
        )
    return pilot


def acceptances_of(membership):
    organisation = getattr(membership, "organisation", None)
    if organisation is None or not membership.is_active:
        return Acceptance.objects.none()
    return Acceptance.objects.filter(organisation_id=organisation.pk).select_related("application")


def access_acceptance(membership, pk) -> Acceptance:
    """The caller's own organisation's acceptance; 404 for missing and forbidden alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    acceptance = acceptances_of(membership).filter(pk=pk).first() if pk else None
    if acceptance is None:
        raise not_found(_("该验收申请不存在。"), code="acceptance.not_found")
    return acceptance


# --- Starting: prefilled from the admission -------------------------------------------------------------------------
def _prefill_from(admission: Admission | None, acceptance: Acceptance) -> None:
    """The admission's needs and projects (investment 万元 → 元), what matches; providers and products are new."""
    if admission is None:
        return
    AcceptanceNeed.objects.bulk_create(
        [
            AcceptanceNeed(
                acceptance=acceptance,
                position=need.position,
                kind=need.kind,
                description=need.description,
                analysis=need.analysis,
            )
            for need in admission.needs.all()
        ]
    )
    for p in admission.projects.prefetch_related("indicators"):
        project = AcceptanceProject.objects.create(
            acceptance=acceptance,
            position=p.position,
            name=p.name,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            content=p.content,
            investment=p.investment * TEN_THOUSAND if p.investment is not None else None,
            level_before=p.level_before,
            level_after=p.level_after,
        )
        AcceptanceIndicator.objects.bulk_create(
            [
                AcceptanceIndicator(
                    project=project, position=x.position, name=x.name, unit=x.unit, before=x.before, after=x.after
                )
                for x in p.indicators.all()
            ]
        )


@transaction.atomic
def acceptance_start(*, membership) -> Acceptance:
    """添加: the enterprise's acceptance being written (draft, returned or withdrawn), or a new draft prefilled from
    its approved admission. Several acceptances may follow one another (projects finish at different times), but
    only one is open for editing at a time."""
    from tenant_apps.workflow.services import application_create

    pilot = pilot_enterprise_of(membership)
    organisation = membership.organisation
    open_one = (
        Acceptance.objects.filter(organisation=organisation, application__state__in=Application.EDITABLE_STATES)
        .select_related("application")
        .order_by("-id")
        .first()
    )
    if open_one is not None:
        return open_one
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=_("%(name)s 项目验收及补贴申请") % {"name": organisation.name},
        organisation=organisation,
    )
    admission = pilot.admission
    acceptance = Acceptance.objects.create(
        organisation=organisation,
        pilot=pilot,
        application=application,
        basic=dict(admission.basic or {}) or admissions._basic_prefill(organisation),
        benchmark=admission.benchmark,
        created_by=membership.user,
    )
    # The registered identity is read again (a renamed organisation shows its current name).
    acceptance.basic.update(
        {code: value for code, value in admissions._basic_prefill(organisation).items() if _fixed(code)}
    )
    acceptance.save(update_fields=["basic"])
    _prefill_from(admission, acceptance)
    return acceptance


def _fixed(code: str) -> bool:
    return any(c == code and fixed for c, _label, _max, _required, fixed in admissions.BASIC_FIELDS)


# --- Cleaning ----------------------------------------------------------------------------------------------------------
def basic_clean(data: dict, organisation: Organisation) -> dict:
    cleaned = admissions.basic_clean(data, organisation)
    return cleaned


def _blank(row: dict, nested=()) -> bool:
    return not any(str(v or "").strip() for k, v in row.items() if k not in nested) and not any(
        row.get(k) for k in nested
    )


def needs_clean(rows) -> list[dict]:
    rows = [r for r in (rows or []) if not _blank(r)]
    if len(rows) > NEEDS_MAX:
        raise DomainError(
            _("转型基础需求最多 %(max)s 项。") % {"max": NEEDS_MAX}, code="acceptance.too_many", field="needs"
        )
    return [
        {
            "kind": _clean.text(
                r.get("kind"), field=f"needs.{i}.kind", label=_("需求类型"), max_length=30, required=True
            ),
            "description": _clean.text(
                r.get("description"), field=f"needs.{i}.description", label=_("需求描述"), max_length=500, required=True
            ),
            "analysis": _clean.text(
                r.get("analysis"),
                field=f"needs.{i}.analysis",
                label=_("问题及需求分析"),
                max_length=1000,
                required=False,
            ),
        }
        for i, r in enumerate(rows)
    ]


def _products_clean(rows, path: str) -> list[dict]:
    rows = [r for r in (rows or []) if not _blank(r)]
    if len(rows) > PRODUCTS_MAX:
        raise DomainError(
            _("每个服务商最多 %(max)s 项产品或服务。") % {"max": PRODUCTS_MAX},
            code="acceptance.too_many",
            field=f"{path}.products",
        )
    cleaned = []
    for k, r in enumerate(rows):
        p = f"{path}.products.{k}"
        kind = str(r.get("kind") or ProjectProduct.Kind.SOFTWARE)
        if kind not in ProjectProduct.Kind.values:
            raise DomainError(_("请选择软件、硬件或服务。"), code="acceptance.product_kind", field=f"{p}.kind")
        cleaned.append(
            {
                "name": _clean.text(
                    r.get("name"), field=f"{p}.name", label=_("产品/服务名称"), max_length=60, required=True
                ),
                "kind": kind,
                "amount": _clean.money(r.get("amount"), field=f"{p}.amount", label=_("金额")),
            }
        )
    return cleaned


def _providers_clean(rows, path: str) -> list[dict]:
    rows = [r for r in (rows or []) if not _blank(r, nested=("products",))]
    if len(rows) > PROVIDERS_MAX:
        raise DomainError(
            _("每个项目最多 %(max)s 个服务商。") % {"max": PROVIDERS_MAX},
            code="acceptance.too_many",
            field=f"{path}.providers",
        )
    cleaned = []
    for j, r in enumerate(rows):
        p = f"{path}.providers.{j}"
        uscc = _clean.text(r.get("uscc"), field=f"{p}.uscc", label=_("统一社会信用代码"), max_length=18, required=False)
        if uscc:
            from stdnum.cn import uscc as uscc_check

            if not uscc_check.is_valid(uscc):
                raise DomainError(_("统一社会信用代码不正确。"), code="acceptance.uscc", field=f"{p}.uscc")
        cleaned.append(
            {
                "name": _clean.text(
                    r.get("name"), field=f"{p}.name", label=_("服务商名称"), max_length=64, required=True
                ),
                "uscc": uscc.upper(),
                "contract_amount": _clean.money(
                    r.get("contract_amount"), field=f"{p}.contract_amount", label=_("合同金额")
                ),
                "products": _products_clean(r.get("products"), p),
            }
        )
    return cleaned


def projects_clean(rows) -> list[dict]:
    rows = [r for r in (rows or []) if not _blank(r, nested=("indicators", "providers"))]
    if len(rows) > PROJECTS_MAX:
        raise DomainError(
            _("验收项目最多 %(max)s 个。") % {"max": PROJECTS_MAX}, code="acceptance.too_many", field="projects"
        )
    cleaned = []
    for i, r in enumerate(rows):
        p = f"projects.{i}"
        project = {
            "name": _clean.text(r.get("name"), field=f"{p}.name", label=_("项目名称"), max_length=60, required=True),
            "starts_on": _clean.date(r.get("starts_on"), field=f"{p}.starts_on", label=_("开始日期")),
            "ends_on": _clean.date(r.get("ends_on"), field=f"{p}.ends_on", label=_("结束日期")),
            "content": _clean.text(
                r.get("content"), field=f"{p}.content", label=_("改造内容"), max_length=2000, required=False
            ),
            "investment": _clean.money(r.get("investment"), field=f"{p}.investment", label=_("项目总投资")),
            "level_before": _clean.level(r.get("level_before"), field=f"{p}.level_before", label=_("改造前数字化水平")),
            "level_after": _clean.level(r.get("level_after"), field=f"{p}.level_after", label=_("改造后数字化水平")),
        }
        if project["starts_on"] and project["ends_on"] and project["ends_on"] < project["starts_on"]:
            raise DomainError(_("结束日期不能早于开始日期。"), code="acceptance.period", field=f"{p}.ends_on")
        indicators = [x for x in (r.get("indicators") or []) if not _blank(x)]
        if len(indicators) > INDICATORS_MAX:
            raise DomainError(
                _("每个项目最多 %(max)s 个成效指标。") % {"max": INDICATORS_MAX},
                code="acceptance.too_many",
                field=f"{p}.indicators",
            )
        project["indicators"] = [
            {
                key: _clean.text(
                    x.get(key), field=f"{p}.indicators.{j}.{key}", label=label, max_length=size, required=False
                )
                for key, label, size in (
                    ("name", _("指标名称"), 30),
                    ("unit", _("单位"), 10),
                    ("before", _("改造前"), 20),
                    ("after", _("改造后"), 20),
                )
            }
            for j, x in enumerate(indicators)
        ]
        project["providers"] = _providers_clean(r.get("providers"), p)
        cleaned.append(project)
    return cleaned


# --- Saving ------------------------------------------------------------------------------------------------------------
def _material_checked(upload, kind: str) -> str:
    from tenants.uploads import upload_checked

    return upload_checked(
        upload,
        allowed=MATERIAL_TYPES,
        max_bytes=MATERIAL_MAX_BYTES,
        wrong_type=_("请上传 PDF、JPG、PNG、XLSX 或 DOCX 格式的文件。"),
        too_large=_("文件须小于 100 MB。"),
        field=f"files.{kind}",
    ).mime


def _store_projects(acceptance: Acceptance, projects: list[dict]) -> None:
    acceptance.projects.all().delete()
    for i, row in enumerate(projects):
        indicators, providers = row.pop("indicators"), row.pop("providers")
        project = AcceptanceProject.objects.create(acceptance=acceptance, position=i, **row)
        AcceptanceIndicator.objects.bulk_create(
            [AcceptanceIndicator(project=project, position=j, **x) for j, x in enumerate(indicators)]
        )
        for j, provider_row in enumerate(providers):
            products = provider_row.pop("products")
            provider = ProjectProvider.objects.create(project=project, position=j, **provider_row)
            ProjectProduct.objects.bulk_create(
                [ProjectProduct(provider=provider, position=k, **x) for k, x in enumerate(products)]
            )


@transaction.atomic
def acceptance_save(
    *,
    membership,
    acceptance_id,
    basic=None,
    needs=None,
    projects=None,
    benchmark=None,
    files=None,
    remove_files=None,
    expected_version=None,
) -> Acceptance:
    """保存: replace each section given, keep the rest; files are added per kind (several contracts, invoices…) and
    removed by id. Only while the application is a draft, returned or withdrawn; a stale form is refused."""
    from tenant_apps.workflow.services import application_touch

    pilot_enterprise_of(membership)
    organisation = membership.organisation
    acceptance = access_acceptance(membership, acceptance_id)
    uploads = [(kind, upload) for kind, items in (files or {}).items() for upload in _as_list(items) if upload]
    if any(kind not in AcceptanceFile.Kind.values for kind, _upload in uploads):
        raise DomainError(_("未知的材料类型。"), code="acceptance.file_kind", field="files")
    checked = [(kind, upload, _material_checked(upload, kind)) for kind, upload in uploads]
    cleaned_basic = basic_clean(basic, organisation) if basic is not None else None
    cleaned_needs = needs_clean(needs) if needs is not None else None
    cleaned_projects = projects_clean(projects) if projects is not None else None
    acceptance.application = application_touch(
        application=acceptance.application, actor=membership.user, expected_version=expected_version
    )
    if cleaned_basic is not None:
        acceptance.basic = cleaned_basic
    if benchmark is not None:
        acceptance.benchmark = benchmark if benchmark in (True, False) else None
    acceptance.save()
    if cleaned_needs is not None:
        acceptance.needs.all().delete()
        AcceptanceNeed.objects.bulk_create(
            [AcceptanceNeed(acceptance=acceptance, position=i, **row) for i, row in enumerate(cleaned_needs)]
        )
    if cleaned_projects is not None:
        _store_projects(acceptance, cleaned_projects)
    if remove_files:
        ids = [int(pk) for pk in remove_files if str(pk).isdigit()]
        acceptance.files.filter(pk__in=ids).delete()
    for kind, upload, mime in checked:
        if acceptance.files.filter(kind=kind).count() >= FILES_PER_KIND_MAX:
            raise DomainError(
                _("每类材料最多 %(max)s 个文件。") % {"max": FILES_PER_KIND_MAX},
                code="acceptance.too_many_files",
                field=f"files.{kind}",
            )
        AcceptanceFile.objects.create(
            acceptance=acceptance,
            kind=kind,
            file=upload,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
        )
    return acceptance


def _as_list(items):
    return items if isinstance(items, list | tuple) else [items]


# --- Submitting ----------------------------------------------------------------------------------------------------------
def project_dicts(acceptance: Acceptance) -> list[dict]:
    return [
        {
            "id": p.pk,
            "name": p.name,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "content": p.content,
            "investment": p.investment,
            "level_before": p.level_before,
            "level_after": p.level_after,
            "indicators": [
                {"name": x.name, "unit": x.unit, "before": x.before, "after": x.after} for x in p.indicators.all()
            ],
            "providers": [
                {
                    "name": v.name,
                    "uscc": v.uscc,
                    "contract_amount": v.contract_amount,
                    "products": [{"name": x.name, "kind": x.kind, "amount": x.amount} for x in v.products.all()],
                }
                for v in p.providers.all()
            ],
        }
        for p in acceptance.projects.prefetch_related("indicators", "providers__products")
    ]


def missing(acceptance: Acceptance) -> list[tuple[str, str]]:
    """What submission still needs, as (field, message), in the order of the form."""
    problems = []
    for code, label, _max, required, _fixed in admissions.BASIC_FIELDS:
        if required and not str(acceptance.basic.get(code, "")).strip():
            problems.append((f"basic.{code}", _("请填写%(label)s。") % {"label": label}))
    if not acceptance.needs.exists():
        problems.append(("needs", _("请至少填写一项数字化转型基础（改造需求）。")))
    projects = project_dicts(acceptance)
    if not projects:
        problems.append(("projects", _("请至少填写一个申请验收的项目。")))
    for i, p in enumerate(projects):
        for key, label in (
            ("starts_on", _("开始日期")),
            ("ends_on", _("结束日期")),
            ("content", _("改造内容")),
            ("investment", _("项目总投资")),
            ("level_before", _("改造前数字化水平")),
            ("level_after", _("改造后数字化水平")),
        ):
            if p[key] in (None, ""):
                problems.append(
                    (f"projects.{i}.{key}", _("项目%(n)s：请填写%(label)s。") % {"n": i + 1, "label": label})
                )
        if not p["providers"]:
            problems.append((f"projects.{i}.providers", _("项目%(n)s：请至少填写一个数字化服务商。") % {"n": i + 1}))
        for j, v in enumerate(p["providers"]):
            if not v["products"]:
                problems.append(
                    (
                        f"projects.{i}.providers.{j}.products",
                        _("项目%(n)s 服务商「%(name)s」：请至少填写一项产品或服务。") % {"n": i + 1, "name": v["name"]},
                    )
                )
            for k, x in enumerate(v["products"]):
                if x["amount"] is None:
                    problems.append(
                        (
                            f"projects.{i}.providers.{j}.products.{k}.amount",
                            _("项目%(n)s 产品「%(name)s」：请填写金额。") % {"n": i + 1, "name": x["name"]},
                        )
                    )
    if acceptance.benchmark is None:
        problems.append(("benchmark", _("请选择是否愿意参与标杆样板打造。")))
    kinds = set(acceptance.files.values_list("kind", flat=True))
    for kind in REQUIRED_FILES:
        if kind not in kinds:
            problems.append((f"files.{kind}", _("请上传%(label)s。") % {"label": AcceptanceFile.Kind(kind).label}))
    return problems


def defect_results(acceptance: Acceptance):
    """The admission's defect rules apply to the projects to accept as well (the same reviewers, the same defects)."""
    return defects.evaluate(project_dicts(acceptance), defects.pilot_period())


@transaction.atomic
def acceptance_submit(*, membership, acceptance_id, expected_version=None) -> Acceptance:
    """提交: everything required is there and no blocking defect rule fails; then the engine takes it."""
    from tenant_apps.workflow.services import application_submit, application_touch

    pilot_enterprise_of(membership)
    acceptance = access_acceptance(membership, acceptance_id)
    acceptance.application = application_touch(
        application=acceptance.application, actor=membership.user, expected_version=expected_version
    )
    problems = missing(acceptance)
    if problems:
        field, message = problems[0]
        raise DomainError(message, code="acceptance.incomplete", field=field)
    for result in defect_results(acceptance):
        blocking = [f for f in result.findings if f.blocking]
        if blocking:
            raise DomainError(blocking[0].message, code=f"acceptance.defect.{result.code}", field=blocking[0].field)
    acceptance.application = application_submit(application=acceptance.application, actor=membership.user)
    return acceptance


def acceptance_delete(*, membership, acceptance_id) -> None:
    """删除: a draft never submitted (a submitted one stays in the record)."""
    acceptance = access_acceptance(membership, acceptance_id)
    if acceptance.application.state != Application.State.DRAFT:
        raise conflict(_("已提交过的验收申请不能删除。"), code="acceptance.not_deletable")
    application = acceptance.application
    acceptance.delete()
    application.delete()


# --- Reading as the city ---------------------------------------------------------------------------------------------
CITY_ROLES = ("city_bureau", "finance", "tenant_admin")


def readable_acceptances(membership):
    """The acceptances a person may read: their organisation's, or — for the bureau, finance and the city admin —
    every submitted one of the city (drafts stay the enterprise's)."""
    if membership is None or not membership.is_active:
        return Acceptance.objects.none()
    if membership.has_role(*CITY_ROLES):
        return Acceptance.objects.exclude(application__state=Application.State.DRAFT)
    return acceptances_of(membership)


def access_file(membership, acceptance_id, file_id) -> AcceptanceFile:
    """A supporting file, for the acceptance's organisation and the city's reviewers; 404 for anyone else."""
    try:
        acceptance_id, file_id = int(acceptance_id), int(file_id)
    except (TypeError, ValueError):
        raise not_found(_("该文件不存在。"), code="acceptance.file_not_found") from None
    item = (
        AcceptanceFile.objects.filter(
            pk=file_id, acceptance_id=acceptance_id, acceptance__in=readable_acceptances(membership)
        )
        .select_related("acceptance")
        .first()
    )
    if item is None:
        raise not_found(_("该文件不存在。"), code="acceptance.file_not_found")
    return item
