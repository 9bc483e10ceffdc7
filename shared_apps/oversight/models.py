"""Figures each tenant pushes up into `public`, so the console never has to read tenant schemas."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class TenantFigures(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="figures", verbose_name=_("租户"))
    organisations = models.PositiveIntegerField(_("组织数"), default=0)
    enterprises = models.PositiveIntegerField(_("企业数"), default=0)
    certified_enterprises = models.PositiveIntegerField(_("已认证企业数"), default=0)
    providers = models.PositiveIntegerField(_("服务商数"), default=0)
    members = models.PositiveIntegerField(_("用户数"), default=0)
    computed_at = models.DateTimeField(_("统计时间"))

    class Meta:
        verbose_name = _("租户指标")
        verbose_name_plural = _("租户指标")

    def __str__(self) -> str:
        return f"{self.tenant} @ {self.computed_at:%Y-%m-%d %H:%M}"
