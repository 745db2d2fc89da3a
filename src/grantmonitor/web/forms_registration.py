"""The coach's forms: what a field means is said on its label; the services validate the rest.

The forms only turn text into values; every rule on the register (a valid INSZ, one
registration per person, a date in the project's period) lives in
:mod:`grantmonitor.register.services`, whose ``ValidationError`` is shown next to its field by
:func:`add_service_errors`.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Project
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    CharacteristicCode,
    DerivedCharacteristic,
    Gender,
    Participant,
)

# A service's error on a model field the form asks for under another name.
FORM_FIELD_OF = {"person_key": "insz"}
# A constraint over several columns refuses without naming a field; the form knows which.
CONSTRAINT_FIELD = {"participant_person_once_per_project": "insz"}
# Recorded and derived characteristics: what an activity aims at, what the register is searched by.
CHARACTERISTIC_CHOICES = [*CharacteristicCode.choices, *DerivedCharacteristic.choices]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def _today() -> datetime.date:
    return timezone.localdate()


def activity_label(activity: Activity) -> str:
    """``12/05/2016 infosessie Starten na faillissement``: how a coach recognises it."""
    return " ".join(
        part
        for part in (f"{activity.date:%d/%m/%Y}", activity.get_kind_display(), activity.title)
        if part
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    constraints = {
        str(constraint.violation_error_message): CONSTRAINT_FIELD[constraint.name]
        for constraint in Participant._meta.constraints
        if constraint.name in CONSTRAINT_FIELD
    }
    for field, messages in error.message_dict.items():
        for message in messages:
            named = constraints.get(message) if field == NON_FIELD_ERRORS else None
            named = named or FORM_FIELD_OF.get(field, field)
            form.add_error(named if named in form.fields else None, message)


class ParticipantForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True}),
        help_text=_("Your own pseudonymous code for this person, e.g. a file number."),
    )
    insz = forms.CharField(
        label=_("National register number (INSZ)"),
        max_length=20,
        required=False,
        help_text=_(
            "Optional. Recognises the same person across projects; it is checked, "
            "turned into a pseudonym and not kept."
        ),
    )
    registered_on = forms.DateField(label=_("Intake date"), initial=_today, widget=DateInput())
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Name and contact details stay with your organisation, encrypted."),
    )
    email = forms.EmailField(label=_("E-mail address"), max_length=254, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=40, required=False)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        max_value=2100,
        help_text=_("Taken from the INSZ when left empty."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", _("not recorded")), *Gender.choices]
    )
    characteristics = forms.MultipleChoiceField(
        label=_("Target group characteristics"),
        required=False,
        choices=CharacteristicCode.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    date = forms.DateField(label=_("Date"), initial=_today, widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    audience = forms.ChoiceField(
        label=_("Aimed at"),
        required=False,
        choices=[("", _("everyone")), *CHARACTERISTIC_CHOICES],
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("In cooperation with"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = project.partners.order_by("name")
        if not self.fields["partners"].queryset.exists():
            del self.fields["partners"]


class ReferenceFilter(django_filters.FilterSet):
    """Participants whose reference contains this text; the form's ids start ``search_``."""

    reference = django_filters.CharFilter(
        lookup_expr="icontains", label=_("Reference contains"), max_length=100
    )

    class Meta:
        model = Participant
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.auto_id = "search_%s"

    @property
    def matches(self):
        """The participants found; none when a value is refused (the form says why)."""
        return self.qs if self.is_valid() else self.queryset.none()


class ParticipantFilter(ReferenceFilter):
    """The register page's search over ``register.selectors.participant_list``, whose
    ``has_<code>`` flags it narrows by; an empty field does not narrow."""

    characteristic = django_filters.ChoiceFilter(
        label=_("Characteristic"),
        choices=CHARACTERISTIC_CHOICES,
        empty_label=_("any"),
        method="_having",
    )
    activity = django_filters.ModelChoiceFilter(
        field_name="attendances__activity",
        label=_("Attended"),
        queryset=Activity.objects.none(),
        empty_label=_("any activity"),
    )

    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["activity"]
        field.queryset = activities
        field.label_from_instance = activity_label

    def _having(self, participants, _name, code):
        return participants.filter(**{f"has_{code}": True})


class QuickAttendanceForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference of the participant"),
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
        help_text=_("Type the reference and press Enter to mark them present."),
    )
