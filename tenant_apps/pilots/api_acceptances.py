"""验收申请 over the API (/api/v1/pilots/acceptances/…): the pilot enterprise's acceptances (start prefilled from the
admission, read, save, add and remove material, submit, delete a draft) and the city's list for the bureau and
finance. Same services as the pages (`tenant_apps.pilots.acceptances`); refusals name dotted field paths
(`projects.0.providers.1.products.2.amount`, `files.invoice`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.pilots import acceptances
from tenant_apps.pilots.api_admissions import (
    AdmissionIndicatorInput,
    AdmissionIndicatorSerializer,
    AdmissionNeedInput,
    AdmissionNeedSerializer,
    AdmissionVersionInput,
    SheetDetailMixin,
    upload_input,
    validated,
)
from tenant_apps.pilots.models import Acceptance, AcceptanceFile, ProjectProduct
from tenant_apps.workflow.models import Application
from tenants.errors import not_found


class AcceptanceAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = acceptances.MODULE


# --- Output ----------------------------------------------------------------------------------------------------------------
class AcceptanceProductSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="产品/服务名称")
    kind = serializers.ChoiceField(choices=ProjectProduct.Kind.choices, help_text="software / hardware / service")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="金额（元）")


class AcceptanceProviderSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="服务商名称")
    uscc = serializers.CharField(allow_blank=True)
    contract_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="元")
    products = AcceptanceProductSerializer(many=True)


class AcceptanceProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    content = serializers.CharField(allow_blank=True)
    investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="项目总投资（元）"
    )
    level_before = serializers.IntegerField(allow_null=True)
    level_after = serializers.IntegerField(allow_null=True)
    indicators = AdmissionIndicatorSerializer(many=True)
    providers = AcceptanceProviderSerializer(many=True)


class AcceptanceFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AcceptanceFile.Kind.choices)
    label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField(source="created_at")


class AcceptanceSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id", help_text="审核申请 id（/api/v1/applications/）")
    organisation = serializers.CharField(source="organisation.name")
    state = serializers.CharField(source="application.state")
    state_label = serializers.CharField(source="application.get_state_display")
    stage = serializers.SerializerMethodField(help_text="当前环节（审核中时）")
    version = serializers.IntegerField(source="application.version", help_text="表单版本：保存、上传、提交时回传")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)

    class Meta:
        model = Acceptance
        fields = ["id", "application", "organisation", "state", "state_label", "stage", "version", "submitted_at"]

    def get_stage(self, acceptance) -> str | None:
        application = acceptance.application
        stage = application.current_stage if application.state == Application.State.IN_REVIEW else None
        return stage["name"] if stage else None


class AcceptanceDetailSerializer(SheetDetailMixin, AcceptanceSerializer):
    service = acceptances

    needs = AdmissionNeedSerializer(many=True, help_text="二、数字化转型基础")
    projects = serializers.SerializerMethodField(help_text="三、验收项目（服务商、产品服务）")
    files = AcceptanceFileSerializer(many=True, help_text="五、项目总结报告及佐证材料")

    class Meta(AcceptanceSerializer.Meta):
        fields = [*AcceptanceSerializer.Meta.fields, *SheetDetailMixin.FIELDS]

    @extend_schema_field(AcceptanceProjectSerializer(many=True))
    def get_projects(self, acceptance) -> list[dict]:
        return AcceptanceProjectSerializer(acceptances.project_dicts(acceptance), many=True).data


# --- Input -------------------------------------------------------------------------------------------------------------
def _text(help_text: str):
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text=help_text)


class AcceptanceProductInput(serializers.Serializer):
    name = _text("产品/服务名称（≤ 60 字）")
    kind = _text("software / hardware / service")
    amount = _text("金额（元），最多两位小数")


class AcceptanceProviderInput(serializers.Serializer):
    name = _text("服务商名称（≤ 64 字）")
    uscc = _text("统一社会信用代码")
    contract_amount = _text("合同金额（元）")
    products = AcceptanceProductInput(many=True, required=False)


class AcceptanceProjectInput(serializers.Serializer):
    name = _text("项目名称（≤ 60 字）")
    starts_on = _text("YYYY-MM-DD")
    ends_on = _text("YYYY-MM-DD")
    content = _text("改造内容")
    investment = _text("项目总投资（元）")
    level_before = serializers.IntegerField(required=False, allow_null=True)
    level_after = serializers.IntegerField(required=False, allow_null=True)
    indicators = AdmissionIndicatorInput(many=True, required=False)
    providers = AcceptanceProviderInput(many=True, required=False)


class AcceptanceInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")
    basic = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True), required=False)
    needs = AdmissionNeedInput(many=True, required=False)
    projects = AcceptanceProjectInput(many=True, required=False)
    benchmark = serializers.BooleanField(required=False, allow_null=True)


class AcceptanceFileInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF、JPG、PNG、XLSX 或 DOCX（按内容识别），小于 100 MB")
    version = serializers.IntegerField(required=False, min_value=0)


def _plain(value):
    """Validated nested input back to plain dicts and lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _detail(membership, pk) -> dict:
    acceptance = acceptances.access_acceptance(membership, pk)
    return AcceptanceDetailSerializer(
        acceptances.acceptances_of(membership).prefetch_related("needs", "files").get(pk=acceptance.pk)
    ).data


