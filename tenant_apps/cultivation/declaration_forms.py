"""The forms of 企业申报 and the administrators' lists. They only shape input: every indicator is optional here
(a draft may be incomplete); the rules (numbers, choices, lengths, what submission needs) are `declarations.py`'s,
whose DomainErrors the pages put next to the named field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared_apps.ui.widgets import UploadInput
from tenant_apps.cultivation import common, selectors
from tenant_apps.cultivation.models import Recognition, Tier
from tenant_apps.workflow.models import Application

FILE_WIDGET = {
    "types": "PDF、JPG、PNG",
    "accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
    "max_bytes": common.FILE_MAX_BYTES,
}
EVIDENCE_PREFIX = "evidence_"


def _everything(choices) -> list[tuple[str, str]]:
    return [("", _("全部")), *choices]


def _tier_choices() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in Tier.objects.all()]


class _Filters(forms.Form):
    def filters(self) -> selectors.Filters:
        """The valid part of what was asked (an invalid value is ignored, with its message shown)."""
        if not self.is_bound:
            return selectors.Filters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return selectors.Filters(
            tier=data.get("tier") or "",
            state=data.get("state") or "",
            region=data.get("region") or "",
            q=(data.get("q") or "").strip(),
        )


class HistoryFilterForm(_Filters):
    """企业申报信息's history: by tier and state."""

    tier = forms.ChoiceField(label=gettext_lazy("申报层级"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("审核状态"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = _everything(_tier_choices())
        self.fields["state"].choices = _everything(Application.State.choices)


class AdminFilterForm(_Filters):
    """申报与认定: tier, state, division (with everything under it) and the enterprise's name."""

    tier = forms.ChoiceField(label=gettext_lazy("申报层级"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("审核状态"), required=False)
    region = forms.ChoiceField(label=gettext_lazy("注册地"), required=False)
    q = forms.CharField(label=gettext_lazy("企业名称"), required=False, max_length=selectors.MAX_QUERY_LENGTH)

    STATES = Application.State.choices

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = _everything(_tier_choices())
        self.fields["state"].choices = _everything(
            [(code, label) for code, label in self.STATES if code != Application.State.DRAFT]
        )
        self.fields["region"].choices = _everything(selectors.region_choices(membership))
        self.fields["q"].widget.attrs.update({"placeholder": _("企业名称"), "type": "search"})


class RecognitionFilterForm(AdminFilterForm):
    STATES = Recognition.Status.choices

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, membership=membership, **kwargs)
        self.fields["tier"].label = _("认定层级")  # the column's word on this page
        self.fields["state"].label = _("状态")
        self.fields["state"].choices = _everything(Recognition.Status.choices)
        self.fields["q"].label = _("企业名称或证书编号")
        self.fields["q"].widget.attrs["placeholder"] = _("企业名称或证书编号")


class StartForm(forms.Form):
    """申请: a tier and one of the open windows admitting the enterprise."""

    tier = forms.CharField(widget=forms.HiddenInput)
    window = forms.IntegerField(label=gettext_lazy("申报批次"), min_value=1)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("撤销原因"),
        max_length=500,
        error_messages={"required": gettext_lazy("请填写撤销原因。")},  # the service's own words
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "500"}),
    )


class DeclarationForm(forms.Form):
    """The tier's indicators (`Tier.indicators`), each with its evidence upload where the tier asks for one."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, declaration, **kwargs):
        super().__init__(*args, **kwargs)
        self.declaration = declaration
        self.fields["version"].initial = declaration.application.version
        self.indicators = list(declaration.tier.indicators)
        for indicator in self.indicators:
            code = indicator["code"]
            self.fields[code] = self._field(indicator)
            self.fields[code].initial = declaration.data.get(code, "")
            if indicator.get("evidence"):
                self.fields[EVIDENCE_PREFIX + code] = forms.FileField(
                    label=_("“%(label)s”证明材料") % {"label": indicator["label"]},
                    required=False,
                    widget=UploadInput(**FILE_WIDGET),
                )

    @staticmethod
    def _field(indicator: dict) -> forms.Field:
        label, kind = indicator["label"], indicator.get("kind", "text")
        limit = indicator.get("max_length")
        help_text = indicator.get("help", "")
        if kind == "choice":
            choices = [("", _("请选择")), *[(c, c) for c in indicator.get("choices", [])]]
            return forms.ChoiceField(label=label, required=False, choices=choices, help_text=help_text)
        attrs = {"maxlength": str(limit)} if limit else {}
        if kind == "textarea":
            if limit:
                attrs["data-counter"] = str(limit)
            widget = forms.Textarea(attrs={"rows": 4, **attrs})
        elif kind == "number":
            widget = forms.TextInput(attrs={"inputmode": "decimal", "size": "12", **attrs})
        else:
            widget = forms.TextInput(attrs=attrs)
        return forms.CharField(label=label, required=False, widget=widget, help_text=help_text, strip=True)

    def data_for_service(self) -> dict:
        return {i["code"]: self.cleaned_data.get(i["code"]) or "" for i in self.indicators}

    def uploads(self) -> dict:
        return {
            i["code"]: self.cleaned_data[EVIDENCE_PREFIX + i["code"]]
            for i in self.indicators
            if i.get("evidence") and self.cleaned_data.get(EVIDENCE_PREFIX + i["code"])
        }

    def place(self, field: str | None, message: str, *, upload: bool = False) -> bool:
        """Put a service's message on its field (an upload's refusal on the indicator's upload); False when no
        field of this form carries it (the message then belongs on top)."""
        name = field or ""
        if upload and EVIDENCE_PREFIX + name in self.fields:
            name = EVIDENCE_PREFIX + name
        if not hasattr(self, "cleaned_data"):
            self.cleaned_data = {}  # an unbound form takes errors too (a refused submission re-drawn as saved)
        if name in self.fields:
            if message not in self.errors.get(name, []):
                self.add_error(name, message)
            return True
        return False

    def groups(self) -> list[dict]:
        """Each indicator's value field with its upload, for the template."""
        return [
            {
                "indicator": indicator,
                "field": self[indicator["code"]],
                "upload": self[EVIDENCE_PREFIX + indicator["code"]] if indicator.get("evidence") else None,
                "counter": indicator.get("max_length") if indicator.get("kind") == "textarea" else None,
            }
            for indicator in self.indicators
        ]
