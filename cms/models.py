"""The portal of a tenant as Wagtail pages: home, columns with articles, FAQ and the needs survey.

Each tenant has its own tree (Wagtail lives in every tenant schema, ADR 0005). Nationwide notices of the national
tenant reach the other portals through `shared_apps.broadcasts` (ADR 0011), never by reading another schema."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.forms import TaskStateCommentForm
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page
from wagtail.rich_text import RichText
from wagtail.search import index

from cms.sanitize import RICH_TEXT_FEATURES, sanitise_rich_text
from tenants.models import current_tenant


class SafeRichTextBlock(blocks.RichTextBlock):
    """A rich-text block whose stored HTML is sanitised whatever wrote it (editor, import, API)."""

    def get_prep_value(self, value):
        source = value.source if isinstance(value, RichText) else (value or "")
        return sanitise_rich_text(source)


class PortalHomePage(Page):
    """A tenant's front page: banner, quick entries and the latest items of every column."""

    banner_title = models.CharField(_("横幅标题"), max_length=100, blank=True, help_text=_("留空时使用平台名称。"))
    banner_text = models.TextField(_("横幅说明"), max_length=300, blank=True)
    banner_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("横幅图片"),
    )
    latest_count = models.PositiveSmallIntegerField(_("每个栏目显示条数"), default=5)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("banner_title"), FieldPanel("banner_text"), FieldPanel("banner_image")], heading=_("横幅")
        ),
        FieldPanel("latest_count"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ColumnIndexPage", "cms.FaqPage", "cms.SurveyPage"]
    max_count_per_parent = 1
    template = "cms/portal_home_page.html"

    class Meta:
        verbose_name = _("门户首页")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import home_entries, home_sections
        from tenant_apps.portal.selectors import quick_entries

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections(self, request)
        context["quick_entries"] = quick_entries(request) + home_entries(self, request)
        return context


class Column(models.TextChoices):
    NOTICES = "notices", _("通知公告")
    POLICY_NEWS = "policy_news", _("政策动态")
    NEWS = "news", _("新闻资讯")
    SME = "sme", _("中小专栏")
    INTERPRETATIONS = "interpretations", _("政策解读")


class ColumnIndexPage(Page):
    """A column (通知公告, 政策动态 …): its articles newest first, paginated and searchable."""

    column = models.CharField(_("栏目类型"), max_length=20, choices=Column.choices)
    intro = models.TextField(_("栏目说明"), max_length=300, blank=True)
    shows_nationwide = models.BooleanField(
        _("同时显示全国性通知"), default=False, help_text=_("显示国家平台发布的全国性通知（只读，标注“全国”）。")
    )
    per_page = models.PositiveSmallIntegerField(_("每页条数"), default=15)

    content_panels = Page.content_panels + [
        FieldPanel("column"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("shows_nationwide"), FieldPanel("per_page")]),
    ]
    parent_page_types = ["cms.PortalHomePage"]
    subpage_types = ["cms.ArticlePage"]
    template = "cms/column_index_page.html"

    class Meta:
        verbose_name = _("栏目")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import column_feed

        context = super().get_context(request, *args, **kwargs)
        query = request.GET.get("q", "").strip()[:100]
        context["query"] = query
        context["feed"] = column_feed(self, request, query=query, page_number=request.GET.get("page"))
        return context


class NationwidePanel(FieldPanel):
    """The “nationwide” switch is only offered where the tenant may publish to every city."""

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            tenant = current_tenant()
            return bool(tenant and tenant.publishes_nationwide) and super().is_shown()


