"""What each kind of import reads, how it recognises a row it already has, and how it writes.
One small declarative :class:`Kind` per kind.

Natural keys (re-importing the same file creates nothing twice):

- ``participants``: project + person key (the keyed hash of the INSZ) when an INSZ is given,
  otherwise project + the promoter's own reference;
- ``activities``: project + date + kind + title;
- ``attendance``: the activity (project + date + kind + title) + the participant (INSZ or
  reference);
- ``kpi-values``: project + KPI name + period; a row whose figures, narrative and evidence
  equal the KPI's latest value for that period is unchanged, otherwise it is recorded as the
  new latest value (earlier values stay as history).

Register rows are validated one by one and written in chunks by
:mod:`grantmonitor.register.batch`, which recomputes each project's KPIs once at the end;
reported KPI values (a few per project) go through their service row by row. An attendance
CSV on PostgreSQL is checked per distinct activity and person instead, with the same
functions (:func:`person`, :func:`activity_missing`), see :mod:`grantmonitor.imports.staged`.
There are no selectors yet for these natural keys, so the lookups below read the models
directly (read only), a few queries per batch of rows rather than one per row.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
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
from grantmonitor.register import batch, pseudonyms
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    CharacteristicCode,
    Gender,
    Participant,
)

Values = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    parse: Callable[[cells.CellValue], Any]
    required: bool = False
    help: Promise | str = ""


@dataclass
class Known:
    """What a project already holds for a batch's keys: the keys present, and what the rows
    refer to (activities, participants, organisations, KPIs), looked up once per batch."""

    present: set = field(default_factory=set)
    refers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """``key`` is a row's natural key within its project (it may refuse the row);
    ``known`` looks a batch's keys up in a few queries; ``build`` validates a new row
    completely without writing (it raises ``ValidationError``); ``write`` saves one
    project's built rows and returns how many were new; ``touching``: what the written rows
    change for the KPI engine (None: anything; empty: nothing to recompute)."""

    name: str
    label: Promise
    columns: tuple[Column, ...]
    natural_key: Promise
    key: Callable[[Values], Hashable]
    known: Callable[[Project, list], Known]
    build: Callable[[Project, Values, Known], object]
    write: Callable[[list], int]
    touching: frozenset[str] | None = frozenset()


PROJECT = Column(
    "project",
    _("project"),
    cells.text,
    help=_("The project's name; may be left out when the import names the project."),
)


def _refuse(column: str, message) -> None:
    raise ValidationError({column: message})


# -- participants ---------------------------------------------------------------------------


def person(values: Values) -> tuple[str, str]:
    """("insz", person key) or ("reference", the promoter's reference)."""
    if values["insz"]:
        return ("insz", pseudonyms.person_key(values["insz"]))
    if values["reference"]:
        return ("reference", values["reference"])
    return _refuse("reference", _("give the promoter's reference or the INSZ"))


def _people(project: Project, people) -> dict[tuple[str, str], int]:
    """Participant ids by ("insz", person key) and ("reference", reference)."""
    people = set(people)
    found = Participant.objects.filter(project=project).filter(
        Q(person_key__in=[value for kind, value in people if kind == "insz"])
        | Q(reference__in=[value for kind, value in people if kind == "reference"])
    )
    ids = {}
    for pk, person_key, reference in found.values_list("pk", "person_key", "reference"):
        for person in (("insz", person_key), ("reference", reference)):
            if person in people:
                ids.setdefault(person, pk)
    return ids


def _people_known(project: Project, people: list[tuple[str, str]]) -> Known:
    return Known(present=set(_people(project, people)))


def _participant_build(project: Project, values: Values, known: Known) -> batch.NewParticipant:
    return batch.participant_build(
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
    key=person,
    known=_people_known,
    build=_participant_build,
    write=batch.participants_write,
    touching=batch.TOUCHING["participants"],
)


# -- activities -----------------------------------------------------------------------------


def _activity_key(values: Values) -> tuple:
    return (values["date"], values["kind"], values["title"])


def _activities(project: Project, keys) -> dict[tuple, int]:
    """Activity ids by (date, kind, title), for the dates of ``keys``."""
    found = Activity.objects.filter(project=project, date__in={key[0] for key in keys})
    return {
        (date, kind, title): pk
        for pk, date, kind, title in found.values_list("pk", "date", "kind", "title")
    }


def _activities_known(project: Project, keys: list[tuple]) -> Known:
    return Known(present=set(_activities(project, keys)))


def _organiser(project: Project, name: str, known: Known) -> Organisation:
    if not name:
        return project.promoter
    wanted = name.casefold()
    if wanted not in known.refers:
        known.refers[wanted] = Organisation.objects.filter(name__iexact=name).first()
    if known.refers[wanted] is None:
        _refuse("organiser", _("there is no organisation “%(name)s”") % {"name": name})
    return known.refers[wanted]


def _activity_build(project: Project, values: Values, known: Known) -> Activity:
    return batch.activity_build(
        project=project,
        kind=values["kind"],
        date=values["date"],
        title=values["title"],
        organiser=_organiser(project, values["organiser"], known),
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
    known=_activities_known,
    build=_activity_build,
    write=batch.activities_write,
    touching=batch.TOUCHING["activities"],
)


# -- attendance -----------------------------------------------------------------------------


def _attendance_key(values: Values) -> tuple:
    return (*_activity_key(values), *person(values))


def _attendances_known(project: Project, keys: list[tuple]) -> Known:
    """The batch's activities and participants by their natural keys, and which of them
    already attended which."""
    activities = _activities(project, keys)
    people = _people(project, [key[3:] for key in keys])
    attended = set(
        Attendance.objects.filter(
            activity_id__in=set(activities.values()), participant_id__in=set(people.values())
        ).values_list("activity_id", "participant_id")
    )
    present = {key for key in keys if (activities.get(key[:3]), people.get(key[3:])) in attended}
    return Known(present=present, refers={"activities": activities, "people": people})


def _attendance_build(project: Project, values: Values, known: Known) -> tuple[int, int]:
    activity = known.refers["activities"].get(_activity_key(values))
    if activity is None:
        _refuse("date", activity_missing(values))
    participant = known.refers["people"].get(person(values))
    if participant is None:
        _refuse("reference", NO_SUCH_PARTICIPANT)
    return (activity, participant)


def activity_missing(values: Values) -> str:
    """Why an attendance row naming an activity the project does not hold is refused."""
    return _("there is no %(kind)s on %(date)s titled “%(title)s” in this project") % {
        "kind": ActivityKind(values["kind"]).label,
        "date": values["date"].isoformat(),
        "title": values["title"],
    }


NO_SUCH_PARTICIPANT = _("there is no such participant in this project")


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
    known=_attendances_known,
    build=_attendance_build,
    write=batch.attendances_write,
    touching=batch.TOUCHING["attendance"],
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


def _kpi_values_known(project: Project, keys: list[tuple]) -> Known:
    """The keys equal to the latest value of their KPI and period (earlier ones are history),
    and the project's KPIs by their name."""
    names = {key[0] for key in keys}
    kpis = {kpi.name.casefold(): kpi for kpi in Kpi.objects.filter(project=project)}
    wanted = {kpi.pk: name for name, kpi in kpis.items() if name in names}
    latest = {}
    for value in KpiValue.objects.filter(kpi_id__in=wanted).order_by("recorded_at", "pk"):
        latest[(wanted[value.kpi_id], value.period_start, value.period_end)] = value
    present = {
        (*period, *(getattr(value, field) for field in (*FIGURES, *TEXTS)))
        for period, value in latest.items()
    }
    return Known(present=present, refers=kpis)


def _kpi_value_build(project: Project, values: Values, known: Known) -> dict:
    """The service's arguments, once the value they describe is known to be valid."""
    kpi = known.refers.get(values["kpi"].casefold())
    if kpi is None:
        _refuse("kpi", _("this project has no KPI named “%(name)s”") % {"name": values["kpi"]})
    arguments = {
        "kpi": kpi,
        "source": ValueSource.REPORTED,
        "period_start": values["period_start"],
        "period_end": values["period_end"],
        **{key: values[key] for key in (*FIGURES, *TEXTS)},
    }
    KpiValue(**arguments).full_clean(exclude=["kpi"])
    return arguments


def _kpi_values_write(built: list[dict]) -> int:
    for arguments in built:
        kpi_value_record(**arguments)
    return len(built)


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
    known=_kpi_values_known,
    build=_kpi_value_build,
    write=_kpi_values_write,
)

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (PARTICIPANTS, ACTIVITIES, ATTENDANCE, KPI_VALUES)
}
