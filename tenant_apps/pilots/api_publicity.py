"""公示与拨付 over the API (/api/v1/pilots/publicity/…): the bureau's batches (list, create, read, publish, close) and
objections (record, resolve); the tranches (finance and the bureau: the city's; an enterprise: its own) and paying
one (finance only); the published batches for anyone (`public/`). Same services as the pages (`publicity`,
`disbursement`); every refusal is the project's structured error."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.pilots import disbursement, publicity
from tenant_apps.pilots.api_admissions import validated
from tenant_apps.pilots.models import Objection, PublicityBatch, PublicityItem, Tranche
from tenants.errors import DomainError
from tenants.modules import ensure_module


class PublicityAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = publicity.MODULE


def batches_for(membership):
    """The bureau's batches; anyone else is refused (403)."""
    if not publicity.is_bureau(membership):
        raise DomainError(_("只有市工信局可以办理公示。"), code="publicity.not_bureau", status=403)
    return publicity.batches_visible(membership)


# --- Serializers -------------------------------------------------------------------------------------------------------
class ObjectionSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id")
    resolved = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = ["id", "item", "received_on", "content", "resolution", "resolved", "recorded_at"]

    def get_resolved(self, objection) -> bool:
        return bool(objection.resolution)


class ItemSerializer(serializers.ModelSerializer):
    acceptance = serializers.IntegerField(source="acceptance_id")
    application = serializers.IntegerField(source="acceptance.application_id")
    objections = ObjectionSerializer(many=True)

    class Meta:
        model = PublicityItem
        fields = ["id", "acceptance", "application", "enterprise_name", "projects", "recognised_amount", "subsidy",
                  "objections"]  # fmt: skip


class BatchSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    item_count = serializers.IntegerField(help_text="企业数")
    subsidy_total = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="补贴合计（元）")
    open_objections = serializers.BooleanField(help_text="有未处理的异议")

    class Meta:
        model = PublicityBatch
        fields = ["id", "title", "state", "state_label", "days", "starts_on", "ends_on", "published_at", "item_count",
                  "subsidy_total", "open_objections", "created_at"]  # fmt: skip


class BatchDetailSerializer(BatchSerializer):
    items = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "items"]

    @extend_schema_field(ItemSerializer(many=True))
    def get_items(self, batch) -> list[dict]:
        return ItemSerializer(publicity.batch_items(batch), many=True).data


class BatchInput(serializers.Serializer):
    title = serializers.CharField(max_length=publicity.TITLE_MAX, help_text="公示标题")
    days = serializers.IntegerField(
        min_value=publicity.DAYS_MIN, max_value=publicity.DAYS_MAX, help_text="公示天数（自然日，含发布当天）"
    )
    acceptances = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, help_text="验收申请 id（须处于公示环节且已全部核定补贴）"
    )


class BatchCloseSerializer(serializers.Serializer):
    approved = serializers.ListField(child=serializers.IntegerField(), help_text="通过公示、进入资金拨付的验收申请 id")
    kept = serializers.ListField(child=serializers.IntegerField(), help_text="因异议未处理仍在公示环节的验收申请 id")
    batch = BatchDetailSerializer()


class ObjectionInput(serializers.Serializer):
    item = serializers.IntegerField(help_text="公示项 id")
    received_on = serializers.DateField(help_text="收到日期（公示开始至今天）")
    content = serializers.CharField(max_length=publicity.TEXT_MAX, help_text="异议内容")


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(max_length=publicity.TEXT_MAX, help_text="处理结果")


class TrancheSerializer(serializers.ModelSerializer):
    acceptance = serializers.IntegerField(source="acceptance_id")
    application = serializers.IntegerField(source="acceptance.application_id")
    enterprise = serializers.CharField(source="acceptance.organisation.name")
    paid = serializers.SerializerMethodField()

    class Meta:
        model = Tranche
        fields = ["id", "acceptance", "application", "enterprise", "position", "label", "amount", "paid", "paid_on",
                  "voucher_number"]  # fmt: skip

    def get_paid(self, tranche) -> bool:
        return tranche.paid_on is not None


class PayInput(serializers.Serializer):
    paid_on = serializers.DateField(help_text="拨付日期（不晚于今天）")
    voucher_number = serializers.CharField(max_length=disbursement.VOUCHER_MAX, help_text="凭证号")


class PublicItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublicityItem
        fields = ["enterprise_name", "projects", "recognised_amount", "subsidy"]


class PublicBatchSerializer(serializers.ModelSerializer):
    items = PublicItemSerializer(many=True)

    class Meta:
        model = PublicityBatch
        fields = ["id", "title", "state", "starts_on", "ends_on", "items"]


def _detail(membership, pk) -> dict:
    return BatchDetailSerializer(publicity.access_batch(membership, pk)).data


# --- Views -----------------------------------------------------------------------------------------------------------------
class BatchListView(mixins.ListModelMixin, PublicityAPIView):
    """公示批次 (the city bureau); POST creates a draft."""

    serializer_class = BatchSerializer

    def scoped_queryset(self, membership):
        return batches_for(membership)

    @extend_schema(summary="公示批次（市工信局）")
    def get(self, request):
        return self.list(request)

    @extend_schema(summary="新建公示批次（草稿）", request=BatchInput, responses={201: BatchDetailSerializer})
    def post(self, request):
        batches_for(request.membership)
        data = validated(BatchInput, request.data)
        batch = publicity.batch_create(
            membership=request.membership, title=data["title"], days=data["days"], acceptance_ids=data["acceptances"]
        )
        return Response(_detail(request.membership, batch.pk), status=status.HTTP_201_CREATED)


