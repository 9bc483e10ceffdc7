"""Figures each tenant pushes up into `public`, so the console never has to read tenant schemas."""
from django.db import models

from tenants.models import Tenant


class TenantFigures(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="figures", verbose_name="租户")
    organisations = models.PositiveIntegerField("组织数", default=0)
    enterprises = models.PositiveIntegerField("企业数", default=0)
    certified_enterprises = models.PositiveIntegerField("已认证企业数", default=0)
    providers = models.PositiveIntegerField("服务商数", default=0)
    members = models.PositiveIntegerField("用户数", default=0)
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "租户指标"
        verbose_name_plural = "租户指标"

    def __str__(self) -> str:
        return f"{self.tenant} @ {self.computed_at:%Y-%m-%d %H:%M}"
