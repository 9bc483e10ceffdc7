"""项目投资清单 over the API (/api/v1/pilots/investment/…): the city's XLSX template (blank or prefilled from an
acceptance), the summary-report DOCX template, and the check of an acceptance's uploaded list against its form.
Module `acceptance` (404 where a tenant has it off); an acceptance the caller may not read is 404, as missing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from tenant_apps.organisations.api_access import ModuleAccess, ScopedAPIView
from tenant_apps.pilots import investment_list, summary_report
from tenant_apps.pilots.investment_views import download


class InvestmentAPIView(ScopedAPIView):
    permission_classes = [*ScopedAPIView.permission_classes, ModuleAccess]
    module = investment_list.MODULE

    def scoped_queryset(self, membership):
        return investment_list.acceptances_visible(membership)


class MismatchSerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=list(investment_list.LEVEL_LABELS),
        help_text="project / provider / product / total；list：清单本身无法核对（如金额不是有效金额）",
    )
    message = serializers.CharField(help_text="不一致之处（中文，写明清单与申报表两边的内容）")
    path = serializers.CharField(help_text="申报表中的位置，例如 projects.0.providers.1.contract_amount")


class CheckFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    uploaded_at = serializers.DateTimeField(source="created_at")


class InvestmentCheckSerializer(serializers.Serializer):
    checked = serializers.BooleanField(help_text="已按 Excel 清单自动核对（未上传或清单为 PDF 等时为 false）")
    state = serializers.ChoiceField(
        choices=["none", "pdf", "other", "unreadable", "invalid", "checked"],
        help_text="none 未上传；pdf / other 非 XLSX，未核对；unreadable 文件无法读取；invalid 清单内容有误；checked 已核对",
    )
    note = serializers.CharField(allow_blank=True, help_text="未核对或无法核对的原因")
    file = CheckFileSerializer(allow_null=True, help_text="核对的清单文件（最近上传的一份）")
    mismatches = MismatchSerializer(many=True, help_text="不一致之处；一致时为空")


class InvestmentTemplateView(InvestmentAPIView):
    serializer_class = InvestmentCheckSerializer

    @extend_schema(
        operation_id="pilots_investment_template",
        summary="下载项目投资清单模板（XLSX，空白）",
        responses={(200, investment_list.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        name = investment_list.download_name(_("项目投资清单"), extension="xlsx")
        return download(investment_list.template_workbook(), investment_list.XLSX, name)


class InvestmentTemplatePrefilledView(InvestmentAPIView):
    serializer_class = InvestmentCheckSerializer

    @extend_schema(
        operation_id="pilots_investment_template_prefilled",
        summary="下载项目投资清单模板（XLSX，带入该验收申请的项目、服务商和产品）",
        responses={(200, investment_list.XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        acceptance = investment_list.access_acceptance(request.membership, pk)
        name = investment_list.download_name(_("项目投资清单"), acceptance.organisation.name, extension="xlsx")
        return download(investment_list.template_workbook(acceptance), investment_list.XLSX, name)


class SummaryReportTemplateView(InvestmentAPIView):
    serializer_class = InvestmentCheckSerializer

    @extend_schema(
        operation_id="pilots_summary_report_template",
        summary="下载项目总结报告模板（DOCX，空白）",
        responses={(200, summary_report.DOCX): OpenApiTypes.BINARY},
    )
    def get(self, request):
        name = investment_list.download_name(_("项目总结报告"), extension="docx")
        return download(summary_report.summary_report_template(), summary_report.DOCX, name)


class SummaryReportTemplatePrefilledView(InvestmentAPIView):
    serializer_class = InvestmentCheckSerializer

    @extend_schema(
        operation_id="pilots_summary_report_template_prefilled",
        summary="下载项目总结报告模板（DOCX，带入该验收申请的项目名称、周期和投资）",
        responses={(200, summary_report.DOCX): OpenApiTypes.BINARY},
    )
    def get(self, request, pk):
        acceptance = investment_list.access_acceptance(request.membership, pk)
        name = investment_list.download_name(_("项目总结报告"), acceptance.organisation.name, extension="docx")
        return download(summary_report.summary_report_template(acceptance), summary_report.DOCX, name)


class InvestmentCheckView(InvestmentAPIView):
    serializer_class = InvestmentCheckSerializer

    @extend_schema(
        operation_id="pilots_investment_check",
        summary="投资清单核对（最近上传的 XLSX 清单与申报表的项目、服务商、产品及金额）",
        responses=InvestmentCheckSerializer,
    )
    def get(self, request, pk):
        acceptance = investment_list.access_acceptance(request.membership, pk)
        result = investment_list.check_latest(acceptance)
        return Response(
            InvestmentCheckSerializer(
                {
                    "checked": result.checked,
                    "state": result.state,
                    "note": result.note,
                    "file": result.file,
                    "mismatches": list(result.mismatches),
                }
            ).data
        )
