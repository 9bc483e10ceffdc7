"""The marketplace of one tenant: catalogue taxonomy, provider listings in reviewed versions, the provider's
experts and bank account, carts, orders with offline payment proofs, and ratings.

A `Listing` is the product's stable identity (what a buyer bookmarks); what the provider fills in is a
`ListingVersion`. Each submitted version goes through the tenant's `listing` review chain as its own application;
the approved one becomes the listing's `live_version`, so editing a product on sale never takes it off sale.
Money is `Decimal` with two places everywhere; an order carries `total`, `deduction` and `payable` from the start
(the voucher module fills `deduction`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


def _upload_path(folder: str):
    def path(instance, filename: str) -> str:
        # The storage adds the tenant prefix (<schema>/…); the name the person chose is kept only as data.
        suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
        return f"marketplace/{folder}/{uuid.uuid4().hex}.{suffix}"

    path.__name__ = f"upload_to_{folder}"
    path.__qualname__ = path.__name__
    return path


def thumbnail_path(instance, filename):
    return _upload_path("thumbnails")(instance, filename)


def media_path(instance, filename):
    return _upload_path("media")(instance, filename)


def case_document_path(instance, filename):
    return _upload_path("cases")(instance, filename)


def expert_photo_path(instance, filename):
    return _upload_path("experts")(instance, filename)


def proof_path(instance, filename):
    return _upload_path("proofs")(instance, filename)


# --- Taxonomy (ops manage it in the workbench) ----------------------------------------------------------------------
class Catalogue(models.Model):
    """商品目录: the top-level shelf a listing sits on (e.g. 研发设计, 生产制造, 经营管理)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("商品目录")
        verbose_name_plural = _("商品目录")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """解决方案分类 (a listing picks at most five)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("解决方案分类")
        verbose_name_plural = _("解决方案分类")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=20, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- The provider's experts and bank account ------------------------------------------------------------------------
class ProviderExpert(models.Model):
    """专家管理: a provider's expert, shown on its listings."""

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="experts", verbose_name=_("服务商")
    )
    name = models.CharField(_("姓名"), max_length=30)
    age = models.PositiveSmallIntegerField(_("年龄"), validators=[MinValueValidator(18), MaxValueValidator(100)])
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices)
    iiot_specialty = models.CharField(_("工业互联网专业领域"), max_length=60)
    industry_fields = models.CharField(_("行业领域"), max_length=100)
    operations_field = models.CharField(_("运营领域"), max_length=60, blank=True)
    years_iiot = models.PositiveSmallIntegerField(_("从事工业互联网年限"), validators=[MaxValueValidator(80)])
    years_industry = models.PositiveSmallIntegerField(_("从事行业年限"), validators=[MaxValueValidator(80)])
    experience = models.CharField(_("从业经历"), max_length=200)
    title = models.CharField(_("职称"), max_length=30, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    photo = models.ImageField(_("照片"), upload_to=expert_photo_path, max_length=200, blank=True)
    introduction = models.TextField(_("专家简介"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=0)  # a form opened before a save elsewhere is refused (409)

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return self.name


class BankAccount(models.Model):
    """Where a buyer transfers the money for an order (offline payment, company account to company account)."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="bank_account", verbose_name=_("服务商")
    )
    account_name = models.CharField(_("户名"), max_length=64)
    bank_name = models.CharField(_("开户行"), max_length=64)
    account_number = models.CharField(_("账号"), max_length=34)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("收款账户")
        verbose_name_plural = _("收款账户")


# --- Listings -------------------------------------------------------------------------------------------------------
class Listing(models.Model):
    """A product as buyers know it. Its state is the seed's 商品状态; what is on sale is `live_version`."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        REJECTED = "rejected", _("已驳回")
        RETURNED = "returned", _("已退回")
        LISTED = "listed", _("已上架")
        WITHDRAWN = "withdrawn", _("已撤回")
        DELISTED = "delisted", _("已下架")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="listings", verbose_name=_("服务商")
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    live_version = models.OneToOneField(
        "ListingVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("在售版本")
    )
    listed_at = models.DateTimeField(_("上架时间"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    delist_reason = models.CharField(_("下架原因"), max_length=200, blank=True)
    delisted_by_platform = models.BooleanField(_("平台下架"), default=False)
    # Kept with every rating so the catalogue sorts and shows stars without aggregating per row.
    rating_count = models.PositiveIntegerField(_("评价数"), default=0)
    rating_sum = models.PositiveIntegerField(_("评分合计"), default=0)
    order_count = models.PositiveIntegerField(_("成交订单数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-listed_at"]),
            models.Index(fields=["organisation", "-created_at"]),
            # The catalogue's default order (最新上架) read straight off an index: a page is the next rows of it,
            # not a sort of every listed product (ADR 0019).
            models.Index(
                models.F("listed_at").desc(nulls_last=True),
                models.F("id").desc(),
                name="market_listing_listed_newest",
                condition=Q(state="listed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="listed") | Q(live_version__isnull=False), name="listing_listed_has_live_version"
            ),
        ]

    def __str__(self) -> str:
        version = self.live_version
        return version.name if version else str(_("未命名商品"))

    @property
    def rating_average(self) -> Decimal | None:
        if not self.rating_count:
            return None
        return (Decimal(self.rating_sum) / self.rating_count).quantize(Decimal("0.1"))


class ListingVersion(models.Model):
    """What the provider filled in, once. Versions are never edited after submission; a return or withdrawal
    makes the same version editable again, a change to a listed product starts a new one."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="versions", verbose_name=_("商品"))
    number = models.PositiveIntegerField(_("版本"), default=1)
    application = models.OneToOneField(
        "workflow.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listing_version",
        verbose_name=_("审核申请"),
    )
    name = models.CharField(_("商品名称"), max_length=60)
    related_product = models.CharField(_("关联产品"), max_length=60, blank=True)
    catalogue = models.ForeignKey(
        Catalogue, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("商品目录")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="+", verbose_name=_("标签"))
    categories = models.ManyToManyField(Category, blank=True, related_name="+", verbose_name=_("解决方案分类"))
    industries = models.ManyToManyField(
        "configuration.Industry", blank=True, related_name="+", verbose_name=_("适用行业")
    )
    thumbnail = models.ImageField(_("缩略图"), upload_to=thumbnail_path, max_length=200, blank=True)
    summary = models.CharField(_("商品简介"), max_length=200, blank=True)
    price_min = models.DecimalField(_("历史最低售价（元）"), null=True, blank=True, **MONEY)
    price_max = models.DecimalField(_("历史最高售价（元）"), null=True, blank=True, **MONEY)
    delivery_cycle_days = models.PositiveIntegerField(_("平均交付周期（天）"), null=True, blank=True)
    delivery_person_days = models.PositiveIntegerField(_("交付人天"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    # The intro page as ordered blocks ([{"type": "banner"|"highlights"|"description"|"gallery"|"support", "value":
    # {...}}]); validated by listings.intro_blocks_checked, rendered by the product page.
    intro = models.JSONField(_("商品介绍页"), default=list, blank=True)
    experts = models.ManyToManyField(ProviderExpert, blank=True, related_name="+", verbose_name=_("展示专家"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("商品版本")
        verbose_name_plural = _("商品版本")
        ordering = ["listing", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "number"], name="listing_version_unique_number"),
            models.CheckConstraint(
                condition=Q(price_min__isnull=True)
                | Q(price_max__isnull=True)
                | Q(price_min__lte=models.F("price_max")),
                name="listing_version_price_min_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class ListingMedia(models.Model):
    """An image or video of a version's intro page (banner, screenshots)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        VIDEO = "video", _("视频")

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.IMAGE)
    file = models.FileField(upload_to=media_path, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("介绍页素材")
        verbose_name_plural = _("介绍页素材")
        ordering = ["id"]


class ListingCase(models.Model):
    """客户案例: exactly three per version."""

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])
    customer = models.CharField(_("客户名称"), max_length=64)
    customer_output = models.DecimalField(_("客户年产值（万元）"), **MONEY)
    contract_amount = models.DecimalField(_("合同金额（万元）"), **MONEY)
    delivery_months = models.PositiveSmallIntegerField(_("交付周期（月）"))
    contact_name = models.CharField(_("客户联系人"), max_length=30, blank=True)
    contact_title = models.CharField(_("联系人职务"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系人电话"), max_length=20, blank=True)
    document = models.FileField(_("介绍文档"), upload_to=case_document_path, max_length=200, blank=True)
    document_name = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("客户案例")
        verbose_name_plural = _("客户案例")
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="listing_case_unique_position")]


class ListingSpec(models.Model):
    """规格: what a buyer picks; the unit price is per year, per month or per piece."""

    class PurchaseMode(models.TextChoices):
        YEAR = "year", _("按年")
        MONTH = "month", _("按月")
        QUANTITY = "quantity", _("按数量")

    class Pricing(models.TextChoices):
        FREE = "free", _("免费")
        SIMPLE = "simple", _("简单模式")

    version = models.ForeignKey(ListingVersion, on_delete=models.CASCADE, related_name="specs")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("规格名称"), max_length=40)
    purchase_mode = models.CharField(_("购买方式"), max_length=10, choices=PurchaseMode.choices)
    pricing = models.CharField(_("定价模式"), max_length=10, choices=Pricing.choices)
    unit_price = models.DecimalField(_("规格定价（元）"), default=ZERO, **MONEY)

    class Meta:
        verbose_name = _("规格")
        verbose_name_plural = _("规格")
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="listing_spec_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(pricing="free") | Q(unit_price=0), name="listing_spec_free_costs_nothing"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Buying ---------------------------------------------------------------------------------------------------------
class CartItem(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.CASCADE, related_name="+")
    spec = models.ForeignKey(ListingSpec, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"), default=1, validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("购物车")
        verbose_name_plural = _("购物车")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "spec"], name="cart_item_unique_spec")]


