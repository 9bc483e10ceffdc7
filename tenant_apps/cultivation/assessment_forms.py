"""The self-assessment form, built from a questionnaire's definition: one field per question (radios, or checkboxes
for a multiple-choice question) named by the question's code, grouped by section, and the questionnaire's id in a
hidden field so that an answer to an older version is recognised (409) instead of being scored against new
questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

UNANSWERED = _("请作答此题。")


class AssessmentForm(forms.Form):
    questionnaire = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, questionnaire, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire_row = questionnaire
        self.fields["questionnaire"].initial = questionnaire.pk
        self.section_codes: list[tuple[dict, list[str]]] = []
        for section in questionnaire.definition["sections"]:
            names = []
            for question in section["questions"]:
                choices = [(str(o["code"]), o["text"]) for o in question["options"]]
                messages = {"required": UNANSWERED, "invalid_choice": _("所选选项无效。")}
                if question.get("multiple"):
                    field = forms.MultipleChoiceField(
                        choices=choices,
                        widget=forms.CheckboxSelectMultiple,
                        error_messages=messages | {"invalid_list": _("所选选项无效。")},
                        help_text=_("可多选"),
                    )
                else:
                    field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, error_messages=messages)
                field.label = question["text"]
                self.fields[question["code"]] = field
                names.append(question["code"])
            self.section_codes.append((section, names))

    @property
    def sections(self) -> list[dict]:
        """For the template: each section with its bound fields."""
        return [
            {"code": s["code"], "name": s["name"], "weight": s["weight"], "fields": [self[n] for n in names]}
            for s, names in self.section_codes
        ]

    def question_codes(self) -> list[str]:
        return [name for _section, names in self.section_codes for name in names]

    def answers(self) -> dict:
        return {code: self.cleaned_data[code] for code in self.question_codes()}

    def unanswered_fields(self) -> list:
        """The bound fields refused, in the questionnaire's order (the list at the top links to each)."""
        return [self[code] for code in self.question_codes() if code in self.errors]


def kept_answers(questionnaire, data) -> dict:
    """What a posted form answered to the questions `questionnaire` still has (codes and options alike): the new
    version's form starts from them when the posted one was for an older version."""
    kept = {}
    for section in questionnaire.definition["sections"]:
        for question in section["questions"]:
            codes = {str(o["code"]) for o in question["options"]}
            given = [value for value in data.getlist(question["code"]) if value in codes]
            if given:
                kept[question["code"]] = given if question.get("multiple") else given[0]
    return kept
