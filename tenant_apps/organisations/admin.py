"""Organisations, memberships and the tenant's audit trail in the city admin.

What the engine owns is shown, never edited here: an organisation's certification is set only by the
certification review; whether a membership is a sub-account and which menus it may use are set by the
organisation's main account through the sub-account services (which check the grants). Roles stay editable — that
is the tenant admin's job — and every change lands in the audit trail."""

from django.contrib import admin, messages
from django.db import connection
from django.utils.translation import gettext_lazy as _

from shared_apps.accounts.security import account_unlock
from shared_apps.oversight.models import AuditEntry
from shared_apps.oversight.services import audit_value
from tenant_apps.organisations.admin_site import AuditedAdminMixin, form_changes, tenant_admin_site
from tenant_apps.organisations.forms import MembershipAddForm
from tenant_apps.organisations.models import Membership, Organisation
from tenant_apps.organisations.selectors import forget_membership
from tenants.append_only import AppendOnlyAdminMixin
from tenants.client_ip import client_ip


@admin.register(Organisation, site=tenant_admin_site)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "certification", "created_at"]
    list_filter = ["kind", "certification"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["certification", "created_at"]


@admin.register(Membership, site=tenant_admin_site)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organisation", "roles", "is_active", "created_at"]
    list_select_related = ["user", "organisation"]
    # Never a selector over users: identities are national, so a list, popup or autocomplete of them would show a
    # city admin every person in the country. A new member is found by exact mobile or username (the add form).
    raw_id_fields = ["organisation", "region"]
    exclude = ["user"]
    readonly_fields = ["is_sub_account", "menu_permissions", "created_at"]
    actions = ["unlock_members"]

    @admin.action(description=_("解除所选成员的登录锁定"))
    def unlock_members(self, request, queryset):
        """The city admin's unlock path for its members (ADR 0016): ends their password lock on every host."""
        users = {membership.user for membership in queryset.select_related("user")}
        for user in users:
            account_unlock(user=user, by=request.user, ip=client_ip(request))
        self.message_user(request, _("已解除 %(n)d 个账号的登录锁定。") % {"n": len(users)}, messages.SUCCESS)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MembershipAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        """A membership's person is fixed once it exists (re-pointing it would hand one person another's roles)."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    def audit_changes(self, form) -> dict:
        """The person added is recorded by label; the mobile or username typed to find them is not."""
        changes = form_changes(form)
        changes.pop("identity", None)
        if form.instance.user_id is not None and "identity" in form.changed_data:
            changes["user"] = [None, audit_value(form.instance.user)]
        return changes

    def audit_action(self, obj, changes, change):
        return AuditEntry.Action.ROLES if change and "roles" in changes else super().audit_action(obj, changes, change)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_membership(obj.user)


@admin.register(AuditEntry, site=tenant_admin_site)
class AuditEntryAdmin(AppendOnlyAdminMixin, admin.ModelAdmin):
    """This tenant's rows of the trail, read-only: the admin reads what was changed, by whom, and cannot edit it."""

    list_display = ["created_at", "actor", "action", "target_kind", "target_label", "changed", "ip"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor"]
    search_fields = ["target_label", "actor__username"]
    fields = ["created_at", "actor", "action", "target_type", "target_id", "target_label", "changes", "ip"]
    readonly_fields = fields

    @admin.display(description=AuditEntry._meta.get_field("target_type").verbose_name)
    def target_kind(self, entry):
        return entry.target_type_label

    @admin.display(description=AuditEntry._meta.get_field("changes").verbose_name)
    def changed(self, entry):
        return "; ".join(f"{field}: {before} → {after}" for field, (before, after) in entry.change_pairs)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(schema_name=connection.schema_name)

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)
