"""What the caller holds and what was used (/api/v1/vouchers/…): the enterprise's vouchers (服务券查询) with each
one's ledger, its voucher requests (申请记录), and the provider's usage (服务券使用情况: deductions taken on its
orders). Lists are paginated with a bounded number of queries; a voucher of another organisation is 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from tenant_apps.vouchers import selectors
from tenant_apps.vouchers.api_activities import VoucherAPIView, VoucherRequestSerializer, VoucherSerializer


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="issue（发放）/ deduct（抵扣）/ refund（退回）/ expire（过期）")
    kind_label = serializers.CharField(source="get_kind_display")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="带符号：发放、退回为正")
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    order = serializers.IntegerField(source="order_id", allow_null=True)
    order_number = serializers.CharField(source="order.number", default=None)
    note = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class VoucherDetailSerializer(VoucherSerializer):
    history = serializers.SerializerMethodField(help_text="流水（最早的在前）；余额等于各笔金额之和")

    @extend_schema_field(LedgerEntrySerializer(many=True))
    def get_history(self, voucher) -> list[dict]:
        return LedgerEntrySerializer(selectors.voucher_history(voucher), many=True).data


class UsageSerializer(serializers.Serializer):
    """One deduction taken on the provider's order."""

    id = serializers.IntegerField()
    voucher_number = serializers.CharField(source="voucher.number")
    voucher_name = serializers.CharField(source="voucher.name")
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    buyer = serializers.CharField(source="order.buyer.name")
    order_total = serializers.DecimalField(max_digits=14, decimal_places=2, source="order.total")
    amount = serializers.SerializerMethodField(help_text="抵扣金额（元）")
    refunded = serializers.SerializerMethodField(help_text="订单取消或支付凭证被驳回后已退回服务券")
    created_at = serializers.DateTimeField()

    def get_amount(self, entry) -> str:
        return str(-entry.amount)

    def get_refunded(self, entry) -> bool:
        return hasattr(entry, "reversed_by")  # select_related by the selector: no query


class MineFilters(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[code for code, _label in selectors.STATE_CHOICES], required=False, help_text="服务券状态"
    )


class MineView(mixins.ListModelMixin, VoucherAPIView):
    serializer_class = VoucherSerializer

    def scoped_queryset(self, membership):
        filters = MineFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.my_vouchers(membership, state=filters.validated_data.get("state", ""))

    @extend_schema(summary="我的服务券（企业）", parameters=[MineFilters])
    def get(self, request):
        return self.list(request)


class MineDetailView(VoucherAPIView):
    serializer_class = VoucherDetailSerializer

    def scoped_queryset(self, membership):
        return selectors.my_vouchers(membership)

    @extend_schema(summary="服务券详情与流水（企业）")
    def get(self, request, pk: int):
        return Response(VoucherDetailSerializer(selectors.access_voucher(request.membership, pk)).data)


class RequestListView(mixins.ListModelMixin, VoucherAPIView):
    serializer_class = VoucherRequestSerializer

    def scoped_queryset(self, membership):
        return selectors.my_requests(membership)

    @extend_schema(summary="我的服务券申请（企业，含审核状态）")
    def get(self, request):
        return self.list(request)


class UsageView(mixins.ListModelMixin, VoucherAPIView):
    serializer_class = UsageSerializer

    def scoped_queryset(self, membership):
        return selectors.provider_usage(membership)

    @extend_schema(summary="服务券使用情况（服务商：本单位订单上的抵扣）")
    def get(self, request):
        return self.list(request)
