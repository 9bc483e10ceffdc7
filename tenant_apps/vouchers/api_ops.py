"""Operations' voucher API (/api/v1/vouchers/manage/…): activities and their voucher types (create, edit, publish),
issuance and redemption figures (JSON and XLSX), the deduction rule, and settlement statements (draft, confirm,
discard, export as XLSX or PDF). Same services and selectors as the pages; operations act, the city's
administrators may read; refusals are the project's structured errors."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ScopedAPIView
from tenant_apps.vouchers import access, activities, exports, ops_selectors, rules, selectors, settlements
from tenant_apps.vouchers.models import Activity, Settlement, VoucherType
from tenants.errors import DomainError, not_found
from tenants.modules import ensure_module

MONEY = {"max_digits": 14, "decimal_places": 2}
YEAR_MIN, YEAR_MAX = 2000, 2099
BINARY = {(200, "application/pdf"): OpenApiTypes.BINARY, (200, exports.XLSX): OpenApiTypes.BINARY}


class OpsAccess(BasePermission):
    """The module on here (else 404), the caller runs vouchers: operations, or the city's administrators for
    reading (else 403) — the rule of the pages (`access.ops_of`)."""

    def has_permission(self, request, view):
        ensure_module(request, access.MODULE)
        membership = request.membership
        if not membership.can_use_module(access.MODULE):
            raise PermissionDenied(_("您的账号没有使用该功能的权限，请联系单位主账号授权。"))
        try:
            access.ops_of(membership, write=request.method not in SAFE_METHODS)
        except DomainError as error:
            raise PermissionDenied(error.message) from None
        return True


class OpsAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, OpsAccess]
    module = access.MODULE


def _valid(serializer_class, data):
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- Serializers -------------------------------------------------------------------------------------------------------
class OpsRefusalSerializer(serializers.Serializer):
    """The one refusal shape (tenants.errors.error_body), for the 409 a draft without a path parameter can answer."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class OpsActivitySerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="draft（草稿）/ published（已上架）/ ended（已结束）")
    state_label = serializers.SerializerMethodField()
    type_count = serializers.IntegerField(read_only=True, default=None, help_text="服务券类型数（列表中）")
    industries = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="限定行业 id（为空则不限）")

    class Meta:
        model = Activity
        fields = ["id", "name", "description", "starts_at", "ends_at", "is_published", "state", "state_label",
                  "industries", "regions", "type_count", "version", "created_at"]  # fmt: skip

    def _state(self, activity) -> str:
        return getattr(activity, "state_code", None) or ops_selectors.activity_state(activity)

    def get_state(self, activity) -> str:
        return self._state(activity)

    def get_state_label(self, activity) -> str:
        return str(ops_selectors.ACTIVITY_STATES[self._state(activity)])


def _in_our_time(value):
    """Instants and dates of this century only (a year-1 instant has no sensible zone offset to show)."""
    year = value.year
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise serializers.ValidationError(
            _("请填写 %(low)s 至 %(high)s 年之间的日期。") % {"low": YEAR_MIN, "high": YEAR_MAX}
        )
    return value


class OpsActivityInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    starts_at = serializers.DateTimeField(validators=[_in_our_time])
    ends_at = serializers.DateTimeField(validators=[_in_our_time])
    industries = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=200)
    regions = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=100, help_text="限定地区（为空则不限）"
    )
    version = serializers.IntegerField(required=False, min_value=0, help_text="编辑时：读取活动时的 version；过期 409")


class OpsVoucherTypeSerializer(serializers.ModelSerializer):
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    billing_mode_label = serializers.CharField(source="get_billing_mode_display", read_only=True)
    catalogues = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    categories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    providers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = VoucherType
        fields = ["id", "activity", "name", "face_value", "method", "method_label", "billing_mode",
                  "billing_mode_label", "valid_from", "valid_to", "valid_days", "stock_total", "stock_left",
                  "per_enterprise_limit", "grab_starts_at", "catalogues", "categories", "providers"]  # fmt: skip


class OpsVoucherTypeInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    face_value = serializers.CharField(max_length=40, help_text='面值（元），大于 0，最多两位小数，如 "5000.00"')
    method = serializers.ChoiceField(choices=VoucherType.Method.choices, default=VoucherType.Method.GRAB)
    grab_starts_at = serializers.DateTimeField(
        required=False, allow_null=True, validators=[_in_our_time], help_text="开抢时间（抢券）"
    )
    valid_from = serializers.DateField(required=False, allow_null=True, validators=[_in_our_time])
    valid_to = serializers.DateField(required=False, allow_null=True, validators=[_in_our_time])
    valid_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100000,
        help_text="领取后有效天数（填写则忽略固定有效期）",
    )
    stock_total = serializers.IntegerField(min_value=0, max_value=10**9, help_text="发放总量")
    per_enterprise_limit = serializers.IntegerField(min_value=0, max_value=10**4, default=1)
    catalogues = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=200)
    categories = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=200)
    providers = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=2000)


class OpsActivityDetailSerializer(OpsActivitySerializer):
    types = OpsVoucherTypeSerializer(many=True, read_only=True, source="ops_types")

    class Meta(OpsActivitySerializer.Meta):
        fields = [*OpsActivitySerializer.Meta.fields, "types"]


class OpsPublishInput(serializers.Serializer):
    published = serializers.BooleanField(help_text="true 上架，false 下架")


class OpsFigureRowSerializer(serializers.Serializer):
    type = serializers.IntegerField(source="type.pk", help_text="服务券类型 id")
    name = serializers.CharField(source="type.name")
    face_value = serializers.DecimalField(source="type.face_value", **MONEY)
    stock_total = serializers.IntegerField(help_text="发放总量")
    stock_left = serializers.IntegerField(help_text="剩余")
    issued = serializers.IntegerField(help_text="已发放")
    grabbed = serializers.IntegerField(help_text="其中抢券")
    applied = serializers.IntegerField(help_text="其中申请")
    holders = serializers.IntegerField(help_text="领取企业数")
    issued_value = serializers.DecimalField(help_text="发放面值（元）", **MONEY)
    deducted = serializers.DecimalField(help_text="已抵扣（元，扣除退回）", **MONEY)
    orders = serializers.IntegerField(help_text="使用订单数")
    expired = serializers.DecimalField(help_text="已过期（元）", **MONEY)
    outstanding = serializers.DecimalField(help_text="未使用余额（元）", **MONEY)


class OpsFigureTotalsSerializer(serializers.Serializer):
    stock_total = serializers.IntegerField()
    stock_left = serializers.IntegerField()
    issued = serializers.IntegerField()
    grabbed = serializers.IntegerField()
    applied = serializers.IntegerField()
    issued_value = serializers.DecimalField(**MONEY)
    deducted = serializers.DecimalField(**MONEY)
    orders = serializers.IntegerField()
    expired = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY)


class OpsFiguresSerializer(serializers.Serializer):
    activity = serializers.IntegerField()
    types = OpsFigureRowSerializer(many=True)
    totals = OpsFigureTotalsSerializer()


class OpsRulesSerializer(serializers.Serializer):
    cap_ratio = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="最高抵扣比例，0.3000 即 30%")
    cap_percent = serializers.CharField(help_text='最高抵扣比例（%），如 "30"')
    cap_label = serializers.CharField(help_text="如“本单最高可抵扣 30%”")
    grab_per_minute = serializers.IntegerField(help_text="每账号每分钟抢券次数上限")


class OpsRulesInput(serializers.Serializer):
    cap_percent = serializers.CharField(max_length=20, help_text="最高抵扣比例（%），1 到 100，最多两位小数")
    grab_per_minute = serializers.IntegerField(min_value=0, max_value=10**6, help_text="1 到 600")


class OpsSettlementSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    item_count = serializers.IntegerField(read_only=True, default=None, help_text="抵扣笔数")
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    confirmed_by = serializers.CharField(source="confirmed_by.username", read_only=True, default=None)

    class Meta:
        model = Settlement
        fields = ["id", "number", "provider", "provider_name", "period_start", "period_end", "state", "state_label",
                  "total", "item_count", "created_by", "created_at", "confirmed_by", "confirmed_at"]  # fmt: skip


