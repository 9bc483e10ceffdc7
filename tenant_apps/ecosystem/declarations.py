"""服务商申报 (seed 004 §02–03): a provider's first declaration joins one anchor unit's alliance and brings at
least one product; a repeat declaration joins a further unit, prefilled from the last approved one except the unit
and the cooperation proof. Saved at every step (drafts may be incomplete); submission checks everything and names
each missing item on its field. The unit named in the declaration confirms it (kind `provider_declaration`)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from tenant_apps.configuration.models import AnchorUnit
from tenant_apps.ecosystem import common
from tenant_apps.ecosystem.models import AllianceMember, Declaration, DeclarationFile, Nature, Product, Status
from tenant_apps.workflow.models import Application
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

KIND = "provider_declaration"
AREA = "declaration"
PROFILE_MAX = GUARANTEE_MAX = 500
PRODUCT_COUNT_MAX = 10_000
STEP1_FILES = (
    DeclarationFile.Kind.LOGO,
    DeclarationFile.Kind.LICENCE,
    DeclarationFile.Kind.CREDIT_REPORT,
    DeclarationFile.Kind.COOPERATION,
)
STEP2_FILES = (DeclarationFile.Kind.TEAM_LIST,)
REQUIRED_FILES = (DeclarationFile.Kind.LICENCE, DeclarationFile.Kind.COOPERATION)
# What a repeat declaration copies from the last approved one (the unit and the cooperation proof are new).
COPIED_FIELDS = ("nature", "product_count", "profile", "guarantee")
COPIED_FILES = (
    DeclarationFile.Kind.LOGO,
    DeclarationFile.Kind.LICENCE,
    DeclarationFile.Kind.CREDIT_REPORT,
    DeclarationFile.Kind.TEAM_LIST,
)


# --- Reads ---------------------------------------------------------------------------------------------------------
def declarations_of(organisation):
    return (
        Declaration.objects.filter(organisation=organisation)
        .select_related("anchor_unit", "application")
        .order_by("-created_at", "-id")
    )


def access_declaration(membership, pk) -> Declaration:
    """The provider's own declaration (404 for another's and a missing one alike)."""
    organisation = common.provider_of(membership)
    declaration = declarations_of(organisation).filter(pk=pk).first()
    if declaration is None:
        raise not_found(_("该申报不存在。"), code="declaration.not_found")
    return declaration


def has_joined(organisation) -> bool:
    """Whether a first declaration has been approved (repeat declarations and product declarations open then)."""
    return Declaration.objects.filter(organisation=organisation, status=Status.APPROVED).exists()


def bound_units(organisation):
    """The anchor units whose alliance the provider is in now."""
    joined = AllianceMember.objects.filter(anchor_unit=OuterRef("pk"), organisation=organisation, left_at__isnull=True)
    return AnchorUnit.objects.filter(Exists(joined), is_active=True).order_by("code")


def declarable_units(organisation, *, declaration: Declaration | None = None):
    """Units this provider may still ask to join: active, with an organisation that confirms, not joined yet and
    not asked in another live declaration."""
    taken = Declaration.objects.filter(organisation=organisation, status=Status.IN_REVIEW)
    if declaration is not None:
        taken = taken.exclude(pk=declaration.pk)
    joined = AllianceMember.objects.filter(anchor_unit=OuterRef("pk"), organisation=organisation, left_at__isnull=True)
    return (
        AnchorUnit.objects.filter(is_active=True, organisation__isnull=False)
        .exclude(Exists(joined))
        .exclude(pk__in=taken.values("anchor_unit_id"))
        .order_by("code")
    )


# --- Writes --------------------------------------------------------------------------------------------------------
@transaction.atomic
def declaration_start(*, membership) -> Declaration:
    """新增: an unfinished declaration is continued rather than doubled; otherwise a new one — the first, or a
    repeat prefilled from the last approved declaration."""
    from tenant_apps.workflow.services import application_create

    organisation = common.provider_of(membership)
    unfinished = declarations_of(organisation).filter(status__in=common.EDITABLE).first()
    if unfinished is not None:
        return unfinished
    last = declarations_of(organisation).filter(status=Status.APPROVED).first()
    if last is not None and not declarable_units(organisation).exists():
        raise DomainError(
            _("您的单位已加入全部牵引单位的产业生态联合体，暂无可申报的牵引单位。"), code="declaration.no_units"
        )
    if last is None and declarations_of(organisation).filter(status=Status.IN_REVIEW).exists():
        raise conflict(_("您的首次申报正在审核中，审核通过后方可再次申报。"), code="declaration.first_in_review")
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=_("服务商申报：%(name)s") % {"name": organisation.name},
        organisation=organisation,
    )
    declaration = Declaration.objects.create(
        organisation=organisation,
        application=application,
        is_first=last is None,
        created_by=membership.user,
        **({field: getattr(last, field) for field in COPIED_FIELDS} if last else {}),
    )
    if last is not None:
        for item in last.files.filter(kind__in=COPIED_FILES):
            DeclarationFile.objects.create(
                declaration=declaration,
                kind=item.kind,
                file=item.file.name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
            )
    return declaration


def _anchor_unit(value, organisation, declaration) -> AnchorUnit | None:
    if value in (None, ""):
        return None
    unit = (
        declarable_units(organisation, declaration=declaration)
        .filter(pk=value if str(value).isdigit() else None)
        .first()
        or declarable_units(organisation, declaration=declaration).filter(code=str(value)).first()
    )
    if unit is None:
        raise DomainError(_("请选择尚未加入的数字化牵引单位。"), code="declaration.anchor_unit", field="anchor_unit")
    return unit


def _attach(declaration: Declaration, kind: str, upload) -> None:
    content_type = common.file_checked(upload, field=f"files.{kind}")
    declaration.files.filter(kind=kind).delete()
    DeclarationFile.objects.create(
        declaration=declaration,
        kind=kind,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
    )


@transaction.atomic
def declaration_save(
    *,
    membership,
    declaration: Declaration,
    step: int,
    data: dict,
    files: dict | None = None,
    expected_version: int | None = None,
) -> Declaration:
    """保存 one step: step 1 nature, anchor unit and its files; step 2 capability and the team list. What is given
    is checked (lengths, types, the unit); what is missing waits for submission."""
    from tenant_apps.workflow.services import application_touch

    organisation = common.provider_of(membership)
    if declaration.organisation_id != organisation.pk:
        raise not_found(_("该申报不存在。"), code="declaration.not_found")
    common.editable(declaration, area=AREA)
    declaration.application = application_touch(
        application=declaration.application, actor=membership.user, expected_version=expected_version
    )
    files = files or {}
    clean = Cleaner(AREA)
    if step == 1:
        nature = (data.get("nature") or "").strip()
        if nature and nature not in Nature.values:
            raise DomainError(_("请选择公司性质。"), code="declaration.nature", field="nature")
        if "nature" in data:
            declaration.nature = nature
        if "anchor_unit" in data:
            unit = _anchor_unit(data.get("anchor_unit"), organisation, declaration)
            if unit != declaration.anchor_unit and declaration.anchor_unit_id is not None:
                # Another unit needs its own cooperation proof.
                declaration.files.filter(kind=DeclarationFile.Kind.COOPERATION).delete()
            declaration.anchor_unit = unit
        allowed = STEP1_FILES
    elif step == 2:
        if "product_count" in data:
            raw = data.get("product_count")
            if raw in (None, ""):
                declaration.product_count = None
            else:
                try:
                    count = int(str(raw).strip())
                except ValueError:
                    count = -1
                if not 0 <= count <= PRODUCT_COUNT_MAX:
                    raise DomainError(
                        _("产品/服务数量须为 0 到 %(max)s 之间的整数。") % {"max": PRODUCT_COUNT_MAX},
                        code="declaration.product_count",
                        field="product_count",
                    )
                declaration.product_count = count
        if "profile" in data:
            declaration.profile = clean.text(
                data.get("profile"), field="profile", label=_("服务商简介"), max_length=PROFILE_MAX, required=False
            )
        if "guarantee" in data:
            declaration.guarantee = clean.text(
                data.get("guarantee"),
                field="guarantee",
                label=_("服务实施保障"),
                max_length=GUARANTEE_MAX,
                required=False,
            )
        allowed = STEP2_FILES
    else:
        allowed = ()
    for kind, upload in files.items():
        if upload is None:
            continue
        if kind not in allowed:
            raise DomainError(_("该步骤不接受此材料。"), code="declaration.file_kind", field=f"files.{kind}")
        _attach(declaration, kind, upload)
    declaration.step = max(declaration.step, min(step + 1, 3 if declaration.is_first else 2))
    declaration.save()
    return declaration


def problems(declaration: Declaration) -> list[tuple[str, str]]:
    """What submission still needs, as (field, message) in the order of the steps."""
    from tenant_apps.ecosystem import products as product_rules

    found = []
    if not declaration.nature:
        found.append(("nature", _("请选择公司性质。")))
    if declaration.anchor_unit_id is None:
        found.append(("anchor_unit", _("请选择数字化牵引单位。")))
    present = set(declaration.files.values_list("kind", flat=True))
    for kind in REQUIRED_FILES:
        if kind not in present:
            found.append((f"files.{kind}", _("请上传%(label)s。") % {"label": DeclarationFile.Kind(kind).label}))
    if declaration.product_count is None:
        found.append(("product_count", _("请填写现有面向中小企业的“小快轻准”数字化产品/服务数量。")))
    if not declaration.profile:
        found.append(("profile", _("请填写服务商简介。")))
    if declaration.is_first:
        products = list(declaration.products.all())
        if not products:
            found.append(("products", _("首次申报须至少填写一款产品/服务。")))
        for n, product in enumerate(products):
            found += [
                (f"products.{n}.{field}", _("产品%(n)s：%(message)s") % {"n": n + 1, "message": message})
                for field, message in product_rules.problems(product, with_unit=False)
            ]
    return found


@transaction.atomic
def declaration_submit(*, membership, declaration: Declaration, expected_version: int | None = None) -> Declaration:
    """提交: checked, then handed to the engine with the chosen unit as its confirming anchor unit; a first
    declaration's products hold their names (`pending`) from now on."""
    from tenant_apps.workflow.services import application_submit, application_touch

    organisation = common.provider_of(membership)
    if declaration.organisation_id != organisation.pk:
        raise not_found(_("该申报不存在。"), code="declaration.not_found")
    common.editable(declaration, area=AREA)
    declaration.application = application_touch(
        application=declaration.application, actor=membership.user, expected_version=expected_version
    )
    missing = problems(declaration)
    if missing:
        field, message = missing[0]
        raise DomainError(message, code="declaration.incomplete", field=field)
    if not declarable_units(organisation, declaration=declaration).filter(pk=declaration.anchor_unit_id).exists():
        raise DomainError(
            _("您已加入或正在申请该牵引单位的产业生态联合体，请选择其他牵引单位。"),
            code="declaration.anchor_unit",
            field="anchor_unit",
        )
    Application.objects.filter(pk=declaration.application_id).update(anchor_unit=declaration.anchor_unit)
    declaration.application.anchor_unit = declaration.anchor_unit
    declaration.status = Status.IN_REVIEW
    try:
        with transaction.atomic():
            declaration.save(update_fields=["status", "updated_at"])
            for n, product in enumerate(declaration.products.all()):
                _hold_name(product, field=f"products.{n}.name")
    except IntegrityError as error:
        declaration.status = (
            Status.DRAFT
            if declaration.application.state == Application.State.DRAFT
            else (common.STATUS_OF_STATE[declaration.application.state])
        )
        if isinstance(error, _NameTaken):
            raise error.domain from None
        raise conflict(
            _("您已加入或正在申请该牵引单位的产业生态联合体，请选择其他牵引单位。"),
            code="declaration.duplicate_unit",
            field="anchor_unit",
        ) from None
    declaration.application = application_submit(application=declaration.application, actor=membership.user)
    return declaration


