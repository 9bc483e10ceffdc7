from django import template

from tenant_apps.organisations.selectors import mask_mobile

register = template.Library()


@register.filter
def masked_mobile(value):
    """138****1234"""
    return mask_mobile(value)
