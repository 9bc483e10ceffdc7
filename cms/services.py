"""Writes for the portal: the page tree a preset starts with, editors' Wagtail rights, nationwide notices, surveys.

Everything here runs inside the tenant schema it concerns (provisioning and requests set it)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import (
    ArticlePage,
    Column,
    ColumnIndexPage,
    FaqPage,
    PortalHomePage,
    PublishApprovalTask,
    SurveyField,
    SurveyPage,
    SurveySubmission,
)
from cms.sanitize import sanitise_rendered_html
from tenants.models import current_tenant
from tenants.validators import uscc_normalise

logger = logging.getLogger(__name__)

COLUMN_SLUGS = {
    Column.NOTICES: "notices",
    Column.POLICY_NEWS: "policy-news",
    Column.NEWS: "news",
    Column.SME: "sme",
    Column.INTERPRETATIONS: "interpretations",
}


# --- The tree a tenant starts with --------------------------------------------------------------------------------
def site_adopt(host: str, site_name: str) -> Site | None:
    """A clone inherits the template's Wagtail Site; point it at this tenant's own host."""
    port = int(settings.PUBLIC_PORT or 80)
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()
    if site is None:
        return None
    if (site.hostname, site.port, site.site_name) != (host, port, site_name):
        site.hostname, site.port, site.site_name = host, port, site_name
        site.save()
    return site


@transaction.atomic
def portal_tree_ensure(portal: dict, *, host: str, site_name: str, with_articles: bool = False) -> PortalHomePage:
    """The portal home, the five columns, FAQ and (if the preset has one) the survey; with `with_articles` the
    preset's demo articles too. Only missing pages are created: editors' work is never overwritten."""
    site = site_adopt(host, site_name)
    home = PortalHomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=PortalHomePage(title=site_name, slug="portal", banner_text=portal.get("banner_text", ""))
        )
        previous = site.root_page if site else None
        if site is not None:
            site.root_page = home
            site.save()
        if previous is not None and previous.specific_class is Page and previous.is_leaf():
            previous.delete()  # the template's “Welcome to Wagtail” page

    articles = portal.get("articles", []) if with_articles else []
    for column in Column:
        slug = COLUMN_SLUGS[column]
        if home.get_children().filter(slug=slug).exists():
            continue
        index = home.add_child(
            instance=ColumnIndexPage(
                title=str(column.label),
                slug=slug,
                column=column,
                shows_nationwide=column == Column.NOTICES,
                show_in_menus=True,
            )
        )
        for spec in (a for a in articles if a.get("column", "notices") == column):
            index.add_child(instance=_article(spec))

    faq = portal.get("faq")
    if faq and not home.get_children().filter(slug=faq.get("slug", "faq")).exists():
        items = [{"type": "qa", "value": {"question": i["question"], "answer": i["answer"]}} for i in faq["items"]]
        home.add_child(
            instance=FaqPage(
                title=faq.get("title", _("常见问题")),
                slug=faq.get("slug", "faq"),
                intro=faq.get("intro", ""),
                items=items,
                show_in_menus=True,
            )
        )

    survey = portal.get("survey")
    if survey and not home.get_children().filter(slug=survey.get("slug", "survey")).exists():
        page = SurveyPage(
            title=survey["title"],
            slug=survey.get("slug", "survey"),
            intro=survey.get("intro", ""),
            thank_you_text=survey.get("thank_you_text", ""),
            show_in_menus=True,
        )
        for field in survey.get("fields", []):
            page.form_fields.add(
                SurveyField(
                    label=field["label"],
                    field_type=field.get("field_type", "singleline"),
                    required=field.get("required", True),
                    choices="\n".join(field.get("choices", [])),
                    help_text=field.get("help_text", ""),
                    binds=field.get("binds", ""),
                )
            )
        home.add_child(instance=page)
    return home


def _article(spec: dict) -> ArticlePage:
    day = spec.get("date")
    return ArticlePage(
        title=spec["title"],
        slug=spec.get("slug") or "",
        date=day if isinstance(day, datetime.date) else datetime.date.fromisoformat(day) if day else None,
        issuer=spec.get("issuer", ""),
        summary=spec.get("summary", ""),
        body=spec.get("body", ""),
        nationwide=spec.get("nationwide", False),
    )


# --- Editors and content approvers ----------------------------------------------------------------------------
# Wagtail reads page and collection rights from groups, and groups are global (public schema). Each tenant
# therefore has its own groups, and only that tenant's schema grants them rights (ADR 0013): `<schema>·editors`
# (roles editor, tenant_admin) and `<schema>·approvers` (role content_approver, the moderation task's reviewers).
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page")
PUBLISH_PERMISSION = "publish_page"
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)
CMS_ROLES = ("editor", "tenant_admin")
APPROVER_ROLES = ("content_approver",)


def editor_group(schema_name: str | None = None) -> Group:
    group, _created = Group.objects.get_or_create(name=f"{schema_name or connection.schema_name}·editors")
    return group


def approver_group(schema_name: str | None = None) -> Group:
    group, _created = Group.objects.get_or_create(name=f"{schema_name or connection.schema_name}·approvers")
    return group


def editor_rights_ensure(*, moderated: bool = False, clear_others: bool = True) -> Group:
    """Grant this tenant's editor and approver groups the page rights on the portal tree and the media rights on
    the root collection. Where pages are moderated editors get no publish right: they submit, approvers publish.
    With `clear_others` the global groups Wagtail's migrations create (and any other group) lose their rights
    here; a tenant kept as its admins left it (the demo's restart) keeps them."""
    editors, approvers = editor_group(), approver_group()
    home = PortalHomePage.objects.first() or Page.get_first_root_node()
    if clear_others:
        GroupPagePermission.objects.exclude(group__in=[editors, approvers]).delete()
        GroupCollectionPermission.objects.exclude(group__in=[editors, approvers]).delete()
    collection = Collection.get_first_root_node()
    for group in (editors, approvers):
        for codename in PAGE_PERMISSIONS:
            if moderated and group == editors and codename == PUBLISH_PERMISSION:
                continue
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
        for app_label, codename in COLLECTION_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    if moderated:
        GroupPagePermission.objects.filter(group=editors, permission__codename=PUBLISH_PERMISSION).delete()
    return editors


def editor_membership_sync(membership) -> None:
    """Keep the person in this tenant's editor and approver groups exactly while they hold those roles here."""
    for group, roles in ((editor_group(), CMS_ROLES), (approver_group(), APPROVER_ROLES)):
        if membership.is_active and set(membership.roles) & set(roles):
            membership.user.groups.add(group)
        else:
            membership.user.groups.remove(group)


def membership_groups_leave(user) -> None:
    user.groups.remove(editor_group(), approver_group())


# --- Moderation ---------------------------------------------------------------------------------------------------
def moderation_ensure(spec: dict | None) -> Workflow | None:
    """With the preset's `[portal.moderation]`: one Wagtail workflow on the portal home whose task, a
    `PublishApprovalTask`, is decided by this tenant's approver group — so every page, nationwide notices
    included, goes live when an approver approves it. Without it no workflow applies here: editors publish
    themselves and nobody is offered the template's default “Moderators approval”, whose group is global."""
    home = PortalHomePage.objects.first()
    if not spec or home is None:
        WorkflowPage.objects.all().delete()
        return None
    task_name = spec.get("task") or _("内容审核发布")
    task = PublishApprovalTask.objects.filter(name=task_name).first() or PublishApprovalTask.objects.create(
        name=task_name
    )
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.set([approver_group()])
    workflow, _created = Workflow.objects.get_or_create(name=spec.get("workflow") or _("内容发布审核"))
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.exclude(page=home).delete()
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    return workflow


# --- Nationwide notices -------------------------------------------------------------------------------------------
def nationwide_sync(page: ArticlePage) -> None:
    """Project one page into `public`: present exactly while it is live, nationwide and its tenant may publish
    nationwide. Runs in the publishing transaction, so a rolled-back publish leaves no row behind."""
    from shared_apps.broadcasts.models import NationwideNotice

    tenant = current_tenant()
    if not (tenant and tenant.publishes_nationwide and page.live and page.nationwide):
        NationwideNotice.objects.filter(source__schema_name=connection.schema_name, source_page_id=page.pk).delete()
        return
    from wagtail.rich_text import expand_db_html

    source_url = page.get_full_url() or ""
    base = source_url.split("/", 3)
    base_url = "/".join(base[:3]) + "/" if len(base) >= 3 else ""
    attachments = [
        {"title": item.label, "url": base_url.rstrip("/") + item.document.url}
        for item in page.attachments.select_related("document")
    ]
    NationwideNotice.objects.update_or_create(
        source_id=tenant.pk,
        source_page_id=page.pk,
        defaults={
            "source_url": source_url,
            "title": page.title,
            "date": page.date,
            "issuer": page.issuer,
            "summary": page.summary,
            "body": sanitise_rendered_html(expand_db_html(page.body), base_url),
            "attachments": attachments,
        },
    )


def nationwide_forget(page_id: int) -> None:
    from shared_apps.broadcasts.models import NationwideNotice

    NationwideNotice.objects.filter(source__schema_name=connection.schema_name, source_page_id=page_id).delete()


def nationwide_rebuild() -> int:
    """Reconcile this tenant's rows with its tree (after a restore, a missed signal or a capability change)."""
    from shared_apps.broadcasts.models import NationwideNotice

    live_ids = set()
    tenant = current_tenant()
    if tenant and tenant.publishes_nationwide:
        for page in ArticlePage.objects.live().filter(nationwide=True):
            nationwide_sync(page)
            live_ids.add(page.pk)
    stale = NationwideNotice.objects.filter(source__schema_name=connection.schema_name).exclude(
        source_page_id__in=live_ids
    )
    stale.delete()
    return len(live_ids)


# --- Provisioning steps (registered in CmsConfig.ready) ---------------------------------------------------------
def portal_provision(data: dict, context) -> None:
    """The preset's portal tree (demo articles with the demo data); rights on it are the next step's."""
    portal_tree_ensure(
        data.get("portal", {}), host=context.host, site_name=context.site_name, with_articles=context.with_demo_data
    )


def portal_upgrade(data: dict, context) -> None:
    """Tenants created before the portal existed get its tree once; existing portals are left to their editors."""
    if not PortalHomePage.objects.exists():
        portal_provision(data, context)


def cms_rights_provision(data: dict, context) -> None:
    """Editors' and approvers' rights on the tree and the preset's moderation (ADR 0013, docs/portal.md)."""
    moderation = data.get("portal", {}).get("moderation")
    editor_rights_ensure(moderated=bool(moderation))
    moderation_ensure(moderation)


def cms_rights_upgrade(data: dict, context) -> None:
    """The same for a tenant kept as its admins left it, without taking rights from groups they made."""
    moderation = data.get("portal", {}).get("moderation")
    editor_rights_ensure(moderated=bool(moderation), clear_others=False)
    moderation_ensure(moderation)


def nationwide_provision(data: dict, context) -> None:
    if context.tenant.publishes_nationwide:
        nationwide_rebuild()


# --- Needs survey -------------------------------------------------------------------------------------------------
def survey_submission_create(*, page: SurveyPage, form) -> SurveySubmission:
    """Store the answers with the organisation's USCC and name (from the questions bound to them) and the
    account, when signed in, so the registration review can find the survey either way."""
    data = form.cleaned_data
    bound = {field.binds: field.clean_name for field in page.get_form_fields() if field.binds}
    user = getattr(form, "user", None)
    submission = SurveySubmission.objects.create(
        page=page,
        form_data=data,
        user=user if user is not None and user.is_authenticated else None,
        uscc=uscc_normalise(str(data.get(bound.get(SurveyField.Binds.USCC, ""), "") or ""))[:18],
        company_name=str(data.get(bound.get(SurveyField.Binds.COMPANY_NAME, ""), "") or "").strip()[:100],
    )
    logger.info("survey %s answered (%s)", page.pk, submission.uscc or "no uscc")
    return submission
