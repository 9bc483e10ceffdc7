"""The ecosystem API's shapes (/api/v1/ecosystem/): what declarations, products, pools, alliance members and
information changes look like to their readers, and the inputs the services take. Inputs are plain strings where
the service checks them (prices, ratio, counts), so a refusal carries the service's code and field
(`product.price_range` on `price_max`), never a generic parse error."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_apps.ecosystem import common
from tenant_apps.ecosystem.models import (
    DeclarationFile,
    Nature,
    Product,
    ProductFile,
    ProviderChange,
    Status,
)
from tenant_apps.workflow.models import Application


# --- Shared pieces -------------------------------------------------------------------------------------------------
class EcoUnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class EcoIndustryBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EcoProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="点分字段路径，例如 files.licence、products.0.cases.1.contract")
    message = serializers.CharField()


class EcoFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField(source="created_at")


class EcoReviewedSerializer(serializers.Serializer):
    """What a declaration, a product and a change share: the engine's application and where it stands."""

    application = serializers.IntegerField(source="application_id", help_text="审核申请 id（/api/v1/applications/）")
    status = serializers.ChoiceField(choices=Status.choices, help_text="列表显示的审核状态")
    status_label = serializers.CharField(source="get_status_display")
    version = serializers.IntegerField(source="application.version", help_text="表单版本：保存、提交时回传")
    stage = serializers.SerializerMethodField(help_text="当前审核环节（审核中时）")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)
    editable = serializers.SerializerMethodField(help_text="未提交、已退回或已撤销时可修改")

    def get_stage(self, obj) -> str | None:
        application = obj.application
        stage = application.current_stage if application.state == Application.State.IN_REVIEW else None
        return stage["name"] if stage else None

    def get_editable(self, obj) -> bool:
        return obj.status in common.EDITABLE


# --- Anchor units, pools, alliance members -------------------------------------------------------------------------
class EcoAnchorUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    industries = EcoIndustryBriefSerializer(many=True, source="industries.all")
    member_count = serializers.IntegerField(help_text="产业生态联合体成员数")
    product_count = serializers.IntegerField(help_text="产品池产品数")


class EcoPoolProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    provider = serializers.CharField(source="organisation.name")
    categories = serializers.ListField(child=serializers.CharField())
    price_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    price_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class EcoPoolEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    anchor_unit = EcoUnitBriefSerializer()
    product = EcoPoolProductSerializer()
    added_at = serializers.DateTimeField(help_text="入池时间")


class EcoProviderBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True)
    contact_name = serializers.CharField()
    contact_mobile = serializers.CharField()


class EcoMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    anchor_unit = EcoUnitBriefSerializer()
    organisation = EcoProviderBriefSerializer()
    joined_at = serializers.DateTimeField(help_text="加入时间")
    products = serializers.IntegerField(help_text="在本产品池中的产品数")


class EcoLeaveInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, help_text="移出原因（必填，≤ 200 字）")


# --- Declarations --------------------------------------------------------------------------------------------------
class EcoDeclarationProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")


class EcoDeclarationSerializer(EcoReviewedSerializer):
    """One line of 服务商申报."""

    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name", help_text="单位名称")
    anchor_unit = EcoUnitBriefSerializer(allow_null=True)
    is_first = serializers.BooleanField(help_text="首次申报（否则为再次申报）")
    step = serializers.IntegerField(help_text="已填写到第几步")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EcoDeclarationDetailSerializer(EcoDeclarationSerializer):
    uscc = serializers.CharField(source="organisation.uscc", allow_null=True, help_text="来自企业注册信息，不可修改")
    nature = serializers.CharField(help_text="公司性质：" + " / ".join(Nature.values))
    product_count = serializers.IntegerField(allow_null=True, help_text="“小快轻准”产品/服务数量")
    profile = serializers.CharField(help_text="服务商简介（≤ 500 字）")
    guarantee = serializers.CharField(help_text="服务实施保障（≤ 500 字）")
    files = EcoFileSerializer(many=True, source="files.all")
    products = EcoDeclarationProductSerializer(many=True, source="products.all", help_text="首次申报同时申报的产品")


