"""Forms of the appointment book: parse and present; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from dryneedling.accounts.models import User
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import AppointmentType
from dryneedling.web.forms.base import Form

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def _clinicians(clinicians: list[User] | None) -> Any:
    """The clinicians the acting user may choose (none unless the view says which)."""
    return User.objects.filter(pk__in=[c.pk for c in clinicians or []]).order_by("full_name")


class ClinicianChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.email)


class DayForm(Form):
    """The day and week views' query string (bad values fall back to today / everyone)."""

    date = forms.DateField(required=False, widget=DATE_WIDGET)
    clinician = forms.IntegerField(required=False, min_value=1)


class BookingForm(Form):
    clinician = ClinicianChoice(queryset=User.objects.none(), empty_label=None)
    mrn = forms.CharField(label="Patient MRN", max_length=32)
    episode = forms.TypedChoiceField(label="Episode (optional)", required=False, coerce=int, empty_value=None)
    appointment_type = forms.ModelChoiceField(queryset=AppointmentType.objects.none(), empty_label=None, label="Type")
    date = forms.DateField(widget=DATE_WIDGET)
    time = forms.TimeField(widget=TIME_WIDGET, help_text="Clinic time")

    def __init__(
        self,
        *args: Any,
        clinicians: list[User] | None = None,
        types: Any = None,
        episodes: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = _clinicians(clinicians)  # type: ignore[attr-defined]
        if types is not None:
            self.fields["appointment_type"].queryset = types  # type: ignore[attr-defined]
        if episodes:
            self.fields["episode"].choices = [("", "—"), *episodes]  # type: ignore[attr-defined]
        else:
            del self.fields["episode"]


class MoveForm(Form):
    clinician = ClinicianChoice(queryset=User.objects.none(), empty_label=None)
    date = forms.DateField(widget=DATE_WIDGET)
    time = forms.TimeField(widget=TIME_WIDGET, help_text="Clinic time")

    def __init__(self, *args: Any, clinicians: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = _clinicians(clinicians)  # type: ignore[attr-defined]


class CancelForm(Form):
    reason = forms.CharField(max_length=300, label="Reason for cancelling")


class StatusForm(Form):
    status = forms.ChoiceField(choices=[(s, rules.LABELS[s]) for s in rules.STATUSES if s != rules.CANCELLED])
    # Where to go afterwards: the day's book (default), or Today, where the desk marks arrivals.
    back = forms.ChoiceField(choices=[("", "The day's book"), ("today", "Today")], required=False)


class HoursActionForm(Form):
    action = forms.ChoiceField(choices=[("add", "Add"), ("remove", "Remove")])


class WorkingHoursForm(Form):
    clinician = ClinicianChoice(queryset=User.objects.none(), empty_label=None)
    weekday = forms.TypedChoiceField(choices=list(enumerate(rules.WEEKDAYS)), coerce=int)
    starts = forms.TimeField(widget=TIME_WIDGET, label="From")
    ends = forms.TimeField(widget=TIME_WIDGET, label="To")

    def __init__(self, *args: Any, clinicians: list[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = _clinicians(clinicians)  # type: ignore[attr-defined]


class RemoveHoursForm(Form):
    block = forms.IntegerField(min_value=1)


class FeedForm(Form):
    action = forms.ChoiceField(choices=[("regenerate", "New secret address"), ("revoke", "Turn the feed off")])
