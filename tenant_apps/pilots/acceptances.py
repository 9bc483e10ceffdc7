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
from tenant_apps.pilots import admissions, defects, sheets
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
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

KIND = "acceptance"
MODULE = "acceptance"
NEEDS_MAX, PROJECTS_MAX, INDICATORS_MAX = sheets.NEEDS_MAX, sheets.PROJECTS_MAX, sheets.INDICATORS_MAX
PROVIDERS_MAX, PRODUCTS_MAX = 10, 20
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
    return sheets.sheets_of(Acceptance, membership)


def access_acceptance(membership, pk) -> Acceptance:
    """The caller's own organisation's acceptance; 404 for missing and forbidden alike."""
    return sheets.access(acceptances_of(membership), pk, message=_("该验收申请不存在。"), code="acceptance.not_found")


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


def needs_clean(rows) -> list[dict]:
    return sheets.needs_clean(rows, _clean)


def _products_clean(rows, path: str) -> list[dict]:
    rows = [r for r in (rows or []) if not sheets.blank(r)]
    if len(rows) > PRODUCTS_MAX:
        message = _("每个服务商最多 %(max)s 项产品或服务。") % {"max": PRODUCTS_MAX}
        raise sheets.too_many(_clean.area, f"{path}.products", message)
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
    rows = [r for r in (rows or []) if not sheets.blank(r, nested=("products",))]
    if len(rows) > PROVIDERS_MAX:
        message = _("每个项目最多 %(max)s 个服务商。") % {"max": PROVIDERS_MAX}
        raise sheets.too_many(_clean.area, f"{path}.providers", message)
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
    """The admission's projects (amounts in 元), each with its providers and their products."""
    return sheets.projects_clean(
        rows,
        _clean,
        investment=lambda value, field: _clean.money(value, field=field, label=_("项目总投资")),
        nested=("indicators", "providers"),
        extra=lambda row, path: {"providers": _providers_clean(row.get("providers"), path)},
    )


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


def store_projects(acceptance: Acceptance, projects: list[dict]) -> None:
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


RULES = sheets.Rules(basic_clean, needs_clean, projects_clean, store_projects)


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
    pilot_enterprise_of(membership)
    acceptance = access_acceptance(membership, acceptance_id)
    uploads = [(kind, upload) for kind, items in (files or {}).items() for upload in _as_list(items) if upload]
    if any(kind not in AcceptanceFile.Kind.values for kind, _upload in uploads):
        raise DomainError(_("未知的材料类型。"), code="acceptance.file_kind", field="files")
    checked = [(kind, upload, _material_checked(upload, kind)) for kind, upload in uploads]
    sheets.save_sections(
        acceptance,
        RULES,
        membership,
        expected_version,
        basic=basic,
        needs=needs,
        projects=projects,
        benchmark=benchmark,
    )
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
            **sheets.project_dict(p),
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
    """What submission still needs, as (field, message), in the order of the form: the shared sections, and every
    project's providers with their products and amounts."""
    projects = project_dicts(acceptance)
    problems = sheets.missing(
        acceptance,
        projects,
        basic_fields=admissions.BASIC_FIELDS,
        investment_label=_("项目总投资"),
        needs_message=_("请至少填写一项数字化转型基础（改造需求）。"),
        projects_message=_("请至少填写一个申请验收的项目。"),
        files=(AcceptanceFile.Kind, REQUIRED_FILES),
    )
    for i, p in enumerate(projects):
        at = f"projects.{i}"
        if not p["providers"]:
            problems.append((f"{at}.providers", _("项目%(n)s：请至少填写一个数字化服务商。") % {"n": i + 1}))
        for j, v in enumerate(p["providers"]):
            if not v["products"]:
                message = _("项目%(n)s 服务商「%(name)s」：请至少填写一项产品或服务。") % {
                    "n": i + 1,
                    "name": v["name"],
                }
                problems.append((f"{at}.providers.{j}.products", message))
            for k, x in enumerate(v["products"]):
                if x["amount"] is None:
                    message = _("项目%(n)s 产品「%(name)s」：请填写金额。") % {"n": i + 1, "name": x["name"]}
                    problems.append((f"{at}.providers.{j}.products.{k}.amount", message))
    return problems


def defect_results(acceptance: Acceptance):
    """The admission's defect rules apply to the projects to accept as well (the same reviewers, the same defects)."""
    return defects.evaluate(project_dicts(acceptance), defects.pilot_period())


@transaction.atomic
def acceptance_submit(*, membership, acceptance_id, expected_version=None) -> Acceptance:
    """提交: everything required is there and no blocking defect rule fails; then the engine takes it."""
    pilot_enterprise_of(membership)
    acceptance = access_acceptance(membership, acceptance_id)
    return sheets.submit(
        acceptance,
        membership=membership,
        expected_version=expected_version,
        area="acceptance",
        problems=missing,
        defect_results=defect_results,
    )


def acceptance_delete(*, membership, acceptance_id) -> None:
    """删除: a draft never submitted (a submitted one stays in the record)."""
    acceptance = access_acceptance(membership, acceptance_id)
    if acceptance.application.state != Application.State.DRAFT:
        raise conflict(_("已提交过的验收申请不能删除。"), code="acceptance.not_deletable")
    application = acceptance.application
    acceptance.delete()
    application.delete()


# --- Who reads which acceptance: the family's one permission source -------------------------------------------------
CITY_ROLES = ("city_bureau", "finance", "tenant_admin")
BUREAU_ROLES = ("city_bureau",)


def is_bureau(membership) -> bool:
    """The city bureau decides (on-site visits, recognition, publicity); finance and the city admin only read."""
    return membership is not None and membership.is_active and membership.has_role(*BUREAU_ROLES)


def readable_acceptances(membership):
    """The acceptances a person may read: their organisation's, or — for the bureau, finance and the city admin —
    every submitted one of the city (drafts stay the enterprise's)."""
    if membership is None or not membership.is_active:
        return Acceptance.objects.none()
    if membership.has_role(*CITY_ROLES):
        return Acceptance.objects.exclude(application__state=Application.State.DRAFT)
    return acceptances_of(membership)


def access_readable(membership, pk, *, code: str = "acceptance.not_found") -> Acceptance:
    """One acceptance this person may read (`readable_acceptances`); 404 for missing and forbidden alike, with the
    caller's code (`onsite.not_found`, `recognition.not_found`)."""
    readable = readable_acceptances(membership).select_related("organisation", "application", "policy")
    return sheets.access(readable, pk, message=_("该验收申请不存在。"), code=code)


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
