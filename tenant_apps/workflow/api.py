"""Applications, my inbox, decisions and the work-order log over the API."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from shared_apps.ui.pagination import KeyedPaginator
from tenant_apps.organisations.api_access import ScopedAPIView
from tenant_apps.workflow import policies, services
from tenant_apps.workflow.models import Application, LogEntry, Task
from tenant_apps.workflow.selectors import (
    INBOX_COUNT_CAP,
    access_application,
    access_task,
    filter_inbox,
    my_applications,
    task_rows,
    tasks_awaiting_keys,
)


class LogEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = LogEntry
        fields = ["created_at", "stage_position", "stage_name", "action", "actor", "opinion"]


class ApplicationSerializer(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.username")
    organisation = serializers.CharField(source="organisation.name", default=None)

    class Meta:
        model = Application
        fields = [
            "id",
            "kind",
            "title",
            "state",
            "stage_position",
            "version",
            "applicant",
            "organisation",
            "created_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    log = LogEntrySerializer(many=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "stages", "submitted_at", "decided_at", "log"]


class TaskSerializer(serializers.ModelSerializer):
    application = ApplicationSerializer()

    class Meta:
        model = Task
        fields = ["id", "stage_position", "stage_name", "handler", "role", "actions", "created_at", "application"]


class InboxFilters(serializers.Serializer):
    """The seed's inbox filters; invalid values (a NUL byte, an impossible date) are a 400, never a 500."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="申请名称包含")
    applicant = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="申请人或单位包含")
    start = serializers.DateField(required=False, help_text="创建日期从")
    end = serializers.DateField(required=False, help_text="创建日期至")


def _filters(request) -> dict:
    filters = InboxFilters(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class MyApplicationsView(mixins.ListModelMixin, ScopedAPIView):
    serializer_class = ApplicationSerializer

    def scoped_queryset(self, membership):
        return filter_inbox(my_applications(membership), **_filters(self.request))

    @extend_schema(summary="我的申请", parameters=[InboxFilters])
    def get(self, request):
        return self.list(request)


class InboxPagination(PageNumberPagination):
    """Pages as the workbench inbox does (`KeyedPaginator`): the count stops at `INBOX_COUNT_CAP`, and
    `count_capped` says so; `page=last` is the last counted page."""

    def django_paginator_class(self, queryset, page_size):
        return KeyedPaginator(queryset, page_size, rows=task_rows, count_cap=INBOX_COUNT_CAP)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count_capped"] = {
            "type": "boolean",
            "description": f"true: more than {INBOX_COUNT_CAP} tasks; count is the cap and pages end there",
        }
        return described


class AwaitingTasksView(mixins.ListModelMixin, ScopedAPIView):
    serializer_class = TaskSerializer
    pagination_class = InboxPagination

    def scoped_queryset(self, membership):
        return filter_inbox(tasks_awaiting_keys(membership), field_prefix="application__", **_filters(self.request))

    @extend_schema(summary="待我审批", parameters=[InboxFilters])
    def get(self, request):
        return self.list(request)


class ApplicationDetailView(ScopedAPIView):
    serializer_class = ApplicationDetailSerializer

    def scoped_queryset(self, membership):
        return policies.applications_visible(membership)

    @extend_schema(summary="申请详情与工单日志")
    def get(self, request, pk):
        # Applicants and the reviewers who hold or held a task on it may read it; anyone else gets 404.
        return Response(ApplicationDetailSerializer(access_application(request.membership, pk, with_log=True)).data)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=0, help_text="读取申请时的 version；已有新进展时返回 409 workflow.stale。"
    )


class WithdrawView(ScopedAPIView):
    serializer_class = ApplicationSerializer

    def scoped_queryset(self, membership):
        return my_applications(membership)

    @extend_schema(request=VersionInput, responses=ApplicationSerializer, summary="撤销申请")
    def post(self, request, pk):
        payload = VersionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.application_withdraw(
            application=self.get_object(), actor=request.user, expected_version=payload.validated_data.get("version")
        )
        return Response(ApplicationSerializer(application).data)


class DecideView(ScopedAPIView):
    serializer_class = ApplicationSerializer

    class InputSerializer(VersionInput):
        action = serializers.ChoiceField(choices=["approve", "return", "reject"])
        opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def scoped_queryset(self, membership):
        return policies.tasks_to_decide(membership)

    @extend_schema(request=InputSerializer, responses=ApplicationSerializer, summary="审核（通过/退回/驳回）")
    def post(self, request, pk):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        task = access_task(request.membership, pk)  # 404 unless I decide it
        data = payload.validated_data
        application = services.task_decide(
            task_id=task.pk,
            membership=request.membership,
            action=data["action"],
            opinion=data.get("opinion", ""),
            expected_version=data.get("version"),
        )
        return Response(ApplicationSerializer(application).data)
