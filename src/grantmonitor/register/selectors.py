"""Reads of the register: target groups of a population, outcomes, call-level figures.

Every function is a fixed number of aggregate queries; the target-group combinations are
grouped in SQL (one row per combination of characteristics), never built person by person.
"""

from dataclasses import dataclass, field

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
from grantmonitor.kpis.engine import call_distinct_people, kpi_population
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
    Referral,
    characteristic_codes,
)


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
    flags[DerivedCharacteristic.YOUNG] = ExpressionWrapper(
        Q(birth_year__gt=ExtractYear("registered_on") - YOUNG_BELOW_AGE),
        output_field=BooleanField(),
    )
    flags[DerivedCharacteristic.AGED_50_PLUS] = ExpressionWrapper(
        Q(birth_year__lte=ExtractYear("registered_on") - OLDER_FROM_AGE),
        output_field=BooleanField(),
    )
    return {f"has_{code}": expression for code, expression in flags.items()}


def target_groups(*, participants: QuerySet[Participant]) -> TargetGroups:
    """The characteristics of ``participants``: counts, numbers per person, combinations.

    Recorded characteristics count whenever they were recorded; ``young`` and ``aged_50_plus``
    are the age at the intake date.
    """
    flags = _flags()
    rows = (
        Participant.objects.filter(pk__in=participants.values("pk"))
        .annotate(**flags)
        .values(*flags)
        .annotate(people=Count("pk"))
        .order_by()
    )
    codes = characteristic_codes()
    counts = dict.fromkeys(codes, 0)
    by_number: dict[int, int] = {}
    combinations = []
    total = 0
    for row in rows:  # one row per combination present: at most 2 ** len(codes)
        present = tuple(code for code in codes if row[f"has_{code}"])
        total += row["people"]
        for code in present:
            counts[code] += row["people"]
        by_number[len(present)] = by_number.get(len(present), 0) + row["people"]
        if len(present) >= 2:
            combinations.append((present, row["people"]))
    combinations.sort(key=lambda item: (-item[1], item[0]))
    return TargetGroups(
        total=total,
        counts=dict(sorted(counts.items(), key=lambda item: -item[1])),
        by_number=dict(sorted(by_number.items())),
        combinations=combinations,
    )


def kpi_target_groups(*, kpi: Kpi) -> TargetGroups | None:
    """The target groups of the people a KPI counts; None when it counts no people."""
    population = kpi_population(kpi=kpi)
    return None if population is None else target_groups(participants=population)


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