class ArticlePage(Page):
    """A notice, policy item, news item or interpretation (text or a “one picture” explainer)."""

    class Kind(models.TextChoices):
        TEXT = "text", _("文字")
        PICTURE = "picture", _("一图读懂")

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    issuer = models.CharField(_("发文单位"), max_length=100, blank=True)
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    summary = models.TextField(_("摘要"), max_length=300, blank=True)
    body = RichTextField(_("正文"), features=RICH_TEXT_FEATURES, blank=True)
    picture = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("图解图片"),
        help_text=_("“一图读懂”类解读的长图。"),
    )
    nationwide = models.BooleanField(
        _("全国性通知"), default=False, help_text=_("发布后在所有城市门户的通知公告中显示，取消发布即全部撤下。")
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("issuer"), FieldPanel("kind")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("picture"),
        InlinePanel("attachments", label=_("附件")),
        NationwidePanel("nationwide"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("issuer"),
        index.FilterField("date"),
    ]
    parent_page_types = ["cms.ColumnIndexPage"]
    subpage_types = []
    template = "cms/article_page.html"

    class Meta:
        verbose_name = _("文章")
        indexes = [models.Index(fields=["-date"], name="cms_article_date")]

    def clean(self):
        super().clean()
        tenant = current_tenant()
        if self.nationwide and not (tenant and tenant.publishes_nationwide):
            raise ValidationError({"nationwide": _("本平台不能发布全国性通知。")})
        if self.kind == self.Kind.PICTURE and not self.picture_id:
            raise ValidationError({"picture": _("“一图读懂”请上传图解图片。")})

    def save(self, *args, **kwargs):
        self.body = sanitise_rich_text(self.body)
        return super().save(*args, **kwargs)


class ArticleAttachment(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="+", verbose_name=_("文件")
    )
    title = models.CharField(_("显示名称"), max_length=200, blank=True, help_text=_("留空时使用文件标题。"))

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")

    @property
    def label(self) -> str:
        return self.title or self.document.title


class FaqPage(Page):
    """Frequently asked questions as question/answer pairs, searchable with the rest of the portal."""

    intro = models.TextField(_("说明"), max_length=300, blank=True)
    items = StreamField(
        [
            (
                "qa",
                blocks.StructBlock(
                    [
                        ("question", blocks.CharBlock(label=_("问题"), max_length=200)),
                        ("answer", SafeRichTextBlock(label=_("解答"), features=RICH_TEXT_FEATURES)),
                    ],
                    label=_("问答"),
                    icon="help",
                ),
            )
        ],
        verbose_name=_("问答"),
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("items")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("items")]
    parent_page_types = ["cms.PortalHomePage"]
    subpage_types = []
    template = "cms/faq_page.html"

    class Meta:
        verbose_name = _("常见问题")

    def save(self, *args, **kwargs):
        # Items nobody has read yet are saved from their raw data, bypassing the block's own sanitising.
        for item in self.items.raw_data:
            if item.get("type") == "qa" and isinstance(item.get("value"), dict):
                item["value"]["answer"] = sanitise_rich_text(item["value"].get("answer", ""))
        return super().save(*args, **kwargs)


class SurveyField(AbstractFormField):
    """A survey question. `binds` marks the answer that identifies the organisation (for the registration gate)."""

    class Binds(models.TextChoices):
        NONE = "", _("无")
        COMPANY_NAME = "company_name", _("企业名称")
        USCC = "uscc", _("统一社会信用代码")

    page = ParentalKey("SurveyPage", on_delete=models.CASCADE, related_name="form_fields")
    binds = models.CharField(_("用作"), max_length=20, choices=Binds.choices, blank=True, default="")

    panels = AbstractFormField.panels + [FieldPanel("binds")]


class SurveyPage(AbstractForm):
    """The needs survey (需求调研表), built by editors with Wagtail's form builder. Submissions stay in this tenant
    and are exported from the CMS as XLSX or CSV."""

    intro = RichTextField(_("说明"), features=RICH_TEXT_FEATURES, blank=True)
    thank_you_text = RichTextField(_("提交后提示"), features=RICH_TEXT_FEATURES, blank=True)

    content_panels = AbstractForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("题目")),
        FieldPanel("thank_you_text"),
    ]
    parent_page_types = ["cms.PortalHomePage"]
    subpage_types = []
    template = "cms/survey_page.html"
    landing_page_template = "cms/survey_page_landing.html"

    class Meta:
        verbose_name = _("调研问卷")

    def save(self, *args, **kwargs):
        self.intro = sanitise_rich_text(self.intro)
        self.thank_you_text = sanitise_rich_text(self.thank_you_text)
        return super().save(*args, **kwargs)

    def get_submission_class(self):
        return SurveySubmission

    def get_form(self, *args, **kwargs):
        from tenants.validators import uscc_validator

        form = super().get_form(*args, **kwargs)
        for field in self.get_form_fields():
            if field.binds == SurveyField.Binds.USCC and field.clean_name in form.fields:
                form.fields[field.clean_name].validators.append(uscc_validator)
        return form

    def process_form_submission(self, form):
        from cms.services import survey_submission_create

        return survey_submission_create(page=self, form=form)


