"""The composed answer to question 418, and answers to other questions, from the data."""

import datetime
from decimal import Decimal as D

import pytest

from grantmonitor.calls.services import call_create, project_create
from grantmonitor.documents.answer import compose_answer
from grantmonitor.dossiers.services import cost_statement_submit, dossier_open, inspection_start
from grantmonitor.kpis.models import KpiKind
from grantmonitor.kpis.services import kpi_create, kpi_value_record
from grantmonitor.organisations.services import organisation_create
from grantmonitor.questions.models import Topic

SEED_PART_1 = (
    "Beide dossiers zijn ondertussen gecontroleerd door inspectie en terug bij de "
    "dossierbehandelaar. In beide gevallen kon er overgegaan worden tot uitbetaling van een "
    "resterend saldo en kon hiermee het dossier worden afgesloten."
)


def texts(part) -> str:
    return " ".join(block.text for block in part.blocks if block.kind in ("paragraph", "note"))


def rows_by_name(table) -> dict[str, tuple]:
    return {row.cells[0]: row for row in table.rows if not row.heading}


@pytest.fixture
def answer(demo):
    return compose_answer(question=demo["question"], language="nl")


def test_header_is_worded_as_the_parliament_prints_it(answer):
    header = answer.header
    assert header.document_label == "SCHRIFTELIJKE VRAAG"
    assert header.number_line == "nr. 418"
    assert header.questioner_line == "van GÜLER TURAN"
    assert header.date_line == "datum: 23 maart 2018"
    assert header.addressee_lines == (
        "aan PHILIPPE MUYTERS",
        "VLAAMS MINISTER VAN WERK, ECONOMIE, INNOVATIE EN SPORT",
    )
    assert header.answer_label == "ANTWOORD"
    assert header.answer_lines == ("op vraag nr. 418 van 23 maart 2018", "van GÜLER TURAN")
    assert [number for number, _ in header.sub_questions] == [1, 2, 3]
    assert [part.number for part in answer.parts] == [1, 2, 3]


def test_part_1_says_what_the_minister_said_for_two_closed_dossiers(answer):
    assert [p.text for p in answer.part(1).paragraphs] == [SEED_PART_1]


def test_part_1_for_one_dossier(ask, projects):
    answer = compose_answer(question=ask(Topic.INSPECTION_STATUS, [projects["Stebo"]]))
    assert texts(answer.part(1)) == (
        "Het dossier van Stebo is ondertussen gecontroleerd door inspectie en terug bij de "
        "dossierbehandelaar. Daarna kon er overgegaan worden tot uitbetaling van een resterend "
        "saldo en kon hiermee het dossier worden afgesloten."
    )


def test_part_1_groups_dossiers_by_state(ask, projects):
    question = ask(Topic.INSPECTION_STATUS, projects.values())
    text = texts(compose_answer(question=question).part(1))
    assert text.startswith(
        "De dossiers van Hefboom en Stebo zijn ondertussen gecontroleerd door inspectie"
    )
    assert "In beide gevallen kon er overgegaan worden tot uitbetaling" in text
    assert text.endswith(
        "Het dossier van GTB ligt momenteel voor (financiële) controle bij de dienst Inspectie."
    )


def test_part_1_for_three_running_dossiers_and_one_without(ask):
    call = call_create(title="Andere oproep", number_of_projects=4)
    started = []
    for name in ("Alfa", "Beta", "Gamma", "Delta"):
        project = project_create(call=call, name=name, promoter=organisation_create(name=name))
        started.append(project)
    for project in started[:3]:
        dossier_open(
            project=project, allocated_amount=D("1000.00"), opened_on=datetime.date(2018, 1, 1)
        )
    text = texts(compose_answer(question=ask(Topic.INSPECTION_STATUS, started)).part(1))
    assert text.startswith(
        "De dossiers van Alfa, Beta en Gamma lopen nog; er is nog geen eindverslag ingediend."
    )
    assert text.endswith("Voor Delta is geen dossier geregistreerd.")

    only_running = texts(compose_answer(question=ask(Topic.INSPECTION_STATUS, started[:3])).part(1))
    assert only_running == "Alle 3 dossiers lopen nog; er is nog geen eindverslag ingediend."


