"""The Django admin of a tenant: open to that tenant's administrators only, whatever global flags say."""

from functools import wraps

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.views import client_ip
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_record, audit_value
from tenant_apps.organisations.roles import Role
from tenant_apps.organisations.selectors import current_membership

NOT_AN_ADMIN_HERE = _("您不是本城市的管理员。")


class TenantAdminSite(admin.AdminSite):
    site_header = _("城市管理后台")
    site_title = _("城市管理后台")
    index_title = _("租户配置")

    def has_permission(self, request):
        membership = current_membership(request.user)
        return membership is not None and membership.has_role(Role.TENANT_ADMIN)

    def admin_view(self, view, cacheable=False):
        """Signed-in people who are not this tenant's admins get 403, not a login form to try again."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request) and view != self.logout:
                raise PermissionDenied(NOT_AN_ADMIN_HERE)
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(NOT_AN_ADMIN_HERE)
        return super().login(request, extra_context)


tenant_admin_site = TenantAdminSite(name="tenant_admin")


# --- The audit trail of the tenant admin -------------------------------------------------------------------------
def form_changes(form) -> dict:
    """`{field: [before, after]}` for what the person changed in a model form. `form.initial` still holds the values
    read from the database (the instance itself was already overwritten by validation); related objects are
    resolved to their labels so the trail reads without the rows it points to."""
    changes = {}
    for name in form.changed_data:
        field = form.fields[name]
        before, after = form.initial.get(name), form.cleaned_data.get(name)
        if isinstance(field, forms.ModelMultipleChoiceField):
            before = sorted(str(item) for item in before or [])
            after = sorted(str(item) for item in after or [])
        elif isinstance(field, forms.ModelChoiceField) and before is not None:
            before = field.queryset.filter(pk=before).first()
        before, after = audit_value(before), audit_value(after)
        if before != after:
            changes[name] = [before, after]
    return changes


class AuditedAdminMixin:
    """Every add, change and delete through the tenant admin (inline rows and list edits too) leaves an audit entry
    in `public` with the changed fields' before/after. Entries are written inside the admin's transaction."""

    def audit_action(self, obj, changes: dict, change: bool) -> str:
        return AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE

    def _audit(self, request, *, action: str, obj, changes: dict | None = None) -> None:
        audit_record(action=action, target=obj, changes=changes, actor=request.user, ip=client_ip(request))

    def audit_changes(self, form) -> dict:
        return form_changes(form)

    def save_model(self, request, obj, form, change):
        changes = self.audit_changes(form)
        super().save_model(request, obj, form, change)
        if changes or not change:
            self._audit(request, action=self.audit_action(obj, changes, change), obj=obj, changes=changes)

    def delete_model(self, request, obj):
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deleted(request, obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows: deletions are recorded before they happen (the row still has its id), the rest after."""
        deleted = formset.deleted_forms
        for inline_form in deleted:
            if inline_form.instance.pk is not None:
                self._audit_deleted(request, inline_form.instance)
        pending = [
            (inline_form, inline_form.instance.pk is not None, form_changes(inline_form))
            for inline_form in formset.forms
            if inline_form not in deleted and inline_form.has_changed()
        ]
        super().save_formset(request, form, formset, change)
        for inline_form, existed, changes in pending:
            if changes or not existed:
                action = self.audit_action(inline_form.instance, changes, existed)
                self._audit(request, action=action, obj=inline_form.instance, changes=changes)

    def _audit_deleted(self, request, obj) -> None:
        self._audit(request, action=AuditEntry.Action.DELETE, obj=obj)
