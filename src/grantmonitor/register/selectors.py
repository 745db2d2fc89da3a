"""Reads of the register: target groups of a population, outcomes, call-level figures.

Every function is a fixed number of aggregate queries; the target-group combinations are
grouped in SQL (one row per combination of characteristics), never built person by person.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, ExtractYear

from grantmonitor.calls.models import Call, Project
from grantmonitor.common.keys import cache_key
from grantmonitor.kpis.engine import call_distinct_people, kpis_populations
from grantmonitor.kpis.models import Kpi
from grantmonitor.register.models import (
    OLDER_FROM_AGE,
    YOUNG_BELOW_AGE,
    Activity,
    Attendance,
    CallReach,
    Characteristic,
    CharacteristicCode,
    DerivedCharacteristic,
    FollowUpOutcome,
    Participant,
    ProjectWrite,
    Referral,
    characteristic_codes,
)

#: How long a table of target groups is kept under its projects' stamps (a write moves them).
TARGET_GROUPS_SECONDS = 3600


def _participants() -> QuerySet[Participant]:
    return Participant.objects.select_related("project__call", "project__promoter")


def participant_get(*, pk: int) -> Participant:
    return _participants().get(pk=pk)


def participant_find(*, project: Project, reference: str) -> Participant:
    """A participant by the promoter's reference; raises if none or several match."""
    return _participants().get(project=project, reference=reference)


def participant_records(*, participant: Participant) -> Participant:
    """The participant with every record about them fetched: a fixed number of queries."""
    return (
        _participants()
        .prefetch_related(
            "characteristics",
            "attendances__activity__organiser",
            "trajectories",
            "credit_applications__lender",
            "referrals__from_organisation",
            "referrals__to_organisation",
            "outcomes",
        )
        .get(pk=participant.pk)
    )


def characteristic_label(code: str) -> str:
    for choices in (CharacteristicCode, DerivedCharacteristic):
        if code in choices.values:
            return str(choices(code).label)
    return code


@dataclass
class TargetGroups:
    """How many people of a population have each characteristic, and which together."""

    total: int
    counts: dict[str, int]  # every characteristic code, most common first
    by_number: dict[int, int]  # number of characteristics a person has -> people
    combinations: list[tuple[tuple[str, ...], int]] = field(default_factory=list)  # ≥ 2 codes

    def with_at_least(self, number: int) -> int:
        return sum(people for count, people in self.by_number.items() if count >= number)


def _flags() -> dict:
    """One boolean per characteristic; ages at the intake date."""
    flags = {
        code: Exists(Characteristic.objects.filter(participant_id=OuterRef("pk"), code=code))
        for code in CharacteristicCode.values
    }
    flags[DerivedCharacteristic.YOUNG] = ExpressionWrapper(_flag_young(), BooleanField())
    flags[DerivedCharacteristic.AGED_50_PLUS] = ExpressionWrapper(_flag_older(), BooleanField())
    return {f"has_{code}": expression for code, expression in flags.items()}


def _flag_young() -> Q:
    return Q(birth_year__gt=ExtractYear("registered_on") - YOUNG_BELOW_AGE)


def _flag_older() -> Q:
    return Q(birth_year__lte=ExtractYear("registered_on") - OLDER_FROM_AGE)


#: A bit per recorded characteristic: a person's characteristics are one number in SQL.
_BITS = {code: 1 << index for index, code in enumerate(CharacteristicCode.values)}

#: One population's people per combination of characteristics: the bits of the recorded
#: ones (each code once, whenever recorded) and the two ages at intake. Written out, not built
#: with the ORM: a project page asks it for each of its populations, and building and
#: compiling the query cost the page more than PostgreSQL spends running it.
_TARGET_GROUPS_SQL = """
SELECT %s, COALESCE((
    SELECT SUM(DISTINCT CASE {cases} ELSE 0 END) FROM {characteristic} gm_c
    WHERE gm_c.{characteristic_participant} = gm_p.{pk}), 0),
  gm_p.{birth_year} > ({year}) - %s,
  gm_p.{birth_year} <= ({year}) - %s,
  COUNT(*)
FROM {participant} gm_p WHERE gm_p.{pk} IN ({population})
GROUP BY 2, 3, 4"""