class Order(models.Model):
    """One buyer's order with one provider; lines snapshot names and prices at the moment of ordering."""

    class State(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("待支付")
        PROOF_IN_REVIEW = "proof_in_review", _("支付凭证审核中")
        TO_SIGN = "to_sign", _("待签约")
        DELIVERING = "delivering", _("交付中")
        DELIVERED = "delivered", _("待确认完成")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    class Payment(models.TextChoices):
        UNPAID = "unpaid", _("未支付")
        IN_REVIEW = "in_review", _("凭证审核中")
        PAID = "paid", _("已支付")
        REJECTED = "rejected", _("凭证被退回")

    number = models.CharField(_("订单编号"), max_length=24, unique=True)
    buyer = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="orders_placed", verbose_name=_("买方")
    )
    buyer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="orders_received", verbose_name=_("服务商")
    )
    state = models.CharField(_("订单状态"), max_length=20, choices=State.choices, default=State.AWAITING_PAYMENT)
    payment = models.CharField(_("支付状态"), max_length=20, choices=Payment.choices, default=Payment.UNPAID)
    total = models.DecimalField(_("订单金额"), **MONEY)
    deduction = models.DecimalField(_("服务券抵扣"), default=ZERO, **MONEY)
    payable = models.DecimalField(_("应付金额"), **MONEY)
    bank_account = models.JSONField(_("收款账户（下单时）"), default=dict, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付确认时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created_at"]),
            models.Index(fields=["provider", "-created_at"]),
            models.Index(fields=["state", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(deduction__gte=0) & Q(deduction__lte=models.F("total")), name="order_deduction_in_range"
            ),
            models.CheckConstraint(
                condition=Q(payable=models.F("total") - models.F("deduction")),
                name="order_payable_is_total_less_deduction",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="order_lines")
    version = models.ForeignKey(ListingVersion, on_delete=models.PROTECT, related_name="+")
    spec = models.ForeignKey(ListingSpec, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(_("商品名称"), max_length=60)
    spec_name = models.CharField(_("规格"), max_length=40)
    purchase_mode = models.CharField(_("购买方式"), max_length=10, choices=ListingSpec.PurchaseMode.choices)
    unit_price = models.DecimalField(_("单价"), **MONEY)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(_("金额"), **MONEY)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_line_amount_not_negative"),
        ]


class OrderEvent(models.Model):
    """The order's timeline (下单, 上传凭证, 凭证通过/退回, 签约, 交付, 完成, 取消); append-only."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = _("订单记录")
        ordering = ["created_at", "id"]


class PaymentProof(models.Model):
    """One submission of payment proof (1–3 files), reviewed through the tenant's `payment_proof` chain."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="proofs")
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.PROTECT, related_name="payment_proof", null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支付凭证")
        verbose_name_plural = _("支付凭证")
        ordering = ["-created_at", "-id"]


class PaymentProofFile(models.Model):
    proof = models.ForeignKey(PaymentProof, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=proof_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]


class Rating(models.Model):
    """我的评价: one per order line, after the order is completed."""

    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="rating")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="ratings")
    buyer = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.CharField(_("评价内容"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["listing", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_1_to_5"),
        ]
