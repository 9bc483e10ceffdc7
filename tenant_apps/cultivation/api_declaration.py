"""梯度培育 declarations and recognitions over the API (/api/v1/cultivation/, module `cultivation`: 404 where a
tenant has it off).

Same services and policy as the pages: the tiers with the enterprise's open windows; declarations (the enterprise's
own; a division's staff: those of enterprises registered under it; the tenant admin: all) — create, save (indicator
values merged into what is saved), what submission still needs, submit, delete a never-submitted draft, evidence
upload and removal; recognitions (mine, or an administrator's region) and 撤销 (province level and tenant admin).
Writes are the enterprise's own (`declarations.access_declaration`: 404 for another's and a missing one alike).
Every refusal is the project's one error shape with the field the service names."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.cultivation import access, common, declarations, recognitions, selectors
from tenant_apps.cultivation.declaration_kinds import assessment_of
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.workflow.api import VersionInput
from tenants.errors import DomainError, not_found

PARSERS = [JSONParser, MultiPartParser, FormParser]


class CultivationAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = common.MODULE


def validated(serializer_class, data) -> dict:
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return dict(payload.validated_data)


# --- Serializers ---------------------------------------------------------------------------------------------------
class WindowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.name", allow_null=True, default=None)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()


class TierSerializer(serializers.Serializer):
    code = serializers.CharField(source="tier.code")
    name = serializers.CharField(source="tier.name")
    requires_assessment = serializers.BooleanField(source="tier.requires_assessment")
    indicators = serializers.JSONField(source="tier.indicators")
    windows = WindowSerializer(many=True, help_text="本企业所在地区当前开放的申报批次")
    blocked = serializers.CharField(help_text="不能申报的原因（空：可以申报）")


class DeclarationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name")
    tier = serializers.CharField(source="tier.code")
    tier_name = serializers.CharField(source="tier.name")
    window = WindowSerializer()
    application = serializers.IntegerField(source="application_id")
    state = serializers.CharField(source="application.state")
    state_label = serializers.CharField(source="application.get_state_display")
    version = serializers.IntegerField(source="application.version")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)
    stage = serializers.SerializerMethodField(help_text="当前审核层级（审核中时）")
    opinion = serializers.CharField(allow_null=True, default=None, help_text="最新审核意见")

    def get_stage(self, declaration) -> str:
        return selectors.stage_name(declaration.application)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, evidence) -> str:
        return reverse("cultivation-evidence-file", args=[evidence.declaration_id, evidence.pk])


class AssessmentUsedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2)
    created_at = serializers.DateTimeField()


class DeclarationDetailSerializer(DeclarationSerializer):
    data = serializers.JSONField(help_text="指标填写内容：{指标编码: 值}")
    evidence = EvidenceSerializer(many=True, source="evidence.all")
    assessment = serializers.SerializerMethodField()

    @extend_schema_field(AssessmentUsedSerializer(allow_null=True))
    def get_assessment(self, declaration):
        assessment = assessment_of(declaration)
        return AssessmentUsedSerializer(assessment).data if assessment else None


class StartInput(serializers.Serializer):
    tier = serializers.CharField(max_length=40)
    window = serializers.IntegerField(min_value=1)


class SaveInput(serializers.Serializer):
    data = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=5000))
    version = serializers.IntegerField(required=False, min_value=0)


class EvidenceInput(serializers.Serializer):
    indicator = serializers.SlugField(max_length=40)
    file = serializers.FileField()


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class RecognitionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.name")
    tier = serializers.CharField(source="tier.code")
    tier_name = serializers.CharField(source="tier.name")
    region = serializers.CharField(source="region.name")
    certificate_no = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField()


class RevokeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


# --- Reads ---------------------------------------------------------------------------------------------------------
def _missing():
    return not_found(_("该申报不存在。"), code="cultivation.not_found")


def _detail(membership, pk) -> dict:
    row = (
        selectors.declaration_rows(access.declarations_readable(membership))
        .select_related("assessment")
        .prefetch_related("evidence")
        .filter(pk=pk)
        .first()
    )
    if row is None:
        raise _missing()
    return DeclarationDetailSerializer(row).data


class TierListView(CultivationAPIView):
    serializer_class = TierSerializer
    pagination_class = None  # a handful of tiers

    def scoped_queryset(self, membership):  # pragma: no cover - the list is built from declarable()
        return access.declarations_readable(membership).none()

    @extend_schema(summary="认定层级及本企业可申报的批次（企业）", responses=TierSerializer(many=True))
    def get(self, request):
        organisation = common.enterprise_of(request.membership)
        return Response(TierSerializer(declarations.declarable(organisation), many=True).data)


class DeclarationListView(mixins.ListModelMixin, CultivationAPIView):
    serializer_class = DeclarationSerializer

    def scoped_queryset(self, membership):
        params = self.request.query_params
        filters = selectors.Filters(
            tier=params.get("tier") or "",
            state=params.get("state") or "",
            region=params.get("region") or "",
            q=(params.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH],
        )
        return selectors.declaration_rows(access.declarations_readable(membership), filters)

    @extend_schema(summary="认定申报列表（企业：本企业；各级主管部门：辖区内企业；平台管理员：全部）")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="新增认定申报（选择层级和开放的批次）",
        request=StartInput,
        responses={201: DeclarationDetailSerializer},
    )
    def post(self, request):
        data = validated(StartInput, request.data)
        declaration = declarations.declaration_start(
            membership=request.membership, tier_code=data["tier"], window_id=data["window"]
        )
        return Response(_detail(request.membership, declaration.pk), status=status.HTTP_201_CREATED)


class DeclarationDetailView(CultivationAPIView):
    serializer_class = DeclarationDetailSerializer
    parser_classes = PARSERS

    def scoped_queryset(self, membership):
        return access.declarations_readable(membership)

    @extend_schema(summary="认定申报详情")
    def get(self, request, pk):
        return Response(_detail(request.membership, pk))

    @extend_schema(
        summary="保存申报（草稿）",
        description="data 中给出的指标被检查并保存（空字符串清除该项），未给出的保持不变。",
        request=SaveInput,
    )
    def patch(self, request, pk):
        membership = request.membership
        declaration = declarations.access_declaration(membership, pk)  # 404 before any validation
        payload = validated(SaveInput, request.data)
        declarations.declaration_save(
            membership=membership,
            declaration=declaration,
            data={**declaration.data, **payload["data"]},
            expected_version=payload.get("version"),
        )
        return Response(_detail(membership, pk))

    @extend_schema(summary="删除从未提交的草稿", request=None, responses={204: None})
    def delete(self, request, pk):
        declaration = declarations.access_declaration(request.membership, pk)
        declarations.declaration_delete(membership=request.membership, declaration=declaration)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeclarationProblemsView(CultivationAPIView):
    serializer_class = ProblemSerializer
    pagination_class = None

    def scoped_queryset(self, membership):
        return access.declarations_readable(membership)

    @extend_schema(summary="提交前尚缺的内容", responses=ProblemSerializer(many=True))
    def get(self, request, pk):
        row = self.get_queryset().select_related("tier", "window", "organisation").filter(pk=pk).first()
        if row is None:
            raise _missing()
        return Response(ProblemSerializer(declarations.declaration_problems(row), many=True).data)


class DeclarationSubmitView(CultivationAPIView):
    serializer_class = DeclarationDetailSerializer

    def scoped_queryset(self, membership):
        return access.declarations_readable(membership)

    @extend_schema(
        summary="提交认定申报",
        description="尚缺内容 400 cultivation.incomplete（errors 指明字段）；批次截止同样拒绝。",
        request=VersionInput,
    )
    def post(self, request, pk):
        membership = request.membership
        declaration = declarations.access_declaration(membership, pk)
        data = validated(VersionInput, request.data)
        declarations.declaration_submit(
            membership=membership, declaration=declaration, expected_version=data.get("version")
        )
        return Response(_detail(membership, pk))


class EvidenceUploadView(CultivationAPIView):
    serializer_class = DeclarationDetailSerializer
    parser_classes = [MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return access.declarations_readable(membership)

    @extend_schema(
        summary="上传指标证明材料（PDF、JPG、PNG，小于 20 MB，按内容检查）",
        request={"multipart/form-data": EvidenceInput},
        responses={201: DeclarationDetailSerializer},
    )
    def post(self, request, pk):
        membership = request.membership
        declaration = declarations.access_declaration(membership, pk)
        data = validated(EvidenceInput, request.data)
        code = data["indicator"]
        if code not in {i["code"] for i in declaration.tier.indicators if i.get("evidence")}:
            raise DomainError(_("该指标无需上传证明材料。"), code="cultivation.no_evidence", field="indicator")
        declarations.declaration_save(
            membership=membership, declaration=declaration, data=dict(declaration.data), files={code: data["file"]}
        )
        return Response(_detail(membership, pk), status=status.HTTP_201_CREATED)


class EvidenceDeleteView(CultivationAPIView):
    serializer_class = DeclarationDetailSerializer

    def scoped_queryset(self, membership):
        return access.declarations_readable(membership)

    @extend_schema(summary="删除证明材料", request=None, responses={204: None})
    def delete(self, request, pk, evidence_pk):
        declaration = declarations.access_declaration(request.membership, pk)
        declarations.evidence_remove(membership=request.membership, declaration=declaration, evidence_id=evidence_pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Recognitions --------------------------------------------------------------------------------------------------
class RecognitionListView(mixins.ListModelMixin, CultivationAPIView):
    serializer_class = RecognitionRowSerializer

    def scoped_queryset(self, membership):
        params = self.request.query_params
        filters = selectors.Filters(
            tier=params.get("tier") or "",
            state=params.get("status") or "",
            region=params.get("region") or "",
            q=(params.get("q") or "").strip()[: selectors.MAX_QUERY_LENGTH],
        )
        return selectors.recognition_rows(membership, filters)

    @extend_schema(summary="认定结果（企业：本企业；各级主管部门：辖区内企业；平台管理员：全部）")
    def get(self, request):
        return self.list(request)


class RecognitionRevokeView(CultivationAPIView):
    serializer_class = RecognitionRowSerializer

    def scoped_queryset(self, membership):
        return access.recognitions_readable(membership)

    @extend_schema(
        summary="撤销认定（省级主管部门、平台管理员）",
        description="须填写原因（400 cultivation.reason_required）；区县、市级人员 403；已到期或已撤销 409。",
        request=RevokeInput,
    )
    def post(self, request, pk):
        membership = request.membership
        recognition = access.revocable_recognition(membership, pk)
        data = validated(RevokeInput, request.data)
        revoked = recognitions.recognition_revoke(membership=membership, recognition=recognition, reason=data["reason"])
        return Response(RecognitionRowSerializer(access.read_recognition(membership, revoked.pk)).data)