def _target_groups_sql(index: int, population: QuerySet) -> tuple[str, list]:
    quote = connection.ops.quote_name
    participant, characteristic = Participant._meta, Characteristic._meta
    registered_on = f"gm_p.{quote(participant.get_field('registered_on').column)}"
    year, year_params = connection.ops.date_extract_sql("year", registered_on, ())
    code = f"gm_c.{quote(characteristic.get_field('code').column)}"
    population_sql, population_params = population.order_by().query.sql_with_params()
    sql = _TARGET_GROUPS_SQL.format(
        cases=" ".join(f"WHEN {code} = %s THEN %s" for _ in _BITS),
        characteristic=quote(characteristic.db_table),
        characteristic_participant=quote(characteristic.get_field("participant").column),
        pk=quote(participant.pk.column),
        birth_year=quote(participant.get_field("birth_year").column),
        year=year,
        participant=quote(participant.db_table),
        population=population_sql,
    )
    params = [
        index,
        *(value for code_bit in _BITS.items() for value in code_bit),
        *year_params,
        YOUNG_BELOW_AGE,
        *year_params,
        OLDER_FROM_AGE,
        *population_params,
    ]
    return sql, params


def _target_groups(populations: dict[Hashable, QuerySet]) -> dict[Hashable, TargetGroups]:
    """The target groups of each population (participant ids) by key, in one query: per
    population, one row per combination of characteristics."""
    keys = list(populations)
    parts = [_target_groups_sql(index, populations[key]) for index, key in enumerate(keys)]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(sql for sql, _params in parts),
            [param for _sql, params in parts for param in params],
        )
        rows = cursor.fetchall()
    codes = characteristic_codes()
    grouped: dict[Hashable, dict[tuple[str, ...], int]] = {key: {} for key in keys}
    for index, mask, young, older, people in rows:  # per population ≤ 2 ** len(codes) rows
        present = {code for code, bit in _BITS.items() if int(mask) & bit}
        if young:
            present.add(DerivedCharacteristic.YOUNG)
        if older:
            present.add(DerivedCharacteristic.AGED_50_PLUS)
        combination = tuple(code for code in codes if code in present)
        grouped[keys[index]][combination] = people
    return {key: _table(codes, people) for key, people in grouped.items()}


def _table(codes: list[str], people: dict[tuple[str, ...], int]) -> TargetGroups:
    counts = dict.fromkeys(codes, 0)
    by_number: dict[int, int] = {}
    for present, number in people.items():
        for code in present:
            counts[code] += number
        by_number[len(present)] = by_number.get(len(present), 0) + number
    combinations = sorted(
        ((present, number) for present, number in people.items() if len(present) >= 2),
        key=lambda item: (-item[1], item[0]),
    )
    return TargetGroups(
        total=sum(people.values()),
        counts=dict(sorted(counts.items(), key=lambda item: -item[1])),
        by_number=dict(sorted(by_number.items())),
        combinations=combinations,
    )


def target_groups(*, participants: QuerySet[Participant]) -> TargetGroups:
    """The characteristics of ``participants``: counts, numbers per person, combinations.

    Recorded characteristics count whenever they were recorded; ``young`` and ``aged_50_plus``
    are the age at the intake date.
    """
    return _target_groups({None: participants.values("pk")})[None]


def kpi_target_groups(*, kpi: Kpi) -> TargetGroups | None:
    """The target groups of the people a KPI counts; None when it counts no people."""
    return kpis_target_groups(kpis=[kpi]).get(kpi.pk)


