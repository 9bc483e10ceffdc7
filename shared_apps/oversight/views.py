"""The national center console on the base domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.views import client_ip
from shared_apps.oversight import tables
from shared_apps.oversight.cities import city_create
from shared_apps.oversight.forms import TenantCreateForm
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.selectors import audit_entries, audit_tenants, console_tenants
from tenants.errors import DomainError, attach_error
from tenants.services import tenant_url


def _require_console(user) -> None:
    if not user.can_use_console:
        raise PermissionDenied(_("仅国家中心工作人员可使用控制台。"))


@login_required
def console_home(request):
    _require_console(request.user)
    rows = [(tenant, tenant_url(tenant)) for tenant in console_tenants()]
    return render(request, "console/home.html", {"rows": rows, "table": tables.CITIES, "form": TenantCreateForm()})


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
