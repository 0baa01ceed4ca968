"""The intake questionnaire form, generated from the clinical core's question data."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.clinical.intake import SITES, Question

GROUP_LABELS = {
    "consent": "Consent and communication",
    "red_flags": "Red flags (refer to a physician)",
    "medical": "Medical history",
    "sites": "Sites to avoid",
    "history": "What has been tried",
}
YES_NO = [("yes", "Yes"), ("no", "No")]


def choice_label(value: str) -> str:
    if value in SITES:
        return SITES[value][0]
    return value.replace("_", " ").capitalize()


def _field(question: Question) -> forms.Field:
    common: dict[str, Any] = {"label": question.label, "help_text": question.help, "required": question.required}
    if question.kind == "bool":
        choices = YES_NO if question.required else [("", "Not asked"), *YES_NO]
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if question.kind == "choice":
        blank = [] if question.required else [("", "—")]
        return forms.ChoiceField(choices=blank + [(c, choice_label(c)) for c in question.choices], **common)
    if question.kind == "multichoice":
        return forms.MultipleChoiceField(
            choices=[(c, choice_label(c)) for c in question.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == "int":
        return forms.IntegerField(min_value=question.min_value, max_value=question.max_value, **common)
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


class IntakeForm(forms.Form):
    def __init__(self, *args: Any, questions: tuple[Question, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.key] = _field(question)

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {}
        for question in self.questions:
            grouped.setdefault(question.group, []).append(self[question.key])
        return [(GROUP_LABELS.get(group, group.title()), fields) for group, fields in grouped.items()]

    def answers(self) -> dict[str, Any]:
        """Cleaned data in the engine's terms: yes/no to booleans, unanswered left out."""
        answers: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.key)
            if question.kind == "bool":
                if value in ("yes", "no"):
                    answers[question.key] = value == "yes"
            elif question.kind == "multichoice":
                answers[question.key] = list(value or [])
            elif value not in (None, ""):
                answers[question.key] = value
        return answers
