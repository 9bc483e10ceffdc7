"""The identifiers people type, checked once for every form, API and import: USCC, mainland mobile, phone.

A regex alone let `91110108551385082A` through; the USCC's last character is a check digit (GB 32100-2015) and
python-stdnum computes it. Codes are normalised before they are checked (upper case, spaces and hyphens removed),
so `uscc_normalise` is what forms and imports store. Validators are plain functions: migrations reference them by
import path, so tightening a rule here never needs a new migration.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc as stdnum_uscc

# Registration authority and entity type (2, letters allowed: N = 农业, Y = 其他 …), region (6 digits),
# organisation code (9) and check digit (1), from the GB 32100 alphabet (no I, O, S, V, Z). stdnum's own `validate`
# insists on digits in the first two places, which would refuse real codes such as those of rural collectives.
USCC_FORMAT = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
USCC_FORMAT_MESSAGE = _("统一社会信用代码应为 18 位数字或大写字母。")
USCC_CHECK_MESSAGE = _("统一社会信用代码校验位不正确，请核对。")

# Mainland mobile numbers: 11 digits, 1 then 3–9 (no 10x/11x/12x number ranges have been issued to phones).
MOBILE_FORMAT = re.compile(r"1[3-9]\d{9}")
MOBILE_MESSAGE = _("请输入以 1 开头的 11 位手机号码（第二位为 3–9）。")


def uscc_normalise(value: str) -> str:
    """The stored form of a USCC: upper case, without spaces or hyphens (stdnum's `compact`)."""
    return stdnum_uscc.compact(str(value or ""))


def uscc_validator(value: str) -> None:
    """Refuse a USCC whose shape or check digit is wrong (checked on the normalised value)."""
    number = uscc_normalise(value)
    if not USCC_FORMAT.fullmatch(number):
        raise ValidationError(USCC_FORMAT_MESSAGE, code="uscc_format")
    if number[-1] != stdnum_uscc.calc_check_digit(number[:17]):
        raise ValidationError(USCC_CHECK_MESSAGE, code="uscc_check_digit")


def mobile_validator(value: str) -> None:
    if not MOBILE_FORMAT.fullmatch(str(value or "")):
        raise ValidationError(MOBILE_MESSAGE, code="invalid_mobile")


# A landline (0451-88886666, +86 …) or a mobile: the loose shape every contact-phone field has accepted so far.
phone_validator = RegexValidator(r"^[0-9+\-() ]{7,20}$", _("请输入有效的电话号码。"))


class USCCField(forms.CharField):
    """A form field that normalises before it validates, so `9111 0108…` or lower case is accepted and stored
    as the canonical code. ModelForms use it through `Meta.field_classes = {"uscc": USCCField}`."""

    default_validators = [uscc_validator]

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)  # the format check counts the normalised code; spaces typed between groups fit
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return uscc_normalise(value) if value not in self.empty_values else value
