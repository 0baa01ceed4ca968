"""The intake questionnaire form, generated from the clinical core's question data.

Conditional questions (``show_if``) carry a ``data-show-if`` rule that ``intake.js`` uses to show
them only when relevant; the server applies the same rule, so a hidden question is never
required and an answer left in a hidden field is dropped. Questions hidden for the patient's
recorded sex (pregnancy for a patient recorded male) are not in the form at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms

from dryneedling.clinical.intake import Question, choice_label, is_shown
from dryneedling.web.forms.base import Form

GROUP_LABELS = {
    "consent": "Consent and communication",
    "red_flags": "Emergency and red flags",
    "medical": "Medical history",
    "sites": "Treatment areas and sites to avoid",
    "history": "What has been tried",
}
YES_NO = [("yes", "Yes"), ("no", "No")]


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
        lo, hi = question.min_value, question.max_value
        return forms.IntegerField(
            min_value=None if lo is None else int(lo), max_value=None if hi is None else int(hi), **common
        )
    if question.kind == "number":
        widget = forms.NumberInput(attrs={"step": "0.1"})
        return forms.FloatField(min_value=question.min_value, max_value=question.max_value, widget=widget, **common)
    if question.kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


def show_if_attr(question: Question) -> str:
    """``key=value|value;key2=value`` (any clause shows the question); booleans as yes/no."""

    def word(value: Any) -> str:
        return ("yes" if value else "no") if isinstance(value, bool) else str(value)

    return ";".join(f"{key}=" + "|".join(word(v) for v in values) for key, values in question.show_if)


def form_initial(answers: Mapping[str, Any], questions: tuple[Question, ...]) -> dict[str, Any]:
    """Engine answers -> form initial values (booleans to yes/no)."""
    by_key = {q.key: q for q in questions}
    initial: dict[str, Any] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            continue
        initial[key] = ("yes" if value else "no") if question.kind == "bool" else value
    return initial


class IntakeForm(Form):
    def __init__(self, *args: Any, questions: tuple[Question, ...], sex: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sex = sex
        self.questions = tuple(q for q in questions if not (sex and sex in q.hidden_for_sex))
        for question in self.questions:
            self.fields[question.key] = _field(question)

    def groups(self) -> list[tuple[str, list[tuple[forms.BoundField, str]]]]:
        grouped: dict[str, list[tuple[forms.BoundField, str]]] = {}
        for question in self.questions:
            grouped.setdefault(question.group, []).append((self[question.key], show_if_attr(question)))
        return [(GROUP_LABELS.get(group, group.title()), fields) for group, fields in grouped.items()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.questions:
            value = cleaned.get(question.key)
            if question.kind == "date" and isinstance(value, date) and value > date.today():
                self.add_error(question.key, "The date cannot be in the future.")
        return cleaned

    def answers(self) -> dict[str, Any]:
        """Cleaned data in the engine's terms: yes/no to booleans, unanswered and hidden left out."""
        answers: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.key)
            if question.kind == "bool":
                if value in ("yes", "no"):
                    answers[question.key] = value == "yes"
            elif question.kind == "multichoice":
                answers[question.key] = list(value or [])
            elif question.kind == "date" and isinstance(value, date):
                answers[question.key] = value.isoformat()
            elif value not in (None, ""):
                answers[question.key] = value
        # A conditional question whose condition does not hold was hidden: drop what it holds.
        by_key = {q.key: q for q in self.questions}
        return {k: v for k, v in answers.items() if is_shown(by_key[k], answers, self.sex)}
