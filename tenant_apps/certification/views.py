"""我的企业: certification state, the certification form (or the way to the profile), the organisation's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tenant_apps.certification.forms import CertificationForm
from tenant_apps.certification.selectors import certification_latest, certification_request_of
from tenant_apps.certification.services import certification_submit
from tenant_apps.configuration.selectors import tenant_settings
from tenant_apps.organisations.models import Organisation
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.registry import edit_url_for
from tenant_apps.workflow.selectors import latest_return
from tenants.errors import DomainError, attach_error


def _profile_based(latest, request_row) -> bool:
    """Where registration collected the organisation's data (a profile step, or company fields at sign-up), that
    profile is the one form to edit; the certification form is for tenants that certify after registration."""
    if latest is not None:
        return request_row is None
    row = tenant_settings()
    return bool(row and row.registration_profile_step)


@login_required
def my_enterprise(request):
    membership = current_membership(request.user)
    if membership is None or not membership.has_role("enterprise", "provider") or membership.is_sub_account:
        raise PermissionDenied(_("只有企业或服务商的主账号可以办理认证。"))
    organisation = membership.organisation
    latest = certification_latest(organisation)
    request_row = certification_request_of(latest)
    certified = bool(organisation and organisation.certification == Organisation.Certification.CERTIFIED)
    editable = not certified and (latest is None or latest.state in Application.EDITABLE_STATES)
    profile_based = _profile_based(latest, request_row)
    form = None
    if editable and not profile_based:
        initial = {"version": latest.version} if latest else None
        form = CertificationForm(request.POST or None, instance=request_row, initial=initial, prefix="cert")
        if request.method == "POST" and form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                certification_submit(
                    membership=membership, data=data, expected_version=form.cleaned_data.get("version")
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, _("认证申请已提交，请等待审核。"))
                return redirect("my-enterprise")
    returned = latest_return(latest)
    profile_url = None
    if editable and profile_based:
        profile_url = edit_url_for(latest) if latest else reverse("register-profile")
    context = {
        "organisation": organisation,
        "application": latest,
        "form": form,
        "returned": returned,
        "profile_url": profile_url,
    }
    return render(request, "certification/my_enterprise.html", context, status=400 if form and form.errors else 200)
