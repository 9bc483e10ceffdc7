"""数字化水平评测 over the API (/api/v1/cultivation/, module `cultivation`: 404 where a tenant has it off).

The enterprise reads the active questionnaire of its sector, lists its own assessments (newest first; `is_latest`
marks the one that counts for 专精特新 indicator 5), posts answers and reads one result. Same services as the pages:
unanswered questions are refused together (400, one error per `answers.<code>`), answers to an older questionnaire
version with 409 `cultivation.questionnaire_changed`, another enterprise's assessment is 404 like a missing one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from tenant_apps.cultivation import assessments, common
from tenant_apps.cultivation.assessment_exports import level_label
from tenant_apps.cultivation.assessment_forms import UNANSWERED
from tenant_apps.cultivation.models import Assessment, Questionnaire
from tenant_apps.cultivation.questionnaire_services import unanswered
from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenants.errors import DomainError


class CultivationAssessmentAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = common.MODULE


# --- Serializers -------------------------------------------------------------------------------------------------------
class AssessmentRefusalSerializer(serializers.Serializer):
    """The one refusal shape (tenants.errors.error_body), for the 409s documented below."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


NOT_READY = OpenApiResponse(
    AssessmentRefusalSerializer,
    description="未完善企业信息（cultivation.info_missing）或本行业未配置评测表（cultivation.no_questionnaire）",
)


class OptionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    score = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False)


class QuestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    multiple = serializers.BooleanField(default=False, help_text="多选题：answers 中给出选项编码的数组")
    max = serializers.DecimalField(
        max_digits=8, decimal_places=2, coerce_to_string=False, required=False, help_text="多选题的得分上限"
    )
    options = OptionSerializer(many=True)


class SectionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    questions = QuestionSerializer(many=True)


class LevelSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    min = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, help_text="该级最低总分")


class QuestionnaireSerializer(serializers.ModelSerializer):
    sections = SectionSerializer(many=True, source="definition.sections")
    levels = LevelSerializer(many=True, source="definition.levels")

    class Meta:
        model = Questionnaire
        fields = ["id", "sector", "version", "title", "sections", "levels"]


class SectionScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.CharField(help_text="该维度得分（两位小数）")
    max = serializers.CharField(help_text="该维度满分（即权重）")


class AssessmentSerializer(serializers.ModelSerializer):
    questionnaire_title = serializers.CharField(source="questionnaire.title")
    questionnaire_version = serializers.IntegerField(source="questionnaire.version")
    level_label = serializers.SerializerMethodField()
    section_scores = SectionScoreSerializer(many=True)
    is_latest = serializers.SerializerMethodField(help_text="是否为最新一次评测（认定时以最新一次为准）")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "questionnaire",
            "questionnaire_title",
            "questionnaire_version",
            "score",
            "level",
            "level_label",
            "section_scores",
            "is_latest",
            "created_at",
        ]

    def get_level_label(self, row) -> str:
        return level_label(row.level)

    def get_is_latest(self, row) -> bool:
        return row.pk == self.context.get("latest")


class AssessmentDetailSerializer(AssessmentSerializer):
    answers = serializers.DictField(child=serializers.JSONField(), help_text="题目编码 → 选项编码（多选题为数组）")

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "answers"]


class AssessmentInput(serializers.Serializer):
    questionnaire = serializers.IntegerField(
        required=False, help_text="作答所依据的评测表 id；已有新版本时 409 cultivation.questionnaire_changed"
    )
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text="题目编码 → 选项编码（单选为字符串，多选为字符串数组）"
    )


def _latest(organisation) -> int | None:
    return assessments.assessments_of(organisation).values_list("pk", flat=True).first()


# --- Views -------------------------------------------------------------------------------------------------------------
class QuestionnaireView(CultivationAssessmentAPIView):
    """The active questionnaire of the enterprise's sector (企业信息中的所属行业)."""

    serializer_class = QuestionnaireSerializer
    pagination_class = None

    def scoped_queryset(self, membership):
        return Questionnaire.objects.filter(is_active=True)

    @extend_schema(
        summary="本企业适用的数字化水平评测表（按所属行业匹配的现行版本）",
        responses={200: QuestionnaireSerializer, 409: NOT_READY},
    )
    def get(self, request):
        organisation = common.enterprise_of(request.membership)
        return Response(QuestionnaireSerializer(assessments.questionnaire_for(organisation)).data)


class AssessmentListView(mixins.ListModelMixin, CultivationAssessmentAPIView):
    """The enterprise's own assessments, newest first; POST scores and keeps a new one."""

    serializer_class = AssessmentSerializer

    def scoped_queryset(self, membership):
        return assessments.assessments_of(common.enterprise_of(membership))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        membership = getattr(self.request, "membership", None)
        if membership is not None and self.request.method == "GET":
            context["latest"] = _latest(common.enterprise_of(membership))
        return context

    @extend_schema(summary="本企业的数字化水平评测记录（最新在前）")
    def get(self, request):
        return self.list(request)

    @extend_schema(
        summary="提交数字化水平评测",
        description="每题须作答：未作答的题目一并以 400 返回（errors 的键为 answers.<题目编码>）；选项无效 400 "
        "cultivation.bad_option；评测表已更新 409 cultivation.questionnaire_changed；未完善企业信息 409 "
        "cultivation.info_missing。",
        request=AssessmentInput,
        responses={
            201: AssessmentDetailSerializer,
            409: OpenApiResponse(
                AssessmentRefusalSerializer,
                description="评测表已更新（cultivation.questionnaire_changed）、未完善企业信息或本行业未配置评测表",
            ),
        },
    )
    def post(self, request):
        membership = request.membership
        organisation = common.enterprise_of(membership)
        payload = AssessmentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        questionnaire = assessments.questionnaire_current(organisation, data.get("questionnaire"))
        missing = unanswered(questionnaire.definition, data["answers"])
        if missing:
            raise serializers.ValidationError({"answers": {code: [str(UNANSWERED)] for code in missing}})
        try:
            assessment = assessments.assessment_take(
                membership=membership, answers=data["answers"], questionnaire_id=questionnaire.pk
            )
        except DomainError as error:
            if error.code == "cultivation.bad_option":  # the question's code, as a key of `answers`
                error.field = f"answers.{error.field}"
            raise
        body = AssessmentDetailSerializer(assessment, context={"latest": assessment.pk}).data
        return Response(body, status=status.HTTP_201_CREATED)


class AssessmentDetailView(CultivationAssessmentAPIView):
    """One of the enterprise's own assessments, with its answers."""

    serializer_class = AssessmentDetailSerializer
    pagination_class = None

    def scoped_queryset(self, membership):
        return assessments.assessments_of(common.enterprise_of(membership))

    @extend_schema(summary="数字化水平评测结果详情")
    def get(self, request, pk):
        assessment = assessments.access_assessment(request.membership, pk)  # another's and a missing one: 404
        latest = _latest(assessment.organisation_id)
        return Response(AssessmentDetailSerializer(assessment, context={"latest": latest}).data)
