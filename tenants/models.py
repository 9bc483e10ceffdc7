"""The tenant registry (public schema): who exists, on which hosts, with which modules switched on."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _
from django_tenants.clone import CloneSchema
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name, schema_exists

from tenants.schema_copy import schema_copy

# A PostgreSQL backend that has cloned a schema keeps every new relation in its catalog caches (≈3.4 MB a clone):
# the next clones on it slow down from about 1 s to 20 s and more (docs/provisioning.md, "Why a fresh backend").
FRESH_BACKEND_PER_CLONE = True


def backend_retire() -> None:
    """End the connection's PostgreSQL backend so the next query opens a new one with empty caches. Pooled: drain
    the pool, which closes idle connections now and replaces ours when it comes back (psycopg_pool's public way to
    retire connections; a closed connection put back would be logged as broken)."""
    if connection.in_atomic_block or connection.connection is None:
        return
    if connection.pool:
        connection.pool.drain()
    connection.close()


class TenantQuerySet(models.QuerySet):
    def serving(self):
        """Tenants that serve users: never `public`, never the template schema new tenants are cloned from."""
        return self.filter(kind=Tenant.Kind.TENANT, status=Tenant.Status.ACTIVE)


class Tenant(TenantMixin):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("公共（国家中心控制台）")
        TEMPLATE = "template", _("模板")
        TENANT = "tenant", _("租户")

    class Status(models.TextChoices):
        """The city's lifecycle (shared_apps.oversight.lifecycle): only ACTIVE serves; SUSPENDED and ARCHIVED keep
        every row and answer every request on their host with a notice (tenants.closed)."""

        ACTIVE = "active", _("运行中")
        SUSPENDED = "suspended", _("已暂停")
        ARCHIVED = "archived", _("已归档")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    preset = models.CharField(_("预设"), max_length=40, blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.TENANT)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Why the city is suspended or archived (shown on its closed portal) and since when; the history is the audit trail.
    status_reason = models.TextField(_("状态说明"), blank=True)
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    modules = ArrayField(models.CharField(max_length=40), verbose_name=_("启用模块"), default=list, blank=True)
    # Set by the national center only (console, preset): a city admin must not be able to speak to every city.
    publishes_nationwide = models.BooleanField(
        _("可发布全国性通知"), default=False, help_text=_("该租户标记为全国性的通知在所有城市门户显示。")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("租户")
        verbose_name_plural = _("租户")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == get_public_schema_name()

    @property
    def is_closed(self) -> bool:
        """A city that is suspended or archived: its host answers with a notice only (tenants.middleware)."""
        return self.kind == Tenant.Kind.TENANT and self.status != Tenant.Status.ACTIVE

    def has_module(self, code: str) -> bool:
        return code in self.modules

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Clone the template schema, migrations table included, without django-tenants' follow-up
        `migrate_schemas --fake`: that only loads the migration graph (~1 s) to record what the copy already
        records. The template is a Tenant row, so every `migrate_schemas` keeps it current (ADR 0004)."""
        base = settings.TENANT_BASE_SCHEMA
        if not sync_schema or self.schema_name == base or not schema_exists(base):
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        if schema_exists(self.schema_name, case_sensitive=False):
            raise ValidationError(_("该标识的 schema 已存在。"))
        if not schema_copy(base, self.schema_name):  # the template holds something only the slow clone copies
            CloneSchema().clone_schema(base, self.schema_name, self.clone_mode)
        connection.set_schema_to_public()
        if FRESH_BACKEND_PER_CLONE:
            transaction.on_commit(backend_retire)  # now, outside a transaction
        return True


class Domain(DomainMixin):
    class Meta:
        verbose_name = _("域名")
        verbose_name_plural = _("域名")

    def __str__(self) -> str:
        return self.domain


class AdminInvitation(models.Model):
    """A one-time link to set a password and administer one city, for an identity that has no usable password yet
    (the first city admin named in the console). Only the SHA-256 of the link's token is kept; it expires, is used
    once, and only on the host of its city (tenants.invitations)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("租户"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("被邀请人")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("邀请人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("管理员邀请")
        verbose_name_plural = _("管理员邀请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "tenant", "used_at"], name="invitation_user_tenant")]

    def __str__(self) -> str:
        return f"{self.tenant} · {self.user}"


def current_tenant() -> Tenant | None:
    """The Tenant row of the schema in use. Requests carry it; `schema_context()` only sets a stand-in that knows
    the schema name, so code that needs the row's fields reads it here."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()
