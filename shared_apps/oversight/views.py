"""The national center console on the base domain."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shared_apps.oversight.forms import TenantCreateForm
from shared_apps.oversight.selectors import console_tenants
from tenants.services import ProvisioningError, tenant_provision, tenant_url


def _require_console(user) -> None:
    if not user.can_use_console:
        raise PermissionDenied(_("仅国家中心工作人员可使用控制台。"))


@login_required
def console_home(request):
    _require_console(request.user)
    rows = [(tenant, tenant_url(tenant)) for tenant in console_tenants()]
    return render(request, "console/home.html", {"rows": rows, "form": TenantCreateForm()})


@login_required
def tenant_create(request):
    _require_console(request.user)
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = tenant_provision(data["preset"], schema_name=data["schema_name"], name=data["name"])
        except ProvisioningError as error:
            form.add_error("schema_name", str(error))
        else:
            messages.success(
                request,
                _("已创建 %(name)s，用时 %(seconds).2f 秒。") % {"name": result.tenant.name, "seconds": result.seconds},
            )
            return redirect("console-home")
    return render(request, "console/tenant_create.html", {"form": form}, status=400 if form.errors else 200)
