"""A synthetic register, consistent with the seed, generated in bulk.

At scale 1 it records for Hefboom, Stebo and GTB the people, activities, trajectories,
credit applications, referrals, organisations reached and outcomes from which the KPI engine
computes exactly the realised values the minister reported (1.347 pre-starters reached, 276
trajectories of which 239 with an occupational disability, credit applications of young
people up from 5 to 16 a year, ...), and binds the demo KPIs to the measure definitions that
count them. Each larger scale adds ``10 × scale`` synthetic projects in a second call, each
with about a thousand people and ten thousand attendance rows, for benchmarks.

The seed gives no project periods, so the demo projects keep none; the records are dated as
if Hefboom and Stebo ran from September 2013 to February 2017 (42 months) and GTB until
August 2017, and Hefboom's definitions name those windows explicitly, because its register
also holds the credit applications of the years before the project (the baseline).

Rows are written with ``bulk_create`` in large batches (the services validate one record at
a time and recompute after each); the people each call reached are counted once the rows are
in (:mod:`grantmonitor.register.reach`), and the KPIs are recomputed once at the end.
"""

import datetime
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.services import call_create, project_create
from grantmonitor.common import bulk
from grantmonitor.demo.seed import CALL_TITLE, load_demo
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import Kpi, KpiKind, MeasureDefinition, OutcomeSource, OutcomeStatus
from grantmonitor.kpis.services import kpi_create, kpi_measure_bind, measure_definition_create
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.services import organisation_create
from grantmonitor.register import pseudonyms, reach
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    Characteristic,
    CharacteristicCode,
    CreditApplication,
    CreditDecision,
    FollowUpOutcome,
    OrganisationPresence,
    OrganisationReached,
    Participant,
    ReachedKind,
    Referral,
    Trajectory,
    TrajectoryKind,
)

SYNTH_CALL_TITLE = "Synthetisch register (benchmark)"
PROJECTS_PER_SCALE = 10

D = datetime.date
PROJECT_START = D(2013, 9, 1)
PROJECT_END = D(2017, 2, 28)  # 42 months, as the call ran 3,5 years
GTB_END = D(2017, 8, 31)  # GTB ran longer than the others
GTB_SURVEY = D(2017, 9, 30)  # a month after the end; "eind september"

HEFBOOM_WINDOW = {"start": "2013-09-01", "end": "2017-02-28"}
FULL_YEARS = {"start": "2014-01-01", "end": "2016-12-31"}  # the project's whole calendar years
BASELINE = {"start": "2010-01-01", "end": "2012-12-31"}

K = ActivityKind
STEBO_PEOPLE_KINDS = [
    K.INFO_SESSION,
    K.THEME_SESSION,
    K.INDIVIDUAL_CONTACT,
    K.INDIVIDUAL_GUIDANCE,
    K.COLLECTIVE_GUIDANCE,
]
STEBO_ACTIVITY_KINDS = [
    K.INFO_SESSION,
    K.THEME_SESSION,
    K.INDIVIDUAL_GUIDANCE,
    K.COLLECTIVE_GUIDANCE,
]
SECOND_CHANCE_SESSIONS = {
    "activity_kind": [K.INFO_SESSION, K.TRAINING],
    "audience": "second_chance",
}


def _measure(count: str, window=None, **filters) -> dict:
    spec = {"count": count, "filters": filters}
    if window is not None:
        spec["window"] = window
    return spec


def _per_year(measure: dict) -> dict:
    return {"combine": "change", "measure": measure, "baseline": BASELINE, "per_year": True}


