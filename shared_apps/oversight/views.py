"""The national center console on the base domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.views import client_ip
from shared_apps.oversight import charts, exports, tables
from shared_apps.oversight.cities import city_create
from shared_apps.oversight.forms import ConsoleFilterForm, TenantCreateForm
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.selectors import (
    audit_entries,
    audit_tenants,
    console_choices,
    console_tenant,
    console_tenants,
    console_totals,
    console_trends,
    tenant_snapshots,
)
from shared_apps.ui.pagination import paginate
from tenants.errors import DomainError, attach_error
from tenants.services import tenant_url


def _require_console(user) -> None:
    if not user.can_use_console:
        raise PermissionDenied(_("仅国家中心工作人员可使用控制台。"))


CONSOLE_PAGE_SIZES = (20, 50, 100)


def _console_filters(request):
    provinces, batches = console_choices()
    form = ConsoleFilterForm(request.GET or None, provinces=provinces, batches=batches)
    return form, form.filters()


@login_required
def console_home(request):
    """城市试点一览: every city side by side with its rolled-up figures, filtered, sorted and paged, the filtered
    cities' totals and their daily trends. Reads public tables only; the query count does not grow with cities."""
    _require_console(request.user)
    form, filters = _console_filters(request)
    page = paginate(request, console_tenants(filters), default=CONSOLE_PAGE_SIZES[0], sizes=CONSOLE_PAGE_SIZES)
    rows = [(tenant, tenant_url(tenant)) for tenant in page]
    return render(
        request,
        "console/home.html",
        {
            "page": page,
            "body": tables.table_rows(rows, tables.CITIES),
            "table": tables.CITIES,
            "filter_form": form,
            "totals": console_totals(filters),
            "trends": charts.console_trend_chart(console_trends(filters, columns=charts.TREND_COLUMNS)),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def console_export(request):
    """The filtered list as an XLSX workbook (every city that matches, not one page)."""
    _require_console(request.user)
    _form, filters = _console_filters(request)
    content = exports.cities_workbook(console_tenants(filters))
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, exports.download_name(str(_("城市试点一览")), timezone.localdate().isoformat())
    )
    return response


@login_required
def tenant_detail(request, schema_name: str):
    """One city, read-only: figures, funnel, review backlog by stage with ages, trends, recent activity. Aggregates
    only; a person named in the activity is masked (PIPL)."""
    _require_console(request.user)
    tenant = console_tenant(schema_name)
    if tenant is None:
        raise Http404(_("该城市不存在。"))
    snapshots = tenant_snapshots(tenant)
    activity = list(audit_entries(schema_name=tenant.schema_name)[:ACTIVITY_SIZE])
    try:
        lifecycle_url = reverse("console-tenant-lifecycle", args=[tenant.schema_name])
    except NoReverseMatch:  # the lifecycle page is another part of the console (issue #17)
        lifecycle_url = ""
    return render(
        request,
        "console/tenant_detail.html",
        {
            "tenant": tenant,
            "url": tenant_url(tenant),
            "figures": getattr(tenant, "figures", None),
            "detail": charts.tenant_detail(tenant, snapshots),
            "activity": [(entry, charts.activity_row(entry)) for entry in activity],
            "lifecycle_url": lifecycle_url,
        },
    )


ACTIVITY_SIZE = 20


@login_required
def tenant_create(request):
    """新建城市: the tenant from a preset with its own authority and pilot period, and its first administrator."""
    _require_console(request.user)
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = city_create(actor=request.user, ip=client_ip(request), **data)
        except DomainError as error:
            attach_error(form, error, "schema_name")
        except IntegrityError:  # the same subdomain submitted twice at once: the second insert loses
            form.add_error("schema_name", _("该标识已被使用。"))
        else:
            notice = (
                _("已向城市管理员 %(mobile)s 发送设置密码的一次性链接。")
                if result.invited
                else _("已短信通知城市管理员 %(mobile)s（已有账号）。")
            )
            messages.success(
                request,
                _("已创建 %(name)s，用时 %(seconds).2f 秒。") % {"name": result.tenant.name, "seconds": result.seconds}
                + notice % {"mobile": data["admin_mobile"]},
            )
            return redirect("console-home")
    return render(request, "console/tenant_create.html", {"form": form}, status=400 if form.errors else 200)


AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request):
    """审计日志: every city's role, sub-account and configuration changes, filterable by city and action."""
    _require_console(request.user)
    tenants = list(audit_tenants())
    names = {tenant.schema_name: tenant.name for tenant in tenants}
    schema_name = request.GET.get("tenant") or ""
    action = request.GET.get("action") or ""
    schema_name = schema_name if schema_name in names else ""
    action = action if action in AuditEntry.Action.values else ""
    page = Paginator(audit_entries(schema_name=schema_name, action=action), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/audit.html",
        {
            "page": page,
            "rows": [(entry, names.get(entry.schema_name, entry.schema_name)) for entry in page],
            "table": tables.AUDIT,
            "tenants": tenants,
            "actions": AuditEntry.Action.choices,
            "selected": {"tenant": schema_name, "action": action},
        },
    )
