"""Buying over the API (/api/v1/market/…): cart, buy now and checkout, orders (buyer and provider scopes), order
actions, payment proofs (multipart), ratings, the provider's bank account. Same services and selectors as the
pages; refusals are the project's structured errors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.marketplace import deductions, orders, payments
from tenant_apps.marketplace.models import BankAccount, CartItem, Order, OrderEvent, OrderLine, Rating
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenants.errors import not_found


class MarketAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = "marketplace"


# --- Serializers -------------------------------------------------------------------------------------------------------
class CartItemSerializer(serializers.ModelSerializer):
    spec = serializers.IntegerField(source="spec_id")
    product_name = serializers.CharField(source="spec.version.name")
    spec_name = serializers.CharField(source="spec.name")
    purchase_mode = serializers.CharField(source="spec.purchase_mode")
    purchase_mode_label = serializers.CharField(source="spec.get_purchase_mode_display")
    unit_price = serializers.DecimalField(source="spec.unit_price", max_digits=14, decimal_places=2)
    provider = serializers.CharField(source="spec.version.listing.organisation.name")
    amount = serializers.SerializerMethodField()
    available = serializers.BooleanField(default=True, help_text="规格仍可购买（商品在售且为在售版本）")

    class Meta:
        model = CartItem
        fields = [
            "id",
            "spec",
            "product_name",
            "spec_name",
            "purchase_mode",
            "purchase_mode_label",
            "unit_price",
            "quantity",
            "amount",
            "provider",
            "available",
            "created_at",
        ]

    def get_amount(self, item) -> str:
        return str(orders.line_amount(item.spec.unit_price, item.quantity))


class CartAddInput(serializers.Serializer):
    spec = serializers.IntegerField(min_value=1, help_text="规格 id")
    quantity = serializers.IntegerField(min_value=1, max_value=orders.QUANTITY_MAX, default=1)


class QuantityInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=orders.QUANTITY_MAX)


class CheckoutInput(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, help_text="要结算的购物车条目 id；省略则结算全部"
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    vouchers = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True),
        required=False,
        help_text="服务商 id → 抵扣该服务商订单的服务券 id（见结算预览的 offers；省略或 null 则不使用）",
    )


class BuyNowInput(CartAddInput):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    voucher = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="抵扣本单的服务券 id（见结算预览的 offers）"
    )


class PreviewInput(serializers.Serializer):
    spec = serializers.IntegerField(required=False, min_value=1, help_text="立即购买的规格 id；省略则预览购物车")
    quantity = serializers.IntegerField(min_value=1, max_value=orders.QUANTITY_MAX, default=1)
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, help_text="要结算的购物车条目 id；省略则全部"
    )
    vouchers = serializers.DictField(
        child=serializers.IntegerField(min_value=0, allow_null=True),
        required=False,
        help_text="服务商 id → 选用的服务券 id（null 为不使用）；省略的服务商自动选最优",
    )


class OfferSerializer(serializers.Serializer):
    """A deduction the buyer may apply to one order (a service voucher), best first."""

    id = serializers.IntegerField(help_text="结算时提交的服务券 id")
    label = serializers.CharField()
    balance = serializers.DecimalField(max_digits=14, decimal_places=2)
    valid_to = serializers.DateField()
    deduction = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="用于本单可抵扣的金额")


class UsedSerializer(serializers.Serializer):
    label = serializers.CharField()
    number = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded = serializers.BooleanField(help_text="订单取消后已退回")


class PreviewLineSerializer(serializers.Serializer):
    spec = serializers.IntegerField(source="spec.pk")
    cart_item = serializers.IntegerField(source="cart_item_id", allow_null=True)
    product_name = serializers.CharField(source="spec.version.name")
    spec_name = serializers.CharField(source="spec.name")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, source="spec.unit_price")
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class DraftOrderSerializer(serializers.Serializer):
    provider_id = serializers.IntegerField(source="provider.pk")
    provider = serializers.CharField(source="provider.name")
    has_bank_account = serializers.SerializerMethodField(help_text="服务商已设置收款账户（否则暂不能下单）")
    lines = PreviewLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    deduction = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)
    offers = OfferSerializer(many=True, help_text="可用的服务券，最优在前")
    chosen = OfferSerializer(allow_null=True, help_text="选用的服务券（默认：最优且未被前面订单选用的）")

    def get_has_bank_account(self, draft) -> bool:
        return draft.bank_account is not None


class PreviewSerializer(serializers.Serializer):
    orders = DraftOrderSerializer(many=True)
    cap_note = serializers.CharField(allow_blank=True, help_text="抵扣规则说明，例如“本单最高可抵扣 30%”")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    deduction = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrderLineSerializer(serializers.ModelSerializer):
    purchase_mode_label = serializers.CharField(source="get_purchase_mode_display")
    rated = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "listing",
            "product_name",
            "spec_name",
            "purchase_mode",
            "purchase_mode_label",
            "unit_price",
            "quantity",
            "amount",
            "rated",
        ]

    def get_rated(self, line) -> bool:
        return hasattr(line, "rating")


class OrderListSerializer(serializers.ListSerializer):
    """A page of orders: what each used (`vouchers_used`) is read for the whole page at once."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.context["vouchers_used"] = deductions.used_on_many(rows)
        return super().to_representation(rows)