class _NameTaken(IntegrityError):
    def __init__(self, domain: DomainError):
        super().__init__(str(domain))
        self.domain = domain


def _hold_name(product: Product, *, field: str) -> None:
    from tenant_apps.ecosystem.products import DUPLICATE_MESSAGE

    product.status = Status.PENDING
    product.anchor_unit = product.declaration.anchor_unit
    try:
        with transaction.atomic():
            product.save(update_fields=["status", "anchor_unit", "updated_at"])
    except IntegrityError:
        raise _NameTaken(DomainError(str(DUPLICATE_MESSAGE), code="product.duplicate_name", field=field, status=409))


@transaction.atomic
def declaration_delete(*, membership, declaration: Declaration) -> None:
    """删除 (the applicant only): a draft, returned or withdrawn declaration and its products go. An application
    never submitted goes with them; a submitted one keeps its log and is closed by the engine (withdrawn, 办结), so
    nothing is left waiting in the applicant's 我的申请 as 已退回."""
    from tenant_apps.workflow.services import application_discard

    organisation = common.provider_of(membership)
    if declaration.organisation_id != organisation.pk:
        raise not_found(_("该申报不存在。"), code="declaration.not_found")
    common.editable(declaration, area=AREA)
    application_discard(application=declaration.application, actor=membership.user)
    applications = [declaration.application_id, *declaration.products.values_list("application_id", flat=True)]
    declaration.products.all().delete()
    declaration.delete()
    Application.objects.filter(pk__in=applications, state=Application.State.DRAFT).delete()


