"""The demo data is the seed: every figure of the answer to question 418 is in the database."""

from decimal import Decimal as D

from grantmonitor.calls.models import Call
from grantmonitor.dossiers.models import DossierStatus
from grantmonitor.dossiers.selectors import dossier_list
from grantmonitor.kpis.models import Kpi, OutcomeCount, TargetGroupCount
from grantmonitor.kpis.selectors import call_kpis
from grantmonitor.questions.models import Topic, WrittenQuestion


def _realised(project, name):
    return Kpi.objects.get(project__name=project, name=name).values.get()


def test_call_knows_it_had_six_projects_but_records_only_the_three_named(demo):
    call = Call.objects.get()
    assert call.number_of_projects == 6
    assert sorted(call.projects.values_list("name", flat=True)) == ["GTB", "Hefboom", "Stebo"]
    assert call.duration_months == 42
    assert call.target_groups.count() == 7


def test_every_numeric_realised_value_of_the_seed(demo):
    realised = sorted(
        int(row.realised.value)
        for table in call_kpis(call=Call.objects.get())
        for row in table.rows
        if row.realised.value is not None
    )
    hefboom = [59, 10, 20, 16, 13, 446, 20, 17, 15, 23, 12]  # counts and increases' averages
    stebo = [1347, 767, 98, 320, 101, 61, 38, 9, 14, 15, 224, 49, 13, 101, 61]
    gtb = [441, 276]
    assert realised == sorted([*hefboom, *stebo, *gtb])


def test_increase_and_ratio_kpis_keep_their_shape(demo):
    young_credits = _realised(
        "Hefboom", "Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar)."
    )
    assert (young_credits.baseline, young_credits.value) == (D(5), D(16))
    ratio = Kpi.objects.get(name__startswith="Conversieratio")
    assert (ratio.objective_numerator, ratio.objective_denominator) == (D(1), D(4))
    assert (ratio.values.get().numerator, ratio.values.get().denominator) == (D(1), D(2))


def test_gtb_outcomes_and_overlapping_target_groups(demo):
    started = Kpi.objects.get(project__name="GTB", name__startswith="Klanten die effectief")
    assert started.values.get().value == 276
    assert dict(
        TargetGroupCount.objects.filter(kpi=started).values_list("target_group__code", "count")
    ) == {
        "occupational_disability": 239,
        "aged_50_plus": 39,
        "migration_background": 27,
        "long_term_unemployed": 117,
        "low_educated": 81,
    }
    assert list(
        OutcomeCount.objects.filter(kpi=started).values_list("status", "count", "programme")
    ) == [
        ("started_programme", 124, "Maak werk van je zaak"),
        ("other_path", 152, ""),
        ("self_employed", 91, ""),
        ("employee", 46, ""),
    ]


def test_dossiers_states_and_money(demo):
    dossiers = {d.project.name: d for d in dossier_list()}
    assert dossiers["Hefboom"].current_status == DossierStatus.CLOSED
    assert dossiers["Stebo"].current_status == DossierStatus.CLOSED
    assert dossiers["GTB"].current_status == DossierStatus.WITH_INSPECTION
    assert (dossiers["Hefboom"].allocated_amount, dossiers["Hefboom"].net_amount) == (
        D("300000.00"),
        D("299168.12"),
    )
    assert dossiers["Hefboom"].difference == D("831.88")
    assert dossiers["Stebo"].difference == D("21943.86")
    assert dossiers["GTB"].net_amount is None and dossiers["GTB"].difference is None


def test_question_418_and_the_earlier_one(demo):
    question = WrittenQuestion.objects.get(number=418)
    assert (question.session, question.date.isoformat()) == ("2017-2018", "2018-03-23")
    assert question.refers_to.number == 788
    assert question.refers_to.date.isoformat() == "2017-08-30"
    assert [(s.number, s.topic) for s in question.sub_questions.all()] == [
        (1, Topic.INSPECTION_STATUS),
        (2, Topic.KPI_RESULTS),
        (3, Topic.FINANCING),
    ]
    assert sorted(question.sub_questions.get(number=1).projects.values_list("name", flat=True)) == [
        "Hefboom",
        "Stebo",
    ]


def test_loaddemo_prints_every_login_and_the_app_key_of_those_who_need_one(db):
    from io import StringIO

    from django.core.management import call_command

    from grantmonitor.accounts.models import User
    from grantmonitor.accounts.twofactor import app_device
    from grantmonitor.demo.seed import DEMO_TOTP_SECRET

    out = StringIO()
    call_command("loaddemo", stdout=out)
    printed = out.getvalue()
    assert "kabinet / grantmonitor-demo" in printed
    assert f"key of beheerder and inspecteur: {DEMO_TOTP_SECRET}" in printed
    assert app_device(User.objects.get(username="inspecteur")) is not None
    call_command("loaddemo", stdout=(again := StringIO()))
    assert "Demo data already loaded." in again.getvalue()