#: The writes of the shared tables (project NULL) and of each project asked for, and how many
#: of them are this transaction's own (not committed yet).
_OWN = "COUNT(*) FILTER (WHERE transaction = pg_current_xact_id_if_assigned()::text::bigint)"
_STAMPS_SQL = f"""
SELECT project_id, SUM(weight)::bigint, {_OWN} FROM {ProjectWrite._meta.db_table}
WHERE project_id = ANY(%s) OR project_id IS NULL GROUP BY project_id"""  # noqa: S608 -- the model's table
#: The writes of the shared tables and of every project of a call, together, and this
#: transaction's own.
_CALL_STAMP_SQL = f"""
SELECT COALESCE(SUM(weight) FILTER (WHERE project_id IS NULL), 0)::bigint,
       COALESCE(SUM(weight) FILTER (WHERE project_id IS NOT NULL), 0)::bigint, {_OWN}
FROM {ProjectWrite._meta.db_table} WHERE project_id IS NULL
OR project_id IN (SELECT id FROM {Project._meta.db_table} WHERE call_id = %s)"""  # noqa: S608 -- the models' tables


@dataclass(frozen=True)
class Stamps:
    """What kept figures and pages are keyed on (:mod:`grantmonitor.register.stamps`): how
    many transactions wrote to the shared tables, and to each project asked for."""

    shared: int
    projects: tuple[tuple[int, int], ...]  # (project id, writes), by id

    def of(self, project_id: int) -> int:
        return dict(self.projects)[project_id]


def project_stamps(*, project_ids: Iterable[int]) -> Stamps | None:
    """The stamps of these projects and of the shared tables. None when there are none to keep
    figures under: off PostgreSQL, or when this transaction wrote to one of the projects or to
    a shared table and has not committed (it may still roll back)."""
    if connection.vendor != "postgresql":
        return None
    ids = sorted(set(project_ids))
    with connection.cursor() as cursor:
        cursor.execute(_STAMPS_SQL, [ids])
        rows = cursor.fetchall()
    if any(own for _project, _writes, own in rows):
        return None
    writes = {project: weight for project, weight, _own in rows}
    return Stamps(writes.get(None, 0), tuple((pk, writes.get(pk, 0)) for pk in ids))


