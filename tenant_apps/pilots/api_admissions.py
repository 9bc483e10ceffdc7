"""入库申请 over the API (/api/v1/pilots/…): the enterprise's admissions (start, read, save the five sections, upload
evidence, submit), its own pilot status, and the bureau's list of pilot enterprises. Same services as the pages
(`tenant_apps.pilots.admissions`); every refusal is the project's structured error, with the dotted field path the
service names (`projects.0.indicators.1.name`, `files.audit_report`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.organisations.models import Organisation
from tenant_apps.pilots import admission_selectors, admissions, sheets
from tenant_apps.pilots.models import Admission, AdmissionFile, PilotEnterprise
from tenant_apps.workflow.models import Application
from tenants.errors import DomainError, not_found


class AdmissionAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = admissions.MODULE


# --- Who sees what (the bureau's list; the enterprise's own status) ----------------------------------------------------
def pilot_enterprises_for(membership):
    """试点企业 as the city bureau sees them (`admission_selectors.pilots_visible`); anyone else is refused (403)."""
    if not admission_selectors.sees_pilots(membership):
        raise DomainError(_("只有市工信局可以查看试点企业名单。"), code="admission.not_bureau", status=403)
    return admission_selectors.pilots_visible(membership)


def _eligibility(membership) -> str | None:
    """Why this enterprise may not apply (None when it may)."""
    try:
        admissions.enterprise_of(membership)
    except DomainError as refusal:
        return refusal.message
    return None


# --- Serializers -------------------------------------------------------------------------------------------------------
class AdmissionRefusalSerializer(serializers.Serializer):
    """The one refusal shape (tenants.errors.error_body), for the 409 POST admissions/ answers a pilot enterprise."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class AdmissionBasicFieldSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    max_length = serializers.IntegerField()
    required = serializers.BooleanField(help_text="提交时必填")
    fixed = serializers.BooleanField(help_text="来自企业注册和认证信息，不可修改（保存时忽略传入值）")


class AdmissionNeedSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="需求类型")
    description = serializers.CharField(help_text="需求描述")
    analysis = serializers.CharField(allow_blank=True, help_text="问题及需求分析")


class AdmissionIndicatorSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, help_text="指标名称")
    unit = serializers.CharField(allow_blank=True, help_text="单位")
    before = serializers.CharField(allow_blank=True, help_text="改造前")
    after = serializers.CharField(allow_blank=True, help_text="改造后")


class AdmissionProjectSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="项目名称")
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    content = serializers.CharField(allow_blank=True, help_text="改造内容")
    investment = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="万元")
    level_before = serializers.IntegerField(allow_null=True, help_text="改造前数字化水平 1–4（一级–四级）")
    level_after = serializers.IntegerField(allow_null=True, help_text="改造后数字化水平 1–4（一级–四级）")
    indicators = AdmissionIndicatorSerializer(many=True)


class AdmissionFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdmissionFile.Kind.choices)
    label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField(source="created_at")


class AdmissionMissingSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="点分字段路径，例如 basic.legal_rep、projects.0.ends_on、files.audit_report"
    )
    message = serializers.CharField()


class AdmissionFindingSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="点分字段路径")
    message = serializers.CharField()
    blocking = serializers.BooleanField(help_text="阻止提交（否则仅提示）")


class AdmissionDefectSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码，例如 project_period")
    label = serializers.CharField()
    passed = serializers.BooleanField()
    blocking = serializers.BooleanField()
    findings = AdmissionFindingSerializer(many=True)


class AdmissionSerializer(serializers.ModelSerializer):
    """One line of 我的入库申请."""

    application = serializers.IntegerField(source="application_id", help_text="审核申请 id（/api/v1/applications/）")
    state = serializers.CharField(source="application.state")
    state_label = serializers.CharField(source="application.get_state_display")
    version = serializers.IntegerField(source="application.version", help_text="表单版本：保存、上传、提交时回传")
    company_name = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)

    class Meta:
        model = Admission
        fields = [
            "id",
            "application",
            "state",
            "state_label",
            "version",
            "company_name",
            "submitted_at",
            "created_at",
            "updated_at",
        ]

    def get_company_name(self, admission) -> str:
        return str(admission.basic.get("company_name", ""))


