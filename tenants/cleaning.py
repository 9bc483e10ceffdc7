"""Field cleaners the business forms share (admission, acceptance, ecosystem declarations): each refusal is a
DomainError on its dotted field path with the form's own code area (`admission.money`, `product.money`), so a page
and its API name the same input."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from tenants.errors import DomainError

AMOUNT_MAX = Decimal("999999999.99")


class Cleaner:
    def __init__(self, area: str):
        self.area = area

    def text(self, value, *, field: str, label, max_length: int, required: bool) -> str:
        text = ("" if value is None else str(value)).strip()
        if required and not text:
            raise DomainError(_("请填写%(label)s。") % {"label": label}, code=f"{self.area}.required", field=field)
        if len(text) > max_length:
            raise DomainError(
                _("%(label)s不能超过 %(max)s 字。") % {"label": label, "max": max_length},
                code=f"{self.area}.too_long",
                field=field,
            )
        return text

    def date(self, value, *, field: str, label) -> datetime.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(
                _("%(label)s格式应为 YYYY-MM-DD。") % {"label": label}, code=f"{self.area}.date", field=field
            ) from None

    def level(self, value, *, field: str, label) -> int | None:
        if value in (None, ""):
            return None
        try:
            level = int(value)
        except (TypeError, ValueError):
            level = 0
        if not 1 <= level <= 4:
            raise DomainError(
                _("%(label)s请选择一级到四级。") % {"label": label}, code=f"{self.area}.level", field=field
            )
        return level

    def money(self, value, *, field: str, label, maximum: Decimal = AMOUNT_MAX) -> Decimal | None:
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value).strip().replace(",", ""))
        except (InvalidOperation, ValueError):
            amount = None
        if (
            amount is None
            or not amount.is_finite()
            or amount < 0
            or amount > maximum
            or amount != amount.quantize(Decimal("0.01"))
        ):
            raise DomainError(
                _("%(label)s须为不小于 0 的金额，最多两位小数。") % {"label": label},
                code=f"{self.area}.money",
                field=field,
            )
        return amount