def test_part_1_and_3_follow_a_dossier_along_its_path(ask):
    call = call_create(title="Nog een oproep", number_of_projects=1)
    project = project_create(call=call, name="Epsilon", promoter=organisation_create(name="Eps"))
    dossier = dossier_open(
        project=project, allocated_amount=D("5000.00"), opened_on=datetime.date(2018, 1, 1)
    )
    status = ask(Topic.INSPECTION_STATUS, [project])
    money = ask(Topic.FINANCING, [project])
    cost_statement_submit(dossier=dossier, on=datetime.date(2018, 2, 1))
    assert texts(compose_answer(question=status).part(1)) == (
        "Het eindverslag van Epsilon is ontvangen; het dossier gaat hierna voor controle naar "
        "de dienst Inspectie."
    )
    inspection_start(dossier=dossier, on=datetime.date(2018, 3, 1))
    assert "ligt momenteel voor (financiële) controle bij de dienst Inspectie" in texts(
        compose_answer(question=status).part(1)
    )
    part = compose_answer(question=money).part(1)
    assert part.tables == []
    assert texts(part) == (
        "Gezien Epsilon onlangs is doorgestuurd naar dienst inspectie voor (financiële) "
        "controle kunnen hier nog geen bedragen worden gegeven."
    )


def test_part_2_has_a_table_per_track_with_achievement_and_verdict(answer):
    part = answer.part(2)
    headings = [block.text for block in part.blocks if block.kind == "heading"]
    assert headings == ["Resultaten Hefboom", "Resultaten Stebo", "Resultaten GTB"]
    young, second, stebo, gtb = part.tables
    assert young.headers == ("", "Objectief", "Gerealiseerd", "Realisatiegraad", "Oordeel")
    assert young.rows[0].heading and young.rows[0].cells == ("Jongeren",)
    assert second.rows[0].cells == ("Tweede kans ondernemers",)
    rows = rows_by_name(young)
    assert rows[
        "Aantal jonge kandidaat-ondernemers die effectief een kredietaanvraag doen bij "
        "Impulskrediet"
    ].cells[1:] == ("26", "59", "227%", "behaald")
    assert rows["Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar)."].cells[
        1:
    ] == (
        "Stijging van minstens 10%",
        "Eerst waren er gem. 5 aanvragen p/j, dit is gestegen naar gem. 16 p/j",
        "+220%",
        "behaald",
    )
    ratio = next(name for name in rows if name.startswith("Conversieratio"))
    assert rows[ratio].cells[1:] == ("1 op 4", "1 op 2", "200%", "behaald")
    rows = rows_by_name(second)
    assert rows["Collectieve begeleidingsactiviteiten (info- en opleidingssessies)"].cells[1:3] == (
        "10",
        "17 (waarvan 15 ism met Dyzo)",
    )
    assert "ism met Dyzo" not in rows, "a part ('waarvan') is named inline, not as a row"
    assert "Samenwerking tussen Hefboom en Dyzo" not in rows, "qualitative KPIs are text"
    rows = rows_by_name(stebo)
    assert rows["Aantal bereikte prestarters"].cells[1:] == ("400", "1.347", "337%", "behaald")
    assert rows["Aantal bereikte prestarters"].depth == 0
    assert rows["Via infosessies"].cells[1:] == ("", "767", "", "geen objectief")
    assert rows["Via infosessies"].depth == 1
    assert rows["Infosessies"].cells[1:] == ("12", "49", "408%", "behaald")
    assert [row.cells[0] for row in gtb.rows] == [
        "Klanten die minstens een kort kennismakingsgesprek rond ondernemerschap hebben",
        "Klanten die effectief starten met een traject naar ondernemerschap",
    ]
    assert part.notes == [], "the seed's breakdowns add up"