#: (project, KPI name, definition code, spec) for every quantitative KPI of the seed.
DEMO_DEFINITIONS: list[tuple[str, str, str, dict]] = [
    (
        "Hefboom",
        "Aantal jonge kandidaat-ondernemers die effectief een kredietaanvraag doen bij "
        "Impulskrediet",
        "young-credit-applicants",
        _measure("credit_applicants", HEFBOOM_WINDOW, characteristics=["young"]),
    ),
    (
        "Hefboom",
        "Aantal organisaties die deel uitmaken van een netwerk dat op structurele wijze "
        "geïnformeerd wordt over Impulskrediet",
        "network-organisations",
        _measure("organisations_reached", HEFBOOM_WINDOW, reached_kind=[ReachedKind.NETWORK]),
    ),
    (
        "Hefboom",
        "Aantal jonge kandidaat-ondernemers die starten in een begeleidingstraject dat "
        "speciaal voor dit traject werd uitgewerkt",
        "young-in-designed-trajectory",
        _measure(
            "participants_in_trajectory",
            HEFBOOM_WINDOW,
            trajectory_kind=[TrajectoryKind.DESIGNED_FOR_PROJECT],
            characteristics=["young"],
        ),
    ),
    (
        "Hefboom",
        "Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar).",
        "young-credit-applications-per-year",
        _per_year(_measure("credit_applications", FULL_YEARS, characteristics=["young"])),
    ),
    (
        "Hefboom",
        "Infosessies of aanwezigheid bij events specifiek gericht tot jongeren",
        "youth-sessions",
        _measure(
            "activities", HEFBOOM_WINDOW, activity_kind=[K.INFO_SESSION, K.EVENT], audience="young"
        ),
    ),
    (
        "Hefboom",
        "Conversieratio (= aantal ontvangen aanvragen van jongeren / effectief goedgekeurde "
        "kredieten van jongeren)",
        "young-credit-conversion",
        {
            "combine": "ratio",
            "numerator": _measure(
                "credit_applications",
                HEFBOOM_WINDOW,
                characteristics=["young"],
                decision=[CreditDecision.APPROVED],
            ),
            "denominator": _measure(
                "credit_applications", HEFBOOM_WINDOW, characteristics=["young"]
            ),
            "as": "one_in",
        },
    ),
    (
        "Hefboom",
        "Deelnemers aan info- en opleidingssessies (personeel, de vrijwilligers en andere "
        "betrokkenen beschikken over de nodige kennis en informatie om gefailleerden bij te "
        "staan)",
        "second-chance-session-attendees",
        _measure("attendees", HEFBOOM_WINDOW, **SECOND_CHANCE_SESSIONS),
    ),
    (
        "Hefboom",
        "Aanwezige organisaties (stakeholders van Impulskrediet en Dyzo) op info-en "
        "opleidingssessies",
        "second-chance-organisations-present",
        _measure("organisations_present", HEFBOOM_WINDOW, **SECOND_CHANCE_SESSIONS),
    ),
    (
        "Hefboom",
        "Collectieve begeleidingsactiviteiten (info- en opleidingssessies)",
        "second-chance-sessions",
        _measure("activities", HEFBOOM_WINDOW, **SECOND_CHANCE_SESSIONS),
    ),
    (
        "Hefboom",
        "ism met Dyzo",
        "second-chance-sessions-with-dyzo",
        _measure("activities", HEFBOOM_WINDOW, **SECOND_CHANCE_SESSIONS, partner="Dyzo"),
    ),
    (
        "Hefboom",
        "Individuele begeleidingstrajecten",
        "second-chance-guidance-trajectories",
        _measure(
            "trajectories",
            HEFBOOM_WINDOW,
            trajectory_kind=[TrajectoryKind.INDIVIDUAL_GUIDANCE],
            characteristics=["second_chance"],
        ),
    ),
    (
        "Hefboom",
        "Er is een stijging in het aantal verleende kredieten aan gefailleerden",
        "second-chance-credit-applications-per-year",
        _per_year(_measure("credit_applications", FULL_YEARS, characteristics=["second_chance"])),
    ),
    (
        "Stebo",
        "Aantal bereikte prestarters",
        "prestarters-reached",
        _measure("attendees", activity_kind=STEBO_PEOPLE_KINDS),
    ),
    *[
        (
            "Stebo",
            name,
            f"prestarters-via-{kind.replace('_', '-')}",
            _measure("attendees", activity_kind=[kind]),
        )
        for name, kind in [
            ("Via infosessies", K.INFO_SESSION),
            ("Via themasessies", K.THEME_SESSION),
            ("Individuele contacten", K.INDIVIDUAL_CONTACT),
        ]
    ],
    (
        "Stebo",
        "Aantal bereikte ondernemingen, entiteiten, onderwijsinstellingen, …",
        "organisations-reached",
        _measure("organisations_reached"),
    ),
    *[
        (
            "Stebo",
            name,
            f"organisations-reached-{kind.replace('_', '-')}",
            _measure("organisations_reached", reached_kind=[kind]),
        )
        for name, kind in [
            ("Hogescholen, universiteiten, CVO’s, …", ReachedKind.HIGHER_EDUCATION),
            ("Organisaties in het werkveld", ReachedKind.FIELD_ORGANISATION),
            (
                "Bedrijven die opgestart zijn via project en terug contact zoeken",
                ReachedKind.COMPANY_STARTED,
            ),
        ]
    ],
    (
        "Stebo",
        "Aantal begeleidingsactiviteiten",
        "guidance-activities",
        _measure("activities", activity_kind=STEBO_ACTIVITY_KINDS),
    ),
    *[
        (
            "Stebo",
            name,
            f"activities-{kind.replace('_', '-')}",
            _measure("activities", activity_kind=[kind]),
        )
        for name, kind in [
            ("Infosessies", K.INFO_SESSION),
            ("Themasessies", K.THEME_SESSION),
        ]
    ],
    (
        "GTB",
        "Klanten die minstens een kort kennismakingsgesprek rond ondernemerschap hebben",
        "introductory-interviews",
        _measure("attendees", activity_kind=[K.INDIVIDUAL_CONTACT]),
    ),
    (
        "GTB",
        "Klanten die effectief starten met een traject naar ondernemerschap",
        "started-towards-entrepreneurship",
        _measure(
            "participants_in_trajectory", trajectory_kind=[TrajectoryKind.TOWARDS_ENTREPRENEURSHIP]
        ),
    ),
]
#: Names used by both a people KPI and an activities KPI of Stebo: (parent name, kind).
STEBO_SHARED_CHILDREN = [
    ("Individuele begeleiding", K.INDIVIDUAL_GUIDANCE),
    ("Collectieve begeleiding", K.COLLECTIVE_GUIDANCE),
]


