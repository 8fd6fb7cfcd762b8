"""Forms of the group pages: shape and types only; the rules are in ``groups.services``."""

from __future__ import annotations

from typing import cast

from django import forms

from casemgmt.accounts.models import Team, User
from casemgmt.accounts.selectors import staff_list, team_list
from casemgmt.lib.forms import StyledForm
from scheduling.models import AppointmentLocation

from .models import GROUP_COMPONENTS, MAX_CAPACITY, AttendanceStatus

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SCHEDULES = [
    ("", "Once (only the first session)"),
    ("FREQ=WEEKLY", "Every week"),
    ("FREQ=WEEKLY;INTERVAL=2", "Every other week"),
    ("FREQ=MONTHLY", "Every month"),
]


class _StaffChoice(forms.ModelMultipleChoiceField):
    """Staff by display name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class GroupForm(StyledForm):
    name = forms.CharField(max_length=120, help_text="e.g. Dual Recovery Group")
    team: forms.ModelChoiceField[Team] = forms.ModelChoiceField(
        queryset=Team.objects.none(), empty_label=None
    )
    iddt_component = forms.ChoiceField(
        label="IDDT component", choices=[(c.value, c.label) for c in GROUP_COMPONENTS]
    )
    facilitators = _StaffChoice(
        queryset=User.objects.none(),
        help_text="Ctrl or Cmd to choose several.",
        error_messages={"required": "Choose at least one facilitator."},
    )
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, initial=10)
    location = forms.ChoiceField(choices=AppointmentLocation.choices)
    first_starts_at = forms.DateTimeField(
        label="First session", required=False, widget=DATETIME, input_formats=[DATETIME_FORMAT]
    )
    schedule_rule = forms.ChoiceField(label="Repeats", choices=SCHEDULES, required=False)
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=15, max_value=480, initial=90
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = team_list(user=user)
        cast(forms.ModelChoiceField, self.fields["facilitators"]).queryset = staff_list(user=user)


class MemberAddForm(StyledForm):
    client = forms.TypedChoiceField(
        label="Client",
        coerce=int,
        choices=[],
        empty_value=None,
        error_messages={"required": "Choose the client who joins."},
    )
    joined_on = forms.DateField(
        label="Joined on", required=False, widget=DATE, help_text="Empty means today."
    )


class MemberLeaveForm(StyledForm):
    reason = forms.CharField(max_length=255, help_text="e.g. finished the 12-week cycle")
    left_on = forms.DateField(required=False, widget=DATE, help_text="Empty means today.")


class SessionAddForm(StyledForm):
    starts_at = forms.DateTimeField(
        label="Date and time", widget=DATETIME, input_formats=[DATETIME_FORMAT]
    )


class SessionCancelForm(StyledForm):
    reason = forms.CharField(max_length=255)


class SessionRecordForm(StyledForm):
    """Attendance (a status and a line per member, ``status_<client id>`` and
    ``line_<client id>``) and the shared group note."""

    topic = forms.CharField(
        max_length=200, required=False, help_text="e.g. Coping with cravings (no names)."
    )
    shared_data = forms.CharField(
        label="Data (shared)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the group covered and how it went. It goes into every attending "
        "member's note: name no one.",
    )
    shared_assessment = forms.CharField(
        label="Assessment (shared)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_plan = forms.CharField(
        label="Plan (shared)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.rows = []
        for client in self.members:
            status = forms.ChoiceField(
                label=f"{client.display_name}: attendance",
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": f"Mark {client.display_name}'s attendance."},
            )
            line = forms.CharField(
                label=f"About {client.display_name} (their chart only)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )
            self.fields[f"status_{client.pk}"] = status
            self.fields[f"line_{client.pk}"] = line
        for client in self.members:
            self.rows.append((client, self[f"status_{client.pk}"], self[f"line_{client.pk}"]))

    def attendance(self) -> dict[int, tuple[str, str]]:
        return {
            c.pk: (self.cleaned_data[f"status_{c.pk}"], self.cleaned_data.get(f"line_{c.pk}", ""))
            for c in self.members
        }
