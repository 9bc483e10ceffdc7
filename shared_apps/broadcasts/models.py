"""Nationwide notices rolled up into `public` from the tenant that published them (ADR 0011).

A row is a read-only projection of a live page in its source tenant: publishing writes it, unpublishing or
deleting the page removes it, and every city portal reads it next to its own notices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NationwideNoticeQuerySet(models.QuerySet):
    def shown_in(self, schema_name: str):
        """What a tenant's portal shows: notices of serving source tenants, never its own (it lists those itself)."""
        from tenants.models import Tenant

        return self.filter(source__kind=Tenant.Kind.TENANT, source__status=Tenant.Status.ACTIVE).exclude(
            source__schema_name=schema_name
        )


class NationwideNotice(models.Model):
    source = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="nationwide_notices", verbose_name=_("发布租户")
    )
    source_page_id = models.PositiveIntegerField(_("来源页面"))
    source_url = models.URLField(_("原文地址"), max_length=500)
    title = models.CharField(_("标题"), max_length=255)
    date = models.DateField(_("发布日期"))
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), help_text=_("已净化的 HTML，链接为原文站点的绝对地址。"))
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    updated_at = models.DateTimeField(_("同步时间"), auto_now=True)

    objects = NationwideNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("全国性通知")
        verbose_name_plural = _("全国性通知")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_page_id"], name="nationwide_notice_one_per_page")
        ]
        indexes = [models.Index(fields=["-date", "-id"], name="nationwide_notice_recent")]

    def __str__(self) -> str:
        return self.title
