"""What each kind of import reads, how it recognises a row it already has, and which service
writes it. One small declarative :class:`Kind` per kind.

Natural keys (re-importing the same file creates nothing twice):

- ``participants``: project + person key (the keyed hash of the INSZ) when an INSZ is given,
  otherwise project + the promoter's own reference;
- ``activities``: project + date + kind + title;
- ``attendance``: the activity (project + date + kind + title) + the participant (INSZ or
  reference);
- ``kpi-values``: project + KPI name + period; a row whose figures, narrative and evidence
  equal the KPI's latest value for that period is unchanged, otherwise it is recorded as the
  new latest value (earlier values stay as history).

The register and KPI tables are written only through their services. There are no selectors
yet for these natural keys, so the lookups below read the models directly (read only), one
query per batch of rows rather than one per row.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grantmonitor.calls.models import Project
from grantmonitor.imports import cells
from grantmonitor.kpis.models import Kpi, KpiValue, ValueSource
from grantmonitor.kpis.services import kpi_value_record
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.selectors import organisation_get_by_name
from grantmonitor.register import pseudonyms
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    CharacteristicCode,
    Gender,
    Participant,
)
from grantmonitor.register.services import activity_record, attendance_record, participant_register

Values = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    parse: Callable[[cells.CellValue], Any]
    required: bool = False
    help: Promise | str = ""


@dataclass(frozen=True)
class Kind:
    """``key`` is a row's natural key within its project (it may refuse the row);
    ``present`` says which of a batch's keys a project already holds, in one query;
    ``create`` writes a row through its service."""

    name: str
    label: Promise
    columns: tuple[Column, ...]
    natural_key: Promise
    key: Callable[[Values], Hashable]
    present: Callable[[Project, list], set]
    create: Callable[[Project, Values], object]


PROJECT = Column(
    "project",
    _("project"),
    cells.text,
    help=_("The project's name; may be left out when the import names the project."),
)


def _refuse(column: str, message) -> None:
    raise ValidationError({column: message})


# -- participants ---------------------------------------------------------------------------


def _person(values: Values) -> tuple[str, str]:
    """("insz", person key) or ("reference", the promoter's reference)."""
    if values["insz"]:
        return ("insz", pseudonyms.person_key(values["insz"]))
    if values["reference"]:
        return ("reference", values["reference"])
    return _refuse("reference", _("give the promoter's reference or the INSZ"))


def _people_present(project: Project, people: list[tuple[str, str]]) -> set[tuple[str, str]]:
    found = Participant.objects.filter(project=project).filter(
        Q(person_key__in=[value for field, value in people if field == "insz"])
        | Q(reference__in=[value for field, value in people if field == "reference"])
    )
    present = set()
    for person_key, reference in found.values_list("person_key", "reference"):
        present.update({("insz", person_key), ("reference", reference)})
    return present


def _participant_get(project: Project, person: tuple[str, str]) -> Participant | None:
    field, value = person
    found = Participant.objects.filter(project=project)
    return found.filter(**{"person_key" if field == "insz" else "reference": value}).first()


def _participant_create(project: Project, values: Values) -> Participant:
    return participant_register(
        project=project,
        registered_on=values["registered_on"],
        insz=values["insz"],
        reference=values["reference"],
        birth_year=values["birth_year"],
        gender=values["gender"],
        characteristics=values["characteristics"],
    )


PARTICIPANTS = Kind(
    name="participants",
    label=_("participants"),
    columns=(
        PROJECT,
        Column(
            "reference",
            _("promoter's reference"),
            cells.text,
            help=_("Your own pseudonymous code for the person; no names."),
        ),
        Column(
            "insz",
            _("INSZ"),
            cells.text,
            help=_("National register or BIS number; only its keyed hash is kept."),
        ),
        Column("registered_on", _("intake date"), cells.date, required=True),
        Column("birth_year", _("birth year"), cells.whole_number),
        Column("gender", _("gender"), cells.choice(Gender), help="f / m / x"),
        Column(
            "characteristics",
            _("characteristics"),
            cells.codes,
            help=", ".join(CharacteristicCode.values),
        ),
    ),
    natural_key=_(
        "A participant is recognised by the project and the INSZ (its keyed hash), or, "
        "without INSZ, by the project and the promoter's reference."
    ),
    key=_person,
    present=_people_present,
    create=_participant_create,
)


# -- activities -----------------------------------------------------------------------------


def _activity_key(values: Values) -> tuple:
    return (values["date"], values["kind"], values["title"])


def _activities_present(project: Project, keys: list[tuple]) -> set[tuple]:
    found = Activity.objects.filter(project=project, date__in={key[0] for key in keys})
    return set(found.values_list("date", "kind", "title"))


def _organiser(project: Project, name: str) -> Organisation:
    if not name:
        return project.promoter
    try:
        return organisation_get_by_name(name=name)
    except Organisation.DoesNotExist:
        return _refuse("organiser", _("there is no organisation “%(name)s”") % {"name": name})


def _activity_create(project: Project, values: Values) -> Activity:
    return activity_record(
        project=project,
        kind=values["kind"],
        date=values["date"],
        title=values["title"],
        organiser=_organiser(project, values["organiser"]),
        audience=values["audience"],
    )


ACTIVITY_COLUMNS = (
    Column("date", _("date"), cells.date, required=True),
    Column("kind", _("kind"), cells.choice(ActivityKind), required=True),
    Column("title", _("title"), cells.text),
)

ACTIVITIES = Kind(
    name="activities",
    label=_("activities"),
    columns=(
        PROJECT,
        *ACTIVITY_COLUMNS,
        Column(
            "organiser",
            _("organiser"),
            cells.text,
            help=_("An organisation's name; empty: the project's promoter."),
        ),
        Column("audience", _("aimed at"), cells.text),
    ),
    natural_key=_("An activity is recognised by the project, its date, kind and title."),
    key=_activity_key,
    present=_activities_present,
    create=_activity_create,
)


# -- attendance -----------------------------------------------------------------------------


def _attendance_key(values: Values) -> tuple:
    return (*_activity_key(values), *_person(values))


def _attendances_present(project: Project, keys: list[tuple]) -> set[tuple]:
    found = Attendance.objects.filter(
        activity__project=project, activity__date__in={key[0] for key in keys}
    ).values_list(
        "activity__date",
        "activity__kind",
        "activity__title",
        "participant__person_key",
        "participant__reference",
    )
    present = set()
    for date, kind, title, person_key, reference in found:
        present.update({(date, kind, title, "insz", person_key)})
        present.update({(date, kind, title, "reference", reference)})
    return present


def _attendance_create(project: Project, values: Values) -> Attendance:
    activity = Activity.objects.filter(
        project=project, date=values["date"], kind=values["kind"], title=values["title"]
    ).first()
    if activity is None:
        _refuse(
            "date",
            _("there is no %(kind)s on %(date)s titled “%(title)s” in this project")
            % {
                "kind": ActivityKind(values["kind"]).label,
                "date": values["date"].isoformat(),
                "title": values["title"],
            },
        )
    participant = _participant_get(project, _person(values))
    if participant is None:
        _refuse("reference", _("there is no such participant in this project"))
    return attendance_record(activity=activity, participant=participant)


ATTENDANCE = Kind(
    name="attendance",
    label=_("attendance"),
    columns=(
        PROJECT,
        *ACTIVITY_COLUMNS,
        Column("reference", _("promoter's reference"), cells.text),
        Column("insz", _("INSZ"), cells.text),
    ),
    natural_key=_(
        "An attendance is recognised by the activity (project, date, kind, title) and the "
        "participant (INSZ or promoter's reference)."
    ),
    key=_attendance_key,
    present=_attendances_present,
    create=_attendance_create,
)


# -- reported KPI values --------------------------------------------------------------------

FIGURES = ("value", "baseline", "numerator", "denominator")
TEXTS = ("narrative", "evidence")


def _kpi_value_key(values: Values) -> tuple:
    if all(values[figure] is None for figure in FIGURES) and not values["narrative"]:
        _refuse("value", _("give a value, figures or a narrative"))
    return (
        values["kpi"].casefold(),
        values["period_start"],
        values["period_end"],
        *(values[field] for field in (*FIGURES, *TEXTS)),
    )


def _kpi_values_present(project: Project, keys: list[tuple]) -> set[tuple]:
    """The keys equal to the latest value of their KPI and period (earlier ones are history)."""
    names = {key[0] for key in keys}
    kpis = {
        pk: name.casefold()
        for pk, name in Kpi.objects.filter(project=project).values_list("pk", "name")
        if name.casefold() in names
    }
    latest = {}
    for value in KpiValue.objects.filter(kpi_id__in=kpis).order_by("recorded_at", "pk"):
        latest[(kpis[value.kpi_id], value.period_start, value.period_end)] = value
    return {
        (*period, *(getattr(value, field) for field in (*FIGURES, *TEXTS)))
        for period, value in latest.items()
    }


def _kpi(project: Project, name: str) -> Kpi:
    kpi = Kpi.objects.filter(project=project, name__iexact=name).first()
    if kpi is None:
        _refuse("kpi", _("this project has no KPI named “%(name)s”") % {"name": name})
    return kpi


def _kpi_value_create(project: Project, values: Values) -> KpiValue:
    return kpi_value_record(
        kpi=_kpi(project, values["kpi"]),
        source=ValueSource.REPORTED,
        **{key: values[key] for key in (*FIGURES, *TEXTS)},
        period_start=values["period_start"],
        period_end=values["period_end"],
    )


KPI_VALUES = Kind(
    name="kpi-values",
    label=_("reported KPI values"),
    columns=(
        PROJECT,
        Column(
            "kpi", _("KPI"), cells.text, required=True, help=_("The KPI's name, as in the project.")
        ),
        Column("value", _("value"), cells.number),
        Column("baseline", _("baseline"), cells.number),
        Column("numerator", _("numerator"), cells.number),
        Column("denominator", _("denominator"), cells.number),
        Column("narrative", _("narrative"), cells.text),
        Column("evidence", _("evidence"), cells.text),
        Column("period_start", _("period start"), cells.date),
        Column("period_end", _("period end"), cells.date),
    ),
    natural_key=_(
        "A value is recognised by the project, the KPI and the period; the same figures, "
        "narrative and evidence as the latest value of that period are not recorded again."
    ),
    key=_kpi_value_key,
    present=_kpi_values_present,
    create=_kpi_value_create,
)

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (PARTICIPANTS, ACTIVITIES, ATTENDANCE, KPI_VALUES)
}
