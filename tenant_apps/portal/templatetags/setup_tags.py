"""`{% setup_card %}`: the setup checklist's summary on the workbench home, for city administrators only."""

from django import template

from tenant_apps.organisations.roles import Role
from tenant_apps.portal.checklist import setup_checklist, setup_missing

register = template.Library()


@register.inclusion_tag("portal/_setup_card.html", takes_context=True)
def setup_card(context, membership):
    request = context.get("request")
    if request is None or membership is None or not membership.has_role(Role.TENANT_ADMIN):
        return {"show": False}
    items = setup_checklist(request.tenant)
    return {"show": True, "items": items, "missing": setup_missing(items)}
