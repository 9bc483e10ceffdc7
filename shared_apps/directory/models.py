"""A national company directory (public schema) behind the registration's company-name lookup."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyRecord(models.Model):
    name = models.CharField(_("企业名称"), max_length=100, db_index=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    region = models.CharField(_("所在地区"), max_length=60, blank=True)
    registered_address = models.CharField(_("注册地址"), max_length=200, blank=True)
    industry_section = models.CharField(_("行业门类"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("名录企业")
        verbose_name_plural = _("名录企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
