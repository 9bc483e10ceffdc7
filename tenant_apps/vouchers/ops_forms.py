"""Operations' forms: activity, voucher type, the deduction rule, the settlement draft and the list filters.

The forms only shape input (dates and times, choices); the rules (lengths, money to the fen, stock against what was
issued, periods) are the services' (`activities`, `rules`, `settlements`), whose DomainErrors land on the field
they name (`tenants.errors.attach_error`)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import DatePickerInput
from tenant_apps.configuration.models import Industry
from tenant_apps.marketplace.models import Catalogue, Category
from tenant_apps.vouchers import ops_selectors, rules, settlements
from tenant_apps.vouchers.models import Settlement, VoucherType

TIME_FORMAT = "%H:%M"


class DateTimePickerInput(forms.SplitDateTimeWidget):
    """A date (the kit's Chinese calendar, YYYY-MM-DD) and a time (HH:MM) side by side; typing works without
    JavaScript."""

    def __init__(self, attrs=None):
        time_attrs = {"placeholder": _("时:分"), "size": "5", "inputmode": "numeric", "autocomplete": "off"}
        widgets = (DatePickerInput(), forms.TimeInput(format=TIME_FORMAT, attrs=time_attrs))
        forms.MultiWidget.__init__(self, widgets, attrs)

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else ""  # the label names the date, where the picker opens

    def render(self, name, value, attrs=None, renderer=None):
        inputs = super().render(name, value, attrs, renderer)
        return format_html('<span class="date-range datetime-picker">{}</span>', inputs)


YEAR_MIN, YEAR_MAX = 2000, 2099


def in_our_time(value) -> None:
    """Dates of this century only: a typo like 0202 or 20266 is an error, not an activity in antiquity."""
    if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
        raise forms.ValidationError(
            _("请填写 %(low)s 至 %(high)s 年之间的日期。"), params={"low": YEAR_MIN, "high": YEAR_MAX}
        )


class DateTimeField(forms.SplitDateTimeField):
    widget = DateTimePickerInput
    default_validators = [in_our_time]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_time_formats", [TIME_FORMAT, "%H:%M:%S"])
        kwargs.setdefault("help_text", _("日期与时间（24 小时制），如 2026-03-01 09:00。"))
        super().__init__(**kwargs)


class DateField(forms.DateField):
    default_validators = [in_our_time]


def _with_selected(queryset, selected_ids):
    """Active choices plus those already chosen (an inactive catalogue stays visible where it is used)."""
    return queryset.filter(Q(is_active=True) | Q(pk__in=list(selected_ids or ())))


# --- Activity ----------------------------------------------------------------------------------------------------------
class ActivityForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    name = forms.CharField(label=_("活动名称"), required=False, widget=forms.TextInput(attrs={"maxlength": 60}))
    starts_at = DateTimeField(label=_("开始时间"))
    ends_at = DateTimeField(label=_("结束时间"))
    description = forms.CharField(
        label=_("活动说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("参与条件、使用说明等，不超过 2000 字。"),
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("限定行业"),
        queryset=Industry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限行业。"),
    )
    regions = forms.CharField(
        label=_("限定地区"),
        required=False,
        max_length=700,
        help_text=_("多个地区用逗号或顿号分隔，如：北京市、天津市；企业所在地区以其中之一开头即可参加。为空则不限。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].queryset = Industry.objects.order_by("position", "id")

    @classmethod
    def initial_of(cls, activity) -> dict:
        return {
            "version": activity.version,
            "name": activity.name,
            "starts_at": timezone.localtime(activity.starts_at),
            "ends_at": timezone.localtime(activity.ends_at),
            "description": activity.description,
            "industries": [i.pk for i in activity.industries.all()],
            "regions": "、".join(activity.regions or []),
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data.get("name", ""),
            "description": data.get("description", ""),
            "starts_at": data.get("starts_at"),
            "ends_at": data.get("ends_at"),
            "regions": data.get("regions", ""),
        }

    def industry_ids(self) -> list[int]:
        return [i.pk for i in self.cleaned_data.get("industries") or ()]


# --- Voucher type ------------------------------------------------------------------------------------------------------
class VoucherTypeForm(forms.Form):
    name = forms.CharField(label=_("服务券名称"), required=False, widget=forms.TextInput(attrs={"maxlength": 60}))
    face_value = forms.CharField(
        label=_("面值（元）"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "12"}),
        help_text=_("大于 0，最多两位小数。"),
    )
    method = forms.ChoiceField(
        label=_("领取方式"), choices=VoucherType.Method.choices, widget=forms.RadioSelect, initial="grab"
    )
    grab_starts_at = DateTimeField(
        label=_("开抢时间"), required=False, help_text=_("仅抢券：到点开抢；为空则活动开始即可领取。")
    )
    billing_mode = forms.ChoiceField(
        label=_("计费模式"),
        choices=VoucherType.BillingMode.choices,
        required=False,
        help_text=_("每笔订单使用一张服务券，余额可用于后续订单。"),
    )
    valid_from = DateField(label=_("有效期开始"), required=False, widget=DatePickerInput(role="start"))
    valid_to = DateField(label=_("有效期结束"), required=False, widget=DatePickerInput(role="end"))
    valid_days = forms.CharField(
        label=_("领取后有效天数"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "6"}),
        help_text=_("填写后自领取之日起算（含当天），忽略固定有效期。"),
    )
    stock_total = forms.CharField(
        label=_("发放总量"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "10"}),
        help_text=_("修改时不能少于已发放数量。"),
    )
    per_enterprise_limit = forms.CharField(
        label=_("每家企业限领"),
        required=False,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "6"}),
    )
    catalogues = forms.ModelMultipleChoiceField(
        label=_("适用商品目录"),
        queryset=Catalogue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限。"),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("适用解决方案分类"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则不限。"),
    )
    providers = forms.ModelMultipleChoiceField(
        label=_("适用服务商"),
        queryset=settlements.certified_providers().none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": "8"}),
        help_text=_("已认证的服务商；按住 Ctrl（Mac 为 Command）可多选。不选则不限。"),
    )

    GROUPS = (
        (_("基本信息"), ("name", "face_value", "method", "grab_starts_at", "billing_mode")),
        (_("有效期"), ("valid_from", "valid_to", "valid_days")),
        (_("数量"), ("stock_total", "per_enterprise_limit")),
        (_("适用范围"), ("catalogues", "categories", "providers")),
    )

    def __init__(self, *args, vtype=None, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = {"catalogues": (), "categories": (), "providers": ()}
        if vtype is not None:
            chosen = {
                "catalogues": [c.pk for c in vtype.catalogues.all()],
                "categories": [c.pk for c in vtype.categories.all()],
                "providers": [p.pk for p in vtype.providers.all()],
            }
        self.fields["catalogues"].queryset = _with_selected(Catalogue.objects.all(), chosen["catalogues"])
        self.fields["categories"].queryset = _with_selected(Category.objects.all(), chosen["categories"])
        self.fields["providers"].queryset = settlements.provider_choices(chosen["providers"])

    @property
    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    @classmethod
    def initial_of(cls, vtype) -> dict:
        return {
            "name": vtype.name,
            "face_value": f"{vtype.face_value:.2f}",
            "method": vtype.method,
            "grab_starts_at": timezone.localtime(vtype.grab_starts_at) if vtype.grab_starts_at else None,
            "billing_mode": vtype.billing_mode,
            "valid_from": vtype.valid_from,
            "valid_to": vtype.valid_to,
            "valid_days": vtype.valid_days or "",
            "stock_total": vtype.stock_total,
            "per_enterprise_limit": vtype.per_enterprise_limit,
            "catalogues": [c.pk for c in vtype.catalogues.all()],
            "categories": [c.pk for c in vtype.categories.all()],
            "providers": [p.pk for p in vtype.providers.all()],
        }

    def service_data(self) -> dict:
        data = self.cleaned_data
        names = ("name", "face_value", "method", "grab_starts_at", "valid_from", "valid_to", "valid_days",
                 "stock_total", "per_enterprise_limit")  # fmt: skip
        return {name: data.get(name) for name in names}

    def ids(self, name: str) -> list[int]:
        return [row.pk for row in self.cleaned_data.get(name) or ()]


# --- The deduction rule ----------------------------------------------------------------------------------------------
class RulesForm(forms.Form):
    cap_percent = forms.CharField(
        label=_("最高抵扣比例（%）"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": "6"}),
        help_text=_("订单金额中可用服务券抵扣的最高比例，1 到 100；100 即全额抵扣。只影响此后新下的订单。"),
    )
    grab_per_minute = forms.CharField(
        label=_("每账号每分钟抢券次数上限"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": "6"}),
        help_text=_("1 到 %(max)s；超出后稍候再试，防止脚本刷券。") % {"max": rules.GRAB_PER_MINUTE_MAX},
    )

    @classmethod
    def initial_of(cls, row) -> dict:
        return {"cap_percent": rules.ratio_percent(row.cap_ratio), "grab_per_minute": row.grab_per_minute}


# --- Lists and settlements ---------------------------------------------------------------------------------------------
class ActivityFilterForm(forms.Form):
    q = forms.CharField(label=_("活动名称"), required=False, max_length=ops_selectors.QUERY_MAX)
    state = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部"))] + list(ops_selectors.ACTIVITY_STATES.items())
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("名称或说明")})


def _last_month() -> tuple[datetime.date, datetime.date]:
    first_of_this = timezone.localdate().replace(day=1)
    end = first_of_this - datetime.timedelta(days=1)
    return end.replace(day=1), end


class SettlementFilterForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("服务商"), queryset=None, required=False, empty_label=_("全部"))
    state = forms.ChoiceField(label=_("状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = settlements.providers_with_settlements()
        self.fields["state"].choices = [("", _("全部"))] + list(Settlement.State.choices)


class SettlementDraftForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=_("服务商"),
        queryset=None,
        required=False,
        empty_label=_("全部有待结算抵扣的服务商"),
        help_text=_("每个服务商生成一张结算单。"),
    )
    period_start = DateField(label=_("结算期开始"), widget=DatePickerInput(role="start"))
    period_end = DateField(
        label=_("结算期结束"),
        widget=DatePickerInput(role="end"),
        help_text=_("按支付凭证审核通过日期计入结算期（含起止两天）。"),
    )

    def __init__(self, *args, **kwargs):
        start, end = _last_month()
        kwargs.setdefault("initial", {"period_start": start, "period_end": end})
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = settlements.certified_providers()
