"""Anchor-unit ecosystems (seed 004): providers join an anchor unit's industrial ecosystem alliance (产业生态联合体)
through a declaration the unit confirms, and declare products that, once approved, sit in the pool of every unit
the provider is bound to.

- `Declaration` (服务商申报): the first one (with at least one product) or a repeat one (another unit, no products);
  reviewed through the engine as kind `provider_declaration` (the unit named in it confirms).
- `Product` (产品申报): reviewed as kind `product_declaration` (anchor unit → ops pre-review → bureau re-review). A
  product of a first declaration waits (`status=pending`) until the declaration is approved, then enters its chain.
- `AllianceMember` / `PoolEntry`: who is in which alliance and which products are in which pool; leaving keeps the
  row with `left_at` / `removed_at` (history), so an open row is the current state.
- `ProviderChange` (信息变更): a change of the provider's basic information, reviewed as kind `provider_change`.

`Product.status` mirrors its application's state (plus `pending`) so the database itself refuses a second product
of the same normalised name while one is under review or approved (a partial unique constraint): two submissions
at the same moment cannot both pass."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.uploads import StoredUpload, stored_name

MONEY = {"max_digits": 14, "decimal_places": 2}


def _file_path(instance, filename: str) -> str:
    return stored_name("ecosystem", filename)


class Nature(models.TextChoices):
    """公司性质."""

    STATE = "state", _("国有")
    PRIVATE = "private", _("民营")
    FOREIGN = "foreign", _("外资")
    MIXED = "mixed", _("混合所有制")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    """Where a declaration or product stands, as the provider's lists show it."""

    DRAFT = "draft", _("未提交")
    PENDING = "pending", _("待服务商申报通过")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("已驳回")
    WITHDRAWN = "withdrawn", _("已撤销")


# A product in one of these holds its name: another of the same provider and normalised name is refused.
NAME_HOLDING = (Status.PENDING, Status.IN_REVIEW, Status.APPROVED)


class Declaration(models.Model):
    """服务商申报: step 1 basic information and the chosen anchor unit, step 2 service capability, step 3 (first
    declaration only) the products. A repeat declaration copies steps 1–2 from the provider's latest approved one."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="ecosystem_declarations",
        verbose_name=_("服务商"),
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="ecosystem_declaration"
    )
    anchor_unit = models.ForeignKey(
        "configuration.AnchorUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("数字化牵引单位"),
    )
    is_first = models.BooleanField(_("首次申报"), default=True)
    status = models.CharField(_("审核状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    step = models.PositiveSmallIntegerField(_("填写到第几步"), default=1)
    nature = models.CharField(_("公司性质"), max_length=10, choices=Nature.choices, blank=True)
    product_count = models.PositiveIntegerField(_("“小快轻准”产品/服务数量"), null=True, blank=True)
    profile = models.TextField(_("服务商简介"), max_length=500, blank=True)
    guarantee = models.TextField(_("服务实施保障"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务商申报")
        verbose_name_plural = _("服务商申报")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One declaration under review per provider and unit (membership itself is AllianceMember's).
            models.UniqueConstraint(
                fields=["organisation", "anchor_unit"],
                condition=Q(status="in_review"),
                name="declaration_one_live_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.anchor_unit or '—'}"


class DeclarationFile(StoredUpload):
    class Kind(models.TextChoices):
        LOGO = "logo", _("公司LOGO")
        LICENCE = "licence", _("营业执照")
        CREDIT_REPORT = "credit_report", _("法人和非法人组织公共信用报告")
        COOPERATION = "cooperation", _("与牵引单位的合作关系证明材料（加盖双方公章）")
        TEAM_LIST = "team_list", _("本地技术服务团队人员名单（加盖公章）")

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=_file_path, max_length=200)

    class Meta:
        ordering = ["declaration", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["declaration", "kind"], name="declaration_one_file_per_kind")]


class Product(models.Model):
    """产品/服务申报. `name_key` is the name folded (NFKC, case, spaces and punctuation dropped) for the duplicate
    rule; `status` mirrors the engine (see the module docstring)."""

    class ProductNature(models.TextChoices):
        OWN = "own", _("自有产品")
        AGENCY = "agency", _("代理产品")
        JOINT = "joint", _("合作开发产品")

    class Category(models.TextChoices):
        RD_DESIGN = "rd_design", _("研发设计")
        PRODUCTION = "production", _("生产制造/执行")
        SUPPLY_CHAIN = "supply_chain", _("供应链")
        MARKETING = "marketing", _("营销服务")
        MANAGEMENT = "management", _("经营管理")
        OTHER = "other", _("其他")

    class Architecture(models.TextChoices):
        PC = "pc", _("PC单机")
        CS = "cs", _("C/S（客户端/服务端）架构")
        BS = "bs", _("B/S（浏览器/服务器）架构")
        OTHER = "other", _("其他")

    class Deployment(models.TextChoices):
        LOCAL = "local", _("本地部署")
        CLOUD = "cloud", _("云端部署（SaaS）")
        HYBRID = "hybrid", _("混合部署")

    class Purchase(models.TextChoices):
        BUYOUT = "buyout", _("一次性买断")
        SUBSCRIPTION = "subscription", _("按年订阅")
        USAGE = "usage", _("按量付费")
        PROJECT = "project", _("项目定制")

    class Award(models.TextChoices):
        NATIONAL = "national", _("曾获得国家级奖项")
        PROVINCIAL = "provincial", _("曾获得省部级奖项")
        OTHER = "other", _("其他获奖情况")
        NONE = "none", _("未获奖")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="ecosystem_products",
        verbose_name=_("服务商"),
    )
    # Set for a product declared with the provider's first declaration; it enters its chain when that is approved.
    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, null=True, blank=True, related_name="products"
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="ecosystem_product"
    )
    anchor_unit = models.ForeignKey(
        "configuration.AnchorUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_products",
        verbose_name=_("审核数字化牵引单位"),
    )
    status = models.CharField(_("审核状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(_("产品/服务名称"), max_length=50)
    name_key = models.CharField(max_length=50, db_index=True)
    nature = models.CharField(_("产品性质"), max_length=10, choices=ProductNature.choices, blank=True)
    categories = ArrayField(
        models.CharField(max_length=20, choices=Category.choices), verbose_name=_("产品/服务类别"), default=list
    )
    category_other = models.CharField(_("其他类别说明"), max_length=50, blank=True)
    description = models.TextField(_("产品/服务描述"), max_length=1000, blank=True)
    architecture = models.CharField(_("部署架构"), max_length=10, choices=Architecture.choices, blank=True)
    architecture_other = models.CharField(_("其他部署架构"), max_length=50, blank=True)
    deployment = models.CharField(_("部署方式"), max_length=10, choices=Deployment.choices, blank=True)
    deployment_days = models.PositiveIntegerField(
        _("部署周期（天）"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    purchase = models.CharField(_("购买方式"), max_length=20, choices=Purchase.choices, blank=True)
    price_min = models.DecimalField(_("最低报价（元）"), **MONEY, null=True, blank=True)
    price_max = models.DecimalField(_("最高报价（元）"), **MONEY, null=True, blank=True)
    discount_percent = models.DecimalField(_("拟让利比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    industries = models.ManyToManyField(
        "configuration.Industry", blank=True, related_name="+", verbose_name=_("所属行业")
    )
    sub_industries = models.CharField(_("适用细分行业"), max_length=200, blank=True)
    scenarios = models.CharField(_("适用场景"), max_length=500, blank=True)
    award = models.CharField(_("产品/服务获奖情况"), max_length=12, choices=Award.choices, blank=True)
    award_text = models.CharField(_("获奖说明"), max_length=200, blank=True)
    other_notes = models.TextField(_("其他需要说明的情况"), max_length=1000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    approved_at = models.DateTimeField(_("通过时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("产品申报")
        verbose_name_plural = _("产品申报")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name_key"],
                condition=Q(status__in=("pending", "in_review", "approved")),
                name="product_one_live_name_per_provider",
            ),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_min__lte=models.F("price_max")),
                name="product_price_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__isnull=True) | Q(discount_percent__gte=0, discount_percent__lte=100),
                name="product_discount_0_100",
            ),
        ]
        indexes = [models.Index(fields=["status", "-approved_at"], name="product_status_approved")]

    def __str__(self) -> str:
        return self.name


class ProductCase(models.Model):
    """A customer case (服务企业): at least three, each with its contract."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(default=0)
    customer = models.CharField(_("服务企业名称"), max_length=64)
    summary = models.CharField(_("应用成效"), max_length=300, blank=True)
    contract = models.FileField(_("合同"), upload_to=_file_path, max_length=200, blank=True)
    contract_name = models.CharField(max_length=200, blank=True)
    contract_type = models.CharField(max_length=100, blank=True)
    contract_size = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]