def call_stamp(*, call_id: int) -> tuple[int, int] | None:
    """The stamp of everything a call's page shows: the writes to the shared tables, and to
    the projects the call holds. None as for :func:`project_stamps`."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(_CALL_STAMP_SQL, [call_id])
        shared, projects, own = cursor.fetchone()
    return None if own else (shared, projects)


def kpis_target_groups(*, kpis: list[Kpi]) -> dict[int, TargetGroups]:
    """:func:`kpi_target_groups` of several KPIs (a project page's) by KPI id. The KPIs that
    count no people are left out.

    Kept under their projects' stamps: read in one query while no write moved them, else in
    four (the stamps, the KPIs' definitions, the latest versions of those, and one for every
    population)."""
    stamps = project_stamps(project_ids=[kpi.project_id for kpi in kpis])
    if stamps is None:
        return _kpis_target_groups(kpis)
    shown = (sorted((kpi.pk, kpi.project_id) for kpi in kpis), stamps)
    key = cache_key("target-groups", shown)
    return cache.get_or_set(key, lambda: _kpis_target_groups(kpis), TARGET_GROUPS_SECONDS)


def _kpis_target_groups(kpis: list[Kpi]) -> dict[int, TargetGroups]:
    populations = kpis_populations(kpis=kpis)
    return _target_groups(populations) if populations else {}


@dataclass(frozen=True)
class OutcomeRow:
    status: str
    programme: str
    people: int


def outcomes(*, participants: QuerySet[Participant]) -> list[OutcomeRow]:
    """Distinct people per follow-up status (and programme) among ``participants``."""
    rows = (
        FollowUpOutcome.objects.filter(participant__in=participants.values("pk"))
        .values("status", "programme")
        .annotate(people=Count("participant", distinct=True))
        .order_by("-people", "status")
    )
    return [OutcomeRow(row["status"], row["programme"], row["people"]) for row in rows]


@dataclass(frozen=True)
class ReferralRow:
    from_organisation: str
    to_organisation: str
    referrals: int
    taken_up: int


def call_referrals(*, call: Call) -> list[ReferralRow]:
    """Referrals from one promoter of the call to another."""
    promoters = call.projects.values("promoter")
    rows = (
        Referral.objects.filter(from_organisation__in=promoters, to_organisation__in=promoters)
        .values("from_organisation__name", "to_organisation__name")
        .annotate(referrals=Count("pk"), taken_up=Count("pk", filter=Q(taken_up=True)))
        .order_by("from_organisation__name", "to_organisation__name")
    )
    return [
        ReferralRow(
            row["from_organisation__name"],
            row["to_organisation__name"],
            row["referrals"],
            row["taken_up"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CallPeople:
    distinct: int  # each person once across the call's projects
    per_project_sum: int  # what adding up the projects' own counts gives


def _attendees_in_project_periods(measure: dict) -> bool:
    """Is ``measure`` the one kept per call: every attendee, in each project's own period?"""
    return (
        measure.get("count") == "attendees"
        and not measure.get("filters")
        and measure.get("window", "project") == "project"
        and set(measure) <= {"count", "filters", "window"}
    )


def call_people(*, call: Call, measure: dict | None = None) -> CallPeople:
    """People reached over a call: once across projects (keyed hash) and project by project.

    Attendees in the projects' periods (the default ``measure``) are one row kept by
    :mod:`grantmonitor.register.reach`; any other people measure is counted live.
    """
    measure = measure or {"count": "attendees"}
    if _attendees_in_project_periods(measure):
        kept = CallReach.objects.filter(call=call).values_list("people", "participants").first()
        return CallPeople(*(kept or (0, 0)))
    return CallPeople(
        distinct=call_distinct_people(call=call, measure=measure),
        per_project_sum=call_distinct_people(call=call, measure=measure, across_projects=False),
    )


def participant_list(*, project: Project) -> QuerySet[Participant]:
    """A project's participants, newest intake first, for the coach's register page.

    Each carries ``has_<code>`` for every characteristic (recorded, or derived from the birth
    year at intake), which the page's search narrows by, and ``activities_attended``.
    """
    flags = _flags()
    participants = Participant.objects.filter(project=project)
    attended = (
        Attendance.objects.filter(participant=OuterRef("pk"))
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return participants.annotate(
        **flags, activities_attended=Coalesce(Subquery(attended), 0)
    ).order_by("-registered_on", "-pk")


def activity_list(*, project: Project) -> QuerySet[Activity]:
    """A project's activities, latest first, each with its number of ``attendees``."""
    return (
        Activity.objects.filter(project=project)
        .annotate(attendees=Count("attendances"))
        .order_by("-date", "-pk")
    )


def attendance_list(*, activity: Activity) -> QuerySet[Participant]:
    """The project's participants for an activity's attendance list: those present first.

    Each carries ``attended``.
    """
    participants = Participant.objects.filter(project_id=activity.project_id)
    return participants.annotate(
        attended=Exists(Attendance.objects.filter(activity=activity, participant=OuterRef("pk")))
    ).order_by("-attended", "reference", "pk")


@dataclass(frozen=True)
class ProjectReferrals:
    """Referrals both ways: the project's own people its promoter sent on, with their
    reference, and the people others sent to the promoter, without the sender's details."""

    made: list[Referral]
    received: list[Referral]
    made_count: int
    received_count: int


def project_referrals(*, project: Project, latest: int = 20) -> ProjectReferrals:
    """The ``latest`` referrals of the project's participants and received by its promoter.

    A received referral carries the sender's name, the date and whether the person came; its
    participant and reason (the sender's record) are deferred and must not be shown.
    """
    referrals = Referral.objects.select_related("from_organisation", "to_organisation")
    made = referrals.filter(participant__project=project).select_related("participant")
    received = referrals.filter(to_organisation=project.promoter_id).only(
        "referred_on", "taken_up", "from_organisation__name", "to_organisation__name"
    )
    return ProjectReferrals(
        made=list(made.order_by("-referred_on", "-pk")[:latest]),
        received=list(received.order_by("-referred_on", "-pk")[:latest]),
        made_count=made.count(),
        received_count=received.count(),
    )
