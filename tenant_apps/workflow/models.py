"""Review chains as data: one Flow per application kind, made of ordered Stages (the engine reads these)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from tenant_apps.configuration.models import Region
from tenant_apps.organisations.roles import Role
from tenant_apps.workflow.registry import check_named, kind_label


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
        REGION = "region", _("申请所在地该层级的区划人员")

    class Action(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("驳回")

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="stages", verbose_name=_("流程"))
    position = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=100)
    handler = models.CharField(_("处理方"), max_length=20, choices=Handler.choices, default=Handler.ROLE)
    role = models.CharField(_("处理角色"), max_length=20, choices=Role.choices, blank=True)
    # For handler "region": which level of the applicant's divisions decides (county, city, province).
    level = models.CharField(_("区划层级"), max_length=10, choices=Region.Level.choices, blank=True)
    actions = ArrayField(
        models.CharField(max_length=10, choices=Action.choices),
        verbose_name=_("可用操作"),
        default=list,
    )
    due_days = models.PositiveSmallIntegerField(_("办理时限（天）"), null=True, blank=True)
    # Codes from the check registry (e.g. `needs_survey`): approval is refused while one of them fails.
    checks = ArrayField(
        models.CharField(max_length=40),
        verbose_name=_("通过前须满足"),
        default=list,
        blank=True,
        help_text=_("例如 needs_survey：申请单位已填写需求调研表。"),
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
            models.CheckConstraint(
                condition=~models.Q(handler="region") | ~models.Q(level=""), name="stage_region_handler_names_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flow.name} · {self.position}. {self.name}"

    def clean(self):
        unknown = [code for code in self.checks if check_named(code) is None]
        if unknown:
            raise ValidationError({"checks": _("未知的前置条件：%(codes)s") % {"codes": "、".join(unknown)}})
        if self.handler == self.Handler.REGION and not self.level:
            raise ValidationError({"level": _("按行政区划审核的环节须选择区划层级。")})
        if self.handler == self.Handler.ROLE and not self.role:
            raise ValidationError({"role": _("按角色审核的环节须选择处理角色。")})


class Application(models.Model):
    """One applicant's request of some kind (certification, admission, …) moving through its chain of stages.

    `stages` is a copy of the flow's stages taken at submission, so editing a flow never changes an application
    already under way. `version` increases with every transition and edit; forms carry the version they were
    opened at and a stale one is refused (someone else decided, withdrew or edited in between)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤销")

    PENDING_STATES = (State.IN_REVIEW,)
    EDITABLE_STATES = (State.DRAFT, State.RETURNED, State.WITHDRAWN)

    kind = models.SlugField(_("申请类型"), max_length=40)
    title = models.CharField(_("申请名称"), max_length=200)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请人"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("申请单位"),
    )
    anchor_unit = models.ForeignKey(
        "configuration.AnchorUnit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("牵引单位")
    )
    # The applicant's registered division, for stages handled by administrative level (handler "region").
    region = models.ForeignKey(
        "configuration.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请所在地"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    stage_position = models.PositiveSmallIntegerField(_("当前环节"), null=True, blank=True)
    stages = models.JSONField(_("审核环节快照"), default=list, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["kind", "state"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_kind_display(self) -> str:
        """The kind's Chinese name, never its code: this city's flow name (the list selectors annotate it as
        `flow_name`, so a list costs no query per row; a single application looks it up), else the name the kind
        registered (workflow.registry.register_kind)."""
        name = getattr(self, "flow_name", None)
        if name is None:
            name = Flow.objects.filter(kind=self.kind).values_list("name", flat=True).first()
        return name or kind_label(self.kind) or str(_("其他申请"))

    @property
    def current_stage(self) -> dict | None:
        if self.stage_position is None:
            return None
        return next((s for s in self.stages if s["position"] == self.stage_position), None)


class Task(models.Model):
    """A pending decision at one stage; at most one open task per application (a partial unique index).

    Who may decide it follows from the stage (role, anchor unit, applicant) or, for expert stages, from explicit
    grants: the `decide_task` object permission (django-guardian, `TaskUserObjectPermission`) per assigned expert.
    `policies.py` turns both into one queryset."""

    class State(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已处理")
        CANCELLED = "cancelled", _("已取消")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tasks")
    stage_position = models.PositiveSmallIntegerField(_("环节"))
    stage_name = models.CharField(_("环节名称"), max_length=100)
    handler = models.CharField(_("处理方"), max_length=20, choices=Stage.Handler.choices)
    role = models.CharField(_("处理角色"), max_length=20, blank=True)
    # Handler "region": the division whose staff decide (the applicant's division at the stage's level).
    region = models.ForeignKey(
        "configuration.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actions = ArrayField(models.CharField(max_length=10), default=list)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("处理结果"), max_length=10, blank=True)
    opinion = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待办")
        verbose_name_plural = _("待办")
        ordering = ["-created_at", "-id"]
        permissions = [("decide_task", _("可处理该待办"))]
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=models.Q(state="open"), name="one_open_task_per_application"
            )
        ]
        indexes = [
            models.Index(fields=["state", "handler", "role"]),
            # The inbox's order over open tasks only, covering what the policies test on the task row: the pager's
            # count and its skip to any page are index-only scans, no sort, no heap (ADR 0026).
            models.Index(
                fields=["-created_at", "-id"],
                include=["handler", "role", "region", "application"],
                condition=models.Q(state="open"),
                name="task_open_inbox_order",
            ),
            models.Index(fields=["region"], condition=models.Q(state="open"), name="task_open_by_region"),
        ]

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.state == self.State.OPEN and self.due_at is not None and self.due_at < timezone.now()


class TaskUserObjectPermission(UserObjectPermissionBase):
    """Guardian's per-object grants on tasks with a real foreign key, so access checks are an indexed EXISTS."""

    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("待办授权")
        verbose_name_plural = _("待办授权")


class LogEntry(models.Model):
    """The work-order log (工单日志): append-only, one row per event."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("驳回")
        WITHDRAW = "withdraw", _("撤销")
        RESUBMIT = "resubmit", _("重新提交")
        UPLOAD = "upload", _("上传材料")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, null=True, related_name="+"
    )
    stage_position = models.PositiveSmallIntegerField(null=True)
    stage_name = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    opinion = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工单日志")
        verbose_name_plural = _("工单日志")
        ordering = ["created_at", "id"]


def _attachment_path(instance, filename: str) -> str:
    # The storage adds the tenant prefix (<schema>/…); the name the person chose is kept only as data.
    return f"workflow/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    """A file handed in at an upload stage (e.g. the stamped scan of a generated form); private to the case."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    stage_position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_constraint=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]