class OrderSerializer(serializers.ModelSerializer):
    buyer = serializers.CharField(source="buyer.name")
    provider = serializers.CharField(source="provider.name")
    state_label = serializers.CharField(source="get_state_display")
    payment_label = serializers.CharField(source="get_payment_display")
    lines = OrderLineSerializer(many=True)
    vouchers_used = serializers.SerializerMethodField(help_text="本单使用的服务券（抵扣金额；取消后标记已退回）")

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "buyer",
            "provider",
            "state",
            "state_label",
            "payment",
            "payment_label",
            "total",
            "deduction",
            "payable",
            "created_at",
            "paid_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
            "version",
            "lines",
            "vouchers_used",
        ]
        list_serializer_class = OrderListSerializer

    @extend_schema_field(UsedSerializer(many=True))
    def get_vouchers_used(self, order) -> list[dict]:
        batch = self.context.get("vouchers_used")
        used = batch.get(order.pk, []) if batch is not None else deductions.used_on(order)
        return UsedSerializer(used, many=True).data


class OrderEventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = OrderEvent
        fields = ["action", "label", "actor", "note", "created_at"]

    def get_label(self, event) -> str:
        return orders.event_label(event.action)


class OrderDetailSerializer(OrderSerializer):
    bank_account = serializers.JSONField()
    events = OrderEventSerializer(many=True)
    actions = serializers.SerializerMethodField(help_text="当前调用方可执行的操作")

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "note", "bank_account", "events", "actions"]

    def get_actions(self, order) -> list[str]:
        return orders.order_actions(order, self.context.get("organisation_id"))


class OrderFilters(serializers.Serializer):
    state = serializers.ChoiceField(choices=Order.State.choices, required=False, help_text="订单状态")


class ActionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取订单时的 version；过期返回 409")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="取消原因（服务商必填）")


class ProofInput(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), min_length=1, help_text="1–3 个文件，png/jpg/jpeg/bmp/pdf，每个 ≤ 10 MB"
    )
    version = serializers.IntegerField(required=False, min_value=0)


class ProofSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    files = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_files(self, proof) -> list[dict]:
        return [
            {"name": f.original_name, "size": f.size, "url": payments.proof_file_url(proof, f)}
            for f in proof.files.all()
        ]


class RatingSerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="line.product_name")
    spec_name = serializers.CharField(source="line.spec_name")
    buyer = serializers.CharField(source="buyer.name")

    class Meta:
        model = Rating
        fields = ["id", "listing", "product_name", "spec_name", "buyer", "stars", "text", "created_at"]


class RatingInput(serializers.Serializer):
    stars = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(required=False, allow_blank=True, max_length=orders.RATING_TEXT_MAX)


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["account_name", "bank_name", "account_number", "updated_at"]
        read_only_fields = ["updated_at"]


def _valid(serializer_class, data):
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


# --- Cart ------------------------------------------------------------------------------------------------------------
class CartView(mixins.ListModelMixin, MarketAPIView):
    serializer_class = CartItemSerializer

    def scoped_queryset(self, membership):
        return orders.cart_items(membership)

    @extend_schema(summary="购物车")
    def get(self, request):
        return self.list(request)

    @extend_schema(request=CartAddInput, responses={201: CartItemSerializer}, summary="加入购物车")
    def post(self, request):
        data = _valid(CartAddInput, request.data)
        item = orders.cart_add(membership=request.membership, spec_id=data["spec"], quantity=data["quantity"])
        item = orders.cart_items(request.membership).get(pk=item.pk)
        return Response(CartItemSerializer(item).data, status=201)


