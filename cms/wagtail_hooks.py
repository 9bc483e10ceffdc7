"""Wagtail admin hooks: under moderation a nationwide notice goes live only through the approval that names its
reach (cms.models.PublishApprovalTask), never by a direct “publish”, which would skip that confirmation.

Editors in a moderated tenant cannot publish at all (no publish right, ADR 0013); these hooks concern the approvers,
who may publish other pages directly."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages

from cms.selectors import nationwide_reach

REFUSAL = _("全国性通知须经审核发布：请先“提交审核”，再由审核人“确认发布范围后批准”。已保存为草稿。")


def _approval_required(page) -> bool:
    """Publishing `page` (as it would be published) reaches other cities, and this tenant moderates its pages."""
    return nationwide_reach(page) is not None and page.has_workflow


@hooks.register("construct_page_action_menu")
def hide_direct_publish_of_nationwide_notices(menu_items, request, context):
    page = context.get("page")  # the edit view's page is its latest revision
    if page is not None and _approval_required(page.specific):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


@hooks.register("before_publish_page")
def refuse_direct_publish_of_nationwide_notices(request, page):
    """The edit and create views' “publish” (after the revision is saved): a page that became nationwide in this
    very form, or a forged request, is kept as a draft."""
    if _approval_required(page.specific):
        messages.error(request, str(REFUSAL))
        return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_publish_of_nationwide_notices(request, action_type, objects, action):
    if action_type != "publish":
        return None
    for page in objects:
        latest = page.specific.get_latest_revision_as_object()
        if _approval_required(latest):
            messages.error(request, str(REFUSAL))
            return redirect(action.next_url)
    return None


@hooks.register("before_copy_page")
def refuse_published_copies_of_nationwide_notices(request, page):
    """A copy “published at once” of a live nationwide notice would reach every city unconfirmed."""
    if request.method == "POST" and request.POST.get("publish_copies") and _approval_required(page.specific):
        messages.error(request, str(REFUSAL))
        return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return None
