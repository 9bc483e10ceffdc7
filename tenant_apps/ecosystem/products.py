"""产品申报 (seed 004 §04): the product form, with the first declaration (step 3) or on its own after the first
approval (我的产品). The chain is the tenant's `[flows.product_declaration]` (Jiangmen: the chosen anchor unit →
operations' pre-review → the bureau's re-review); approval puts the product in the pool of every unit the provider
is bound to. A second product of the same provider and normalised name is refused while one is under review or
approved — by the database, so two submissions at the same moment cannot both pass."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenant_apps.configuration.models import Industry
from tenant_apps.ecosystem import common, names
from tenant_apps.ecosystem.models import Declaration, Product, ProductCase, ProductFile, Status
from tenant_apps.workflow.models import Application
from tenants.cleaning import Cleaner
from tenants.errors import DomainError, conflict, not_found

KIND = "product_declaration"
AREA = "product"
NAME_MAX = 50
DESCRIPTION_MAX = OTHER_NOTES_MAX = 1000
CASES_MIN, CASES_MAX = 3, 20
FILES_MAX = 10
DUPLICATE_MESSAGE = gettext_lazy("该产品已在审核中或已申报，请勿重复申报。")
TEXT_FIELDS = {
    # field: (label, max length)
    "category_other": (gettext_lazy("其他类别说明"), 50),
    "description": (gettext_lazy("产品/服务描述"), DESCRIPTION_MAX),
    "architecture_other": (gettext_lazy("其他部署架构"), 50),
    "sub_industries": (gettext_lazy("适用细分行业"), 200),
    "scenarios": (gettext_lazy("适用场景"), 500),
    "award_text": (gettext_lazy("获奖说明"), 200),
    "other_notes": (gettext_lazy("其他需要说明的情况"), OTHER_NOTES_MAX),
}
CHOICE_FIELDS = {
    "nature": Product.ProductNature,
    "architecture": Product.Architecture,
    "deployment": Product.Deployment,
    "purchase": Product.Purchase,
    "award": Product.Award,
}


# --- Reads ---------------------------------------------------------------------------------------------------------
def products_of(organisation):
    return (
        Product.objects.filter(organisation=organisation)
        .select_related("anchor_unit", "application")
        .order_by("-created_at", "-id")
    )


def access_product(membership, pk) -> Product:
    organisation = common.provider_of(membership)
    product = products_of(organisation).filter(pk=pk).first()
    if product is None:
        raise not_found(_("该产品不存在。"), code="product.not_found")
    return product


def near_duplicates(product: Product, *, limit: int = 5) -> list[Product]:
    """Similar names of other providers' live products (a flag for reviewers, never a refusal)."""
    others = (
        Product.objects.filter(status__in=(Status.IN_REVIEW, Status.APPROVED))
        .exclude(organisation=product.organisation)
        .select_related("organisation")
        .only("name", "name_key", "status", "organisation__name")[:2000]
    )
    return [other for other in others if names.similar(product.name_key, other.name_key)][:limit]


# --- Writes --------------------------------------------------------------------------------------------------------
def _create(membership, organisation, *, declaration: Declaration | None, name: str) -> Product:
    from tenant_apps.workflow.services import application_create

    clean = Cleaner(AREA)
    name = clean.text(name, field="name", label=_("产品/服务名称"), max_length=NAME_MAX, required=True)
    application = application_create(
        kind=KIND,
        applicant=membership.user,
        title=_("产品申报：%(name)s") % {"name": name},
        organisation=organisation,
    )
    return Product.objects.create(
        organisation=organisation,
        declaration=declaration,
        application=application,
        name=name,
        name_key=names.name_key(name),
        created_by=membership.user,
    )


@transaction.atomic
def product_start(*, membership, name: str, declaration: Declaration | None = None) -> Product:
    """+新增产品/服务: with a first declaration being filled in, or on its own once the provider has joined."""
    from tenant_apps.ecosystem.declarations import has_joined

    organisation = common.provider_of(membership)
    if declaration is not None:
        if declaration.organisation_id != organisation.pk or not declaration.is_first:
            raise not_found(_("该申报不存在。"), code="declaration.not_found")
        common.editable(declaration, area="declaration")
        if declaration.application.applicant_id != membership.user_id:
            raise DomainError(_("只有申请人可以修改。"), code="workflow.not_applicant", status=403)
        if declaration.products.count() >= CASES_MAX:
            raise DomainError(_("一次申报的产品不能超过 20 款。"), code="product.too_many", field="products")
    elif not has_joined(organisation):
        raise DomainError(
            _("首次申报审核通过后方可单独申报产品；首次申报的产品请在服务商申报中填写。"),
            code="product.not_joined",
            status=403,
        )
    return _create(membership, organisation, declaration=declaration, name=name)


