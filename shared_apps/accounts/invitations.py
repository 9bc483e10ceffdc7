"""The page behind a city administrator's one-time link (tenants.invitations): set a password, be signed in.

Served on the city's host only (the link names it); on the console host and on another city's host the link is not
found. The password obeys the policy of this city and of every city the person belongs to (Django's
`validate_password`), and the person lands on the city's setup checklist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from shared_apps.accounts.forms import NewPasswordMixin
from shared_apps.accounts.models import SecurityEvent
from shared_apps.accounts.security import event_record
from shared_apps.accounts.views import AUTH_BACKEND, client_ip
from tenants.errors import DomainError, attach_error
from tenants.invitations import invitation_accept, invitation_check


class InvitationPasswordForm(NewPasswordMixin):
    pass


def _landing_url() -> str:
    try:
        return reverse("setup-checklist")
    except NoReverseMatch:
        return reverse("workbench")


@never_cache
def invitation_accept_view(request, token: str):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        raise Http404
    try:
        invitation = invitation_check(token=token, tenant=tenant)
    except DomainError as error:
        return render(request, "accounts/invitation.html", {"refusal": error}, status=error.status)
    user = invitation.user
    form = InvitationPasswordForm(request.POST or None)
    form.fields["new_password1"].help_text = " ".join(password_validators_help_texts())  # the host's policy
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(token=token, tenant=tenant, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            attach_error(form, error, "new_password1")
        except DomainError as error:  # used by a second submission in the meantime
            return render(request, "accounts/invitation.html", {"refusal": error}, status=error.status)
        else:
            ip = client_ip(request)
            event_record(
                SecurityEvent.Kind.PASSWORD_CHANGED, user=user, identifier=user.username, ip=ip, detail="invitation"
            )
            login(request, user, backend=AUTH_BACKEND)
            event_record(
                SecurityEvent.Kind.LOGIN_SUCCEEDED, user=user, identifier=user.username, ip=ip, detail="invitation"
            )
            messages.success(request, _("密码已设置，欢迎使用。"))
            return redirect(_landing_url())
    return render(
        request,
        "accounts/invitation.html",
        {"form": form, "invitee": user, "city": tenant.name},
        status=400 if form.errors else 200,
    )
