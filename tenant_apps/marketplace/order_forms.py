"""Forms of buying: quantities, cancellation, payment proof, rating, the provider's bank account, the order filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shared_apps.ui.widgets import UploadInput
from tenant_apps.marketplace.models import Order
from tenant_apps.marketplace.orders import QUANTITY_MAX, RATING_TEXT_MAX
from tenant_apps.marketplace.payments import PROOF_ACCEPT, PROOF_MAX_BYTES, PROOF_MAX_FILES, PROOF_TYPES_LABEL


class VersionedForm(forms.Form):
    """Carries the order's version the page was rendered at; the service refuses a stale one (409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class QuantityForm(forms.Form):
    spec = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=QUANTITY_MAX, initial=1)


class CartQuantityForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=QUANTITY_MAX)


class ConfirmForm(forms.Form):
    note = forms.CharField(label=_("备注"), required=False, max_length=200, widget=forms.TextInput())


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label=_("取消原因"), required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProofUploadInput(UploadInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProofForm(VersionedForm):
    files = MultipleFileField(
        label=_("支付凭证"),
        help_text=_("1 至 %(max)s 个文件。") % {"max": PROOF_MAX_FILES},
        widget=ProofUploadInput(
            types=PROOF_TYPES_LABEL, accept=PROOF_ACCEPT, max_bytes=PROOF_MAX_BYTES, attrs={"multiple": True}
        ),
    )


class RatingForm(forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    stars = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, _("%(n)s 星") % {"n": n}) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=RATING_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": RATING_TEXT_MAX}),
        help_text=_("不超过 500 字。"),
    )


class BankAccountForm(forms.Form):
    account_name = forms.CharField(label=_("户名"), max_length=64)
    bank_name = forms.CharField(label=_("开户行"), max_length=64)
    account_number = forms.CharField(label=_("账号"), max_length=40, help_text=_("8 到 34 位数字。"))


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("订单状态"), required=False, choices=[("", _("全部"))] + Order.State.choices)
