"""Review chains as data: one Flow per application kind, made of ordered Stages (the engine reads these)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenant_apps.organisations.roles import Role


class Flow(models.Model):
    kind = models.SlugField(_("申请类型"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("审核流程")
        verbose_name_plural = _("审核流程")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Handler(models.TextChoices):
        ROLE = "role", _("按角色")
        ANCHOR_UNIT = "anchor_unit", _("申请所选牵引单位")
        EXPERTS = "experts", _("指派专家")
        APPLICANT_UPLOAD = "applicant_upload", _("申请人上传盖章件")

    class Action(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("驳回")

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="stages", verbose_name=_("流程"))
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=100)
    handler = models.CharField(_("处理方"), max_length=20, choices=Handler.choices, default=Handler.ROLE)
    role = models.CharField(_("处理角色"), max_length=20, choices=Role.choices, blank=True)
    actions = ArrayField(
        models.CharField(max_length=10, choices=Action.choices),
        verbose_name=_("可用操作"),
        default=list,
    )

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["flow", "position"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "position"], name="stage_unique_position"),
            models.CheckConstraint(
                condition=~models.Q(handler="role") | ~models.Q(role=""), name="stage_role_handler_names_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flow.name} · {self.position}. {self.name}"
