"""梯度培育's public pages (/cultivation/, seed 003 §一), for anyone where the tenant runs the module (404 elsewhere):

- the landing page (`cultivation-public`): 部级、省级公告 (the portal's notices column), 企业认定查询, 数字化水平评测
  (去自评), 创客大赛 (the preset's link) and 企业申报: the tiers and, for the chosen tier, the divisions with a window
  open today. Entries that need an account lead a visitor to sign in and then back (`?next=`).
- 企业认定查询 (`cultivation-lookup`): exact name + USCC behind the image captcha and the address's budget
  (`lookup`); every miss answers the same sentence."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.tables import Column, Table
from tenant_apps.configuration.models import DeclarationWindow
from tenant_apps.cultivation import lookup, preset_values
from tenant_apps.cultivation.common import MODULE
from tenant_apps.cultivation.models import Tier
from tenant_apps.cultivation.public_forms import LookupForm
from tenant_apps.portal import content
from tenants.client_ip import client_ip
from tenants.errors import DomainError, attach_error
from tenants.modules import ensure_module

NOTICE_COUNT = 6

RESULTS = Table(
    columns=(
        Column(gettext_lazy("企业名称"), "organisation.name", wrap=True, primary=True),
        Column(gettext_lazy("认定层级"), "tier.name"),
        Column(gettext_lazy("证书编号"), "certificate_no"),
        Column(gettext_lazy("有效期起"), "valid_from", format="date"),
        Column(gettext_lazy("有效期止"), "valid_to", format="date"),
        Column(gettext_lazy("认定地区"), "region.name"),
        Column(gettext_lazy("状态"), template="cultivation/public/_status_cell.html"),
    ),
    row_attrs=lambda row: {"data-certificate": row.certificate_no},
)


def _url(name: str) -> str:
    """A page of another area, if this deployment has it (the pages are built area by area)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def entry_url(request, name: str) -> str:
    """Where a button that needs an account leads: the page itself when signed in, else the sign-in page that comes
    back to it."""
    target = _url(name)
    if not target or request.user.is_authenticated:
        return target
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': target})}"


def open_regions(tiers: list[Tier], today=None) -> dict[str, list[dict]]:
    """Per tier code, the divisions with a window of that tier open today (one query), in division order; a window
    without a division is the whole platform's."""
    from django.utils import timezone

    today = today or timezone.localdate()
    windows = (
        DeclarationWindow.objects.filter(
            module=MODULE, kind__in=[t.code for t in tiers], opens_on__lte=today, closes_on__gte=today
        )
        .select_related("region")
        .order_by("region__path", "opens_on", "pk")
    )
    regions: dict[str, dict[object, dict]] = {t.code: {} for t in tiers}
    for window in windows:
        seen = regions[window.kind]
        key = window.region_id
        if key not in seen:
            seen[key] = {
                "name": window.region.name if window.region else _("全部地区"),
                "code": window.region.code if window.region else "",
                "closes_on": window.closes_on,
            }
        else:
            seen[key]["closes_on"] = max(seen[key]["closes_on"], window.closes_on)
    return {code: list(found.values()) for code, found in regions.items()}


def cultivation_public(request):
    """The landing page for visitors and members alike."""
    ensure_module(request, MODULE)
    notices, notices_url = content.latest_notices(request, NOTICE_COUNT)
    tiers = list(Tier.objects.filter(is_active=True))
    regions = open_regions(tiers)
    chosen = next((t for t in tiers if t.code == request.GET.get("tier")), tiers[0] if tiers else None)
    for tier in tiers:
        tier.open_regions = regions[tier.code]
        tier.choose_url = "?" + urlencode({"tier": tier.code}) + "#declare"
    context = {
        "notices": notices,
        "notices_url": notices_url,
        "tiers": tiers,
        "chosen": chosen,
        "lookup_url": reverse("cultivation-lookup"),
        "assessment_url": entry_url(request, "cultivation-assessment"),
        "declare_url": entry_url(request, "cultivation-declarations"),
        "maker_url": preset_values.maker_competition_url(request.tenant),
    }
    return render(request, "cultivation/public/landing.html", context)


def cultivation_lookup(request):
    """企业认定查询: a miss, a wrong USCC and an enterprise without recognitions answer alike."""
    ensure_module(request, MODULE)
    form = LookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "searched": False, "results": [], "table": RESULTS}
    status = 200
    if request.method == "POST":
        if not form.is_valid():  # the captcha among the fields: nothing is looked up or spent without it
            status = 400
        else:
            data = form.cleaned_data
            try:
                results = lookup.recognition_lookup_public(name=data["name"], uscc=data["uscc"], ip=client_ip(request))
            except DomainError as error:
                attach_error(form, error)
                status = error.status
            else:
                # A fresh form keeps what was typed and draws a new captcha (each one answers once).
                context.update(
                    form=LookupForm(initial={"name": data["name"], "uscc": data["uscc"]}),
                    searched=True,
                    results=results,
                    not_found=lookup.not_found_message(),
                )
    return render(request, "cultivation/public/lookup.html", context, status=status)
