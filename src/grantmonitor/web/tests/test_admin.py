"""The admin refuses impossible values with the model's message on the field, and saves nothing."""

import pytest
from django.conf import settings
from django.urls import reverse

from grantmonitor.kpis.models import Kpi, KpiValue
from grantmonitor.questions.models import WrittenQuestion


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["users"]["beheerder"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _empty_inlines(*prefixes):
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


KPI_INLINES = ("values", "target_group_counts", "outcome_counts")


def _kpi_form(project, **fields):
    data = {
        "project": str(project.pk),
        "track": "",
        "parent": "",
        "order": "9",
        "name": "Nieuwe KPI",
        "name_en": "",
        "kind": "count",
        "unit": "",
        "higher_is_better": "on",
        "objective_value": "",
        "objective_percent": "",
        "objective_numerator": "",
        "objective_denominator": "",
        "objective_text": "",
        "children_rule": "none",
        "note": "",
    }
    return data | fields | _empty_inlines(*KPI_INLINES)


def _field_errors(response, field):
    assert response.status_code == 200, "the form should be shown again, not saved"
    return [str(error) for error in response.context["adminform"].form.errors.get(field, [])]


def test_admin_lists_the_seed_kpis(admin_client):
    response = admin_client.get(reverse("admin:kpis_kpi_changelist"), {"q": "infosessies"})
    assert response.status_code == 200
    assert "Via infosessies" in response.content.decode()


def test_ratio_with_zero_denominator_is_refused_on_the_field(admin_client):
    stebo = Kpi.objects.get(name="Aantal bereikte prestarters").project
    before = Kpi.objects.count()
    response = admin_client.post(
        reverse("admin:kpis_kpi_add"),
        _kpi_form(stebo, kind="ratio", objective_numerator="1", objective_denominator="0"),
    )
    assert "A ratio's denominator must be greater than zero." in _field_errors(
        response, "objective_denominator"
    )
    assert Kpi.objects.count() == before


def test_parent_kpi_of_another_project_is_refused_on_the_field(admin_client):
    stebo_parent = Kpi.objects.get(name="Aantal bereikte prestarters")
    gtb_kpi = Kpi.objects.get(name="Bijdrage aan gelijke kansen")
    response = admin_client.post(
        reverse("admin:kpis_kpi_change", args=[gtb_kpi.pk]),
        _kpi_form(
            gtb_kpi.project,
            name=gtb_kpi.name,
            kind="qualitative",
            parent=str(stebo_parent.pk),
        ),
    )
    errors = _field_errors(response, "parent")
    assert errors == ["The parent KPI “Aantal bereikte prestarters” belongs to another project."]
    gtb_kpi.refresh_from_db()
    assert gtb_kpi.parent is None
    assert gtb_kpi.order == 4


def test_realised_number_on_a_qualitative_kpi_is_refused_in_the_inline(admin_client):
    kpi = Kpi.objects.get(name="Bijdrage aan gelijke kansen")
    data = _kpi_form(kpi.project, name=kpi.name, kind="qualitative", order=str(kpi.order))
    data |= {
        "values-TOTAL_FORMS": "1",
        "values-0-kpi": str(kpi.pk),
        "values-0-value": "5",
        "values-0-narrative": "Vijf keer.",
        "values-0-source": "reported",
        "values-0-recorded_at_0": "2018-03-01",
        "values-0-recorded_at_1": "10:00:00",
    }
    response = admin_client.post(reverse("admin:kpis_kpi_change", args=[kpi.pk]), data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert inline_errors["value"] == ["A KPI of kind “qualitative” takes no realised."]
    assert KpiValue.objects.filter(kpi=kpi).count() == 1


def test_duplicate_question_number_for_same_minister_and_session_is_refused(admin_client):
    before = WrittenQuestion.objects.count()
    data = {
        "number": "418",
        "session": "2017-2018",
        "date": "2018-04-02",
        "questioner": "Iemand Anders",
        "minister": "Philippe Muyters",
        "portfolio": "",
        "title": "Dubbel nummer",
        "text": "",
        "call": "",
        "refers_to": "",
        "answer_date": "",
    } | _empty_inlines("sub_questions")
    response = admin_client.post(reverse("admin:questions_writtenquestion_add"), data)
    assert response.status_code == 200
    assert (
        "This minister already has a question with this number in this session."
        in response.content.decode()
    )
    assert WrittenQuestion.objects.count() == before


def test_same_number_in_another_session_is_accepted(admin_client):
    data = {
        "number": "418",
        "session": "2018-2019",
        "date": "2018-11-02",
        "questioner": "Güler Turan",
        "minister": "Philippe Muyters",
    } | _empty_inlines("sub_questions")
    response = admin_client.post(reverse("admin:questions_writtenquestion_add"), data)
    assert response.status_code == 302
    assert WrittenQuestion.objects.filter(number=418).count() == 2


@pytest.mark.parametrize(
    "model",
    [
        "calls.call",
        "calls.project",
        "calls.targetgroup",
        "kpis.track",
        "kpis.kpi",
        "kpis.kpivalue",
        "kpis.targetgroupcount",
        "kpis.outcomecount",
        "questions.writtenquestion",
    ],
)
def test_admin_list_add_and_change_pages_open(admin_client, model):
    app_label, model_name = model.split(".")
    changelist = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = reverse(f"admin:{app_label}_{model_name}_change", args=[first.pk])
    assert admin_client.get(change).status_code == 200


def test_a_new_kpi_is_saved_then_its_first_value_recorded(admin_client):
    stebo = Kpi.objects.get(name="Aantal bereikte prestarters").project
    add = admin_client.get(reverse("admin:kpis_kpi_add"))
    assert "values-TOTAL_FORMS" not in add.content.decode()
    response = admin_client.post(
        reverse("admin:kpis_kpi_add"),
        _kpi_form(stebo, name="Aantal mentoren", objective_value="12"),
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get(name="Aantal mentoren")
    assert kpi.objective_value == 12
    data = _kpi_form(stebo, name="Aantal mentoren", objective_value="12")
    data |= {
        "values-TOTAL_FORMS": "1",
        "values-0-kpi": str(kpi.pk),
        "values-0-value": "14",
        "values-0-source": "reported",
        "values-0-recorded_at_0": "2018-03-01",
        "values-0-recorded_at_1": "10:00:00",
    }
    response = admin_client.post(reverse("admin:kpis_kpi_change", args=[kpi.pk]), data)
    assert response.status_code == 302
    value = kpi.values.get()
    assert value.value == 14
    assert value.recorded_by.username == "beheerder"
