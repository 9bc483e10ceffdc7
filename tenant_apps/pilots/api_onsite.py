"""现场验收 over the API (/api/v1/pilots/onsite/, module `acceptance`: 404 where a tenant has it off): the bureau's
list, one acceptance's booking and conclusions (the bureau and the applicant), booking and concluding (the bureau).
Refusals are `DomainError`s rendered by the shared exception handler."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.pilots import onsite
from tenant_apps.pilots.api_admissions import validated
from tenant_apps.pilots.models import OnSiteVisit
from tenants.errors import DomainError


class OnsiteAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = onsite.MODULE


# --- Serializers ------------------------------------------------------------------------------------------------------
class VisitSerializer(serializers.ModelSerializer):
    conclusion_label = serializers.CharField(source="get_conclusion_display", help_text="验收结论（中文）")
    overdue = serializers.SerializerMethodField(help_text="整改/补充期限已过且尚未重新提交")
    resolved_late = serializers.SerializerMethodField(help_text="逾期后才重新提交")

    class Meta:
        model = OnSiteVisit
        fields = [
            "id",
            "scheduled_at",
            "place",
            "contact_name",
            "contact_phone",
            "preparation",
            "booked_at",
            "conclusion",
            "conclusion_label",
            "conclusion_note",
            "deadline",
            "concluded_at",
            "resolved_at",
            "overdue",
            "resolved_late",
        ]

    def get_overdue(self, visit) -> bool:
        return onsite.is_overdue(visit)

    def get_resolved_late(self, visit) -> bool:
        return onsite.resolved_late(visit)


class OnsiteRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="验收申请编号")
    application = serializers.IntegerField(source="application_id")
    title = serializers.CharField(source="application.title")
    organisation = serializers.CharField(source="organisation.name")
    state = serializers.CharField(source="application.state")
    status = serializers.SerializerMethodField(help_text="to_book / booked / to_confirm / rectifying / overdue")
    status_label = serializers.SerializerMethodField()
    scheduled_at = serializers.DateTimeField(source="visit_at", allow_null=True)
    deadline = serializers.DateField(source="visit_deadline", allow_null=True)

    def get_status(self, row) -> str:
        return onsite.row_status(row)

    def get_status_label(self, row) -> str:
        return str(onsite.STATUS_LABELS[onsite.row_status(row)])


class OnsiteDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="验收申请编号")
    application = serializers.IntegerField(source="application_id")
    title = serializers.CharField(source="application.title")
    organisation = serializers.CharField(source="organisation.name")
    state = serializers.CharField(source="application.state")
    version = serializers.IntegerField(source="application.version", help_text="填写结论时回传；过期返回 409")
    at_stage = serializers.SerializerMethodField(help_text="当前处于现场验收环节")
    passes = serializers.SerializerMethodField(help_text="现场验收已有可通过该环节的结论")
    visits = serializers.SerializerMethodField(help_text="历次现场验收，最新在前")

    def get_at_stage(self, acceptance) -> bool:
        return onsite.at_onsite_stage(acceptance.application)

    def get_passes(self, acceptance) -> bool:
        visits = self.context["visits"]
        return onsite.visit_resolved_pass(visits[0] if visits else None)

    @extend_schema_field(VisitSerializer(many=True))
    def get_visits(self, acceptance) -> list[dict]:
        return VisitSerializer(self.context["visits"], many=True).data


class BookInput(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(help_text="验收时间（晚于当前时间），ISO 8601")
    place = serializers.CharField(allow_blank=True, help_text="验收地点（≤ 200 字）")
    contact_name = serializers.CharField(allow_blank=True, help_text="联系人（≤ 30 字）")
    contact_phone = serializers.CharField(allow_blank=True, help_text="11 位手机号或带区号的固定电话")
    preparation = serializers.CharField(required=False, allow_blank=True, default="", help_text="准备要求")


class ConcludeInput(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=OnSiteVisit.Conclusion.choices, help_text="验收结论")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="结论说明；不通过时必填")
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="整改/补充期限（不早于今天）；不通过时必填"
    )
    version = serializers.IntegerField(required=False, min_value=0, help_text="读取时的 version；过期返回 409")


def _detail(membership, pk) -> dict:
    acceptance = onsite.access_acceptance(membership, pk)
    visits = onsite.visits_of(acceptance)
    return OnsiteDetailSerializer(acceptance, context={"visits": visits}).data


# --- Views ------------------------------------------------------------------------------------------------------------
class OnsiteListView(mixins.ListModelMixin, OnsiteAPIView):
    """The bureau's acceptances at the on-site stage and overdue rectifications."""

    serializer_class = OnsiteRowSerializer

    def scoped_queryset(self, membership):
        if not onsite.is_bureau(membership):
            raise DomainError(_("只有市工信局可以办理现场验收。"), code="onsite.not_bureau", status=403)
        status = self.request.query_params.get("status", "")
        return onsite.onsite_acceptances(membership, status if status in onsite.LIST_FILTERS else "")

    @extend_schema(
        summary="现场验收列表（市工信局）",
        parameters=[OpenApiParameter("status", str, enum=list(onsite.LIST_FILTERS), required=False)],
    )
    def get(self, request):
        return self.list(request)


class OnsiteDetailView(OnsiteAPIView):
    serializer_class = OnsiteDetailSerializer

    def scoped_queryset(self, membership):
        return onsite.acceptances_visible(membership)

    @extend_schema(summary="现场验收详情（市工信局、申请企业）")
    def get(self, request, pk):
        return Response(_detail(request.membership, pk))


class OnsiteBookView(OnsiteAPIView):
    serializer_class = OnsiteDetailSerializer

    def scoped_queryset(self, membership):
        return onsite.acceptances_visible(membership)

    @extend_schema(
        summary="预约（或修改预约）现场验收",
        description="仅市工信局，且申请处于现场验收环节。出结论前再次预约即修改同一预约（记入审计日志），企业收到通知。",
        request=BookInput,
        responses=OnsiteDetailSerializer,
    )
    def post(self, request, pk):
        acceptance = onsite.access_acceptance(request.membership, pk)  # 404 before any validation
        data = validated(BookInput, request.data)
        data["scheduled_at"] = timezone.localtime(data["scheduled_at"])
        onsite.visit_book(membership=request.membership, acceptance_id=acceptance.pk, **data)
        return Response(_detail(request.membership, pk))


class OnsiteConcludeView(OnsiteAPIView):
    serializer_class = OnsiteDetailSerializer

    def scoped_queryset(self, membership):
        return onsite.acceptances_visible(membership)

    @extend_schema(
        summary="填写现场验收结论",
        description="通过：该环节通过，进入上传盖章验收表；不通过 / 完善材料后通过：须填写说明和期限（不早于今天），"
        "申请退回企业。每次预约只能填写一次结论（409 onsite.already_concluded）。",
        request=ConcludeInput,
        responses=OnsiteDetailSerializer,
    )
    def post(self, request, pk):
        acceptance = onsite.access_acceptance(request.membership, pk)  # 404 before any validation
        data = validated(ConcludeInput, request.data)
        onsite.visit_conclude(
            membership=request.membership,
            acceptance_id=acceptance.pk,
            conclusion=data["conclusion"],
            note=data["note"],
            deadline=data["deadline"],
            expected_version=data.get("version"),
        )
        return Response(_detail(request.membership, pk))