class CartItemView(MarketAPIView):
    serializer_class = CartItemSerializer

    def scoped_queryset(self, membership):
        return orders.cart_items(membership)

    @extend_schema(request=QuantityInput, responses=CartItemSerializer, summary="修改购物车数量")
    def patch(self, request, pk):
        data = _valid(QuantityInput, request.data)
        orders.cart_set_quantity(membership=request.membership, item_id=pk, quantity=data["quantity"])
        return Response(CartItemSerializer(orders.cart_items(request.membership).get(pk=pk)).data)

    @extend_schema(request=None, responses={204: None}, summary="移出购物车")
    def delete(self, request, pk):
        orders.cart_remove(membership=request.membership, item_id=pk)
        return Response(status=204)


def _detail(order_id, membership) -> dict:
    order = orders.access_order(membership, order_id)
    return OrderDetailSerializer(order, context={"organisation_id": membership.organisation_id}).data


class CheckoutView(MarketAPIView):
    serializer_class = OrderSerializer

    def scoped_queryset(self, membership):
        return orders.orders_of_buyer(membership)

    @extend_schema(
        request=CheckoutInput, responses={201: OrderSerializer(many=True)}, summary="购物车结算（每个服务商一张订单）"
    )
    def post(self, request):
        data = _valid(CheckoutInput, request.data)
        created = orders.checkout(
            membership=request.membership,
            item_ids=data.get("items"),
            note=data.get("note", ""),
            vouchers=data.get("vouchers"),
        )
        rows = orders.order_list(orders.orders_of_buyer(request.membership)).filter(pk__in=[o.pk for o in created])
        return Response(OrderSerializer(rows.order_by("pk"), many=True).data, status=201)


class BuyNowView(MarketAPIView):
    serializer_class = OrderDetailSerializer

    def scoped_queryset(self, membership):
        return orders.orders_of_buyer(membership)

    @extend_schema(request=BuyNowInput, responses={201: OrderDetailSerializer}, summary="立即购买")
    def post(self, request):
        data = _valid(BuyNowInput, request.data)
        order = orders.buy_now(
            membership=request.membership,
            spec_id=data["spec"],
            quantity=data["quantity"],
            note=data.get("note", ""),
            voucher=data.get("voucher"),
        )
        return Response(_detail(order.pk, request.membership), status=201)


class CheckoutPreviewView(MarketAPIView):
    """The confirm page over the API: what checkout (or buy now, with `spec`) would create, one draft order per
    provider, each with its voucher offers (best first) and the one chosen. Writes nothing."""

    serializer_class = PreviewSerializer

    def scoped_queryset(self, membership):
        return orders.cart_items(membership)

    @extend_schema(
        request=PreviewInput,
        responses=PreviewSerializer,
        summary="结算预览（购物车或立即购买；每个服务商一张订单，含可用服务券与抵扣）",
    )
    def post(self, request):
        data = _valid(PreviewInput, request.data)
        kwargs = {"item_ids": data.get("items"), "choices": data.get("vouchers")}
        if data.get("spec") is not None:
            kwargs = {"spec_id": data["spec"], "quantity": data["quantity"], "choices": data.get("vouchers")}
        drafts = orders.checkout_preview(request.membership, **kwargs)
        money = {
            name: sum((getattr(d, name) for d in drafts), orders.ZERO).quantize(orders.FEN)
            for name in ("total", "deduction", "payable")
        }
        return Response(PreviewSerializer({"orders": drafts, "cap_note": deductions.cap_note(), **money}).data)


# --- Orders ------------------------------------------------------------------------------------------------------------
class _OrderListView(mixins.ListModelMixin, MarketAPIView):
    serializer_class = OrderSerializer
    side = "buyer"

    def scoped_queryset(self, membership):
        state = _valid(OrderFilters, self.request.query_params).get("state", "")
        if self.side == "buyer":
            orders.buyer_of(membership)
            base = orders.orders_of_buyer(membership)
        else:
            orders.provider_of(membership)
            base = orders.orders_of_provider(membership)
        return orders.order_list(base, state=state)


class BuyerOrdersView(_OrderListView):
    side = "buyer"

    @extend_schema(summary="我的订单（企业）", parameters=[OrderFilters])
    def get(self, request):
        return self.list(request)