class ProductFile(StoredUpload):
    class Kind(models.TextChoices):
        IP_PROOF = "ip_proof", _("自主知识产权证明")
        AWARD_PROOF = "award_proof", _("获奖证明")
        OTHER = "other", _("其他必要的佐证材料")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=_file_path, max_length=200)

    class Meta:
        ordering = ["product", "kind", "id"]


class AllianceMember(models.Model):
    """A provider in an anchor unit's alliance; `left_at` set = it left (the row stays as history)."""

    anchor_unit = models.ForeignKey(
        "configuration.AnchorUnit", on_delete=models.PROTECT, related_name="members", verbose_name=_("牵引单位")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="alliance_memberships",
        verbose_name=_("服务商"),
    )
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(_("加入时间"))
    left_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("联合体成员")
        verbose_name_plural = _("联合体成员")
        ordering = ["-joined_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["anchor_unit", "organisation"], condition=Q(left_at__isnull=True), name="alliance_member_once"
            )
        ]


class PoolEntry(models.Model):
    """A product in an anchor unit's product pool; `removed_at` set = taken out (kept as history)."""

    anchor_unit = models.ForeignKey(
        "configuration.AnchorUnit", on_delete=models.PROTECT, related_name="pool", verbose_name=_("牵引单位")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="pool_entries")
    added_at = models.DateTimeField(_("入池时间"))
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    removed_reason = models.CharField(_("移出原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("产品池")
        verbose_name_plural = _("产品池")
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["anchor_unit", "product"], condition=Q(removed_at__isnull=True), name="pool_entry_once"
            )
        ]


class ProviderChange(models.Model):
    """信息变更: the provider's new basic information (`data`) beside what it replaces (`previous`); applied to the
    organisation when the configured review approves it."""

    FIELDS = ("contact_name", "contact_mobile", "email", "region", "address", "nature", "profile", "guarantee")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="ecosystem_changes"
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="ecosystem_change"
    )
    status = models.CharField(_("审核状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(_("变更后"), default=dict)
    previous = models.JSONField(_("变更前"), default=dict)
    reason = models.CharField(_("变更原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("生效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("信息变更")
        verbose_name_plural = _("信息变更")
        ordering = ["-created_at", "-id"]