class BatchDetailView(PublicityAPIView):
    serializer_class = BatchDetailSerializer

    def scoped_queryset(self, membership):
        return batches_for(membership)

    @extend_schema(summary="公示批次详情（公示项与异议）")
    def get(self, request, pk):
        batches_for(request.membership)
        return Response(_detail(request.membership, pk))


class BatchPublishView(PublicityAPIView):
    serializer_class = BatchDetailSerializer

    def scoped_queryset(self, membership):
        return batches_for(membership)

    @extend_schema(
        summary="发布公示",
        description="公示期自今天起计算 days 个自然日（含当天）；发布时按当前认定和补贴金额生成公示名单。",
        request=None,
        responses=BatchDetailSerializer,
    )
    def post(self, request, pk):
        batches_for(request.membership)  # 403 for anyone but the bureau, before the 404 of a batch
        batch = publicity.access_batch(request.membership, pk)
        publicity.batch_publish(membership=request.membership, batch_id=batch.pk)
        return Response(_detail(request.membership, batch.pk))


class BatchCloseView(PublicityAPIView):
    serializer_class = BatchCloseSerializer

    def scoped_queryset(self, membership):
        return batches_for(membership)

    @extend_schema(
        summary="结束公示",
        description="公示截止日之后才能结束（之前返回 409 publicity.not_ended）。无未处理异议的项目通过公示环节并生成"
        "拨付批次；有未处理异议的项目仍在公示环节。",
        request=None,
        responses=BatchCloseSerializer,
    )
    def post(self, request, pk):
        batches_for(request.membership)
        batch = publicity.access_batch(request.membership, pk)
        outcome = publicity.batch_close(membership=request.membership, batch_id=batch.pk)
        return Response({**outcome, "batch": _detail(request.membership, batch.pk)})


class ObjectionCreateView(PublicityAPIView):
    serializer_class = ObjectionSerializer

    def scoped_queryset(self, membership):
        batches_for(membership)
        return Objection.objects.none()

    @extend_schema(summary="登记异议（公示中的批次）", request=ObjectionInput, responses={201: ObjectionSerializer})
    def post(self, request):
        batches_for(request.membership)
        data = validated(ObjectionInput, request.data)
        objection = publicity.objection_record(
            membership=request.membership,
            item_id=data["item"],
            received_on=data["received_on"],
            content=data["content"],
        )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


class ObjectionResolveView(PublicityAPIView):
    serializer_class = ObjectionSerializer

    def scoped_queryset(self, membership):
        batches_for(membership)
        return Objection.objects.none()

    @extend_schema(summary="登记异议处理结果", request=ResolveInput, responses=ObjectionSerializer)
    def post(self, request, pk):
        batches_for(request.membership)
        data = validated(ResolveInput, request.data)
        objection = publicity.objection_resolve(
            membership=request.membership, objection_id=pk, resolution=data["resolution"]
        )
        return Response(ObjectionSerializer(objection).data)


class TrancheListView(mixins.ListModelMixin, PublicityAPIView):
    """拨付批次: finance and the bureau see the city's, an enterprise its own."""

    serializer_class = TrancheSerializer

    def scoped_queryset(self, membership):
        state = self.request.query_params.get("state", "")
        return disbursement.tranches_visible(membership, state)

    @extend_schema(
        summary="拨付批次",
        parameters=[
            OpenApiParameter(
                "state",
                str,
                OpenApiParameter.QUERY,
                enum=["pending", "paid"],
                description="pending 待拨付 / paid 已拨付",
            )
        ],
    )
    def get(self, request):
        return self.list(request)


class TranchePayView(PublicityAPIView):
    serializer_class = TrancheSerializer

    def scoped_queryset(self, membership):
        return disbursement.payable(membership)

    @extend_schema(
        summary="登记拨付（财政部门）",
        description="最后一期登记后，资金拨付环节自动通过，申请办结。已拨付的批次再次登记返回 409 "
        "disbursement.already_paid。",
        request=PayInput,
        responses=TrancheSerializer,
    )
    def post(self, request, pk):
        disbursement.payable(request.membership)  # 403 for anyone but finance, before any validation
        data = validated(PayInput, request.data)
        tranche = disbursement.tranche_pay(
            membership=request.membership,
            tranche_id=pk,
            paid_on=data["paid_on"],
            voucher_number=data["voucher_number"],
        )
        row = disbursement.tranches_visible(request.membership).get(pk=tranche.pk)
        return Response(TrancheSerializer(row).data)


class PublicBatchListView(mixins.ListModelMixin, GenericAPIView):
    """公示公告 for anyone where the module is on (published and closed batches with their items)."""

    permission_classes = [AllowAny]
    serializer_class = PublicBatchSerializer
    module = publicity.MODULE  # documented as 404 where it is off (config/openapi.py); enforced below

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        ensure_module(request, publicity.MODULE)

    def get_queryset(self):
        return publicity.public_batches().prefetch_related("items")

    @extend_schema(summary="公示公告（公开）")
    def get(self, request):
        return self.list(request)