def test_part_2_places_the_narratives_after_their_track(answer):
    blocks = answer.part(2).blocks
    second_track = next(
        i
        for i, b in enumerate(blocks)
        if b.kind == "table" and b.rows[0].cells == ("Tweede kans ondernemers",)
    )
    following = blocks[second_track + 1]
    assert following.kind == "paragraph"
    assert following.text.startswith("Verder is er in dit project voor tweede kans ondernemers")


def test_part_2_words_gtb_outcomes_and_target_groups_from_the_data(answer):
    text = texts(answer.part(2))
    assert (
        "Het was geen doelstelling van het project om te achterhalen hoeveel kandidaten "
        "uiteindelijk zijn doorgestroomd naar een zelfstandige activiteit." in text
    )
    assert "Van de 276 deelnemers startten er 124 in ‘Maak werk van je zaak’." in text
    assert "De overige 152 gingen via een andere weg er mee aan de slag" in text
    assert (
        "Op 30 september 2017 waren er 91 ingeschreven als zelfstandige en 46 werkzaam als "
        "werknemer." in text
    )
    assert (
        "waren er 239 personen met een arbeidshandicap, 39 vijftigplussers, 27 personen met een "
        "migratieachtergrond, 117 langer dan 2 jaar werkloos en 81 kortgeschoolden." in text
    )
    assert "De groepen overlappen" in text
    assert "Naast harde KPI’s waren er ook doelstellingen rond impact van het project." in text


def test_part_2_has_a_chart_per_project_from_the_data(answer):
    charts = answer.part(2).charts
    assert [chart.title for chart in charts] == [
        "Hefboom: objectief en gerealiseerd",
        "Stebo: objectief en gerealiseerd",
        "GTB: objectief en gerealiseerd",
    ]
    stebo = charts[1]
    assert stebo.labels[0] == "Aantal bereikte prestarters"
    assert (stebo.objective[0], stebo.realised[0]) == (D(400), D(1347))
    assert all(label.count("\n") <= 1 and len(label) <= 75 for c in charts for label in c.labels)


def test_a_breakdown_that_does_not_add_up_is_flagged(demo, kpi, projects):
    reached = kpi("Stebo", "Aantal bereikte prestarters")
    extra = kpi_create(
        project=projects["Stebo"],
        parent=reached,
        name="Via de website",
        kind=KpiKind.COUNT,
        order=9,
    )
    kpi_value_record(kpi=extra, value=D(10))
    part = compose_answer(question=demo["question"]).part(2)
    assert [note.text for note in part.notes] == [
        "Let op: de onderdelen van ‘Aantal bereikte prestarters’ tellen op tot 1.357, niet tot "
        "1.347 (gerealiseerd)."
    ]


def test_the_answer_follows_the_data(demo, kpi):
    kpi_value_record(
        kpi=kpi(
            "Hefboom",
            "Aantal jonge kandidaat-ondernemers die effectief een kredietaanvraag doen bij "
            "Impulskrediet",
        ),
        value=D(20),
    )
    young = compose_answer(question=demo["question"]).part(2).tables[0]
    assert young.rows[1].cells[1:] == ("26", "20", "77%", "niet behaald")


def test_part_3_gives_the_money_of_the_inspected_dossiers(answer):
    part = answer.part(3)
    assert [p.text for p in part.paragraphs] == [
        "Gezien GTB onlangs is doorgestuurd naar dienst inspectie voor (financiële) controle "
        "kan hier enkel antwoord worden gegeven voor Hefboom en Stebo."
    ]
    (table,) = part.tables
    assert table.headers == (
        "",
        "Toegewezen (op basis van geschatte kosten)",
        "Netto te financieren (op basis van gerealiseerde / aanvaarde kosten)",
        "Verschil",
    )
    assert [row.cells for row in table.rows] == [
        ("Hefboom", "€\xa0300.000,00", "€\xa0299.168,12", "€\xa0831,88"),
        ("Stebo", "€\xa0224.989,00", "€\xa0203.045,14", "€\xa021.943,86"),
    ]