class SheetDetailMixin(serializers.Serializer):
    """What the admission's and the acceptance's detail share: editable, the basic fields' rules, what submission
    still needs and the defect rules' results. `service` is the form's service module (`missing`, `defect_results`)."""

    service = admissions
    FIELDS = ["editable", "basic_fields", "basic", "needs", "projects", "benchmark", "files", "missing", "defects"]

    editable = serializers.SerializerMethodField(help_text="草稿、已退回或已撤销时可修改")
    basic_fields = serializers.SerializerMethodField()
    basic = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="一、基本情况")
    benchmark = serializers.BooleanField(allow_null=True, help_text="四、愿意参与标杆样板打造")
    missing = serializers.SerializerMethodField(help_text="提交前尚缺的内容（只读）")
    defects = serializers.SerializerMethodField(help_text="形式审查规则及结果（只读）")

    def get_editable(self, sheet) -> bool:
        return sheet.application.state in Application.EDITABLE_STATES

    @extend_schema_field(AdmissionBasicFieldSerializer(many=True))
    def get_basic_fields(self, sheet) -> list[dict]:
        return [
            {"code": code, "label": str(label), "max_length": size, "required": required, "fixed": fixed}
            for code, label, size, required, fixed in admissions.BASIC_FIELDS
        ]

    @extend_schema_field(AdmissionMissingSerializer(many=True))
    def get_missing(self, sheet) -> list[dict]:
        return [{"field": field, "message": str(message)} for field, message in self.service.missing(sheet)]

    @extend_schema_field(AdmissionDefectSerializer(many=True))
    def get_defects(self, sheet) -> list[dict]:
        return AdmissionDefectSerializer(self.service.defect_results(sheet), many=True).data


class AdmissionDetailSerializer(SheetDetailMixin, AdmissionSerializer):
    """The five sections, what submission still needs and the defect rules' results."""

    needs = AdmissionNeedSerializer(many=True, help_text="二、数字化改造需求")
    projects = serializers.SerializerMethodField(help_text="三、数字化改造情况及成效")
    files = AdmissionFileSerializer(many=True, help_text="五、相关佐证材料")

    class Meta(AdmissionSerializer.Meta):
        fields = [*AdmissionSerializer.Meta.fields, *SheetDetailMixin.FIELDS]

    @extend_schema_field(AdmissionProjectSerializer(many=True))
    def get_projects(self, admission) -> list[dict]:
        return AdmissionProjectSerializer([sheets.project_dict(p) for p in admission.projects.all()], many=True).data


class AdmissionNeedInput(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="需求类型（≤ 30 字）")
    description = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="需求描述（≤ 500 字）"
    )
    analysis = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="问题及需求分析（≤ 1000 字）"
    )


class AdmissionIndicatorInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="指标名称（≤ 30 字）")
    unit = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="单位（≤ 10 字）")
    before = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="改造前（≤ 20 字）")
    after = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="改造后（≤ 20 字）")


class AdmissionProjectInput(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="项目名称（≤ 60 字）")
    starts_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD")
    ends_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD")
    content = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="改造内容")
    investment = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="项目投资（万元），最多两位小数"
    )
    level_before = serializers.IntegerField(required=False, allow_null=True, help_text="1–4（一级–四级）")
    level_after = serializers.IntegerField(required=False, allow_null=True, help_text="1–4（一级–四级）")
    indicators = AdmissionIndicatorInput(many=True, required=False, help_text="成效指标（每个项目最多 10 个）")


class AdmissionInput(serializers.Serializer):
    """保存: each section given replaces what the draft holds; a section left out stays as it is. Fixed basic fields
    (企业名称、统一社会信用代码、所属试点行业) always come from registration and certification."""

    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")
    basic = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True),
        required=False,
        help_text="一、基本情况：字段代码 → 值（见 basic_fields）",
    )
    needs = AdmissionNeedInput(many=True, required=False, help_text="二、数字化改造需求（最多 20 项）")
    projects = AdmissionProjectInput(many=True, required=False, help_text="三、数字化改造项目（最多 20 个）")
    benchmark = serializers.BooleanField(required=False, allow_null=True, help_text="四、愿意参与标杆样板打造")


