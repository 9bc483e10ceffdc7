"""Keep derived state in step with its source: nationwide notices with their pages and their tenant's publishing
flag, editor groups with memberships."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms import services
from cms.models import ArticlePage
from tenant_apps.organisations.models import Membership
from tenants.signals import nationwide_publishing_changed


def _nav_changed(sender, instance=None, **kwargs):
    """The portal's cached menu row (cms.selectors.portal_nav) is dropped by anything that may change it."""
    if instance is None or isinstance(instance, Page):
        from cms.selectors import portal_nav_changed

        portal_nav_changed()


for _signal in (page_published, page_unpublished, post_page_move, post_save, post_delete):
    _signal.connect(_nav_changed, dispatch_uid=f"portal-nav-{id(_signal)}")


@receiver(page_published, sender=ArticlePage)
def article_published(sender, instance, **kwargs):
    services.nationwide_sync(instance)


@receiver(page_unpublished, sender=ArticlePage)
def article_unpublished(sender, instance, **kwargs):
    services.nationwide_forget(instance.pk)


@receiver(post_delete, sender=ArticlePage)
def article_deleted(sender, instance, **kwargs):
    services.nationwide_forget(instance.pk)


@receiver(post_save, sender=Membership)
def membership_saved(sender, instance, **kwargs):
    services.editor_membership_sync(instance)


@receiver(post_delete, sender=Membership)
def membership_deleted(sender, instance, **kwargs):
    services.membership_groups_leave(instance.user)


@receiver(nationwide_publishing_changed)
def nationwide_publishing_toggled(sender, tenant, **kwargs):
    with schema_context(tenant.schema_name):
        services.nationwide_rebuild()  # start or stop showing its notices in every city (ADR 0011)
