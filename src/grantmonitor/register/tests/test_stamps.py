"""A project's figures are kept under its stamp: every write to what they are drawn from moves
the stamp of that project alone, whichever way it is written, and the project page shows the
change at once; every other table moves the shared stamp, or is listed as shown nowhere."""

import datetime
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from grantmonitor.calls.models import Project
from grantmonitor.dossiers.services import dossier_open
from grantmonitor.kpis.services import kpi_value_record, measure_definition_revise
from grantmonitor.organisations.models import Organisation
from grantmonitor.register import batch
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Characteristic,
    CharacteristicCode,
    OutcomeSource,
    OutcomeStatus,
    Participant,
    ProjectWrite,
    ReachedKind,
    TrajectoryKind,
)
from grantmonitor.register.selectors import (
    characteristic_label,
    kpis_target_groups,
    project_stamps,
)
from grantmonitor.register.services import (
    activity_record,
    attendance_record,
    attendance_remove,
    characteristic_record,
    credit_application_record,
    organisation_presence_record,
    organisation_reached_record,
    outcome_record,
    participant_register,
    referral_record,
    trajectory_start,
)
from grantmonitor.register.stamps import STAMPED, shared_models
from grantmonitor.register.tests import factories

DAY = datetime.date(2018, 3, 5)
MIGRATION = CharacteristicCode.MIGRATION_BACKGROUND


class Register:
    """Two projects of one call, each with a KPI counting its attendees, one participant who
    attended one activity, and a second participant who did not."""

    def __init__(self) -> None:
        call = factories.project().call
        self.project, self.other = (factories.project(call=call) for _ in range(2))
        self.kpi = factories.bound_kpi(self.project, {"count": "attendees"})
        factories.bound_kpi(self.other, {"count": "attendees"})
        self.organisation = factories.organisation()
        self.participant, self.absent = (
            participant_register(project=self.project, registered_on=DAY, birth_year=1990)
            for _ in range(2)
        )
        self.activity = activity_record(
            project=self.project,
            kind=ActivityKind.INFO_SESSION,
            date=DAY,
            organiser=self.project.promoter,
            participants=[self.participant],
        )

    def stamps(self) -> tuple[int, int]:
        stamps = project_stamps(project_ids=[self.project.pk, self.other.pk])
        return stamps.of(self.project.pk), stamps.of(self.other.pk)


#: One write of each kind, through the services and behind them.
WRITES = {
    "participant registered": lambda r: participant_register(
        project=r.project, registered_on=DAY, characteristics=[MIGRATION]
    ),
    "characteristic recorded": lambda r: characteristic_record(
        participant=r.participant, code=MIGRATION, recorded_on=DAY
    ),
    "activity with a partner": lambda r: activity_record(
        project=r.project,
        kind=ActivityKind.TRAINING,
        date=DAY,
        organiser=r.project.promoter,
        partners=[r.organisation],
    ),
    "attendance recorded": lambda r: attendance_record(activity=r.activity, participant=r.absent),
    "attendance removed": lambda r: attendance_remove(
        activity=r.activity, participant=r.participant
    ),
    "organisation present": lambda r: organisation_presence_record(
        activity=r.activity, organisation=r.organisation
    ),
    "trajectory started": lambda r: trajectory_start(
        participant=r.participant, kind=TrajectoryKind.INDIVIDUAL_GUIDANCE, start_date=DAY
    ),
    "credit applied for": lambda r: credit_application_record(
        participant=r.participant, applied_on=DAY, amount=D("5000.00"), lender=r.organisation
    ),
    "referral": lambda r: referral_record(
        participant=r.participant,
        from_organisation=r.project.promoter,
        to_organisation=r.organisation,
        referred_on=DAY,
    ),
    "organisation reached": lambda r: organisation_reached_record(
        project=r.project,
        organisation=r.organisation,
        kind=ReachedKind.FIELD_ORGANISATION,
        reached_on=DAY,
    ),
    "outcome observed": lambda r: outcome_record(
        participant=r.participant,
        observed_on=DAY,
        status=OutcomeStatus.SELF_EMPLOYED,
        source=OutcomeSource.RECORD,
    ),
    "participants copied in (batch)": lambda r: batch.participants_write(
        [
            batch.participant_build(project=r.project, registered_on=DAY, reference=reference)
            for reference in ("B-1", "B-2")  # two rows of one project in one statement
        ]
    ),
    "birth years updated in bulk": lambda r: Participant.objects.filter(project=r.project).update(
        birth_year=1960
    ),
    "characteristic deleted in bulk": lambda r: Characteristic.objects.filter(
        participant__project=r.project
    ).delete(),
    "activity moved": lambda r: Activity.objects.filter(pk=r.activity.pk).update(
        date=DAY + datetime.timedelta(days=1)
    ),
    "project period changed": lambda r: Project.objects.filter(pk=r.project.pk).update(
        end_date=DAY
    ),
    "measure revised": lambda r: measure_definition_revise(
        definition=r.kpi.measure.definition, spec={"count": "participants"}
    ),
    "KPI value recorded": lambda r: kpi_value_record(kpi=r.kpi, value=D(12)),
    "dossier opened": lambda r: dossier_open(project=r.project, allocated_amount=D("1000.00")),
}