@dataclass
class Report:
    scale: int
    projects: int = 0
    participants: int = 0
    attendances: int = 0
    values_stored: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


class SynthError(Exception):
    """The register cannot be generated as asked (e.g. it is there already)."""


class _Rows:
    """Register rows waiting to be inserted in bulk, in an order that respects the keys."""

    def __init__(self, rng: random.Random, *, issued: dict[int, int] | None = None) -> None:
        self.rng = rng
        self.participants: list[Participant] = []
        self.characteristics: list[Characteristic] = []
        self.activities: list[Activity] = []
        self.partners: list[tuple[Activity, Organisation]] = []
        self.attendances: list[tuple[Activity, Participant]] = []
        self.presences: list[OrganisationPresence] = []
        self.trajectories: list[Trajectory] = []
        self.credits: list[CreditApplication] = []
        self.referrals: list[Referral] = []
        self.reached: list[OrganisationReached] = []
        self.outcomes: list[FollowUpOutcome] = []
        self.issued = issued or {}  # INSZ numbers handed out so far, per birth year

    def date(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def insz(self, birth_year: int) -> str:
        """A valid national register number, unique per call of this generator.

        Numbered per birth year (day of birth × serial): 363.905 people per year of birth.
        """
        index = self.issued.get(birth_year, 0)
        if index >= 365 * 997:
            raise ValueError(f"no national numbers left for people born in {birth_year}")
        self.issued[birth_year] = index + 1
        born = D(birth_year, 1, 1) + datetime.timedelta(days=(index // 997) % 365)
        body = int(f"{born:%y%m%d}{index % 997 + 1:03d}")
        check = 97 - ((body + (2_000_000_000 if birth_year >= 2000 else 0)) % 97)
        return f"{body:09d}{check:02d}"

    def person(
        self,
        project: Project,
        registered_on: datetime.date,
        birth_year: int,
        characteristics: Iterable[str] = (),
        *,
        insz: str | None = None,
        identified: bool = True,
    ) -> Participant:
        if identified and insz is None:
            insz = self.insz(birth_year)
        participant = Participant(
            project=project,
            person_key=pseudonyms.person_key(insz) if insz else "",
            birth_year=birth_year,
            gender=self.rng.choice("fmfmx" if identified else "fm"),
            registered_on=registered_on,
        )
        participant.insz = insz  # kept in memory only, to register the same person elsewhere
        self.participants.append(participant)
        for code in characteristics:
            self.characteristics.append(
                Characteristic(participant=participant, code=code, recorded_on=registered_on)
            )
        return participant

    def activity(
        self,
        project: Project,
        kind: str,
        date: datetime.date,
        organiser: Organisation,
        attendees: Iterable[Participant] = (),
        *,
        audience: str = "",
        partners: Iterable[Organisation] = (),
        present: Iterable[Organisation] = (),
    ) -> Activity:
        activity = Activity(
            project=project, kind=kind, date=date, organiser=organiser, audience=audience
        )
        self.activities.append(activity)
        attendees = list({id(person): person for person in attendees}.values())
        for person in attendees:
            person.registered_on = min(person.registered_on, date)  # intake before attending
        self.partners.extend((activity, partner) for partner in partners)
        self.attendances.extend((activity, person) for person in attendees)
        self.presences.extend(
            OrganisationPresence(activity=activity, organisation=org) for org in set(present)
        )
        return activity

    def spread(
        self,
        project: Project,
        kind: str,
        people: list[Participant],
        sessions: int,
        organiser: Organisation,
        start: datetime.date,
        end: datetime.date,
        *,
        repeat: float = 0.2,
        **activity_kwargs,
    ) -> list[Activity]:
        """``sessions`` activities attended by exactly ``people`` (each at least once)."""
        groups: list[list[Participant]] = [[] for _ in range(sessions)]
        shuffled = self.rng.sample(people, len(people))
        for index, person in enumerate(shuffled):
            groups[index % sessions].append(person)
        for person in shuffled[: int(len(shuffled) * repeat)]:
            groups[self.rng.randrange(sessions)].append(person)
        return [
            self.activity(project, kind, self.date(start, end), organiser, group, **activity_kwargs)
            for group in groups
        ]

    def credit(
        self,
        person: Participant,
        applied_on: datetime.date,
        lender: Organisation,
        decision: str,
    ) -> None:
        decided_on = (
            None
            if decision == CreditDecision.PENDING
            else applied_on + datetime.timedelta(days=self.rng.randint(5, 40))
        )
        amount = Decimal(self.rng.randrange(2_500, 25_000, 500))
        self.credits.append(
            CreditApplication(
                participant=person,
                applied_on=applied_on,
                amount=amount,
                lender=lender,
                decision=decision,
                decided_on=decided_on,
            )
        )

    def flush(self) -> None:
        """Insert everything waiting, then start empty."""
        through = Activity.partners.through
        bulk.insert(Participant, self.participants)
        bulk.insert(Characteristic, self.characteristics)
        bulk.insert(Activity, self.activities)
        _bulk_pairs(through, ("activity_id", "organisation_id"), self.partners)
        _bulk_pairs(Attendance, ("activity_id", "participant_id"), self.attendances)
        bulk.insert(OrganisationPresence, self.presences)
        bulk.insert(Trajectory, self.trajectories)
        bulk.insert(CreditApplication, self.credits)
        bulk.insert(Referral, self.referrals)
        bulk.insert(OrganisationReached, self.reached)
        bulk.insert(FollowUpOutcome, self.outcomes)
        self.__init__(self.rng, issued=self.issued)


def _bulk_pairs(model, columns: tuple[str, str], pairs: list[tuple]) -> None:
    """Insert link rows from pairs of saved objects without building a model per row."""
    bulk.insert_values(model, list(columns), ((left.pk, right.pk) for left, right in pairs))


def _organisations(prefix: str, count: int) -> list[Organisation]:
    existing = {o.name: o for o in Organisation.objects.filter(name__startswith=prefix)}
    return [
        existing.get(name) or organisation_create(name=name)
        for name in (f"{prefix} {index:03d}" for index in range(1, count + 1))
    ]


def _demo_projects() -> dict[str, Project]:
    call = Call.objects.filter(title=CALL_TITLE).first()
    if call is None:
        load_demo()
        call = Call.objects.get(title=CALL_TITLE)
    projects = {p.name: p for p in call.projects.filter(name__in=["Hefboom", "Stebo", "GTB"])}
    if Participant.objects.filter(project__in=projects.values()).exists():
        raise SynthError("The demo projects already have a register; start from an empty database.")
    return projects


def _hefboom(rows: _Rows, project: Project, shared: list[Participant]) -> None:
    rng = rows.rng
    hefboom = project.promoter
    dyzo = Organisation.objects.get(name="Dyzo")
    young_track = [
        *[(p.insz, p.birth_year) for p in shared],
        *[(None, rng.randint(1990, 1995)) for _ in range(59 - len(shared))],
    ]
    young = [rows.person(project, PROJECT_START, year, insz=insz) for insz, year in young_track]
    # 64 applications by the 59 (five applied twice): 48 in the whole years 2014-2016 (16 a
    # year), 8 in the autumn of 2013 and 8 early in 2017; half of them approved (1 in 2).
    applicants = young + rng.sample(young, 5)
    rng.shuffle(applicants)
    dates = (
        [rows.date(D(2013, 9, 1), D(2013, 12, 31)) for _ in range(8)]
        + [
            rows.date(D(year, 1, 1), D(year, 12, 31))
            for year in (2014, 2015, 2016)
            for _ in range(16)
        ]
        + [rows.date(D(2017, 1, 1), D(2017, 2, 28)) for _ in range(8)]
    )
    decisions = [CreditDecision.APPROVED] * 32 + [CreditDecision.REFUSED] * 32
    rng.shuffle(decisions)
    for person, applied_on, decision in zip(applicants, dates, decisions, strict=True):
        rows.credit(person, max(applied_on, person.registered_on), hefboom, decision)
    # the baseline: 15 applications by other young people in 2010-2012, 5 a year
    for year in (2010, 2011, 2012):
        for _ in range(5):
            person = rows.person(project, D(year, 1, 1), rng.randint(1985, 1988))
            rows.credit(person, rows.date(D(year, 1, 2), D(year, 12, 31)), hefboom, "approved")
    for person in rng.sample(young, 20):
        rows.trajectories.append(
            Trajectory(
                participant=person,
                kind=TrajectoryKind.DESIGNED_FOR_PROJECT,
                start_date=rows.date(D(2014, 7, 1), D(2016, 6, 30)),
                end_date=rows.date(D(2016, 7, 1), PROJECT_END),
            )
        )
    for _ in range(13):
        sample = rng.sample(young, rng.randint(4, 12))
        kind = rng.choice([K.INFO_SESSION, K.EVENT])
        rows.activity(
            project, kind, rows.date(PROJECT_START, PROJECT_END), hefboom, sample, audience="young"
        )
    for organisation in _organisations("Netwerkpartner Impulskrediet", 10):
        rows.reached.append(
            OrganisationReached(
                project=project,
                organisation=organisation,
                kind=ReachedKind.NETWORK,
                reached_on=rows.date(PROJECT_START, PROJECT_END),
            )
        )

    # Second chance: 446 staff and volunteers of stakeholders at 17 sessions, 15 with Dyzo,
    # 20 organisations present.
    staff = [
        rows.person(project, PROJECT_START, rng.randint(1955, 1990), identified=False)
        for _ in range(446)
    ]
    stakeholders = [*_organisations("Stakeholder tweede kans", 18), hefboom, dyzo]
    sessions = rows.spread(
        project,
        K.INFO_SESSION,
        staff,
        17,
        hefboom,
        PROJECT_START,
        PROJECT_END,
        audience="second_chance",
    )
    for index, session in enumerate(sessions):
        session.kind = K.TRAINING if index % 3 == 2 else K.INFO_SESSION
        present = [stakeholders[index], stakeholders[(index + 1) % 20]]
        if index == 16:
            present += stakeholders[17:]
        rows.presences.extend(
            OrganisationPresence(activity=session, organisation=o) for o in set(present)
        )
        if index < 15:
            rows.partners.append((session, dyzo))
    # bankrupt former entrepreneurs: 23 in individual guidance; applications 36 in 2014-2016
    # (12 a year) against 15 in 2010-2012 (5 a year)
    bankrupt = [
        rows.person(
            project,
            rows.date(PROJECT_START, D(2014, 12, 31)),
            rng.randint(1955, 1980),
            [CharacteristicCode.SECOND_CHANCE],
        )
        for _ in range(30)
    ]
    for person in bankrupt[:23]:
        rows.trajectories.append(
            Trajectory(
                participant=person,
                kind=TrajectoryKind.INDIVIDUAL_GUIDANCE,
                start_date=rows.date(D(2015, 1, 1), D(2016, 6, 30)),
            )
        )
    for year in (2014, 2015, 2016):
        for _ in range(12):
            person = rng.choice(bankrupt)
            applied_on = max(rows.date(D(year, 1, 1), D(year, 12, 31)), person.registered_on)
            rows.credit(person, applied_on, hefboom, rng.choice(["approved", "refused"]))
    for year in (2010, 2011, 2012):
        for _ in range(5):
            person = rows.person(
                project, D(year, 1, 1), rng.randint(1955, 1980), [CharacteristicCode.SECOND_CHANCE]
            )
            rows.credit(person, rows.date(D(year, 1, 2), D(year, 12, 31)), hefboom, "approved")
    for person in bankrupt[:14]:
        source, target = (hefboom, dyzo) if rng.random() < 0.6 else (dyzo, hefboom)
        rows.referrals.append(
            Referral(
                participant=person,
                from_organisation=source,
                to_organisation=target,
                referred_on=rows.date(D(2015, 1, 1), PROJECT_END),
                reason="Tweede kans",
                taken_up=rng.random() < 0.8,
            )
        )


def _stebo(rows: _Rows, project: Project) -> list[Participant]:
    """1.347 pre-starters in five disjoint groups; returns some info-session people to share."""
    rng = rows.rng
    stebo = project.promoter

    def people(count: int) -> list[Participant]:
        return [
            rows.person(project, rows.date(PROJECT_START, D(2016, 12, 31)), rng.randint(1960, 1996))
            for _ in range(count)
        ]

    sizes = [767, 98, 320, 101, 61]
    groups = {kind: people(n) for kind, n in zip(STEBO_PEOPLE_KINDS, sizes, strict=True)}
    for kind, sessions in [(K.INFO_SESSION, 49), (K.THEME_SESSION, 13)]:
        rows.spread(project, kind, groups[kind], sessions, stebo, PROJECT_START, PROJECT_END)
    for kind in (K.INDIVIDUAL_CONTACT, K.INDIVIDUAL_GUIDANCE):
        for person in groups[kind]:
            rows.activity(project, kind, rows.date(PROJECT_START, PROJECT_END), stebo, [person])
    rows.spread(
        project,
        K.COLLECTIVE_GUIDANCE,
        groups[K.COLLECTIVE_GUIDANCE],
        61,
        stebo,
        PROJECT_START,
        PROJECT_END,
        repeat=1.5,
    )
    for kind, count in [
        (ReachedKind.HIGHER_EDUCATION, 9),
        (ReachedKind.FIELD_ORGANISATION, 14),
        (ReachedKind.COMPANY_STARTED, 15),
    ]:
        for organisation in _organisations(f"Stebo {kind.value}", count):
            rows.reached.append(
                OrganisationReached(
                    project=project,
                    organisation=organisation,
                    kind=kind,
                    reached_on=rows.date(PROJECT_START, PROJECT_END),
                )
            )
    return [p for p in groups[K.INFO_SESSION] if p.birth_year >= 1990][:40]


def _gtb(rows: _Rows, project: Project, shared: list[Participant], stebo: Organisation) -> None:
    rng = rows.rng
    gtb = project.promoter
    clients = [
        rows.person(
            project,
            rows.date(PROJECT_START, D(2016, 12, 31)),
            year,
            insz=insz,
        )
        for insz, year in [
            *[(p.insz, p.birth_year) for p in shared],
            *[(None, rng.randint(1968, 1990)) for _ in range(441 - len(shared))],
        ]
    ]
    for person in clients:
        rows.activity(project, K.INDIVIDUAL_CONTACT, person.registered_on, gtb, [person])
    starters = rng.sample(clients, 276)
    older = rng.sample([p for p in starters if p.insz not in {s.insz for s in shared}], 39)
    for person in older:
        person.birth_year = rng.randint(1950, 1962)
    for code, count in [
        (CharacteristicCode.OCCUPATIONAL_DISABILITY, 239),
        (CharacteristicCode.MIGRATION_BACKGROUND, 27),
        (CharacteristicCode.LONG_TERM_UNEMPLOYED, 117),
        (CharacteristicCode.LOW_EDUCATED, 81),
    ]:
        for person in rng.sample(starters, count):
            rows.characteristics.append(
                Characteristic(participant=person, code=code, recorded_on=person.registered_on)
            )
    for person in starters:
        rows.trajectories.append(
            Trajectory(
                participant=person,
                kind=TrajectoryKind.TOWARDS_ENTREPRENEURSHIP,
                start_date=rows.date(person.registered_on, D(2017, 3, 31)),
                end_date=GTB_END,
            )
        )
    programme = rng.sample(starters, 124)
    chosen = {id(person) for person in programme}
    for person in starters:
        rows.outcomes.append(
            FollowUpOutcome(
                participant=person,
                observed_on=GTB_SURVEY,
                status=OutcomeStatus.STARTED_PROGRAMME
                if id(person) in chosen
                else OutcomeStatus.OTHER_PATH,
                programme="Maak werk van je zaak" if id(person) in chosen else "",
                source=OutcomeSource.SURVEY,
            )
        )
    working = rng.sample(starters, 91 + 46)
    for index, person in enumerate(working):
        rows.outcomes.append(
            FollowUpOutcome(
                participant=person,
                observed_on=GTB_SURVEY,
                status=OutcomeStatus.SELF_EMPLOYED if index < 91 else OutcomeStatus.EMPLOYEE,
                source=OutcomeSource.SURVEY,
            )
        )
    for person in rng.sample(clients, 12):
        rows.referrals.append(
            Referral(
                participant=person,
                from_organisation=gtb,
                to_organisation=stebo,
                referred_on=rows.date(D(2015, 1, 1), D(2016, 12, 31)),
                reason="Oriëntatie op ondernemerschap",
                taken_up=rng.random() < 0.7,
            )
        )


def _bind_demo(projects: dict[str, Project]) -> None:
    existing = {d.code: d for d in MeasureDefinition.objects.all()}
    kpis = {
        (k.project.name, k.name): k
        for k in Kpi.objects.filter(project__in=projects.values()).select_related("project")
    }
    stebo_reached = kpis[("Stebo", "Aantal bereikte prestarters")]
    stebo_activities = kpis[("Stebo", "Aantal begeleidingsactiviteiten")]
    for name, kind in STEBO_SHARED_CHILDREN:
        slug = kind.replace("_", "-")
        for parent, code, spec in [
            (stebo_reached, f"prestarters-via-{slug}", _measure("attendees", activity_kind=[kind])),
            (stebo_activities, f"activities-{slug}", _measure("activities", activity_kind=[kind])),
        ]:
            kpi = parent.children.get(name=name)
            _bind(kpi, code, spec, existing)
    for project_name, kpi_name, code, spec in DEMO_DEFINITIONS:
        kpi = kpis.get((project_name, kpi_name))
        if kpi is None:
            raise SynthError(f"The demo has no KPI “{kpi_name}” in {project_name}.")
        _bind(kpi, code, spec, existing)


def _bind(kpi: Kpi, code: str, spec: dict, existing: dict[str, MeasureDefinition]) -> None:
    definition = existing.get(code)
    if definition is None:
        definition = measure_definition_create(code=code, name=kpi.name[:300], spec=spec)
        existing[code] = definition
    kpi_measure_bind(kpi=kpi, definition=definition)


def _scaled(rows: _Rows, count: int, report: Report) -> list[Project]:
    """``count`` synthetic projects with about 1.000 people and 10.000 attendances each."""
    rng = rows.rng
    call = Call.objects.filter(title=SYNTH_CALL_TITLE).first() or call_create(
        title=SYNTH_CALL_TITLE, number_of_projects=count, duration_months=42
    )
    promoters = _organisations("Synthetische promotor", count)
    definitions = {
        d.code: d
        for d in MeasureDefinition.objects.filter(
            code__in=[
                "prestarters-reached",
                "guidance-activities",
                "prestarters-via-info-session",
            ]
        )
    }
    projects = []
    pool: list[tuple[str, int]] = []  # people who come back in another project
    for index, promoter in enumerate(promoters, start=1):
        project = project_create(
            call=call,
            name=f"Synth {index:04d}",
            promoter=promoter,
            start_date=PROJECT_START,
            end_date=PROJECT_END,
            order=index,
        )
        projects.append(project)
        _scaled_kpis(project, definitions)
        people, here = [], set()
        for _ in range(1000):
            insz, year = pool[rng.randrange(len(pool))] if pool else (None, 0)
            if insz is None or insz in here or rng.random() >= 0.05:
                year = rng.randint(1955, 1998)
                insz = rows.insz(year)
                pool.append((insz, year))
            here.add(insz)
            registered_on = rows.date(PROJECT_START, D(2014, 12, 31))
            people.append(rows.person(project, registered_on, year, insz=insz))
        for kind, sessions in [
            (K.INFO_SESSION, 40),
            (K.THEME_SESSION, 20),
            (K.COLLECTIVE_GUIDANCE, 40),
        ]:
            for _ in range(sessions):
                rows.activity(
                    project,
                    kind,
                    rows.date(D(2015, 1, 1), PROJECT_END),
                    promoter,
                    rng.sample(people, 100),
                )
        report.participants += len(people)
        report.attendances += 100 * 100
        if len(rows.attendances) >= 200_000:
            rows.flush()
    rows.flush()
    return projects


def _scaled_kpis(project: Project, definitions: dict[str, MeasureDefinition]) -> None:
    for order, (name, code) in enumerate(
        [
            ("Aantal bereikte prestarters", "prestarters-reached"),
            ("Via infosessies", "prestarters-via-info-session"),
            ("Aantal begeleidingsactiviteiten", "guidance-activities"),
        ],
        start=1,
    ):
        kpi = kpi_create(
            project=project,
            name=name,
            kind=KpiKind.COUNT,
            order=order,
            objective_value=Decimal(100 * order),
        )
        kpi_measure_bind(kpi=kpi, definition=definitions[code])


def synth(*, scale: int = 1, seed: int = 418, projects: int | None = None) -> Report:
    """Generate the synthetic register and recompute every bound KPI.

    ``projects``: the number of synthetic projects, instead of ``10 × scale`` (none at scale 1).
    """
    if scale < 1:
        raise SynthError("The scale is a whole number of at least 1.")
    count = projects if projects is not None else (PROJECTS_PER_SCALE * scale if scale > 1 else 0)
    report = Report(scale=scale)
    rng = random.Random(seed)  # noqa: S311 -- synthetic data, not a secret
    clock = time.perf_counter()
    with transaction.atomic():
        projects = _demo_projects()
        rows = _Rows(rng)
        shared = _stebo(rows, projects["Stebo"])
        _gtb(rows, projects["GTB"], shared, projects["Stebo"].promoter)
        _hefboom(rows, projects["Hefboom"], shared[:15])
        report.participants = len(rows.participants)
        report.attendances = len(rows.attendances)
        rows.flush()
        reach.people_refresh(calls={project.call_id for project in projects.values()})
        _bind_demo(projects)
        report.projects = 3
        report.values_stored += engine.recompute_all(projects=projects.values())
    report.seconds["demo"] = time.perf_counter() - clock
    if count:
        clock = time.perf_counter()
        with transaction.atomic():
            scaled = _scaled(_Rows(rng), count, report)
            counting = time.perf_counter()
            reach.people_refresh(calls={project.call_id for project in scaled})
            report.seconds["people"] = time.perf_counter() - counting
        report.seconds["generate"] = time.perf_counter() - clock - report.seconds["people"]
        clock = time.perf_counter()
        report.projects += len(scaled)
        report.values_stored += engine.recompute_all(projects=scaled)
        report.seconds["recompute"] = time.perf_counter() - clock
    return report
