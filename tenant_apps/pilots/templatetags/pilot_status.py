"""`{% load pilot_status %}{% pilot_status organisation %}`: the organisation's pilot status (试点企业 · 入库日期) as a
row of a descriptions list, for pages of lower layers that may not import this app (我的企业 in certification).
Draws nothing when the organisation is not a pilot enterprise of this tenant (or the module is off: then none is)."""

from __future__ import annotations

from django import template

from tenant_apps.pilots.admissions import pilot_of

register = template.Library()


@register.inclusion_tag("pilots/_pilot_status.html")
def pilot_status(organisation):
    pilot = pilot_of(organisation) if organisation is not None and getattr(organisation, "pk", None) else None
    return {"pilot": pilot}