def _price(clean: Cleaner, data: dict, field: str, label) -> Decimal | None:
    return clean.money(data.get(field), field=field, label=label)


def _percent(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise DomainError(_("拟让利比例须在 0% 到 100% 之间。"), code="product.discount", field="discount_percent")
    return number.quantize(Decimal("0.01"))


def _cases(rows) -> list[dict]:
    cleaned = []
    clean = Cleaner(AREA)
    for i, row in enumerate(rows or []):
        customer = clean.text(
            row.get("customer"), field=f"cases.{i}.customer", label=_("服务企业名称"), max_length=64, required=False
        )
        summary = clean.text(
            row.get("summary"), field=f"cases.{i}.summary", label=_("应用成效"), max_length=300, required=False
        )
        if not customer and not summary and not row.get("contract") and not row.get("keep"):
            continue  # an empty row of the repeatable block
        cleaned.append(
            {
                "customer": customer,
                "summary": summary,
                "contract": row.get("contract"),
                "keep": row.get("keep"),
                "index": i,
            }
        )
    if len(cleaned) > CASES_MAX:
        raise DomainError(_("成功案例不能超过 20 个。"), code="product.too_many_cases", field="cases")
    return cleaned


@transaction.atomic
def product_save(
    *,
    membership,
    product: Product,
    data: dict,
    cases=None,
    files: dict | None = None,
    remove_files=None,
    expected_version: int | None = None,
) -> Product:
    """保存草稿: every given field is checked (lengths, choices, min ≤ max, 0–100 %, units the provider is bound
    to); missing ones wait for submission. `cases` replaces the case list when given (a row's `keep` names the
    existing case whose contract it keeps; a row without it drops that contract); `remove_files` takes out
    uploaded proofs by id (a wrongly uploaded one), then `files` adds proofs by kind (lists of uploads)."""
    from tenant_apps.workflow.services import application_touch

    organisation = common.provider_of(membership)
    if product.organisation_id != organisation.pk:
        raise not_found(_("该产品不存在。"), code="product.not_found")
    common.editable(product, area=AREA)
    if product.declaration_id is not None and product.status == Status.DRAFT:
        # Still travelling with its first declaration; once that is approved the product is returned and edited alone.
        common.editable(product.declaration, area="declaration")
    product.application = application_touch(
        application=product.application, actor=membership.user, expected_version=expected_version
    )
    clean = Cleaner(AREA)
    if "name" in data:
        product.name = clean.text(
            data.get("name"), field="name", label=_("产品/服务名称"), max_length=NAME_MAX, required=True
        )
        product.name_key = names.name_key(product.name)
        Application.objects.filter(pk=product.application_id).update(
            title=_("产品申报：%(name)s") % {"name": product.name}
        )
    for field, choices in CHOICE_FIELDS.items():
        if field in data:
            value = (data.get(field) or "").strip()
            if value and value not in choices.values:
                raise DomainError(_("请从列表中选择。"), code=f"product.{field}", field=field)
            setattr(product, field, value)
    for field, (label, max_length) in TEXT_FIELDS.items():
        if field in data:
            setattr(
                product,
                field,
                clean.text(data.get(field), field=field, label=label, max_length=max_length, required=False),
            )
    if "categories" in data:
        categories = [c for c in (data.get("categories") or []) if c]
        unknown = [c for c in categories if c not in Product.Category.values]
        if unknown:
            raise DomainError(_("请从列表中选择产品/服务类别。"), code="product.categories", field="categories")
        product.categories = list(dict.fromkeys(categories))
    if "deployment_days" in data:
        raw = data.get("deployment_days")
        if raw in (None, ""):
            product.deployment_days = None
        else:
            try:
                days = int(str(raw).strip())
            except ValueError:
                days = 0
            if not 1 <= days <= 3650:
                raise DomainError(
                    _("部署周期须为 1 到 3650 天。"), code="product.deployment_days", field="deployment_days"
                )
            product.deployment_days = days
    if "price_min" in data:
        product.price_min = _price(clean, data, "price_min", _("最低报价"))
    if "price_max" in data:
        product.price_max = _price(clean, data, "price_max", _("最高报价"))
    if product.price_min is not None and product.price_max is not None and product.price_min > product.price_max:
        raise DomainError(_("最低报价不能高于最高报价。"), code="product.price_range", field="price_max")
    if "discount_percent" in data:
        product.discount_percent = _percent(data.get("discount_percent"))
    if "anchor_unit" in data and product.declaration_id is None:
        product.anchor_unit = _bound_unit(organisation, data.get("anchor_unit"))
    product.save()
    if "industries" in data:
        wanted = [str(i) for i in (data.get("industries") or []) if i]
        industries = list(Industry.objects.filter(code__in=wanted)) + list(
            Industry.objects.filter(pk__in=[i for i in wanted if i.isdigit()])
        )
        if len({i.pk for i in industries}) < len(set(wanted)):
            raise DomainError(_("请从列表中选择所属行业。"), code="product.industries", field="industries")
        product.industries.set(industries)
    if cases is not None:
        _store_cases(product, _cases(cases))
    for file_pk in remove_files or ():
        _remove_file(product, file_pk)
    for kind, uploads in (files or {}).items():
        if kind not in ProductFile.Kind.values:
            raise DomainError(_("不支持的材料类型。"), code="product.file_kind", field=f"files.{kind}")
        for upload in [u for u in (uploads if isinstance(uploads, list | tuple) else [uploads]) if u]:
            if product.files.filter(kind=kind).count() >= FILES_MAX:
                raise DomainError(
                    _("每类材料最多上传 10 个文件。"), code="product.too_many_files", field=f"files.{kind}"
                )
            content_type = common.file_checked(upload, field=f"files.{kind}")
            ProductFile.objects.create(
                product=product,
                kind=kind,
                file=upload,
                original_name=upload.name[:200],
                content_type=content_type,
                size=upload.size,
            )
    return product


def product_file_remove(*, membership, product: Product, file_pk, expected_version: int | None = None) -> Product:
    """删除 one uploaded proof (IP proof, award proof, other proof) of a product still editable: the same checks as
    保存 (the owning provider, the applicant, an editable product, a current version)."""
    return product_save(
        membership=membership, product=product, data={}, remove_files=[file_pk], expected_version=expected_version
    )


def _remove_file(product: Product, file_pk) -> None:
    item = product.files.filter(pk=int(file_pk)).first() if str(file_pk).isdigit() else None
    if item is None:
        raise DomainError(_("该文件不存在或已删除。"), code="product.file_not_found", field="files", status=404)
    name, storage = item.file.name, item.file.storage
    item.delete()

    def remove() -> None:
        try:
            storage.delete(name)
        except OSError:  # a file already gone is no reason to fail the person's action
            pass

    transaction.on_commit(remove)


def _bound_unit(organisation, value):
    from tenant_apps.ecosystem.declarations import bound_units

    if value in (None, ""):
        return None
    units = bound_units(organisation)
    unit = units.filter(pk=value).first() if str(value).isdigit() else units.filter(code=str(value)).first()
    if unit is None:
        raise DomainError(
            _("只能选择您已加入其产业生态联合体的牵引单位。"), code="product.anchor_unit", field="anchor_unit"
        )
    return unit


def _store_cases(product: Product, rows: list[dict]) -> None:
    existing = {case.pk: case for case in product.cases.all()}
    kept_ids = set()
    new_cases = []
    for position, row in enumerate(rows):
        keep = existing.get(int(row["keep"])) if str(row.get("keep") or "").isdigit() else None
        case = ProductCase(product=product, position=position, customer=row["customer"], summary=row["summary"])
        if keep is not None:
            kept_ids.add(keep.pk)
            case.contract, case.contract_name = keep.contract.name, keep.contract_name
            case.contract_type, case.contract_size = keep.contract_type, keep.contract_size
        if row.get("contract"):
            upload = row["contract"]
            case.contract_type = common.file_checked(upload, field=f"cases.{row['index']}.contract")
            case.contract, case.contract_name, case.contract_size = upload, upload.name[:200], upload.size
        new_cases.append(case)
    product.cases.all().delete()
    for case in new_cases:
        case.pk = None
        case.save()


def problems(product: Product, *, with_unit: bool = True) -> list[tuple[str, str]]:
    """What submission still needs, as (field, message) in the order of the form."""
    found = []

    def need(field: str, message) -> None:
        found.append((field, str(message)))

    if not product.nature:
        need("nature", _("请选择产品性质。"))
    files = set(product.files.values_list("kind", flat=True))
    if product.nature == Product.ProductNature.OWN and ProductFile.Kind.IP_PROOF not in files:
        need("files.ip_proof", _("自有产品请上传自主知识产权证明。"))
    if not product.categories:
        need("categories", _("请选择产品/服务类别（业务环节）。"))
    elif Product.Category.OTHER in product.categories and not product.category_other:
        need("category_other", _("选择“其他”类别时请说明具体类别。"))
    if not product.description:
        need("description", _("请填写产品/服务描述。"))
    if not product.architecture:
        need("architecture", _("请选择部署架构。"))
    elif product.architecture == Product.Architecture.OTHER and not product.architecture_other:
        need("architecture_other", _("选择“其他”部署架构时请说明。"))
    if not product.deployment:
        need("deployment", _("请选择部署方式。"))
    if product.deployment_days is None:
        need("deployment_days", _("请填写部署周期。"))
    if not product.purchase:
        need("purchase", _("请选择购买方式。"))
    if product.price_min is None:
        need("price_min", _("请填写最低报价。"))
    if product.price_max is None:
        need("price_max", _("请填写最高报价。"))
    if product.discount_percent is None:
        need("discount_percent", _("请填写拟让利比例。"))
    if not product.industries.exists():
        need("industries", _("请选择所属行业。"))
    if not product.scenarios:
        need("scenarios", _("请填写适用场景。"))
    cases = list(product.cases.all())
    if len(cases) < CASES_MIN:
        need("cases", _("请提供不少于 3 个成功应用案例。"))
    for n, case in enumerate(cases):
        if not case.customer:
            need(f"cases.{n}.customer", _("案例%(n)s：请填写服务企业名称。") % {"n": n + 1})
        if not case.contract:
            need(f"cases.{n}.contract", _("案例%(n)s：请上传合同。") % {"n": n + 1})
    if not product.award:
        need("award", _("请选择产品/服务获奖情况。"))
    elif product.award != Product.Award.NONE and ProductFile.Kind.AWARD_PROOF not in files:
        need("files.award_proof", _("请上传获奖证明。"))
    if with_unit and product.anchor_unit_id is None:
        need("anchor_unit", _("请选择为产品提供指导审核的数字化牵引单位。"))
    return found


@transaction.atomic
def product_submit(*, membership, product: Product, expected_version: int | None = None) -> Product:
    """提交申报 (a product on its own; a first declaration's products go with the declaration)."""
    from tenant_apps.ecosystem.declarations import bound_units
    from tenant_apps.workflow.services import application_submit, application_touch

    organisation = common.provider_of(membership)
    if product.organisation_id != organisation.pk:
        raise not_found(_("该产品不存在。"), code="product.not_found")
    if (
        product.declaration_id is not None
        and product.status in common.EDITABLE
        and (product.declaration.status in common.EDITABLE)
    ):
        raise DomainError(_("首次申报的产品随服务商申报一并提交。"), code="product.with_declaration", status=409)
    common.editable(product, area=AREA)
    product.application = application_touch(
        application=product.application, actor=membership.user, expected_version=expected_version
    )
    missing = problems(product)
    if missing:
        field, message = missing[0]
        raise DomainError(message, code="product.incomplete", field=field)
    if not bound_units(organisation).filter(pk=product.anchor_unit_id).exists():
        raise DomainError(
            _("只能选择您已加入其产业生态联合体的牵引单位。"), code="product.anchor_unit", field="anchor_unit"
        )
    previous, product.status = product.status, Status.IN_REVIEW
    try:
        with transaction.atomic():
            product.save(update_fields=["status", "updated_at"])
    except IntegrityError:
        product.status = previous
        raise conflict(DUPLICATE_MESSAGE, code="product.duplicate_name", field="name") from None
    Application.objects.filter(pk=product.application_id).update(anchor_unit=product.anchor_unit)
    product.application.anchor_unit = product.anchor_unit
    product.application = application_submit(application=product.application, actor=membership.user)
    return product


def name_taken(product: Product) -> bool:
    """Whether another live product of the provider has this name (shown as the form is saved, before submission)."""
    return (
        Product.objects.filter(
            organisation_id=product.organisation_id,
            name_key=product.name_key,
            status__in=(Status.PENDING, Status.IN_REVIEW, Status.APPROVED),
        )
        .exclude(pk=product.pk)
        .exists()
    )


@transaction.atomic
def product_delete(*, membership, product: Product) -> None:
    """删除 (the applicant only): a draft, returned or withdrawn product. Its application goes with it when never
    submitted; a submitted one keeps its log and is closed by the engine (withdrawn, 办结)."""
    from tenant_apps.workflow.services import application_discard

    organisation = common.provider_of(membership)
    if product.organisation_id != organisation.pk:
        raise not_found(_("该产品不存在。"), code="product.not_found")
    common.editable(product, area=AREA)
    if product.pool_entries.exists():
        raise conflict(_("已入池的产品不能删除。"), code="product.pooled")
    application_discard(application=product.application, actor=membership.user)
    application_id = product.application_id
    product.delete()
    Application.objects.filter(pk=application_id, state=Application.State.DRAFT).delete()


def on_outcome(application: Application) -> None:
    """Mirror the engine's state; approval puts the product in every bound unit's pool."""
    from tenant_apps.ecosystem import alliances

    product = Product.objects.select_related("organisation").filter(application=application).first()
    if product is None:
        return
    product.status = common.STATUS_OF_STATE[application.state]
    if application.state == Application.State.APPROVED:
        product.approved_at = timezone.now()
    product.save(update_fields=["status", "approved_at", "updated_at"])
    if application.state == Application.State.APPROVED:
        alliances.product_approved(product)