def test_other_topics_are_answered_in_words(ask, projects):
    question = ask(Topic.OTHER, [], answer_text="Eerste alinea.\n\nTweede   alinea.")
    assert [p.text for p in compose_answer(question=question).part(1).paragraphs] == [
        "Eerste alinea.",
        "Tweede alinea.",
    ]


def test_english_on_request(demo):
    answer = compose_answer(question=demo["question"], language="en")
    assert answer.header.document_label == "WRITTEN QUESTION"
    assert answer.header.answer_lines[0] == "to question nr. 418 of 23 March 2018"
    assert (
        answer.part(1)
        .paragraphs[0]
        .text.startswith("Both dossiers have meanwhile been checked by the inspection service")
    )
    part = answer.part(2)
    assert part.blocks[0].text == "Results Hefboom"
    young, second, stebo, _ = part.tables
    assert young.headers[1:] == ("Objective", "Realised", "Achievement rate", "Verdict")
    assert young.rows[0].cells == ("Young people",)
    assert rows_by_name(stebo)["Aantal bereikte prestarters"].cells[1:] == (
        "400",
        "1,347",
        "337%",
        "achieved",
    )
    assert (
        rows_by_name(second)[
            "Collectieve begeleidingsactiviteiten (info- en opleidingssessies)"
        ].cells[2]
        == "17 (of which 15 in cooperation with Dyzo)"
    )
    assert "239 people with an occupational disability" in texts(part)
    money = answer.part(3)
    assert money.tables[0].rows[0].cells[3] == "€831.88"
    assert money.paragraphs[0].text == (
        "As GTB was recently sent to the inspection service for (financial) control, only "
        "Hefboom and Stebo can be answered here."
    )


def test_kinds_are_worded_for_any_project(ask):
    call = call_create(title="Derde oproep", number_of_projects=2)
    project = project_create(call=call, name="Zeta", promoter=organisation_create(name="Zeta"))
    empty = project_create(call=call, name="Eta", promoter=organisation_create(name="Eta"))
    fewer = kpi_create(
        project=project,
        name="Kredieten per jaar",
        kind=KpiKind.INCREASE,
        objective_percent=D(10),
        unit="kredieten p/j",
    )
    kpi_value_record(kpi=fewer, baseline=D(10), value=D(8))
    ratio = kpi_create(
        project=project,
        name="Slaagkans",
        kind=KpiKind.RATIO,
        objective_numerator=D(1),
        objective_denominator=D(3),
        order=2,
    )
    kpi_value_record(kpi=ratio, numerator=D(1), denominator=D(5))
    kpi_create(
        project=project, name="Nog niet gemeten", kind=KpiKind.COUNT, objective_value=D(5), order=3
    )

    part = compose_answer(question=ask(Topic.KPI_RESULTS, [project, empty])).part(1)
    (table,) = part.tables
    rows = rows_by_name(table)
    assert rows["Kredieten per jaar"].cells[1:] == (
        "Stijging van minstens 10%",
        "Eerst waren er gem. 10 kredieten p/j, dit is gedaald naar gem. 8 p/j",
        "-20%",
        "niet behaald",
    )
    assert rows["Slaagkans"].cells[1:] == ("1 op 3", "1 op 5", "60%", "niet behaald")
    assert rows["Nog niet gemeten"].cells[1:] == ("5", "", "", "nog geen resultaat")
    assert [block.text for block in part.blocks[:2]] == [
        "Resultaten Eta",
        "Voor dit project zijn geen KPI’s geregistreerd.",
    ]
    assert [chart.title for chart in part.charts] == [], "nothing realised to draw"
