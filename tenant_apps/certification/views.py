"""我的企业: certification state, the certification form, and the organisation's basic information."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shared_apps.accounts.forms import attach_error
from tenant_apps.certification.forms import CertificationForm
from tenant_apps.certification.models import CertificationRequest
from tenant_apps.certification.services import certification_submit
from tenant_apps.organisations.selectors import current_membership
from tenant_apps.workflow.models import Application
from tenant_apps.workflow.services import WorkflowError


@login_required
def my_enterprise(request):
    membership = current_membership(request.user)
    if membership is None or not membership.has_role("enterprise", "provider") or membership.is_sub_account:
        raise PermissionDenied(_("只有企业或服务商的主账号可以办理认证。"))
    organisation = membership.organisation
    latest = organisation.applications.filter(kind="certification").first() if organisation else None
    request_row = CertificationRequest.objects.filter(application=latest).first() if latest else None
    editable = latest is None or latest.state in Application.EDITABLE_STATES
    editable = editable and not (organisation and organisation.certification == "certified")
    form = CertificationForm(request.POST or None, instance=request_row if editable else None, prefix="cert")
    if request.method == "POST" and editable and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            certification_submit(membership=membership, data=data)
        except WorkflowError as error:
            attach_error(form, error)
        else:
            messages.success(request, _("认证申请已提交，请等待审核。"))
            return redirect("my-enterprise")
    returned_opinion = latest.log.filter(action="return").last() if latest and latest.state == "returned" else None
    context = {
        "organisation": organisation,
        "application": latest,
        "form": form if editable else None,
        "returned": returned_opinion,
    }
    return render(request, "certification/my_enterprise.html", context, status=400 if form.errors else 200)