# --- The engine's outcome ------------------------------------------------------------------------------------------
def on_outcome(application: Application) -> None:
    """Mirror the engine's state; approval joins the alliance. A first declaration's products then enter their own
    chain; a repeat declaration brings every approved product of the provider into the new unit's pool."""
    from tenant_apps.ecosystem import alliances

    declaration = Declaration.objects.select_related("anchor_unit").filter(application=application).first()
    if declaration is None:
        return
    declaration.status = common.STATUS_OF_STATE[application.state]
    declaration.save(update_fields=["status", "updated_at"])
    products = declaration.products.select_related("application")
    if application.state == Application.State.APPROVED:
        alliances.join(declaration)
        for product in products:
            if product.status == Status.PENDING:
                from tenant_apps.workflow.services import application_submit

                Application.objects.filter(pk=product.application_id).update(anchor_unit=declaration.anchor_unit)
                product.application.anchor_unit = declaration.anchor_unit
                application_submit(application=product.application, actor=product.application.applicant)
    elif application.state in (Application.State.RETURNED, Application.State.WITHDRAWN):
        products.filter(status=Status.PENDING).update(status=Status.DRAFT)  # editable with the declaration again
    elif application.state == Application.State.REJECTED:
        products.filter(status=Status.PENDING).update(status=Status.REJECTED)


def joined_members(organisation):
    return AllianceMember.objects.filter(organisation=organisation, left_at__isnull=True)
