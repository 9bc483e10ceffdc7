"""企业信息, 信息更新, 重大变更 and 到期复核 over the API (/api/v1/cultivation/, module `cultivation`: 404 where a
tenant has it off). The enterprise's own rows only (`enterprise.access_*`: 404 for another's and a missing one
alike); the same services as the pages, so every refusal is the project's one error shape with the field named."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from tenant_apps.cultivation import common, enterprise
from tenant_apps.cultivation.models import EnterpriseInfo, InfoUpdate, MajorChange, Recognition, ReReview, Sector
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.workflow.api import VersionInput


class CultivationAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = common.MODULE
    parser_classes = [JSONParser]


def validated(serializer_class, data) -> dict:
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


# --- Serializers ---------------------------------------------------------------------------------------------------
class CulApplicationStateSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="application_id")
    state = serializers.CharField(source="application.state")
    state_display = serializers.CharField(source="application.get_state_display")
    version = serializers.IntegerField(source="application.version")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)
    decided_at = serializers.DateTimeField(source="application.decided_at", allow_null=True)


class CulInfoSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.full_name")

    class Meta:
        model = EnterpriseInfo
        fields = ["region", "region_name", *[f for f in enterprise.INFO_FIELDS if f != "region"], "updated_at"]


class CulInfoOutput(serializers.Serializer):
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True)
    recognised = serializers.BooleanField()
    editable = serializers.BooleanField(help_text="未认定企业可直接修改（PUT）")
    update_open = serializers.BooleanField(help_text="信息更新开放期内（已认定企业）")
    info = CulInfoSerializer(allow_null=True)


class CulInfoInput(serializers.Serializer):
    region = serializers.CharField(help_text="区县级行政区划代码，如 330212")
    sector = serializers.ChoiceField(choices=Sector.choices)
    main_business = serializers.CharField(allow_blank=True)
    legal_rep = serializers.CharField(allow_blank=True)
    ownership = serializers.CharField(required=False, allow_blank=True)
    founded_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD")
    employees = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    revenue = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    rd_expense = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    contact_name = serializers.CharField(allow_blank=True)
    contact_mobile = serializers.CharField(allow_blank=True)


class CulUpdateInput(CulInfoInput):
    region = None
    main_business = None
    version = serializers.IntegerField(required=False, min_value=0, help_text="重新提交退回的更新时带上")


class CulUpdateSerializer(serializers.ModelSerializer):
    application = CulApplicationStateSerializer(source="*")

    class Meta:
        model = InfoUpdate
        fields = ["id", "year", "before", "after", "created_at", "application"]


class CulChangeSerializer(serializers.ModelSerializer):
    change_type_display = serializers.CharField(source="get_change_type_display")
    application = CulApplicationStateSerializer(source="*")
    editable = serializers.SerializerMethodField()
    deletable = serializers.SerializerMethodField()

    class Meta:
        model = MajorChange
        fields = [
            "id", "change_type", "change_type_display", "before", "after", "reason", "created_at", "application",
            "editable", "deletable",
        ]  # fmt: skip

    def get_editable(self, change) -> bool:
        return enterprise.change_editable(change)

    def get_deletable(self, change) -> bool:
        return enterprise.change_deletable(change)


class CulChangeInput(serializers.Serializer):
    change_type = serializers.CharField(required=False, allow_blank=True)
    before = serializers.CharField(required=False, allow_blank=True)
    after = serializers.CharField(required=False, allow_blank=True, help_text="注册地变更填区县级区划代码")
    reason = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(required=False, default=False, help_text="保存后立即提交")
    version = serializers.IntegerField(required=False, min_value=0)


class CulRecognitionSerializer(serializers.ModelSerializer):
    tier = serializers.CharField(source="tier.code")
    tier_name = serializers.CharField(source="tier.name")
    status_display = serializers.CharField(source="get_status_display")
    rereview_from = serializers.SerializerMethodField()
    rereview_until = serializers.SerializerMethodField()
    rereview_refusal = serializers.SerializerMethodField(help_text="为空表示现在可以申请复核")

    class Meta:
        model = Recognition
        fields = [
            "id", "tier", "tier_name", "certificate_no", "valid_from", "valid_to", "status", "status_display",
            "rereview_from", "rereview_until", "rereview_refusal",
        ]  # fmt: skip

    def get_rereview_from(self, recognition) -> str:
        return enterprise.rereview_opens_on(recognition).isoformat()

    def get_rereview_until(self, recognition) -> str:
        return enterprise.rereview_closes_on(recognition).isoformat()

    def get_rereview_refusal(self, recognition) -> str:
        return enterprise.rereview_refusal(recognition, today=self.context.get("today"))


class CulReReviewSerializer(serializers.ModelSerializer):
    recognition = serializers.IntegerField(source="recognition_id")
    certificate_no = serializers.CharField(source="recognition.certificate_no")
    tier_name = serializers.CharField(source="recognition.tier.name")
    application = CulApplicationStateSerializer(source="*")

    class Meta:
        model = ReReview
        fields = ["id", "recognition", "certificate_no", "tier_name", "statement", "created_at", "application"]


class CulReReviewInput(serializers.Serializer):
    recognition = serializers.IntegerField()
    statement = serializers.CharField(allow_blank=True)


class CulReReviewResubmitInput(serializers.Serializer):
    statement = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=0)


# --- 企业信息 ---------------------------------------------------------------------------------------------------------
def _info_output(organisation) -> dict:
    info = common.info_of(organisation)
    recognised = common.is_recognised(organisation)
    return {
        "name": organisation.name,
        "uscc": organisation.uscc,
        "recognised": recognised,
        "editable": not recognised,
        "update_open": bool(info and recognised and enterprise.update_windows(info)),
        "info": info,
    }


class InfoView(CultivationAPIView):
    serializer_class = CulInfoOutput

    def scoped_queryset(self, membership):
        return EnterpriseInfo.objects.filter(organisation=common.enterprise_of(membership))

    @extend_schema(summary="企业信息（名称、信用代码来自注册信息）")
    def get(self, request):
        return Response(CulInfoOutput(_info_output(common.enterprise_of(request.membership))).data)

    @extend_schema(
        summary="编辑企业信息（已认定企业 409 cultivation.info_locked，请用信息更新或重大变更）",
        request=CulInfoInput,
        responses=CulInfoOutput,
    )
    def put(self, request):
        data = validated(CulInfoInput, request.data)
        info = enterprise.info_save(membership=request.membership, data=data)
        return Response(CulInfoOutput(_info_output(info.organisation)).data)


class UpdateListView(mixins.ListModelMixin, CultivationAPIView):
    serializer_class = CulUpdateSerializer

    def scoped_queryset(self, membership):
        return enterprise.updates_of(common.enterprise_of(membership)).order_by("-created_at", "-id")

    @extend_schema(summary="信息更新记录（更新前 → 更新后）")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="提交信息更新（开放期内，已认定企业；退回的更新再次提交；期外 409 cultivation.update_closed）",
        request=CulUpdateInput,
        responses={201: CulUpdateSerializer},
    )
    def post(self, request):
        data = validated(CulUpdateInput, request.data)
        version = data.pop("version", None)
        update = enterprise.update_submit(membership=request.membership, data=data, expected_version=version)
        return Response(CulUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


# --- 重大变更 ---------------------------------------------------------------------------------------------------------
def _changes(membership):
    return enterprise.changes_of(common.enterprise_of(membership))


class ChangeListView(mixins.ListModelMixin, CultivationAPIView):
    serializer_class = CulChangeSerializer

    def scoped_queryset(self, membership):
        change_type = self.request.query_params.get("change_type", "")
        queryset = _changes(membership)
        return queryset.filter(change_type=change_type) if change_type in MajorChange.Type.values else queryset

    @extend_schema(
        summary="重大变更记录（本企业）",
        parameters=[OpenApiParameter("change_type", OpenApiTypes.STR, enum=list(MajorChange.Type.values))],
    )
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="新增重大变更（暂存；submit=true 时直接提交）",
        request=CulChangeInput,
        responses={201: CulChangeSerializer},
    )
    def post(self, request):
        data = validated(CulChangeInput, request.data)
        data.pop("version", None)
        submit = data.pop("submit", False)
        change = enterprise.change_save(membership=request.membership, data=data, submit=submit)
        return Response(CulChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class ChangeDetailView(CultivationAPIView):
    serializer_class = CulChangeSerializer

    def scoped_queryset(self, membership):
        return _changes(membership)

    @extend_schema(summary="重大变更详情")
    def get(self, request, pk):
        return Response(CulChangeSerializer(enterprise.access_change(request.membership, pk)).data)

    @extend_schema(
        summary="修改暂存或退回的重大变更（给出的字段替换）", request=CulChangeInput, responses=CulChangeSerializer
    )
    def patch(self, request, pk):
        change = enterprise.access_change(request.membership, pk)
        data = validated(CulChangeInput, request.data)
        version, submit = data.pop("version", None), data.pop("submit", False)
        merged = {
            "change_type": change.change_type, "before": change.before, "after": change.after,
            "reason": change.reason, **data,
        }  # fmt: skip
        change = enterprise.change_save(
            membership=request.membership, data=merged, change=change, submit=submit, expected_version=version
        )
        return Response(CulChangeSerializer(change).data)

    @extend_schema(summary="删除暂存的重大变更（连同其申请）", request=None, responses={204: None})
    def delete(self, request, pk):
        change = enterprise.access_change(request.membership, pk)
        enterprise.change_delete(membership=request.membership, change=change)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChangeSubmitView(CultivationAPIView):
    serializer_class = CulChangeSerializer

    def scoped_queryset(self, membership):
        return _changes(membership)

    @extend_schema(
        summary="提交重大变更（须填写变更后内容与变更原因）", request=VersionInput, responses=CulChangeSerializer
    )
    def post(self, request, pk):
        change = enterprise.access_change(request.membership, pk)
        data = validated(VersionInput, request.data)
        change = enterprise.change_submit(
            membership=request.membership, change=change, expected_version=data.get("version")
        )
        return Response(CulChangeSerializer(change).data)


# --- 到期复核 ---------------------------------------------------------------------------------------------------------
class RecognitionMineView(mixins.ListModelMixin, CultivationAPIView):
    """The enterprise's recognitions with when each may be re-reviewed (the admins' recognition lists are elsewhere)."""

    serializer_class = CulRecognitionSerializer

    def scoped_queryset(self, membership):
        return enterprise.recognitions_of(common.enterprise_of(membership)).order_by("-valid_to", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(summary="我的认定（含复核期限与能否复核）")
    def get(self, request):
        return self.list(request)


class ReReviewListView(mixins.ListModelMixin, CultivationAPIView):
    serializer_class = CulReReviewSerializer

    def scoped_queryset(self, membership):
        return enterprise.rereviews_of(common.enterprise_of(membership))

    @extend_schema(summary="复核记录")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="申请复核（有效期届满前后 90 天内；否则 409 cultivation.rereview_closed）",
        request=CulReReviewInput,
        responses={201: CulReReviewSerializer},
    )
    def post(self, request):
        data = validated(CulReReviewInput, request.data)
        recognition = enterprise.access_recognition(request.membership, data["recognition"])
        rereview = enterprise.rereview_submit(
            membership=request.membership, statement=data["statement"], recognition=recognition
        )
        return Response(CulReReviewSerializer(rereview).data, status=status.HTTP_201_CREATED)


class ReReviewDetailView(CultivationAPIView):
    serializer_class = CulReReviewSerializer

    def scoped_queryset(self, membership):
        return enterprise.rereviews_of(common.enterprise_of(membership))

    @extend_schema(summary="复核详情")
    def get(self, request, pk):
        return Response(CulReReviewSerializer(enterprise.access_rereview(request.membership, pk)).data)

    @extend_schema(
        summary="修改并重新提交退回的复核申请", request=CulReReviewResubmitInput, responses=CulReReviewSerializer
    )
    def post(self, request, pk):
        rereview = enterprise.access_rereview(request.membership, pk)
        data = validated(CulReReviewResubmitInput, request.data)
        rereview = enterprise.rereview_submit(
            membership=request.membership,
            statement=data["statement"],
            rereview=rereview,
            expected_version=data.get("version"),
        )
        return Response(CulReReviewSerializer(rereview).data)
