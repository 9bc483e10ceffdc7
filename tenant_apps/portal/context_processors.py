"""Branding and menus for every page of a tenant host, so pages that do not pass them still look like the city."""

import time

from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from tenant_apps.organisations.selectors import current_membership, member_cities
from tenant_apps.portal import content
from tenant_apps.portal.selectors import module_menu, tenant_profile, workbench_menu, workbench_navigation

WORKBENCH_LAYOUT = "layouts/workbench.html"
# The role switcher's list of cities is read from every city's schema; the session keeps it this long.
CITIES_SESSION_KEY = "ui.member_cities"
CITIES_SECONDS = 600


def portal(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return {}
    user = getattr(request, "user", None)
    membership = current_membership(user) if user is not None and user.is_authenticated else None

    def menu():
        return workbench_menu(tenant, membership) if membership else module_menu(tenant)

    return {
        "profile": SimpleLazyObject(lambda: tenant_profile(tenant)),
        "portal_nav": SimpleLazyObject(lambda: content.portal_nav(request)),
        "menu": SimpleLazyObject(menu),
        "register_url": reverse("register"),
        # The workbench layout's side menu and top bar (layouts/workbench.html); pages that serve members and
        # visitors alike (账号安全, 修改密码) extend `workbench_layout`.
        "workbench_nav": SimpleLazyObject(lambda: workbench_navigation(tenant, membership)),
        "workbench_layout": WORKBENCH_LAYOUT if membership else "base.html",
        "current_member": membership,
        "member_cities": SimpleLazyObject(lambda: _cities(request)),
    }


def _cities(request) -> list[dict]:
    """The person's cities for the role switcher, cached in the session (sessions are per host) for 10 minutes."""
    cached = request.session.get(CITIES_SESSION_KEY)
    now = time.time()
    if cached and cached.get("user") == request.user.pk and now - cached.get("at", 0) < CITIES_SECONDS:
        return cached["cities"]
    cities = member_cities(request.user)
    request.session[CITIES_SESSION_KEY] = {"user": request.user.pk, "at": now, "cities": cities}
    return cities
