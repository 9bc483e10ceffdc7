"""What an organisation submits to be certified (Harbin's 企业认证 form); reviewed through the workflow engine."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificationRequest(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="certification_requests"
    )
    application = models.OneToOneField(
        "workflow.Application", on_delete=models.CASCADE, related_name="certification_request"
    )
    company_name = models.CharField(_("企业名称"), max_length=64)
    founded_on = models.DateField(_("成立时间"))
    uscc = models.CharField(_("统一社会信用代码"), max_length=20)
    industry = models.ForeignKey("configuration.Industry", on_delete=models.PROTECT, verbose_name=_("所属行业"))
    contact_name = models.CharField(_("联系人"), max_length=30)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    registered_capital = models.DecimalField(_("注册资本（万元）"), max_digits=14, decimal_places=2)
    email = models.EmailField(_("电子邮箱"))
    headcount = models.PositiveIntegerField(_("员工人数"))
    region = models.CharField(_("所在地区"), max_length=60)
    address = models.CharField(_("详细地址"), max_length=100)
    website = models.URLField(_("企业网址"), blank=True)
    introduction = models.TextField(_("企业简介"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("认证申请")
        verbose_name_plural = _("认证申请")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.company_name
