"""The audit trail page: the funder's administrator only, filtered by user, object and date."""

import datetime
import html
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from grantmonitor.accounts import permissions
from grantmonitor.accounts.models import Role, User
from grantmonitor.audit.models import Event, EventAction
from grantmonitor.audit.services import record_event
from grantmonitor.questions.models import WrittenQuestion

AUDIT = reverse("web:audit")


def _at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, 3, day, 9, 30))


@pytest.fixture
def admin_client(client, demo):
    client.force_login(demo["users"]["beheerder"])
    return client


@pytest.mark.parametrize("username", ["dossierbehandelaar", "inspecteur", "promotor", "kabinet"])
def test_every_other_role_is_refused(client, demo, username):
    client.force_login(demo["users"][username])
    response = client.get(AUDIT)
    assert response.status_code == 403
    assert f'href="{AUDIT}"' not in client.get(reverse("web:home")).content.decode()


def test_a_visitor_is_sent_to_sign_in(client, db):
    assert client.get(AUDIT)["Location"].startswith(reverse("login"))


def test_the_role_not_the_superuser_flag_opens_the_trail(db):
    admin = User.objects.create_user("beheerder2", role=Role.FUNDER_ADMIN)
    handler = User.objects.create_user("behandelaar2", role=Role.CASE_HANDLER, is_staff=True)
    assert permissions.can_view_audit(admin) == permissions.Decision(
        True, "De beheerder van de financier leest de audittrail."
    )
    assert permissions.can_view_audit(handler) == permissions.Decision(
        False, "Alleen de beheerder van de financier leest de audittrail."
    )


def test_an_answer_download_is_recorded_as_an_export(client, demo):
    kabinet, question = demo["users"]["kabinet"], demo["question"]
    client.force_login(kabinet)
    url = reverse("web:question-download", args=[question.pk, "en", "md"])
    assert client.get(url, REMOTE_ADDR="198.51.100.4").status_code == 200

    export = Event.objects.get(action=EventAction.EXPORT)
    assert (export.actor, export.object_pk, export.object_repr) == (
        kabinet,
        str(question.pk),
        str(question),
    )
    assert export.detail == {"format": "md", "language": "en"}
    assert export.remote_addr == "198.51.100.4"


def test_a_refused_download_records_nothing(client, demo):
    client.force_login(demo["users"]["promotor"])
    url = reverse("web:question-download", args=[demo["question"].pk, "nl", "pdf"])
    assert client.get(url).status_code == 403
    assert not Event.objects.filter(action=EventAction.EXPORT).exists()


@pytest.fixture
def trail(demo):
    """Two exports by the cabinet on 4 and 6 March, a failed login on the 5th."""
    kabinet, question = demo["users"]["kabinet"], demo["question"]
    for day, fmt in ((4, "pdf"), (6, "docx")):
        event = record_event(
            actor=kabinet, action="export", target=question, detail={"format": fmt}
        )
        Event.objects.filter(pk=event.pk).update(timestamp=_at(day))
    failed = record_event(actor=None, action="login_failed", detail={"username": "kabinet"})
    Event.objects.filter(pk=failed.pk).update(timestamp=_at(5))
    return question


def _text(cell: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))


def _lines(response) -> list[str]:
    """The page's table rows as text: one string per row, cells joined by |."""
    body = response.content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S)
    return [
        "|".join(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S))
        for row in rows
    ]


def test_the_trail_in_dutch_newest_first_and_filtered_by_date(admin_client, trail):
    response = admin_client.get(AUDIT, {"since": "2024-03-04", "until": "2024-03-05"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Audittrail" in body
    assert _lines(response) == [
        "5-3-2024 09:30|—|mislukte aanmelding|—|username : kabinet|",
        f"4-3-2024 09:30|Karin Kabinet kabinet|export|Schriftelijke vraag #{trail.pk} {trail}"
        "|format : pdf|",
    ]


def test_filtered_by_user(admin_client, trail, demo):
    response = admin_client.get(AUDIT, {"user": demo["users"]["kabinet"].pk, "since": "2024-03-01"})
    assert [line.split("|")[0] for line in _lines(response)] == [
        "6-3-2024 09:30",
        "4-3-2024 09:30",
    ]


def test_filtered_by_object(admin_client, trail):
    question_type = ContentType.objects.get_for_model(WrittenQuestion).pk
    response = admin_client.get(
        AUDIT, {"object_type": question_type, "object_id": trail.pk, "action": "export"}
    )
    assert len(_lines(response)) == 2
    response = admin_client.get(AUDIT, {"object_type": question_type, "object_id": trail.pk + 99})
    assert "Niets in de audittrail" in response.content.decode()


def test_a_wrong_date_is_named_and_shows_nothing(admin_client, trail):
    response = admin_client.get(AUDIT, {"since": "gisteren"})
    body = response.content.decode()
    assert "Voer een geldige datum in" in body
    assert "<tbody>" not in body


def test_pages_of_fifty(admin_client, demo):
    for number in range(60):
        record_event(actor=None, action="login_failed", detail={"username": f"gast{number}"})
    response = admin_client.get(AUDIT)
    page = response.context["page"]
    assert page.paginator.per_page == 50
    assert page.paginator.count == 61  # and the administrator's own sign-in
    assert len(_lines(response)) == 50
    assert "pagina 1 van" in response.content.decode()


def test_a_hostile_user_name_is_shown_as_text(admin_client, db):
    record_event(
        actor=None, action="login_failed", detail={"username": "<script>alert(1)</script>"}
    )
    body = admin_client.get(AUDIT).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body
