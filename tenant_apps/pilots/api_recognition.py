"""认定与补贴测算 over the API (/api/v1/pilots/recognition/<acceptance>/): the bureau, finance and the applicant's
organisation read the recognised figures, breakdowns, adjustments and the tranche plan; the bureau records (PUT)
and adjusts (POST …/projects/<id>/adjust/). Same services as the page (`tenant_apps.pilots.recognition`); refusals
are the project's structured error with dotted field paths (`projects.0.recognised_amount`)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.pilots import recognition, subsidy
from tenant_apps.pilots.api_admissions import validated
from tenants.errors import not_found


class RecognitionAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = recognition.MODULE
    parser_classes = [JSONParser]

    def scoped_queryset(self, membership):
        return recognition.acceptances_visible(membership)


# --- Serializers -------------------------------------------------------------------------------------------------------
class RecognitionPolicySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class RecognitionAdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount_before = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField()
    adjusted_by = serializers.CharField(help_text="调整人账号")
    adjusted_at = serializers.DateTimeField()
    superseded = serializers.BooleanField(help_text="此后已重新认定测算，本次调整不再生效")


class RecognitionProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="项目名称")
    investment = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, help_text="申报投资（元）")
    recognised_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="认定投资（元）"
    )
    recognised_hardware = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="其中硬件投入（元）"
    )
    level_reached = serializers.IntegerField(allow_null=True, help_text="认定数字化水平 1–4")
    subsidy_computed = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="测算补贴（元）"
    )
    subsidy_breakdown = serializers.CharField(allow_blank=True, help_text="测算过程")
    subsidy = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="补贴金额（元，含调整）"
    )
    adjustments = RecognitionAdjustmentSerializer(many=True)


class RecognitionTrancheSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class RecognitionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="验收申请 id")
    application = serializers.IntegerField(help_text="审核申请 id（/api/v1/applications/）")
    version = serializers.IntegerField(help_text="申请版本：保存认定、调整补贴时回传，过期返回 409")
    state = serializers.CharField()
    stage = serializers.CharField(allow_null=True, help_text="当前审核环节")
    organisation = serializers.CharField(help_text="企业名称")
    editable = serializers.BooleanField(help_text="现在可以认定、调整（市工信局）")
    policy = RecognitionPolicySerializer(allow_null=True, help_text="适用补贴政策（认定时记录的版本）")
    recognised_at = serializers.DateTimeField(allow_null=True)
    total_subsidy = serializers.DecimalField(max_digits=14, decimal_places=2)
    tranches = RecognitionTrancheSerializer(many=True, help_text="按政策的分期拨付计划")
    projects = RecognitionProjectSerializer(many=True)


class RecognitionProjectInput(serializers.Serializer):
    id = serializers.IntegerField(help_text="项目 id")
    recognised_amount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="认定投资（元），不小于 0，最多两位小数"
    )
    recognised_hardware = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="其中硬件投入（元），不超过认定投资"
    )
    level_reached = serializers.IntegerField(required=False, allow_null=True, help_text="认定数字化水平 1–4")
    in_period = serializers.BooleanField(default=True, help_text="项目在试点期内")
    proven = serializers.BooleanField(default=True, help_text="合同、发票、银行回单齐全")


class RecognitionInput(serializers.Serializer):
    """Every project of the acceptance once; recomputes all subsidies (earlier adjustments no longer count)."""

    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")
    policy = serializers.IntegerField(
        required=False, allow_null=True, help_text="补贴政策 id；省略时沿用已记录的版本，首次认定用当前政策"
    )
    projects = RecognitionProjectInput(many=True)


class AdjustInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")
    amount = serializers.CharField(help_text="调整后补贴（元），不小于 0")
    reason = serializers.CharField(allow_blank=True, help_text="调整原因（必填，≤ 500 字）")


# --- Reads ---------------------------------------------------------------------------------------------------------------
def _detail(membership, pk) -> dict:
    acceptance = recognition.access_acceptance(membership, pk)
    application = acceptance.application
    projects = list(recognition.projects_of(acceptance))
    total = sum((p.subsidy or 0 for p in projects), Decimal("0.00"))
    policy = acceptance.policy
    stage = application.current_stage
    data = {
        "id": acceptance.pk,
        "application": application.pk,
        "version": application.version,
        "state": application.state,
        "stage": stage["name"] if stage else None,
        "organisation": acceptance.organisation.name,
        "editable": recognition.is_bureau(membership) and recognition.editable(acceptance),
        "policy": {"id": policy.pk, "code": policy.code, "name": policy.name, "version": policy.version}
        if policy
        else None,
        "recognised_at": acceptance.recognised_at,
        "total_subsidy": total,
        "tranches": [{"label": label, "amount": amount} for label, amount in subsidy.tranche_plan(policy, total)]
        if acceptance.recognised_at
        else [],
        "projects": [
            {
                "id": p.pk,
                "name": p.name,
                "investment": p.investment,
                "recognised_amount": p.recognised_amount,
                "recognised_hardware": p.recognised_hardware,
                "level_reached": p.level_reached,
                "subsidy_computed": p.subsidy_computed,
                "subsidy_breakdown": p.subsidy_breakdown,
                "subsidy": p.subsidy,
                "adjustments": [
                    {
                        "id": a.pk,
                        "amount_before": a.amount_before,
                        "amount_after": a.amount_after,
                        "reason": a.reason,
                        "adjusted_by": a.adjusted_by.get_username(),
                        "adjusted_at": a.adjusted_at,
                        "superseded": bool(acceptance.recognised_at and a.adjusted_at < acceptance.recognised_at),
                    }
                    for a in p.adjustments.all()
                ],
            }
            for p in projects
        ],
    }
    return RecognitionSerializer(data).data


# --- Views -------------------------------------------------------------------------------------------------------------
class RecognitionView(RecognitionAPIView):
    serializer_class = RecognitionSerializer

    @extend_schema(summary="认定结果与补贴测算（市工信局、财政局、申请企业可读）")
    def get(self, request, pk):
        return Response(_detail(request.membership, pk))

    @extend_schema(
        summary="保存认定结果并测算补贴（市工信局）",
        description="每个项目一行；重新保存会重新测算，此前的补贴调整不再生效。错误的 errors 以点分路径指明字段，"
        "例如 projects.0.recognised_amount。",
        request=RecognitionInput,
        responses=RecognitionSerializer,
    )
    def put(self, request, pk):
        acceptance = recognition.access_acceptance(request.membership, pk)  # 404 before any validation
        data = validated(RecognitionInput, request.data)
        recognition.recognise(
            membership=request.membership,
            acceptance_id=acceptance.pk,
            projects=[dict(row) for row in data["projects"]],
            policy_id=data.get("policy"),
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk))


class RecognitionAdjustView(RecognitionAPIView):
    serializer_class = RecognitionSerializer

    @extend_schema(
        summary="调整项目补贴（市工信局，须填写原因）",
        request=AdjustInput,
        responses=RecognitionSerializer,
    )
    def post(self, request, pk, project_pk):
        acceptance = recognition.access_acceptance(request.membership, pk)  # 404 before any validation
        if not acceptance.projects.filter(pk=project_pk).exists():
            raise not_found(_("该项目不存在。"), code="recognition.project_not_found")
        data = validated(AdjustInput, request.data)
        recognition.adjust(
            membership=request.membership,
            project_id=project_pk,
            amount=data["amount"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk))