class AdmissionFileInput(serializers.Serializer):
    file = serializers.FileField(help_text="PDF、JPG 或 PNG（按内容识别），小于 100 MB")
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")


class AdmissionVersionInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")


class PilotEnterpriseSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")
    uscc = serializers.CharField(source="organisation.uscc", default=None)
    industry = serializers.CharField(source="organisation.industry.name", default=None)
    region = serializers.CharField(source="organisation.region")
    benchmark = serializers.BooleanField(
        source="admission.benchmark", allow_null=True, help_text="愿意参与标杆样板打造"
    )

    class Meta:
        model = PilotEnterprise
        fields = ["id", "organisation", "name", "uscc", "industry", "region", "admitted_on", "admission", "benchmark"]


class AdmissionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField(source="application.state")
    state_label = serializers.CharField(source="application.get_state_display")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)


class PilotStatusSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="本单位名称")
    is_pilot = serializers.BooleanField(help_text="已是本市试点企业")
    admitted_on = serializers.DateField(allow_null=True, help_text="入库日期")
    admission = AdmissionBriefSerializer(allow_null=True, help_text="最近一次入库申请")
    can_apply = serializers.BooleanField(help_text="现在可以新建或继续填写入库申请")
    reason = serializers.CharField(allow_null=True, help_text="不能申请的原因")


def validated(serializer_class, data) -> dict:
    """The input checked by `serializer_class` (a refusal is the shared 400)."""
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def upload_input(serializer_class, request, kind: str) -> dict:
    """An upload's file and version, validated; a refused file is named `files.<kind>`, as the service names it."""
    payload = {"file": request.FILES.get("file")}
    if request.data.get("version") not in (None, ""):
        payload["version"] = request.data.get("version")
    try:
        return validated(serializer_class, payload)
    except serializers.ValidationError as invalid:
        detail = {(f"files.{kind}" if key == "file" else key): value for key, value in invalid.detail.items()}
        raise serializers.ValidationError(detail) from None


def _detail_queryset(membership):
    return admissions.admissions_of(membership).prefetch_related("needs", "projects__indicators", "files")


def _detail(membership, pk) -> dict:
    admission = admissions.access_admission(membership, pk)
    return AdmissionDetailSerializer(_detail_queryset(membership).get(pk=admission.pk)).data


def _rows(rows) -> list[dict]:
    """Validated nested input back to plain dicts (the service reads `.get`, missing keys stay missing)."""
    return [
        {key: ([dict(x) for x in value] if key == "indicators" else value) for key, value in dict(row).items()}
        for row in rows
    ]


# --- Views ----------------------------------------------------------------------------------------------------------------
class AdmissionListView(mixins.ListModelMixin, AdmissionAPIView):
    """我的入库申请; POST 添加 (the admission in progress, or a new draft prefilled from registration)."""

    serializer_class = AdmissionSerializer

    def scoped_queryset(self, membership):
        return admissions.admissions_of(membership)

    @extend_schema(summary="我的入库申请")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="新建入库申请（已有进行中的申请则返回该申请）",
        request=None,
        responses={
            201: AdmissionDetailSerializer,
            200: AdmissionDetailSerializer,
            409: OpenApiResponse(AdmissionRefusalSerializer, description="已是试点企业（admission.already_pilot）"),
        },
    )
    def post(self, request):
        before = admissions.admissions_of(request.membership).order_by("-id").values_list("pk", flat=True).first()
        admission = admissions.admission_start(membership=request.membership)
        created = before is None or admission.pk > before
        return Response(
            _detail(request.membership, admission.pk), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class AdmissionDetailView(AdmissionAPIView):
    serializer_class = AdmissionDetailSerializer
    parser_classes = [JSONParser]

    def scoped_queryset(self, membership):
        return _detail_queryset(membership)

    @extend_schema(summary="入库申请详情（五部分内容、尚缺内容、形式审查结果）")
    def get(self, request, pk):
        return Response(_detail(request.membership, pk))

    @extend_schema(
        summary="保存入库申请（草稿）",
        description="给出的部分整体替换，未给出的部分保持不变。材料文件通过 files/{kind}/ 上传。"
        "错误的 errors 以点分路径指明字段，例如 projects.0.indicators.1.name。",
        request=AdmissionInput,
        responses=AdmissionDetailSerializer,
    )
    def put(self, request, pk):
        admission = admissions.access_admission(request.membership, pk)  # 404 before any validation
        data = validated(AdmissionInput, request.data)
        admissions.admission_save(
            membership=request.membership,
            admission_id=admission.pk,
            basic=dict(data["basic"]) if "basic" in data else None,
            needs=_rows(data["needs"]) if "needs" in data else None,
            projects=_rows(data["projects"]) if "projects" in data else None,
            benchmark=data.get("benchmark"),
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk))