def _text(help_text: str, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text=help_text, **kwargs)


class EcoVersionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")


class EcoDeclarationInput(EcoVersionInput):
    """保存一步：给出的字段被检查并保存，未给出的保持不变；材料以 multipart 的 files.<kind> 上传。"""

    step = serializers.ChoiceField(choices=[1, 2, 3], help_text="1 基本信息；2 服务能力；3 产品（首次申报）")
    nature = _text("公司性质：" + " / ".join(Nature.values))
    anchor_unit = _text("数字化牵引单位（编码或 id；仅尚未加入的）")
    product_count = _text("“小快轻准”产品/服务数量（0–10000 的整数）")
    profile = _text("服务商简介（≤ 500 字）")
    guarantee = _text("服务实施保障（≤ 500 字）")


# The multipart form: the same fields and one file per material kind, named as refusals name them.
EcoDeclarationMultipartInput = type(
    "EcoDeclarationMultipartInput",
    (EcoDeclarationInput,),
    {
        f"files.{kind}": serializers.FileField(required=False, help_text=f"{label}（PDF、JPG 或 PNG，小于 20 MB）")
        for kind, label in DeclarationFile.Kind.choices
    },
)


# --- Products ------------------------------------------------------------------------------------------------------
class EcoCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    customer = serializers.CharField(help_text="服务企业名称")
    summary = serializers.CharField(help_text="应用成效")
    contract_name = serializers.CharField(help_text="合同文件名（未上传为空）")
    contract_size = serializers.IntegerField()