@pytest.mark.postgres
@pytest.mark.parametrize("write", WRITES)
def test_every_write_moves_the_stamp_of_its_own_project_only(
    postgres_only, transactional_db, write
):
    register = Register()
    if write == "characteristic deleted in bulk":
        characteristic_record(participant=register.participant, code=MIGRATION, recorded_on=DAY)
    before, other = register.stamps()
    WRITES[write](register)
    after, other_after = register.stamps()
    assert after != before, f"{write}: the project's stamp did not move"
    assert other_after == other, f"{write}: another project's stamp moved"


@pytest.mark.postgres
def test_every_table_has_the_triggers_its_kind_of_stamp_needs(postgres_only, db):
    """A new table moves the shared stamp unless it is listed in ``register.stamps``; its
    triggers come from a migration that installs them again (as ``register/0005`` does)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        triggers = {name for (name,) in cursor.fetchall()}
    own = {apps.get_model(app, name)._meta.db_table for app, name, _path in STAMPED}
    shared = {model._meta.db_table for model in shared_models(apps)}
    missing = sorted(
        f"{table}_{kind}_{operation}"
        for tables, kind in ((own, "stamp"), (shared, "shared"))
        for table in tables
        for operation in ("insert", "update", "delete")
        if f"{table}_{kind}_{operation}" not in triggers
    )
    assert missing == []
    assert "calls_call" in shared and "calls_project" in shared & own
    assert "register_attendance" not in shared and "audit_event" not in shared | own


@pytest.mark.postgres
def test_a_project_written_often_keeps_a_row_and_counts_every_write(
    postgres_only, transactional_db
):
    register = Register()
    before, _other = register.stamps()
    for year in range(1990, 1996):  # six transactions
        Participant.objects.filter(pk=register.absent.pk).update(birth_year=year)
    assert register.stamps()[0] == before + 6
    assert ProjectWrite.objects.filter(project_id=register.project.pk).count() == 1
    shared = project_stamps(project_ids=[]).shared
    for name in ("Eén", "Twee", "Drie"):
        Organisation.objects.filter(pk=register.organisation.pk).update(name=name)
    assert project_stamps(project_ids=[]).shared == shared + 3
    assert ProjectWrite.objects.filter(project_id=None).count() == 1


@pytest.mark.postgres
def test_a_registration_leaves_the_shared_stamp(postgres_only, transactional_db):
    """Writes to one project keep every other project's and call's pages."""
    register = Register()
    before = project_stamps(project_ids=[register.project.pk]).shared
    attendance_record(activity=register.activity, participant=register.absent)
    participant_register(project=register.project, registered_on=DAY, characteristics=[MIGRATION])
    assert project_stamps(project_ids=[register.project.pk]).shared == before


@pytest.mark.postgres
def test_a_write_counts_once_it_is_committed_and_never_if_rolled_back(
    postgres_only, transactional_db
):
    register = Register()
    before, _other = register.stamps()
    with transaction.atomic():
        attendance_record(activity=register.activity, participant=register.absent)
        # its own write not committed yet: nothing to keep figures under
        assert project_stamps(project_ids=[register.project.pk]) is None
        transaction.set_rollback(True)
    assert register.stamps()[0] == before
    with transaction.atomic():  # three statements, one transaction
        attendance_record(activity=register.activity, participant=register.absent)
        characteristic_record(participant=register.absent, code=MIGRATION, recorded_on=DAY)
    assert register.stamps()[0] == before + 1


@pytest.mark.postgres
def test_unchanged_target_groups_are_read_in_one_query(
    postgres_only, transactional_db, django_assert_num_queries
):
    register = Register()
    first = kpis_target_groups(kpis=[register.kpi])
    with django_assert_num_queries(1):
        assert kpis_target_groups(kpis=[register.kpi]) == first
    characteristic_record(participant=register.participant, code=MIGRATION, recorded_on=DAY)
    assert kpis_target_groups(kpis=[register.kpi])[register.kpi.pk].counts[MIGRATION] == 1


def test_the_project_page_shows_a_characteristic_written_behind_the_services(
    client, transactional_db, demo
):
    """Committed writes, as a web server sees them (on PostgreSQL, where the page keeps the
    figures under the stamp)."""
    register = Register()
    characteristic_record(
        participant=register.participant, code=CharacteristicCode.LOW_EDUCATED, recorded_on=DAY
    )
    client.force_login(demo["users"]["dossierbehandelaar"])
    url = reverse("web:project", args=[register.project.pk])
    with translation.override("nl"):
        migration = f'<tr><td>{characteristic_label(MIGRATION)}</td><td class="num">1</td></tr>'

    def page() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    assert migration not in page()
    assert migration not in page()  # kept, and the same
    Characteristic.objects.create(participant=register.participant, code=MIGRATION, recorded_on=DAY)
    assert migration in page()
