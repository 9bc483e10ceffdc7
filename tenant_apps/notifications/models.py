"""In-app messages (我的消息). `source_key` makes every message exactly-once per triggering event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Category(models.TextChoices):
        REVIEW = "review", _("审核通知")
        SYSTEM = "system", _("系统通知")
        NOTICE = "notice", _("公告")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices, default=Category.SYSTEM)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The page the message is about (an application's detail page), a path on this host; empty when there is none.
    link = models.CharField(_("链接"), max_length=300, blank=True)
    source_key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            # The badge on every page counts these: only the unread rows are indexed.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="message_unread_by_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(link="") | (Q(link__startswith="/") & ~Q(link__startswith="//")),
                name="message_link_is_a_local_path",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxEvent(models.Model):
    """Something to tell people, written in the same transaction as the change it is about (ADR 0027).

    After commit it is published at once; the beat job `notifications.outbox_relay` publishes whatever is still
    undelivered (broker down at commit time, a message lost with a killed worker). Delivery runs `handler(*args)`
    and stamps `delivered_at` in one transaction under the row's lock, so a second delivery does nothing."""

    handler = models.CharField(max_length=200)  # dotted path of a task or function, e.g. tenant_apps.….notify_x
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)  # last time it was handed to the broker
    attempts = models.PositiveSmallIntegerField(default=0)  # how often it was handed to the broker
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("待发送通知")
        verbose_name_plural = _("待发送通知")
        indexes = [
            # The relay reads only undelivered rows: the index stays as small as the backlog.
            models.Index(fields=["id"], condition=Q(delivered_at__isnull=True), name="outbox_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.handler}{tuple(self.args)}"
