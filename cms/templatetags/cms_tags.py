"""Rich text rendered through the sanitiser again: previews and moderation render unsaved revisions, which the
model's save-time sanitising has not seen yet."""

from django import template
from wagtail.rich_text import RichText
from wagtail.templatetags.wagtailcore_tags import richtext

from cms.sanitize import sanitise_rich_text

register = template.Library()


@register.filter
def clean_richtext(value):
    source = value.source if isinstance(value, RichText) else value
    return richtext(sanitise_rich_text(source or ""))