class EcoProductSerializer(EcoReviewedSerializer):
    """One line of 我的产品 (or of a reviewer's and the city's list)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField(source="organisation.name", help_text="服务商")
    declaration = serializers.IntegerField(source="declaration_id", allow_null=True, help_text="随首次申报申报时")
    anchor_unit = EcoUnitBriefSerializer(allow_null=True, help_text="审核数字化牵引单位")
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Product.Category.choices))
    price_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    price_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)


class EcoProductDetailSerializer(EcoProductSerializer):
    nature = serializers.CharField()
    category_other = serializers.CharField()
    description = serializers.CharField()
    architecture = serializers.CharField()
    architecture_other = serializers.CharField()
    deployment = serializers.CharField()
    deployment_days = serializers.IntegerField(allow_null=True)
    purchase = serializers.CharField()
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    industries = EcoIndustryBriefSerializer(many=True, source="industries.all")
    sub_industries = serializers.CharField()
    scenarios = serializers.CharField()
    award = serializers.CharField()
    award_text = serializers.CharField()
    other_notes = serializers.CharField()
    cases = EcoCaseSerializer(many=True, source="cases.all")
    files = EcoFileSerializer(many=True, source="files.all")


class EcoCaseInput(serializers.Serializer):
    customer = _text("服务企业名称（≤ 64 字）")
    summary = _text("应用成效（≤ 300 字）")
    keep = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="保留该已有案例（id）的合同；multipart 中以 cases.N.contract 上传新合同",
    )


class EcoProductStartInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, help_text="产品/服务名称（≤ 50 字）")
    declaration = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="首次申报 id（随首次申报填写时）"
    )


class EcoProductInput(EcoVersionInput):
    """保存草稿：给出的字段被检查并保存，未给出的保持不变；`cases` 给出时整体替换案例。"""

    name = _text("产品/服务名称（≤ 50 字）")
    nature = _text("产品性质：" + " / ".join(Product.ProductNature.values))
    categories = serializers.ListField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="产品/服务类别：" + " / ".join(Product.Category.values),
    )
    category_other = _text("其他类别说明（≤ 50 字）")
    description = _text("产品/服务描述（≤ 1000 字）")
    architecture = _text("部署架构：" + " / ".join(Product.Architecture.values))
    architecture_other = _text("其他部署架构（≤ 50 字）")
    deployment = _text("部署方式：" + " / ".join(Product.Deployment.values))
    deployment_days = _text("部署周期（1–3650 天）")
    purchase = _text("购买方式：" + " / ".join(Product.Purchase.values))
    price_min = _text("最低报价（元）")
    price_max = _text("最高报价（元），不低于最低报价")
    discount_percent = _text("拟让利比例（0–100 %）")
    industries = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="所属行业（编码或 id）"
    )
    sub_industries = _text("适用细分行业（≤ 200 字）")
    scenarios = _text("适用场景（≤ 500 字）")
    award = _text("获奖情况：" + " / ".join(Product.Award.values))
    award_text = _text("获奖说明（≤ 200 字）")
    other_notes = _text("其他需要说明的情况（≤ 1000 字）")
    anchor_unit = _text("审核数字化牵引单位（编码或 id；仅已加入其联合体的）")
    cases = EcoCaseInput(many=True, required=False, help_text="成功案例（至少 3 个，最多 20 个）")


EcoProductMultipartInput = type(
    "EcoProductMultipartInput",
    (EcoProductInput,),
    {
        "cases.0.contract": serializers.FileField(
            required=False, help_text="第 N 个案例的合同（cases.N.customer、cases.N.summary、cases.N.keep 同理）"
        ),
        **{
            f"files.{kind}": serializers.ListField(
                child=serializers.FileField(), required=False, help_text=f"{label}（可多个，每类最多 10 个）"
            )
            for kind, label in ProductFile.Kind.choices
        },
    },
)


# --- Public products -----------------------------------------------------------------------------------------------
class EcoPublicProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    provider = serializers.CharField(source="organisation.name")
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Product.Category.choices))
    category_other = serializers.CharField()
    description = serializers.CharField()
    price_min = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    price_max = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    industries = EcoIndustryBriefSerializer(many=True, source="industries.all")
    units = serializers.SerializerMethodField(help_text="所在产品池的牵引单位")
    approved_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(EcoUnitBriefSerializer(many=True))
    def get_units(self, product) -> list[dict]:
        return EcoUnitBriefSerializer([entry.anchor_unit for entry in product.open_pools], many=True).data


class EcoPublicCaseSerializer(serializers.Serializer):
    customer = serializers.CharField()
    summary = serializers.CharField()


class EcoPublicProductDetailSerializer(EcoPublicProductSerializer):
    provider_region = serializers.CharField(source="organisation.region")
    architecture = serializers.CharField()
    deployment = serializers.CharField()
    deployment_days = serializers.IntegerField(allow_null=True)
    purchase = serializers.CharField()
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    sub_industries = serializers.CharField()
    scenarios = serializers.CharField()
    award = serializers.CharField()
    cases = EcoPublicCaseSerializer(many=True, source="cases.all", help_text="服务案例（不含合同）")


# --- Information changes -------------------------------------------------------------------------------------------
class EcoChangeSerializer(EcoReviewedSerializer):
    id = serializers.IntegerField()
    data = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="变更后")
    previous = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="变更前")
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True, help_text="生效时间")


class EcoChangeInput(EcoVersionInput):
    """保存（整份替换）：联系人必填；提交时还须填写变更原因且至少改动一项。"""

    contact_name = _text("联系人（≤ 30 字）")
    contact_mobile = _text("联系人手机（11 位）")
    email = _text("电子邮箱")
    region = _text("所在地区")
    address = _text("详细地址")
    nature = _text("公司性质：" + " / ".join(Nature.values))
    profile = _text("服务商简介（≤ 500 字）")
    guarantee = _text("服务实施保障（≤ 500 字）")
    reason = _text("变更原因（≤ 200 字；提交时必填）")


assert set(ProviderChange.FIELDS) <= set(EcoChangeInput().fields)
