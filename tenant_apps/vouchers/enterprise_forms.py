"""Forms of the enterprise's voucher pages: applying for a voucher, the wallet's state filter. (抢券 posts only
the idempotency key drawn into the page; the service checks it.)"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tenant_apps.vouchers.requests import REASON_MAX


class ApplyForm(forms.Form):
    """立即申请: an optional reason for the reviewers (one form per voucher type on the page, prefixed)."""

    reason = forms.CharField(
        label=_("申请说明"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
        help_text=_("选填，不超过 500 字，供审核人员参考。"),
    )


STATE_CHOICES = [
    ("", _("全部")),
    ("usable", _("可使用")),
    ("not_yet_valid", _("未生效")),
    ("used_up", _("已用完")),
    ("expired", _("已过期")),
]


class WalletFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATE_CHOICES)
