"""Forms of the case handler's, the inspector's and the cabinet's pages.

Amounts are typed as people write them ("1.234,56" in Dutch, "1,234.56" in English) and read
with ``common.numbers.parse_number`` into an exact ``Decimal``; the services check the rest.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grantmonitor.accounts import permissions
from grantmonitor.accounts.models import User
from grantmonitor.calls.selectors import call_list
from grantmonitor.common.money import validate_cents
from grantmonitor.common.numbers import parse_number
from grantmonitor.dossiers.models import Dossier, DossierStatus, Verdict

# The decimal mark people type in each interface language.
DECIMAL_MARKS = {"nl": ",", "en": "."}


def _calls(request):
    return call_list().filter(permissions.call_scope(request.user))


class DossierFilter(django_filters.FilterSet):
    """The dashboard's filters: call, state and case handler, each optional. A value that is
    not among the choices matches nothing; the form says which."""

    call = django_filters.ModelChoiceFilter(
        field_name="project__call", queryset=_calls, label=_("Call"), empty_label=_("All calls")
    )
    status = django_filters.ChoiceFilter(
        field_name="current_status",
        choices=DossierStatus.choices,
        label=_("State"),
        empty_label=_("All states"),
    )
    case_handler = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(handled_dossiers__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "username"),
        label=_("Case handler"),
        empty_label=_("All case handlers"),
    )

    class Meta:
        model = Dossier
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["case_handler"].label_from_instance = lambda handler: (
            handler.get_full_name() or handler.get_username()
        )


class DatedStepForm(forms.Form):
    """A step on the dossier's path: on which day, and why (optional)."""

    on = forms.DateField(
        label=_("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class CostLineReviewForm(forms.Form):
    """The inspector's verdict on one cost line."""

    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    accepted_amount = forms.CharField(
        label=_("Accepted amount (partly accepted only)"), required=False, max_length=30
    )
    reason = forms.CharField(
        label=_("Reason (when not fully accepted)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_accepted_amount(self):
        text = self.cleaned_data["accepted_amount"].strip()
        if not text:
            return None
        language = (get_language() or "nl")[:2]
        amount = parse_number(text, decimal_mark=DECIMAL_MARKS.get(language, ","))
        if not amount:
            raise ValidationError(
                _("“%(text)s” is not an amount: %(reason)s."),
                params={"text": text, "reason": amount.reason},
                code="not_a_number",
            )
        validate_cents(amount)
        return amount