class ProviderOrdersView(_OrderListView):
    side = "provider"

    @extend_schema(summary="订单管理（服务商收到的订单）", parameters=[OrderFilters])
    def get(self, request):
        return self.list(request)


class OrderDetailView(MarketAPIView):
    serializer_class = OrderDetailSerializer

    def scoped_queryset(self, membership):
        return orders.orders_visible(membership)

    @extend_schema(summary="订单详情（买方或服务商）")
    def get(self, request, pk):
        return Response(_detail(pk, request.membership))


class OrderActionView(MarketAPIView):
    serializer_class = OrderDetailSerializer

    def scoped_queryset(self, membership):
        return orders.orders_visible(membership)

    @extend_schema(
        request=ActionInput,
        responses=OrderDetailSerializer,
        summary="订单操作：cancel（取消）、start-delivery（开始交付）、delivered（标记交付完成）、confirm（确认完成）",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(orders.ACTIONS))],
    )
    def post(self, request, pk, action):
        self.get_object()  # 404 unless the caller is the order's buyer or provider
        service = orders.ACTIONS.get(action)
        if service is None:
            raise not_found(_("该操作不存在。"), code="market.no_such_action")
        data = _valid(ActionInput, request.data)
        kwargs = {"membership": request.membership, "order_id": pk, "expected_version": data.get("version")}
        if action == "cancel":
            kwargs["reason"] = data.get("reason", "")
        service(**kwargs)
        return Response(_detail(pk, request.membership))


class PaymentProofView(MarketAPIView):
    serializer_class = ProofSerializer
    parser_classes = [MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return orders.orders_of_buyer(membership)

    @extend_schema(
        request={"multipart/form-data": ProofInput}, responses={201: ProofSerializer}, summary="上传支付凭证"
    )
    def post(self, request, pk):
        self.get_object()  # 404 unless the caller's organisation placed the order, before any validation
        payload = {"files": request.FILES.getlist("files")}
        if request.data.get("version") not in (None, ""):
            payload["version"] = request.data.get("version")
        data = _valid(ProofInput, payload)
        proof = payments.proof_upload(
            membership=request.membership, order_id=pk, files=data["files"], expected_version=data.get("version")
        )
        return Response(ProofSerializer(proof).data, status=201)


# --- Ratings -----------------------------------------------------------------------------------------------------------
class LineRatingView(MarketAPIView):
    serializer_class = RatingSerializer
    parser_classes = [JSONParser, FormParser]

    def scoped_queryset(self, membership):
        return orders.ratings_of_buyer(membership)

    @extend_schema(
        request=RatingInput, responses={201: RatingSerializer}, summary="评价订单明细（订单完成后，每条一次）"
    )
    def post(self, request, pk):
        if not orders.orders_of_buyer(request.membership).filter(lines__pk=pk).exists():
            raise not_found(_("该订单明细不存在。"), code="market.line_not_found")
        data = _valid(RatingInput, request.data)
        rating = orders.rating_create(
            membership=request.membership, line_id=pk, stars=data["stars"], text=data.get("text", "")
        )
        return Response(
            RatingSerializer(orders.ratings_of_buyer(request.membership).get(pk=rating.pk)).data, status=201
        )


class ProviderRatingsView(mixins.ListModelMixin, MarketAPIView):
    serializer_class = RatingSerializer

    def scoped_queryset(self, membership):
        orders.provider_of(membership)
        return orders.ratings_of_provider(membership)

    @extend_schema(summary="客户评价（服务商）")
    def get(self, request):
        return self.list(request)


# --- Bank account ------------------------------------------------------------------------------------------------------
class BankAccountView(MarketAPIView):
    serializer_class = BankAccountSerializer

    def scoped_queryset(self, membership):
        return orders.bank_accounts_of(membership)

    @extend_schema(summary="收款账户（服务商）")
    def get(self, request):
        organisation = orders.provider_of(request.membership)
        account = orders.bank_account_of(organisation)
        if account is None:
            raise not_found(_("尚未设置收款账户。"), code="market.no_bank_account")
        return Response(BankAccountSerializer(account).data)

    @extend_schema(request=BankAccountSerializer, responses=BankAccountSerializer, summary="设置收款账户（服务商）")
    def put(self, request):
        payload = BankAccountSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        account = orders.bank_account_save(membership=request.membership, **payload.validated_data)
        return Response(BankAccountSerializer(account).data)
