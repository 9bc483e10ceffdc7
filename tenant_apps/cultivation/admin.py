"""梯度培育 in the tenant admin; every add, change and delete is audited (AuditedAdminMixin). One block per area."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from shared_apps.oversight.models import AuditEntry
from tenant_apps.cultivation.models import Questionnaire, Tier
from tenant_apps.cultivation.questionnaire_services import definition_errors, questionnaire_load
from tenant_apps.organisations.admin_site import AuditedAdminMixin, tenant_admin_site


# --- 数字化水平评测表: a new version is a JSON file; versions already answered stay as they were ----------------------
class QuestionnaireUploadForm(forms.ModelForm):
    """The add form: a definition file in the bundled questionnaires' format, checked whole by `definition_errors`
    (every problem listed on the field; nothing is stored until the file checks)."""

    MAX_BYTES = 1024 * 1024

    definition_file = forms.FileField(
        label=_("评测表文件（JSON）"),
        help_text=_(
            "格式同内置评测表（tenant_apps/cultivation/questionnaires/*.json）：sector、title、sections（code、name、"
            "weight、questions）与 levels（1–4 级及最低分 min）。导入后成为该行业的新版本并立即启用，旧版本停用但保留。"
        ),
    )

    class Meta:
        model = Questionnaire
        fields: list[str] = []

    def clean_definition_file(self):
        upload = self.cleaned_data["definition_file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("文件须小于 1 MB。"))
        try:
            definition = json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise ValidationError(_("文件不是有效的 JSON（须为 UTF-8 编码）。")) from None
        problems = definition_errors(definition)
        if problems:
            raise ValidationError([ValidationError(problem) for problem in problems])
        self.definition = definition
        return upload


@admin.register(Questionnaire, site=tenant_admin_site)
class QuestionnaireAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Versions are read-only (assessments point at the version they answered); a new one is added from a file and
    replaces the sector's active version. Open to this tenant's administrators (the role, as the site checks)."""

    list_display = ["title", "sector", "version", "is_active", "created_at"]
    list_filter = ["sector", "is_active"]
    add_form = QuestionnaireUploadForm
    add_fieldsets = ((None, {"fields": ["definition_file"]}),)
    readonly_fields = ["sector", "version", "title", "is_active", "created_at", "outline"]
    fields = readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs = {"form": self.add_form, "fields": ["definition_file"], **kwargs}
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description=_("题目与计分"))
    def outline(self, obj) -> str:
        sections = obj.definition.get("sections", []) if isinstance(obj.definition, dict) else []
        rows = format_html_join(
            "",
            "<li>{}（{}，{} 题）</li>",
            ((s.get("name"), _("权重 %(w)s") % {"w": s.get("weight")}, len(s.get("questions", []))) for s in sections),
        )
        levels = "、".join(f"{lv.get('level')}级 ≥ {lv.get('min')}" for lv in obj.definition.get("levels", []))
        return format_html("<ul>{}</ul><p>{}</p>", rows, levels)

    def save_model(self, request, obj, form, change):
        if change:  # every field is read-only: nothing to save
            return
        loaded = questionnaire_load(form.definition)
        for field in Questionnaire._meta.concrete_fields:
            setattr(obj, field.attname, getattr(loaded, field.attname))
        obj._state.adding, obj._state.db = False, loaded._state.db
        changes = {"sector": [None, loaded.sector], "version": [None, loaded.version], "title": [None, loaded.title]}
        self._audit(request, action=AuditEntry.Action.CREATE, obj=obj, changes=changes)

    # The role decides (ADMIN_APPS grants model permissions to other apps only): this tenant's admins.
    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- end of 数字化水平评测表 ------------------------------------------------------------------------------------------


# --- 认定层级 (the tier's declaration form) -------------------------------------------------------------------------
@admin.register(Tier, site=tenant_admin_site)
class TierAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The tenant admin edits a tier's name, validity, assessment rule and the indicators of its form (JSON, checked
    by `Tier.clean`); the code and certificate prefix stay as provisioned (certificates already carry them)."""

    list_display = ["name", "code", "requires_assessment", "valid_years", "is_active", "position"]
    list_editable = ["is_active", "position"]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "certificate_prefix"] if obj else []

    def has_module_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request):
        return self.admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.admin_site.has_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