class OpsSettlementLineSerializer(serializers.Serializer):
    order_number = serializers.CharField(help_text="订单编号")
    buyer = serializers.CharField(help_text="买方")
    voucher_name = serializers.CharField(help_text="服务券名称")
    voucher_number = serializers.CharField(help_text="券号")
    order_total = serializers.DecimalField(help_text="订单金额（元）", **MONEY)
    amount = serializers.DecimalField(help_text="抵扣金额（元）", **MONEY)
    paid_at = serializers.DateTimeField(allow_null=True, help_text="支付凭证审核通过时间")


class OpsSettlementDetailSerializer(OpsSettlementSerializer):
    lines = OpsSettlementLineSerializer(many=True, read_only=True)

    class Meta(OpsSettlementSerializer.Meta):
        fields = [*OpsSettlementSerializer.Meta.fields, "lines"]


class OpsSettlementDraftInput(serializers.Serializer):
    provider = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="服务商 id；省略则为每个有待结算抵扣的服务商各生成一张"
    )
    period_start = serializers.DateField(validators=[_in_our_time], help_text="结算期开始（支付凭证审核通过日期，含）")
    period_end = serializers.DateField(validators=[_in_our_time], help_text="结算期结束（含）")


class OpsSettlementFilters(serializers.Serializer):
    provider = serializers.IntegerField(required=False, min_value=1, help_text="服务商 id")
    state = serializers.ChoiceField(choices=Settlement.State.choices, required=False, help_text="状态")


class OpsActivityFilters(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=list(ops_selectors.ACTIVITY_STATES), required=False, help_text="draft / published / ended"
    )
    q = serializers.CharField(required=False, max_length=ops_selectors.QUERY_MAX, help_text="名称或说明")


# --- Activities --------------------------------------------------------------------------------------------------------
def _activity_detail(activity) -> dict:
    activity = Activity.objects.prefetch_related("industries").get(pk=activity.pk)
    activity.ops_types = list(ops_selectors.activity_types(activity))
    return OpsActivityDetailSerializer(activity).data


def _activity_args(data: dict) -> dict:
    return {
        "data": {key: data.get(key) for key in ("name", "description", "starts_at", "ends_at", "regions")},
        "industry_ids": data.get("industries") or [],
    }


class ActivityListView(mixins.ListModelMixin, OpsAPIView):
    serializer_class = OpsActivitySerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        filters = _valid(OpsActivityFilters, self.request.query_params)
        return ops_selectors.activity_list(state=filters.get("state", ""), q=filters.get("q", "")).prefetch_related(
            "industries"
        )

    @extend_schema(summary="服务券活动管理（运营）", parameters=[OpsActivityFilters])
    def get(self, request):
        return self.list(request)

    @extend_schema(request=OpsActivityInput, responses={201: OpsActivityDetailSerializer}, summary="新建活动（草稿）")
    def post(self, request):
        data = _valid(OpsActivityInput, request.data)
        activity = activities.activity_save(actor=request.membership.user, **_activity_args(data))
        return Response(_activity_detail(activity), status=201)


class ActivityDetailView(OpsAPIView):
    serializer_class = OpsActivityDetailSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return Activity.objects.all()

    @extend_schema(summary="活动详情与服务券（运营）")
    def get(self, request, pk):
        return Response(_activity_detail(activities.activity_of(pk)))

    @extend_schema(request=OpsActivityInput, responses=OpsActivityDetailSerializer, summary="编辑活动")
    def put(self, request, pk):
        activity = activities.activity_of(pk)
        data = _valid(OpsActivityInput, request.data)
        activity = activities.activity_save(
            actor=request.membership.user,
            activity=activity,
            expected_version=data.get("version"),
            **_activity_args(data),
        )
        return Response(_activity_detail(activity))


class ActivityPublishView(OpsAPIView):
    serializer_class = OpsActivityDetailSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return Activity.objects.all()

    @extend_schema(request=OpsPublishInput, responses=OpsActivityDetailSerializer, summary="上架 / 下架活动")
    def post(self, request, pk):
        activity = activities.activity_of(pk)
        data = _valid(OpsPublishInput, request.data)
        activity = activities.activity_publish(activity=activity, published=data["published"])
        return Response(_activity_detail(activity))


