"""The audit viewer's filters, declared: who, which object, which action, which days."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from grantmonitor.audit.models import Event, EventAction, WriteAction
from grantmonitor.audit.registry import watched_models

ACTIONS = [*WriteAction.choices, *EventAction.choices]


def object_types() -> list[tuple[int, str]]:
    """The types of object the trail can name, by their name, alphabetically."""
    types = ContentType.objects.get_for_models(*watched_models())
    return sorted(
        ((ct.pk, capfirst(model._meta.verbose_name)) for model, ct in types.items()),
        key=lambda choice: choice[1],
    )


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AuditFilter(django_filters.FilterSet):
    """Applies alike to log entries and events: both have these fields (``kind``: annotated)."""

    user = django_filters.ModelChoiceFilter(
        field_name="actor",
        queryset=get_user_model().objects.order_by("username"),
        label=_("User"),
        empty_label=_("Everyone"),
    )
    object_type = django_filters.ChoiceFilter(
        field_name="content_type", choices=object_types, label=_("Object type")
    )
    object_id = django_filters.CharFilter(field_name="object_pk", label=_("Object id"))
    action = django_filters.ChoiceFilter(field_name="kind", choices=ACTIONS, label=_("Action"))
    since = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__gte", label=_("From"), widget=_date_input()
    )
    until = django_filters.DateFilter(
        field_name="timestamp",
        lookup_expr="date__lte",
        label=_("Until (inclusive)"),
        widget=_date_input(),
    )

    class Meta:
        model = Event
        fields = []
