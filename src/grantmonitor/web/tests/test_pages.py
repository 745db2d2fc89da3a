"""The pages show the seed's figures, in Dutch by default and in English on request."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from grantmonitor.calls.models import Project, TargetGroup
from grantmonitor.kpis.models import Kpi, KpiKind, OutcomeSource, OutcomeStatus
from grantmonitor.kpis.services import (
    kpi_create,
    kpi_value_record,
    outcome_count_add,
    target_group_count_set,
)

NBSP = "\u00a0"


@pytest.fixture
def logged_in(client, demo):
    client.force_login(demo["users"]["kabinet"])
    return client


def _project(name):
    return Project.objects.get(name=name)


def _text(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "name, args",
    [
        ("web:home", []),
        ("web:call", [1]),
        ("web:project", [1]),
        ("web:project-chart", [1]),
        ("web:question", [1]),
        ("web:question-download", [1, "nl", "docx"]),
    ],
)
def test_anonymous_is_sent_to_login(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_dutch_and_logs_in(client, demo):
    page = _text(client.get(reverse("login")))
    assert '<html lang="nl">' in page
    assert "Gebruikersnaam" in page and "Wachtwoord" in page
    response = client.post(
        reverse("login"), {"username": "kabinet", "password": "grantmonitor-demo"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")


def test_wrong_password_is_refused_with_a_message(client, demo):
    page = _text(client.post(reverse("login"), {"username": "kabinet", "password": "fout"}))
    assert 'class="alert error"' in page
    assert "_auth_user_id" not in client.session


def test_home_lists_the_call(logged_in, demo):
    page = _text(logged_in.get(reverse("web:home")))
    assert "Stakeholdersplatform prestartersbegeleiding van doelgroepen" in page
    assert reverse("web:call", args=[demo["call"].pk]) in page
    assert reverse("web:question", args=[demo["question"].pk]) in page
    assert "nr. 418" in page and "nr. 788" in page


def test_call_page_shows_projects_dossier_state_achievement_and_money(logged_in, demo):
    page = _text(logged_in.get(reverse("web:call", args=[demo["call"].pk])))
    for name in ("Hefboom", "Stebo", "GTB"):
        assert reverse("web:project", args=[_project(name).pk]) in page
    assert "3 van 6 gefinancierde projecten geregistreerd" in page
    # Hefboom: 11 measurable KPIs, all reached; Stebo 10 of 10; GTB 2 of 2.
    assert "11 van 11 behaald" in page
    assert "10 van 10 behaald" in page
    assert "2 van 2 behaald" in page
    assert f"€{NBSP}300.000,00" in page
    assert f"€{NBSP}299.168,12" in page
    assert f"€{NBSP}831,88" in page
    assert f"€{NBSP}203.045,14" in page
    assert f"€{NBSP}21.943,86" in page
    assert page.count("bij de dienst Inspectie") == 1  # GTB only
    assert page.count(">afgesloten<") == 2  # Hefboom and Stebo
    assert reverse("web:question", args=[demo["question"].pk]) in page
    assert "Schriftelijke vraag nr. 418" in page


def test_project_page_shows_the_kpi_table_with_breakdowns_and_verdicts(logged_in, demo):
    page = _text(logged_in.get(reverse("web:project", args=[_project("Stebo").pk])))
    assert "Aantal bereikte prestarters" in page
    assert ">400<" in page and ">1.347<" in page
    assert "337%" in page  # 1.347 of 400
    assert "Via infosessies" in page and ">767<" in page
    assert 'class="depth-1' in page  # breakdown rows are indented
    assert "behaald" in page and "niet behaald" not in page
    assert "De rijen hieronder tellen op tot dit cijfer." in page
    assert "warning-row" not in page  # the seed's sums hold
    assert f"€{NBSP}224.989,00" in page
    assert reverse("web:project-chart", args=[_project("Stebo").pk]) in page


def test_project_page_flags_a_breakdown_that_does_not_add_up(logged_in, demo):
    themes = Kpi.objects.get(name="Via themasessies")
    kpi_value_record(kpi=themes, value=99)  # 767 + 99 + 320 + 101 + 61 = 1.348, not 1.347
    page = _text(logged_in.get(reverse("web:project", args=[_project("Stebo").pk])))
    assert page.count('class="warning-row"') == 1
    assert "1.348" in page


def test_project_page_shows_increase_ratio_and_of_which(logged_in, demo):
    page = _text(logged_in.get(reverse("web:project", args=[_project("Hefboom").pk])))
    assert "Jongeren" in page and "Tweede kans ondernemers" in page
    assert "227%" in page  # 59 of 26
    assert "+220%" in page  # from 5 to 16 a year
    assert "1 op 4" in page and "1 op 2" in page
    assert "ism met Dyzo" in page
    assert "Samenwerking tussen Hefboom en Dyzo" in page
    assert "doorverwijzingen naar elkaar" in page  # the narrative
    assert "Dyzo" in page.split("Partnerorganisaties", 1)[1]


def test_gtb_page_shows_target_groups_outcomes_and_dossier_history(logged_in, demo):
    page = _text(logged_in.get(reverse("web:project", args=[_project("GTB").pk])))
    for figure in ("441", "276", "239", "39", "27", "117", "81", "124", "152", "91", "46"):
        assert f">{figure}<" in page, figure
    assert "Maak werk van je zaak" in page
    assert "Personen met een arbeidshandicap" in page
    assert "30 september 2017" in page
    # Dossier history: opened, final report in, with the inspection service; no money yet.
    history = page.split("Dossiergeschiedenis", 1)[1]
    assert history.count("<tr>") == 4  # header + 3 steps
    assert "bij de dienst Inspectie" in history
    assert "1 maart 2018" in history
    assert "Dirk Dossierbehandelaar" in history  # the actor


def test_chart_is_an_svg_of_the_project(logged_in, demo):
    response = logged_in.get(reverse("web:project-chart", args=[_project("Hefboom").pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Hefboom" in svg


def test_unknown_pages_are_not_found(logged_in, demo):
    assert logged_in.get(reverse("web:call", args=[9999])).status_code == 404
    assert logged_in.get(reverse("web:project", args=[9999])).status_code == 404
    assert logged_in.get(reverse("web:question", args=[9999])).status_code == 404
    question = demo["question"].pk
    url = reverse("web:question-download", args=[question, "nl", "exe"])
    assert logged_in.get(url).status_code == 404
    url = reverse("web:question-download", args=[question, "fr", "pdf"])
    assert logged_in.get(url).status_code == 404


def test_language_switch_gives_english_headings(logged_in, demo):
    call_url = reverse("web:call", args=[demo["call"].pk])
    response = logged_in.post(
        reverse("set_language"), {"language": "en", "next": call_url}, follow=True
    )
    page = _text(response)
    assert '<html lang="en">' in page
    assert "<h2>Projects</h2>" in page
    assert "Dossier status" in page
    assert "11 of 11 achieved" in page
    assert "with the inspection service" in page
    assert "€299,168.12" in page
    project = _text(logged_in.get(reverse("web:project", args=[_project("Stebo").pk])))
    assert "Key performance indicators" in project and "1,347" in project
    assert "achieved" in project


def test_question_page_shows_header_sub_questions_answer_and_downloads(logged_in, demo):
    question = demo["question"]
    page = _text(logged_in.get(reverse("web:question", args=[question.pk])))
    assert "Schriftelijke vraag nr. 418" in page
    assert "Güler Turan" in page and "Philippe Muyters" in page
    assert "23 maart 2018" in page
    assert "vraag nr. 788 van 30 augustus 2017" in page
    assert "Kan de minister een stand van zaken geven" in page
    answer = page.split('class="answer-body"', 1)[1]
    assert "Beide dossiers zijn ondertussen gecontroleerd door inspectie" in answer
    for figure in ("1.347", "767", "59", f"€{NBSP}299.168,12", f"€{NBSP}21.943,86"):
        assert figure in answer, figure
    for language in ("nl", "en"):
        for fmt in ("docx", "pdf", "md", "html"):
            assert reverse("web:question-download", args=[question.pk, language, fmt]) in page


@pytest.mark.parametrize(
    "language, fmt, content_type, prefix",
    [
        (
            "nl",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK\x03\x04",
        ),
        ("en", "docx", None, b"PK\x03\x04"),
        ("nl", "pdf", "application/pdf", b"%PDF-"),
        ("en", "pdf", "application/pdf", b"%PDF-"),
    ],
)
def test_binary_downloads(logged_in, demo, language, fmt, content_type, prefix):
    url = reverse("web:question-download", args=[demo["question"].pk, language, fmt])
    response = logged_in.get(url)
    assert response.status_code == 200
    if content_type:
        assert response["Content-Type"] == content_type
    assert response.content.startswith(prefix)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f".{fmt}" in disposition


@pytest.mark.parametrize(
    "language, fmt, expected",
    [
        ("nl", "md", "299.168,12"),
        ("en", "md", "299,168.12"),
        ("nl", "html", "1.347"),
        ("en", "html", "1,347"),
    ],
)
def test_text_downloads(logged_in, demo, language, fmt, expected):
    url = reverse("web:question-download", args=[demo["question"].pk, language, fmt])
    response = logged_in.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith({"md": "text/markdown", "html": "text/html"}[fmt])
    assert expected in response.content.decode()


def test_hostile_names_show_as_text(logged_in, demo):
    from grantmonitor.kpis.models import KpiKind
    from grantmonitor.kpis.services import kpi_create

    stebo = _project("Stebo")
    kpi_create(project=stebo, name="<script>alert(1)</script>", kind=KpiKind.COUNT, order=9)
    page = _text(logged_in.get(reverse("web:project", args=[stebo.pk])))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_earlier_question_without_sub_questions_has_a_page(logged_in, demo):
    earlier = demo["question"].refers_to
    page = _text(logged_in.get(reverse("web:question", args=[earlier.pk])))
    assert "Schriftelijke vraag nr. 788" in page
    assert "30 augustus 2017" in page


def test_dutch_first_whatever_the_browser_asks(logged_in, demo):
    call_url = reverse("web:call", args=[demo["call"].pk])
    page = _text(logged_in.get(call_url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"))
    assert '<html lang="nl">' in page
    assert "€\xa0299.168,12" in page


@pytest.fixture
def three_young(demo):
    """Hefboom reaches 20 people, of whom 3 young people and 17 aged 50 and over."""
    hefboom = _project("Hefboom")
    kpi = kpi_create(
        project=hefboom, name="Bereikte deelnemers", kind=KpiKind.COUNT, objective_value=D(10)
    )
    kpi_value_record(kpi=kpi, value=D(20))
    target_group_count_set(kpi=kpi, target_group=TargetGroup.objects.get(code="young"), count=3)
    fifty = TargetGroup.objects.get(code="aged_50_plus")
    target_group_count_set(kpi=kpi, target_group=fifty, count=17)
    outcome_count_add(
        kpi=kpi, status=OutcomeStatus.SELF_EMPLOYED, count=2, source=OutcomeSource.RECORD
    )
    outcome_count_add(
        kpi=kpi, status=OutcomeStatus.OTHER_PATH, count=18, source=OutcomeSource.RECORD
    )
    return hefboom


def _population(client, demo, username, project):
    client.force_login(demo["users"][username])
    page = _text(client.get(reverse("web:project", args=[project.pk])))
    start = page.index("<h3>Bereikte deelnemers: 20</h3>")
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize(
    ("username", "young", "fifty", "started", "not_started"),
    [
        ("kabinet", "&lt; 5", "≥ 5", "&lt; 5", "≥ 5"),
        ("promotor", "3", "17", "2", "18"),
        ("dossierbehandelaar", "3", "17", "2", "18"),
    ],
)
def test_the_cabinet_sees_small_counts_of_people_as_published(
    client, demo, three_young, username, young, fifty, started, not_started
):
    section = _population(client, demo, username, three_young)
    assert f'<td>Jongeren (&lt; 28 jaar)</td><td class="num">{young}</td>' in section
    assert f'<td>Vijftigplussers</td><td class="num">{fifty}</td>' in section
    assert f'<td class="num">{started}</td>' in section
    assert f'<td class="num">{not_started}</td>' in section


def test_the_cabinet_is_told_why_and_the_funder_is_not(client, demo, three_young):
    url = reverse("web:project", args=[three_young.pk])
    client.force_login(demo["users"]["kabinet"])
    assert "Aantallen personen van 1 tot 4 staan er als" in _text(client.get(url))
    client.force_login(demo["users"]["dossierbehandelaar"])
    assert "Aantallen personen van 1 tot 4 staan er als" not in _text(client.get(url))


def _kpi_row(page, name):
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def test_a_small_realised_count_is_hidden_with_its_achievement_and_chart_bar(client, demo):
    hefboom = _project("Hefboom")
    kpi = kpi_create(
        project=hefboom, name="Bereikte deelnemers", kind=KpiKind.COUNT, objective_value=D(2)
    )
    kpi_value_record(kpi=kpi, value=D(3))
    target_group_count_set(kpi=kpi, target_group=TargetGroup.objects.get(code="young"), count=3)
    client.force_login(demo["users"]["kabinet"])
    page = _text(client.get(reverse("web:project", args=[hefboom.pk])))
    row = page[
        page.index("Bereikte deelnemers") : page.index("</tr>", page.index("Bereikte deelnemers"))
    ]
    assert "<td>&lt; 5</td>" in row
    assert '<td class="num"></td>' in row, "150% would tell 3 from the objective of 2"
    chart = _text(client.get(reverse("web:project-chart", args=[hefboom.pk])))
    assert "Bereikte deelnemers" not in chart
    client.force_login(demo["users"]["promotor"])
    page = _text(client.get(reverse("web:project", args=[hefboom.pk])))
    row = page[
        page.index("Bereikte deelnemers") : page.index("</tr>", page.index("Bereikte deelnemers"))
    ]
    assert "<td>3</td>" in row
    assert '<td class="num">150%</td>' in row
