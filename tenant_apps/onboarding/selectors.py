"""Reads of organisation profiles, labelled by the tenant's field definitions."""

from django.utils.translation import gettext as _

from tenant_apps.onboarding.models import ProfileFieldGroup


def profile_display(organisation) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group name, [(field label, value as text)])] for the groups this organisation has answers in."""
    if organisation is None or not organisation.profile:
        return []
    rows = []
    for group in ProfileFieldGroup.objects.filter(code__in=organisation.profile.keys()).prefetch_related("fields"):
        answers = organisation.profile.get(group.code, {})
        values = []
        for field in group.fields.all():
            if field.code in answers:
                value = answers[field.code]
                if isinstance(value, bool):
                    value = _("是") if value else _("否")
                elif isinstance(value, list):
                    value = "、".join(value)
                values.append((field.label, str(value)))
        if values:
            rows.append((group.name, values))
    return rows
