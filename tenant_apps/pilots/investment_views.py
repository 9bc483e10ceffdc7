"""项目投资清单 and 项目总结报告 in the workbench (/workbench/pilots/acceptance/investment/): the city's templates to download
(blank, or prefilled from an acceptance the person may read) and the check of the acceptance's uploaded list against
its form. Thin views: reads through `investment_list` (its access helper answers 404 for missing and forbidden
alike), documents from `investment_list` / `summary_report`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tenant_apps.organisations.access import check_module_access
from tenant_apps.pilots import investment_list, summary_report
from tenants.errors import DomainError


def _member(request):
    _module, membership = check_module_access(request, investment_list.MODULE)
    return membership


def _acceptance(request, pk):
    try:
        return investment_list.access_acceptance(_member(request), pk)
    except DomainError as error:
        raise Http404(error.message) from None


def download(content: bytes, content_type: str, name: str) -> HttpResponse:
    """A generated file as an attachment (RFC 5987 `filename*` for the Chinese name), never sniffed or cached."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def investment_template(request):
    """The city's blank 项目投资清单 (XLSX)."""
    _member(request)
    name = investment_list.download_name(_("项目投资清单"), extension="xlsx")
    return download(investment_list.template_workbook(), investment_list.XLSX, name)


@login_required
@require_GET
def investment_template_prefilled(request, pk: int):
    """项目投资清单 prefilled with the acceptance's projects, providers and products."""
    acceptance = _acceptance(request, pk)
    name = investment_list.download_name(_("项目投资清单"), acceptance.organisation.name, extension="xlsx")
    return download(investment_list.template_workbook(acceptance), investment_list.XLSX, name)


@login_required
@require_GET
def summary_report_template(request):
    """The city's blank 项目总结报告 (DOCX)."""
    _member(request)
    name = investment_list.download_name(_("项目总结报告"), extension="docx")
    return download(summary_report.summary_report_template(), summary_report.DOCX, name)


@login_required
@require_GET
def summary_report_template_prefilled(request, pk: int):
    """项目总结报告 with the acceptance's projects, periods and investments filled in."""
    acceptance = _acceptance(request, pk)
    name = investment_list.download_name(_("项目总结报告"), acceptance.organisation.name, extension="docx")
    return download(summary_report.summary_report_template(acceptance), summary_report.DOCX, name)


@login_required
@require_GET
def investment_check(request, pk: int):
    """投资清单核对 of the acceptance's latest uploaded list: a page, or with `?fragment=1` the part the form page
    embeds."""
    acceptance = _acceptance(request, pk)
    result = investment_list.check_latest(acceptance)
    context = {
        "acceptance": acceptance,
        "result": result,
        "mismatches": [(investment_list.LEVEL_LABELS[m.level](), m) for m in result.mismatches],
    }
    if request.GET.get("fragment"):
        return render(request, "pilots/investment/_check.html", context)
    return render(request, "pilots/investment/check.html", context)