class SurveySubmission(AbstractFormSubmission):
    """A survey answer, keyed by the organisation's USCC and, when signed in, by the account that sent it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_constraint=False,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交账号"),
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, db_index=True)
    company_name = models.CharField(_("企业名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("调研表提交")
        verbose_name_plural = _("调研表提交")


# --- Moderation ---------------------------------------------------------------------------------------------------
class NationwideApprovalForm(TaskStateCommentForm):
    """What the approver confirms before a nationwide notice goes live: the number of cities that will show it."""

    confirm_reach = forms.BooleanField(required=True)

    def __init__(self, *args, **kwargs):
        from cms.selectors import nationwide_audience_count

        super().__init__(*args, **kwargs)
        self.reach = nationwide_audience_count()
        self.fields["confirm_reach"].label = _("我已确认：发布后将在 %(count)d 个城市门户显示") % {"count": self.reach}
        self.fields["confirm_reach"].error_messages["required"] = _("请确认发布范围后再批准。")


class PublishApprovalTask(AbstractGroupApprovalTask):
    """Wagtail's group approval (editors submit, the tenant's content approvers approve and so publish), except
    that approving a nationwide notice is one action that opens a confirmation naming how many city portals will
    show it, and that confirmation is required (ADR 0011; configured by the preset's `[portal.moderation]`)."""

    APPROVE_NATIONWIDE = "approve_nationwide"

    class Meta:
        verbose_name = _("审核发布")
        verbose_name_plural = _("审核发布")

    @staticmethod
    def _reaches_cities(obj) -> bool:
        """Whether publishing what is awaiting approval (the latest revision) rolls out to other cities."""
        from cms.selectors import nationwide_reach

        latest = obj.get_latest_revision_as_object() if hasattr(obj, "get_latest_revision_as_object") else obj
        return nationwide_reach(latest) is not None

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        if not actions or not self._reaches_cities(obj):
            return actions
        # Both approve entries become the one that confirms the reach first (always in the modal).
        others = [action for action in actions if action[0] != "approve"]
        return [*others, (self.APPROVE_NATIONWIDE, _("确认发布范围后批准"), True)]

    def get_form_for_action(self, action):
        if action == self.APPROVE_NATIONWIDE:
            return NationwideApprovalForm
        return super().get_form_for_action(action)

    def get_template_for_action(self, action):
        if action == self.APPROVE_NATIONWIDE:
            return "cms/workflow/approve_nationwide_modal.html"
        return super().get_template_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        obj = task_state.workflow_state.content_object
        if action_name == self.APPROVE_NATIONWIDE:
            if not kwargs.pop("confirm_reach", False):
                raise PermissionDenied(_("请确认发布范围后再批准。"))
            action_name = "approve"
        elif action_name == "approve" and self._reaches_cities(obj):
            # The page became nationwide after the actions were offered (or the request skipped the modal).
            raise PermissionDenied(_("全国性通知须确认发布范围后再批准。"))
        return super().on_action(task_state, user, action_name, **kwargs)