# --- Views -------------------------------------------------------------------------------------------------------------
class AcceptanceListView(mixins.ListModelMixin, AcceptanceAPIView):
    """The enterprise's acceptances, or — for the bureau and finance — the city's submitted ones; POST 添加."""

    serializer_class = AcceptanceSerializer

    def scoped_queryset(self, membership):
        return (
            acceptances.readable_acceptances(membership).select_related("application", "organisation").order_by("-id")
        )

    @extend_schema(summary="验收申请列表（企业：本单位；市工信局、财政局：全市已提交的）")
    def get(self, request):
        return self.list(request)

    @extend_schema(summary="新建验收申请（从入库申请带入；已有未提交的则返回该申请）", request=None)
    def post(self, request):
        before = acceptances.acceptances_of(request.membership).order_by("-id").values_list("pk", flat=True).first()
        acceptance = acceptances.acceptance_start(membership=request.membership)
        created = before is None or acceptance.pk > before
        return Response(
            _detail(request.membership, acceptance.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AcceptanceDetailView(AcceptanceAPIView):
    serializer_class = AcceptanceDetailSerializer
    parser_classes = [JSONParser]

    def scoped_queryset(self, membership):
        return acceptances.acceptances_of(membership)

    @extend_schema(summary="验收申请详情（本单位）")
    def get(self, request, pk):
        return Response(_detail(request.membership, pk))

    @extend_schema(summary="保存验收申请（草稿）", request=AcceptanceInput, responses=AcceptanceDetailSerializer)
    def put(self, request, pk):
        acceptance = acceptances.access_acceptance(request.membership, pk)
        data = _plain(dict(validated(AcceptanceInput, request.data)))
        acceptances.acceptance_save(
            membership=request.membership,
            acceptance_id=acceptance.pk,
            basic=data.get("basic"),
            needs=data.get("needs"),
            projects=data.get("projects"),
            benchmark=data.get("benchmark"),
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk))

    @extend_schema(summary="删除未提交过的验收申请", request=None, responses={204: None})
    def delete(self, request, pk):
        acceptances.acceptance_delete(membership=request.membership, acceptance_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AcceptanceFileView(AcceptanceAPIView):
    serializer_class = AcceptanceDetailSerializer
    parser_classes = [MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return acceptances.acceptances_of(membership)

    @extend_schema(
        summary="上传佐证材料（每类可多个文件）",
        request={"multipart/form-data": AcceptanceFileInput},
        responses={201: AcceptanceDetailSerializer},
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(AcceptanceFile.Kind.values))],
    )
    def post(self, request, pk, kind):
        acceptance = acceptances.access_acceptance(request.membership, pk)
        if kind not in AcceptanceFile.Kind.values:
            raise not_found(_("未知的材料类型。"), code="acceptance.file_kind")
        data = upload_input(AcceptanceFileInput, request, kind)
        acceptances.acceptance_save(
            membership=request.membership,
            acceptance_id=acceptance.pk,
            files={kind: [data["file"]]},
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk), status=status.HTTP_201_CREATED)


class AcceptanceFileDeleteView(AcceptanceAPIView):
    serializer_class = AcceptanceDetailSerializer

    def scoped_queryset(self, membership):
        return acceptances.acceptances_of(membership)

    @extend_schema(summary="删除一个佐证材料", request=None, responses=AcceptanceDetailSerializer)
    def delete(self, request, pk, file_pk):
        acceptance = acceptances.access_acceptance(request.membership, pk)
        if not acceptance.files.filter(pk=file_pk).exists():
            raise not_found(_("该文件不存在。"), code="acceptance.file_not_found")
        acceptances.acceptance_save(membership=request.membership, acceptance_id=acceptance.pk, remove_files=[file_pk])
        return Response(_detail(request.membership, pk))


class AcceptanceSubmitView(AcceptanceAPIView):
    serializer_class = AcceptanceDetailSerializer

    def scoped_queryset(self, membership):
        return acceptances.acceptances_of(membership)

    @extend_schema(
        summary="提交验收申请",
        description="尚缺内容 400 acceptance.incomplete；阻止提交的形式审查规则 400 acceptance.defect.<规则>。",
        request=AdmissionVersionInput,
        responses=AcceptanceDetailSerializer,
    )
    def post(self, request, pk):
        acceptance = acceptances.access_acceptance(request.membership, pk)
        data = validated(AdmissionVersionInput, request.data)
        acceptances.acceptance_submit(
            membership=request.membership, acceptance_id=acceptance.pk, expected_version=data.get("version")
        )
        return Response(_detail(request.membership, pk))