def _type_args(data: dict) -> dict:
    names = ("name", "face_value", "method", "grab_starts_at", "valid_from", "valid_to", "valid_days", "stock_total",
             "per_enterprise_limit")  # fmt: skip
    return {
        "data": {name: data.get(name) for name in names},
        "catalogue_ids": data.get("catalogues") or [],
        "category_ids": data.get("categories") or [],
        "provider_ids": data.get("providers") or [],
    }


class TypeListView(OpsAPIView):
    serializer_class = OpsVoucherTypeSerializer
    pagination_class = None

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return VoucherType.objects.all()

    @extend_schema(summary="活动的服务券（运营）", responses=OpsVoucherTypeSerializer(many=True))
    def get(self, request, pk):
        activity = activities.activity_of(pk)
        return Response(OpsVoucherTypeSerializer(ops_selectors.activity_types(activity), many=True).data)

    @extend_schema(request=OpsVoucherTypeInput, responses={201: OpsVoucherTypeSerializer}, summary="添加服务券")
    def post(self, request, pk):
        activity = activities.activity_of(pk)
        data = _valid(OpsVoucherTypeInput, request.data)
        vtype = activities.type_save(activity=activity, **_type_args(data))
        return Response(OpsVoucherTypeSerializer(ops_selectors.activity_type(activity, vtype.pk)).data, status=201)


class TypeDetailView(OpsAPIView):
    serializer_class = OpsVoucherTypeSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return VoucherType.objects.all()

    @extend_schema(summary="服务券详情（运营）")
    def get(self, request, pk, type_pk):
        return Response(OpsVoucherTypeSerializer(ops_selectors.activity_type(activities.activity_of(pk), type_pk)).data)

    @extend_schema(request=OpsVoucherTypeInput, responses=OpsVoucherTypeSerializer, summary="编辑服务券")
    def put(self, request, pk, type_pk):
        activity = activities.activity_of(pk)
        vtype = ops_selectors.activity_type(activity, type_pk)
        data = _valid(OpsVoucherTypeInput, request.data)
        activities.type_save(activity=activity, vtype=vtype, **_type_args(data))
        return Response(OpsVoucherTypeSerializer(ops_selectors.activity_type(activity, vtype.pk)).data)


# --- Figures -----------------------------------------------------------------------------------------------------------
class FiguresView(OpsAPIView):
    serializer_class = OpsFiguresSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return Activity.objects.all()

    @extend_schema(summary="活动的发放与使用（按服务券）")
    def get(self, request, pk):
        activity = activities.activity_of(pk)
        rows = selectors.activity_figures(activity)
        totals = exports.figure_totals(rows)
        return Response(OpsFiguresSerializer({"activity": activity.pk, "types": rows, "totals": totals}).data)


