"""Sub-account management pages in the workbench (seed 001, 用户管理)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shared_apps.ui.pagination import paginate
from tenant_apps.organisations import services
from tenant_apps.organisations.forms import SubAccountCreateForm, SubAccountEditForm, SubAccountPasswordForm
from tenant_apps.organisations.selectors import access_sub_account, current_membership, sub_accounts
from tenant_apps.organisations.tables import SUB_ACCOUNTS
from tenants.errors import DomainError, attach_error


def _manager(request):
    membership = current_membership(request.user)
    if membership is None or not membership.manages_organisation:
        raise PermissionDenied(_("只有单位主账号可以管理子账号。"))
    return membership


@login_required
def sub_account_list(request):
    manager = _manager(request)
    form = SubAccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sub_account_create(
                manager=manager,
                username=data["username"],
                name=data["name"],
                mobile=data["mobile"],
                email=data["email"],
                password=data["new_password1"],
                menu_permissions=data["menu_permissions"],
            )
        except (DomainError, ValidationError) as error:
            attach_error(form, error)
        else:
            messages.success(request, _("子账号已创建。"))
            return redirect("sub-accounts")
    page = paginate(request, sub_accounts(manager))
    context = {"page": page, "form": form, "manager": manager, "table": SUB_ACCOUNTS}
    return render(request, "organisations/sub_accounts.html", context, status=400 if form.errors else 200)


@login_required
def sub_account_detail(request, pk: int):
    manager = _manager(request)
    sub_account = access_sub_account(manager, pk)
    edit_form = SubAccountEditForm(
        initial={
            "mobile": sub_account.user.mobile,
            "email": sub_account.user.email,
            "menu_permissions": sub_account.menu_permissions,
        }
    )
    password_form = SubAccountPasswordForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                edit_form = SubAccountEditForm(request.POST)
                if edit_form.is_valid():
                    services.sub_account_update(manager=manager, sub_account=sub_account, **edit_form.cleaned_data)
                    messages.success(request, _("已保存。"))
                    return redirect("sub-account", pk=pk)
            elif action == "password":
                password_form = SubAccountPasswordForm(request.POST)
                if password_form.is_valid():
                    services.sub_account_reset_password(
                        manager=manager, sub_account=sub_account, password=password_form.cleaned_data["new_password1"]
                    )
                    messages.success(request, _("密码已重置。"))
                    return redirect("sub-account", pk=pk)
            elif action == "delete":
                services.sub_account_delete(manager=manager, sub_account=sub_account)
                messages.success(request, _("子账号已删除。"))
                return redirect("sub-accounts")
        except DomainError as error:
            attach_error(edit_form, error)
        except ValidationError as error:
            attach_error(password_form, error)
    status = 400 if edit_form.errors or password_form.errors else 200
    context = {"sub_account": sub_account, "edit_form": edit_form, "password_form": password_form}
    return render(request, "organisations/sub_account.html", context, status=status)
