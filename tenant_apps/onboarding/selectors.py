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


def profile_sections(application) -> list:
    """The organisation's profile groups as application-page sections (registered for certification reviews)."""
    from tenant_apps.workflow.registry import Section

    return [Section(group, values) for group, values in profile_display(application.organisation)]


def registration_unfinished(membership) -> bool:
    """A main account that saved a profile draft, or still has no organisation where registration asks for one."""
    from tenant_apps.configuration.selectors import tenant_settings
    from tenant_apps.onboarding.models import RegistrationDraft

    if membership is None or membership.is_sub_account or not membership.has_role("enterprise", "provider"):
        return False
    if not profile_is_the_form(membership):
        return False
    if RegistrationDraft.objects.filter(user_id=membership.user_id).exists():
        return True
    row = tenant_settings()
    return membership.organisation_id is None and bool(row and row.registration_profile_step)


def profile_is_the_form(membership) -> bool:
    """Whether this organisation's data is entered and re-edited in the registration profile: where registration
    collected it (a profile step, or company data at sign-up). Where the certification form was used instead (or
    the tenant certifies after registration), the profile is not a second way to change the same data."""
    from tenant_apps.certification.selectors import certification_latest, certification_request_of
    from tenant_apps.configuration.selectors import tenant_settings

    latest = certification_latest(membership.organisation)
    if latest is not None:
        return certification_request_of(latest) is None
    row = tenant_settings()
    return bool(row and row.registration_profile_step)


def registration_draft_of(user):
    """The person's own server-side profile draft (never anyone else's)."""
    from tenant_apps.onboarding.models import RegistrationDraft

    return RegistrationDraft.objects.filter(user_id=user.pk).first()