class FiguresExportView(OpsAPIView):
    serializer_class = OpsFiguresSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return Activity.objects.all()

    @extend_schema(
        summary="导出活动的发放与使用（XLSX：按服务券统计，及每张已发放的服务券）",
        responses={(200, exports.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        activity = activities.activity_of(pk)
        content = exports.figures_xlsx(activity, selectors.activity_figures(activity))
        stamp = timezone.localdate().strftime("%Y%m%d")
        return _download(
            content, exports.XLSX, exports.download_name(activity.name, _("发放与使用"), stamp, extension="xlsx")
        )


# --- The deduction rule --------------------------------------------------------------------------------------------------
def _rules_data(row) -> dict:
    return {
        "cap_ratio": row.cap_ratio,
        "cap_percent": rules.ratio_percent(row.cap_ratio),
        "cap_label": rules.ratio_label(row.cap_ratio),
        "grab_per_minute": row.grab_per_minute,
    }


class RulesView(OpsAPIView):
    serializer_class = OpsRulesSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        return Activity.objects.none()

    @extend_schema(summary="抵扣规则")
    def get(self, request):
        return Response(OpsRulesSerializer(_rules_data(rules.current_rules())).data)

    @extend_schema(request=OpsRulesInput, responses=OpsRulesSerializer, summary="修改抵扣规则（只影响此后新下的订单）")
    def put(self, request):
        data = _valid(OpsRulesInput, request.data)
        row = rules.rules_save(actor=request.membership.user, **data)
        return Response(OpsRulesSerializer(_rules_data(row)).data)


# --- Settlements -------------------------------------------------------------------------------------------------------
def _settlement_detail(membership, pk) -> dict:
    settlement = settlements.access_settlement(membership, pk)
    settlement.lines = settlements.settlement_lines(settlement)
    return OpsSettlementDetailSerializer(settlement).data


class SettlementListView(mixins.ListModelMixin, OpsAPIView):
    serializer_class = OpsSettlementSerializer

    def scoped_queryset(self, membership):
        access.ops_of(membership)
        filters = _valid(OpsSettlementFilters, self.request.query_params)
        return settlements.settlements(provider_id=filters.get("provider"), state=filters.get("state", ""))

    @extend_schema(summary="结算单（运营）", parameters=[OpsSettlementFilters])
    def get(self, request):
        return self.list(request)

    @extend_schema(
        request=OpsSettlementDraftInput,
        responses={
            201: OpsSettlementSerializer(many=True),
            409: OpenApiResponse(
                OpsRefusalSerializer, description="部分抵扣刚被另一张结算单结算（settlement_overlap）"
            ),
        },
        summary="生成结算单（每个服务商一张，待确认）",
    )
    def post(self, request):
        data = _valid(OpsSettlementDraftInput, request.data)
        made = settlements.settlement_draft(
            actor=request.membership.user,
            provider_id=data.get("provider"),
            period_start=data["period_start"],
            period_end=data["period_end"],
        )
        rows = settlements.settlements().filter(pk__in=[s.pk for s in made]).order_by("pk")
        return Response(OpsSettlementSerializer(rows, many=True).data, status=201)


class SettlementDetailView(OpsAPIView):
    serializer_class = OpsSettlementDetailSerializer

    def scoped_queryset(self, membership):
        return settlements.settlements()

    @extend_schema(summary="结算单详情与明细")
    def get(self, request, pk):
        return Response(_settlement_detail(request.membership, pk))

    @extend_schema(request=None, responses={204: None}, summary="作废结算单草稿（其中的抵扣可重新结算）")
    def delete(self, request, pk):
        settlement = settlements.access_settlement(request.membership, pk)
        settlements.settlement_discard(actor=request.membership.user, settlement_id=settlement.pk)
        return Response(status=204)


class SettlementConfirmView(OpsAPIView):
    serializer_class = OpsSettlementDetailSerializer

    def scoped_queryset(self, membership):
        return settlements.settlements()

    @extend_schema(request=None, responses=OpsSettlementDetailSerializer, summary="确认结算单（确认后不可修改）")
    def post(self, request, pk):
        settlement = settlements.access_settlement(request.membership, pk)
        settlements.settlement_confirm(actor=request.membership.user, settlement_id=settlement.pk)
        return Response(_settlement_detail(request.membership, pk))


EXPORT_KINDS = {"xlsx": exports.XLSX, "pdf": "application/pdf"}


class SettlementExportView(OpsAPIView):
    serializer_class = OpsSettlementDetailSerializer

    def scoped_queryset(self, membership):
        return settlements.settlements()

    @extend_schema(
        summary="导出结算单（xlsx 或 pdf）",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(EXPORT_KINDS))],
        responses=BINARY,
    )
    def get(self, request, pk, kind):
        settlement = settlements.access_settlement(request.membership, pk)
        if kind not in EXPORT_KINDS:
            raise not_found(_("不支持该导出格式。"), code="voucher.export_kind")
        lines = settlements.settlement_lines(settlement)
        content = (exports.settlement_pdf if kind == "pdf" else exports.settlement_xlsx)(settlement, lines)
        name = exports.download_name(_("服务券结算单"), settlement.number, settlement.provider.name, extension=kind)
        return _download(content, EXPORT_KINDS[kind], name)