class AdmissionFileView(AdmissionAPIView):
    serializer_class = AdmissionDetailSerializer
    parser_classes = [MultiPartParser, FormParser]

    def scoped_queryset(self, membership):
        return admissions.admissions_of(membership)

    @extend_schema(
        summary="上传佐证材料（替换同类材料）",
        request={"multipart/form-data": AdmissionFileInput},
        responses={201: AdmissionDetailSerializer},
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(AdmissionFile.Kind.values))],
    )
    def post(self, request, pk, kind):
        admission = admissions.access_admission(request.membership, pk)  # 404 before any validation
        if kind not in AdmissionFile.Kind.values:
            raise not_found(_("未知的材料类型。"), code="admission.file_kind")
        data = upload_input(AdmissionFileInput, request, kind)
        admissions.admission_save(
            membership=request.membership,
            admission_id=admission.pk,
            files={kind: data["file"]},
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk), status=status.HTTP_201_CREATED)


class AdmissionSubmitView(AdmissionAPIView):
    serializer_class = AdmissionDetailSerializer

    def scoped_queryset(self, membership):
        return admissions.admissions_of(membership)

    @extend_schema(
        summary="提交入库申请",
        description="尚缺内容返回 400 admission.incomplete；阻止提交的形式审查规则返回 400 admission.defect.<规则>；"
        "errors 以点分路径指明字段。",
        request=AdmissionVersionInput,
        responses=AdmissionDetailSerializer,
    )
    def post(self, request, pk):
        admission = admissions.access_admission(request.membership, pk)  # 404 before any validation
        data = validated(AdmissionVersionInput, request.data)
        admissions.admission_submit(
            membership=request.membership, admission_id=admission.pk, expected_version=data.get("version")
        )
        return Response(_detail(request.membership, pk))


class PilotEnterpriseListView(mixins.ListModelMixin, AdmissionAPIView):
    """试点企业名单 (the city bureau)."""

    serializer_class = PilotEnterpriseSerializer

    def scoped_queryset(self, membership):
        return pilot_enterprises_for(membership)

    @extend_schema(summary="试点企业名单（市工信局）")
    def get(self, request):
        return self.list(request)


class PilotStatusView(AdmissionAPIView):
    """The enterprise's own pilot status: admitted (and when), its latest admission, whether it may apply."""

    serializer_class = PilotStatusSerializer

    def scoped_queryset(self, membership):
        return admissions.admissions_of(membership)

    @extend_schema(summary="本单位试点企业状态")
    def get(self, request):
        membership = request.membership
        organisation = membership.organisation
        if organisation is None or organisation.kind != Organisation.Kind.ENTERPRISE:
            raise DomainError(_("仅企业用户可以查看试点企业状态。"), code="admission.wrong_kind", status=403)
        pilot = admissions.pilot_of(organisation)
        latest = admissions.admissions_of(membership).order_by("-id").first()
        if pilot is not None:
            reason = _("您的单位已是试点企业。")
        elif latest is not None and latest.application.state == Application.State.IN_REVIEW:
            reason = _("您的入库申请正在审核中。")
        else:
            reason = _eligibility(membership)
        return Response(
            PilotStatusSerializer(
                {
                    "organisation": organisation.name,
                    "is_pilot": pilot is not None,
                    "admitted_on": pilot.admitted_on if pilot else None,
                    "admission": latest,
                    "can_apply": reason is None,
                    "reason": reason,
                }
            ).data
        )
