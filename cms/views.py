"""Portal pages that are not Wagtail pages: nationwide notices shown on this host, and the portal search; and the
doors of Wagtail's admin that lead to the platform's own sign-in, sign-out and password reset."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from cms.selectors import nationwide_notice, site_search


def nationwide_notice_detail(request, pk: int):
    notice = nationwide_notice(pk)
    if notice is None:
        raise Http404(_("该通知不存在或已撤下。"))
    return render(request, "cms/nationwide_notice.html", {"notice": notice})


def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]  # PostgreSQL text cannot hold NUL
    feed = site_search(request, query, request.GET.get("page"))
    return render(request, "cms/search.html", {"query": query, "feed": feed})


# --- Wagtail's admin signs in through the platform ----------------------------------------------------------------
def cms_login(request):
    """`/cms/login/` (and Wagtail's own redirects, WAGTAILADMIN_LOGIN_URL) → the platform's sign-in on this host,
    coming back to the admin page asked for. Someone already signed in with CMS access goes straight there."""
    target = request.GET.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("wagtailadmin_home")
    if request.user.is_authenticated and request.user.has_perm("wagtailadmin.access_admin"):
        return redirect(target)
    return redirect_to_login(target, reverse("login"))


def cms_logout(request):
    """Wagtail's “log out” (a POST) is passed on, method and body kept (307), to the platform's sign-out."""
    response = HttpResponseRedirect(reverse("logout"))
    response.status_code = 307
    return response


def cms_password_reset(request, rest: str = ""):
    """Passwords are reset by SMS code on the platform, never by Wagtail's e-mail links."""
    return redirect("password-reset")
