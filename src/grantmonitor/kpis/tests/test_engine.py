"""The KPI engine on small hand-made registers whose answers are known."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from grantmonitor.kpis import definitions, engine
from grantmonitor.kpis.models import KpiKind, KpiValue, ValueSource
from grantmonitor.kpis.services import kpi_measure_bind, measure_definition_revise
from grantmonitor.register import services
from grantmonitor.register.models import (
    ActivityKind,
    CharacteristicCode,
    CreditDecision,
    TrajectoryKind,
)
from grantmonitor.register.selectors import call_people, call_referrals, kpi_target_groups
from grantmonitor.register.tests import factories

D = datetime.date
pytestmark = pytest.mark.django_db


def _current(kpi, period_start=None):
    values = KpiValue.objects.filter(kpi=kpi).order_by("-recorded_at", "-pk")
    if period_start is None:
        return values.filter(period_start__isnull=True).first()
    return values.filter(period_start=period_start).first()


def _person(project, **kwargs):
    kwargs.setdefault("registered_on", D(2014, 1, 1))
    return services.participant_register(project=project, **kwargs)


def _session(project, kind, date, people, **kwargs):
    return services.activity_record(
        project=project,
        kind=kind,
        date=date,
        organiser=project.promoter,
        participants=people,
        **kwargs,
    )


class TestDistinctPeople:
    def test_parent_counts_each_person_once_children_may_overlap(self):
        project = factories.project()
        parent = factories.bound_kpi(
            project,
            {"count": "attendees", "filters": {"activity_kind": ["info_session", "theme_session"]}},
        )
        info = factories.bound_kpi(
            project, {"count": "attendees", "filters": {"activity_kind": ["info_session"]}}
        )
        theme = factories.bound_kpi(
            project, {"count": "attendees", "filters": {"activity_kind": ["theme_session"]}}
        )
        a, b, c = (_person(project) for _ in range(3))
        _session(project, ActivityKind.INFO_SESSION, D(2014, 3, 1), [a, b])
        _session(project, ActivityKind.INFO_SESSION, D(2014, 4, 1), [a])
        _session(project, ActivityKind.THEME_SESSION, D(2014, 5, 1), [b, c])
        assert _current(info).value == 2  # a twice is one person
        assert _current(theme).value == 2
        assert _current(parent).value == 3  # b in both is one person: 3, not 2 + 2

    def test_activities_and_organisations_present_with_a_partner_filter(self):
        project = factories.project()
        dyzo = factories.organisation("Dyzo")
        sessions = factories.bound_kpi(project, {"count": "activities"})
        with_dyzo = factories.bound_kpi(
            project, {"count": "activities", "filters": {"partner": "dyzo"}}
        )
        present = factories.bound_kpi(project, {"count": "organisations_present"})
        other = factories.organisation()
        _session(
            project,
            ActivityKind.TRAINING,
            D(2014, 2, 1),
            [],
            partners=[dyzo],
            organisations_present=[dyzo, other],
        )
        _session(project, ActivityKind.TRAINING, D(2014, 3, 1), [], organisations_present=[other])
        assert (_current(sessions).value, _current(with_dyzo).value) == (2, 1)
        assert _current(present).value == 2


class TestWindowsAndYears:
    def test_both_window_ends_are_inclusive(self):
        project = factories.project()
        kpi = factories.bound_kpi(
            project,
            {"count": "activities", "window": {"start": "2014-01-01", "end": "2014-12-31"}},
        )
        for day in (D(2013, 12, 31), D(2014, 1, 1), D(2014, 12, 31), D(2015, 1, 1)):
            _session(project, ActivityKind.EVENT, day, [])
        assert _current(kpi).value == 2

    def test_the_project_period_is_the_default_window_and_years_are_cut_to_it(self):
        project = factories.project(start=D(2014, 9, 1), end=D(2015, 2, 28))
        kpi = factories.bound_kpi(project, {"count": "activities"})
        for day in (D(2014, 9, 1), D(2014, 12, 1), D(2015, 2, 28)):
            _session(project, ActivityKind.EVENT, day, [])
        assert _current(kpi).value == 3
        y2014 = _current(kpi, D(2014, 9, 1))
        y2015 = _current(kpi, D(2015, 1, 1))
        assert (y2014.period_end, y2014.value) == (D(2014, 12, 31), 2)
        assert (y2015.period_end, y2015.value) == (D(2015, 2, 28), 1)

    def test_attendees_per_year_and_in_all_over_a_period_of_three_years(self):
        project = factories.project(start=D(2014, 9, 1), end=D(2016, 6, 30))
        everyone = factories.bound_kpi(project, {"count": "attendees"})
        info = factories.bound_kpi(
            project, {"count": "attendees", "filters": {"activity_kind": ["info_session"]}}
        )
        a, b, c, d = (_person(project) for _ in range(4))
        _session(project, ActivityKind.INFO_SESSION, D(2014, 9, 1), [a, b])
        _session(project, ActivityKind.THEME_SESSION, D(2015, 3, 1), [a, c, d])
        _session(project, ActivityKind.INFO_SESSION, D(2016, 6, 30), [c])

        def figures(kpi):
            return [
                _current(kpi, start).value
                for start in (None, D(2014, 9, 1), D(2015, 1, 1), D(2016, 1, 1))
            ]

        assert figures(everyone) == [4, 2, 3, 1]  # a in two years is one person in all
        assert figures(info) == [3, 2, 0, 1]  # none in 2015, d never

    def test_a_project_without_period_has_no_window_check(self):
        project = factories.project()
        kpi = factories.bound_kpi(project, {"count": "activities"})
        _session(project, ActivityKind.EVENT, D(1999, 1, 1), [])
        _session(project, ActivityKind.EVENT, D(2030, 1, 1), [])
        assert _current(kpi).value == 2
        assert _current(kpi, D(1999, 1, 1)).value == 1

    def test_years_in_a_window(self):
        assert engine.years_in(definitions.Window(D(2013, 9, 1), D(2017, 2, 28))) == Decimal("3.5")
        assert engine.years_in(definitions.Window(D(2014, 1, 1), D(2016, 12, 31))) == 3
        assert engine.years_in(definitions.Window(D(2014, 1, 1), None)) is None


class TestCombinations:
    def _applications(self, project, young, older):
        for person, year, decision in [
            (young, 2010, CreditDecision.APPROVED),
            (young, 2011, CreditDecision.REFUSED),
            (young, 2014, CreditDecision.APPROVED),
            (young, 2014, CreditDecision.REFUSED),
            (young, 2015, CreditDecision.REFUSED),
            (young, 2015, CreditDecision.REFUSED),
            (older, 2015, CreditDecision.APPROVED),
            (young, 2016, CreditDecision.APPROVED),
        ]:
            services.credit_application_record(
                participant=person,
                applied_on=D(year, 3, 1),
                amount=Decimal("1000"),
                lender=project.promoter,
                decision=decision,
                decided_on=D(year, 4, 1),
            )

    def test_increase_ratio_and_average_against_a_baseline_with_age_at_the_date(self):
        project = factories.project(start=D(2014, 1, 1), end=D(2015, 12, 31))
        young_apps = {"count": "credit_applications", "filters": {"characteristics": ["young"]}}
        increase = factories.bound_kpi(
            project,
            {
                "combine": "change",
                "measure": young_apps,
                "baseline": {"start": "2010-01-01", "end": "2011-12-31"},
                "per_year": True,
            },
            kind=KpiKind.INCREASE,
        )
        ratio = factories.bound_kpi(
            project,
            {
                "combine": "ratio",
                "numerator": {
                    "count": "credit_applications",
                    "filters": {"characteristics": ["young"], "decision": ["approved"]},
                },
                "denominator": young_apps,
                "as": "one_in",
            },
            kind=KpiKind.RATIO,
        )
        average = factories.bound_kpi(
            project, {"combine": "average_per_year", "measure": {"count": "credit_applications"}}
        )
        in_2016 = factories.bound_kpi(
            project,
            {**young_apps, "window": {"start": "2016-01-01", "end": "2016-12-31"}},
        )
        # 26 and 27 in 2014 and 2015 (young), 28 in 2016: the age is taken at each application
        young = _person(project, birth_year=1988, registered_on=D(2009, 1, 1))
        older = _person(project, birth_year=1960, registered_on=D(2009, 1, 1))
        self._applications(project, young, older)
        assert _current(increase).figures.value == 2  # 4 in 2014-2015: 2 a year
        assert _current(increase).figures.baseline == 1  # 2 in 2010-2011: 1 a year
        assert _current(increase).figures.change_percent == 100
        assert (_current(ratio).numerator, _current(ratio).denominator) == (1, 4)
        assert _current(average).value == Decimal("2.5")  # 5 in two years
        assert _current(ratio, D(2015, 1, 1)).numerator is None  # no approval in 2015
        assert _current(in_2016).value == 0  # no longer under 28

    def test_recorded_characteristics_count_from_their_date(self):
        project = factories.project()
        kpi = factories.bound_kpi(
            project,
            {
                "count": "participants_in_trajectory",
                "filters": {"characteristics": ["second_chance"]},
            },
        )
        attendees = factories.bound_kpi(
            project, {"count": "attendees", "filters": {"characteristics": ["second_chance"]}}
        )
        person = _person(project, registered_on=D(2014, 1, 1))
        services.trajectory_start(
            participant=person, kind=TrajectoryKind.INDIVIDUAL_GUIDANCE, start_date=D(2014, 6, 1)
        )
        _session(project, ActivityKind.INFO_SESSION, D(2014, 5, 31), [person])
        assert _current(kpi).value == 0
        services.characteristic_record(
            participant=person, code=CharacteristicCode.SECOND_CHANCE, recorded_on=D(2014, 6, 1)
        )
        assert _current(kpi).value == 1  # the trajectory started the day it was recorded
        assert _current(attendees).value == 0  # the session was before it was recorded
        _session(project, ActivityKind.INFO_SESSION, D(2014, 6, 2), [person])
        assert _current(attendees).value == 1


class TestDefinitions:
    @pytest.fixture(autouse=True)
    def english(self):
        with translation.override("en"):
            yield

    @pytest.mark.parametrize(
        ("spec", "needle"),
        [
            ({"count": "people"}, "unknown countable “people”"),
            ({"count": "attendees", "colour": "red"}, "unknown field “colour”"),
            ({"count": "attendees", "filters": {"activity_kind": ["party"]}}, "“party”"),
            (
                {"count": "attendees", "filters": {"characteristics": ["tall"]}},
                "unknown value “tall”",
            ),
            ({"count": "activities", "filters": {"decision": ["approved"]}}, "unknown filter"),
            ({"count": "activities", "filters": {"activity_kind": []}}, "non-empty list"),
            (
                {"count": "activities", "window": {"start": "2015-01-01", "end": "2014-01-01"}},
                "divide by zero",
            ),
            ({"combine": "sum", "measure": {"count": "activities"}}, "unknown combination"),
            (
                {
                    "combine": "ratio",
                    "numerator": {"count": "activities"},
                    "denominator": {"count": "activities", "filters": {"audience": "tall"}},
                },
                "denominator.filters.audience",
            ),
        ],
    )
    def test_a_definition_that_cannot_be_computed_is_refused_with_its_path(self, spec, needle):
        with pytest.raises(ValidationError) as exc:
            definitions.validate(spec)
        assert needle in " ".join(exc.value.messages)

    def test_a_definition_must_fit_the_kpi_kind(self):
        project = factories.project()
        with pytest.raises(ValidationError) as exc:
            factories.bound_kpi(project, {"count": "activities"}, kind=KpiKind.RATIO)
        assert "cannot realise" in " ".join(exc.value.messages)

    def test_an_average_over_a_project_without_dates_is_refused(self):
        project = factories.project()
        with pytest.raises(ValidationError) as exc:
            factories.bound_kpi(
                project, {"combine": "average_per_year", "measure": {"count": "activities"}}
            )
        assert "start and end dates" in " ".join(exc.value.messages)

    def test_a_revision_is_a_new_version_and_the_value_says_which_it_used(self):
        project = factories.project()
        kpi = factories.bound_kpi(project, {"count": "activities"})
        _session(project, ActivityKind.EVENT, D(2014, 1, 1), [])
        _session(project, ActivityKind.TRAINING, D(2014, 2, 1), [])
        first = _current(kpi)
        definition = kpi.measure.definition
        version = measure_definition_revise(
            definition=definition,
            spec={"count": "activities", "filters": {"activity_kind": ["event"]}},
        )
        engine.kpi_recompute(kpi=kpi)
        second = _current(kpi)
        assert (first.value, first.definition_version.number) == (2, 1)
        assert (second.value, second.definition_version) == (1, version)
        assert second.source == ValueSource.COMPUTED
        with pytest.raises(ValidationError):
            measure_definition_revise(
                definition=definition, spec={"count": "trajectories"} | {"x": 1}
            )
        assert definition.versions.count() == 2

    def test_a_recompute_compares_with_the_latest_value_of_each_period(self):
        project = factories.project()
        kpi = factories.bound_kpi(project, {"count": "attendees"})
        a, b = _person(project), _person(project)
        session = _session(project, ActivityKind.INFO_SESSION, D(2014, 3, 1), [a])
        services.attendance_record(activity=session, participant=b)
        history = KpiValue.objects.filter(kpi=kpi, period_start__isnull=True)
        assert [v.value for v in history.order_by("recorded_at", "pk")] == [1, 2]
        assert engine.kpi_recompute(kpi=kpi) == []  # 2 is current, not the older 1
        services.attendance_remove(activity=session, participant=b)
        assert [v.value for v in history.order_by("recorded_at", "pk")] == [1, 2, 1]
        assert engine.kpi_recompute(kpi=kpi) == []

    def test_rebinding_keeps_one_binding(self):
        project = factories.project()
        kpi = factories.bound_kpi(project, {"count": "activities"})
        other = factories.bound_kpi(project, {"count": "trajectories"})
        kpi_measure_bind(kpi=kpi, definition=other.measure.definition)
        kpi.measure.refresh_from_db()
        assert kpi.measure.definition == other.measure.definition


def test_a_kpi_is_computed_in_a_fixed_number_of_queries_whatever_the_register_size():
    project = factories.project()
    kpi = factories.bound_kpi(
        project, {"count": "attendees", "filters": {"characteristics": ["young"]}}
    )
    people = [_person(project, birth_year=1995) for _ in range(3)]
    for month in range(1, 4):
        _session(project, ActivityKind.INFO_SESSION, D(2014, month, 1), people)

    spec = kpi.measure.definition.versions.get().spec

    def queries():
        with CaptureQueriesContext(connection) as context:
            engine.compute(spec, project=project)
        return len(context.captured_queries)

    small = queries()
    more = [_person(project, birth_year=1995) for _ in range(20)]
    for month in range(4, 13):
        _session(project, ActivityKind.INFO_SESSION, D(2015, month, 1), more)
    assert queries() == small == 1  # per year and the whole window, in one


def test_call_level_counts_a_person_once_across_projects_and_lists_referrals():
    first = factories.project()
    second = factories.project(call=first.call)
    insz = factories.valid_insz(D(1980, 2, 3), 11)
    people = {}
    for project in (first, second):
        people[project] = [
            _person(project, insz=insz),
            _person(project),  # no INSZ: counted once per row
        ]
        _session(project, ActivityKind.INFO_SESSION, D(2014, 5, 1), people[project])
    services.referral_record(
        participant=people[first][0],
        from_organisation=first.promoter,
        to_organisation=second.promoter,
        referred_on=D(2014, 6, 1),
        taken_up=True,
    )
    totals = call_people(call=first.call)
    assert (totals.distinct, totals.per_project_sum) == (3, 4)
    [row] = call_referrals(call=first.call)
    assert (row.from_organisation, row.to_organisation, row.referrals, row.taken_up) == (
        first.promoter.name,
        second.promoter.name,
        1,
        1,
    )


def test_target_groups_count_characteristics_and_their_combinations():
    project = factories.project()
    kpi = factories.bound_kpi(project, {"count": "participants"})
    D_, L, M = (
        CharacteristicCode.OCCUPATIONAL_DISABILITY,
        CharacteristicCode.LOW_EDUCATED,
        CharacteristicCode.MIGRATION_BACKGROUND,
    )
    for birth_year, codes in [
        (1990, [D_, L, M]),
        (1960, [D_, L]),
        (1980, [D_, L]),
        (1980, [D_]),
        (1980, []),
    ]:
        _person(project, birth_year=birth_year, registered_on=D(2014, 1, 1), characteristics=codes)
    table = kpi_target_groups(kpi=kpi)
    assert table.total == 5
    assert table.counts[D_] == 4 and table.counts[L] == 3 and table.counts[M] == 1
    assert table.counts["young"] == 1 and table.counts["aged_50_plus"] == 1
    # the person born 1990 is young too: four characteristics
    assert table.by_number == {0: 1, 1: 1, 2: 1, 3: 1, 4: 1}
    assert table.with_at_least(2) == 3
    assert ((D_, L), 1) in table.combinations


def test_the_years_as_bits_give_the_answers_of_a_row_per_year(postgres_only):
    project = factories.project(start=D(2013, 3, 1), end=D(2017, 2, 28))
    people = [_person(project) for _ in range(6)]
    kinds = [ActivityKind.INFO_SESSION, ActivityKind.THEME_SESSION, ActivityKind.TRAINING]
    for month in range(0, 48, 5):
        day = D(2013 + (2 + month) // 12, (2 + month) % 12 + 1, 1)
        _session(project, kinds[month % 3], day, people[month % 4 : month % 4 + 3])
    measures = [
        {"count": "attendees"},
        {"count": "attendees", "filters": {"activity_kind": ["info_session", "training"]}},
        {"count": "attendees", "filters": {"activity_kind": ["theme_session"]}},
    ]

    def answer(years):
        sql, params = engine._grouped_statement(measures, [project.pk], years)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return sorted(cursor.fetchall(), key=lambda row: (row[1] is None, row[1] or 0))

    as_bits = answer((2013, 2017))
    assert "BIT_OR" in engine._grouped_statement(measures, [project.pk], (2013, 2017))[0]
    assert as_bits == answer(None)  # a row per (project, year, person)
    assert [row[1] for row in as_bits] == [2013, 2014, 2015, 2016, None]
