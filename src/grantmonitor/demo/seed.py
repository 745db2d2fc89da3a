"""The demo data: written question nr. 418 (2018) and its call, exactly as the seed states them.

Everything below is typed from ``shared/seed/written-question-418-2018.txt``. Where the
seed is silent the field stays empty (GTB's allocation, the projects' dates); the only
invented facts are the dates of the dossier steps, which the seed orders but does not date
(marked ``DEMO_DATE`` in their notes), and the demo users.
"""

import datetime
from decimal import Decimal as D

from auditlog.context import disable_auditlog
from django.db import transaction

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import membership_add, user_create
from grantmonitor.accounts.twofactor import app_device_set, totp_code
from grantmonitor.calls.services import (
    call_create,
    call_publish,
    project_create,
    target_group_create,
)
from grantmonitor.dossiers.services import (
    advance_approve,
    advance_pay,
    advance_schedule,
    budget_line_set,
    cost_line_add,
    cost_line_review,
    cost_statement_set_revenues,
    cost_statement_submit,
    dossier_close,
    dossier_open,
    dossier_settle,
    inspection_complete,
    inspection_start,
    settlement_pay,
)
from grantmonitor.kpis.models import ChildrenRule, KpiKind, OutcomeSource, OutcomeStatus
from grantmonitor.kpis.services import (
    kpi_create,
    kpi_value_record,
    outcome_count_add,
    target_group_count_set,
    track_create,
)
from grantmonitor.organisations.services import organisation_create
from grantmonitor.questions.models import Topic
from grantmonitor.questions.services import question_create, sub_question_add

CALL_TITLE = "Stakeholdersplatform prestartersbegeleiding van doelgroepen"
MINISTER = "Philippe Muyters"
PORTFOLIO = "Vlaams minister van Werk, Economie, Innovatie en Sport"
QUESTIONER = "Güler Turan"
EVIDENCE = "Antwoord op schriftelijke vraag nr. 418 van 23 maart 2018"
DEMO_DATE = "Demodatum: het seed-document ordent deze stap maar dateert hem niet."

DEMO_PASSWORD = "grantmonitor-demo"  # noqa: S105 -- printed by `make run` on purpose
DEMO_USERS = [
    ("beheerder", Role.FUNDER_ADMIN, ("Bea", "Beheerder")),
    ("dossierbehandelaar", Role.CASE_HANDLER, ("Dirk", "Dossierbehandelaar")),
    ("inspecteur", Role.INSPECTOR, ("Ines", "Inspecteur")),
    ("promotor", Role.PROMOTER, ("Pieter", "Promotor")),
    ("kabinet", Role.CABINET, ("Karin", "Kabinet")),
]
# The demo's administrator and inspector confirm their sign-in with a code from an authenticator
# app holding this key (`make run` prints it); a real user's key is random and shown only once.
DEMO_TOTP_SECRET = "GRANTMONITORDEMOTOTPSECRETKEY234"  # noqa: S105 -- a demo key, printed
DEMO_TOTP_USERS = ("beheerder", "inspecteur")


def demo_totp_code(at: float | None = None) -> str:
    """The code an app holding ``DEMO_TOTP_SECRET`` shows now (or at Unix time ``at``)."""
    return totp_code(DEMO_TOTP_SECRET, at=at)


TARGET_GROUPS = [
    ("young", "Jongeren (< 28 jaar)", "Young people (under 28)"),
    ("second_chance", "Tweede kans ondernemers (gefailleerden)", "Second-chance entrepreneurs"),
    (
        "occupational_disability",
        "Personen met een arbeidshandicap",
        "People with an occupational disability",
    ),
    ("aged_50_plus", "Vijftigplussers", "People aged 50 and over"),
    (
        "migration_background",
        "Personen met een migratieachtergrond",
        "People with a migration background",
    ),
    ("long_term_unemployed", "Langer dan 2 jaar werkloos", "Unemployed for more than 2 years"),
    ("low_educated", "Kortgeschoolden", "Low-educated people"),
]

QUESTION_TEXT = (
    "De oproep ‘Stakeholdersplatform prestartersbegeleiding van doelgroepen’ heeft 3,5 jaar "
    "gelopen.\n\n"
    "Uit het antwoord van de minister op mijn schriftelijke vraag nr. 788 van 30 augustus 2017 "
    "bleek dat twee van de zes projecten van deze oproep, meer bepaald de projecten van STEBO "
    "en HEFBOOM, voor controle bij de dienst Inspectie lagen.\n\n"
    "Een derde project, dat van GTB, had een langere looptijd dan de rest en er konden op dat "
    "ogenblik geen eindresultaten worden gegeven."
)
SUB_QUESTIONS = [
    (
        1,
        Topic.INSPECTION_STATUS,
        ("Stebo", "Hefboom"),
        "Kan de minister een stand van zaken geven over de resultaten van de inspectie op de "
        "projecten van STEBO en HEFBOOM?",
    ),
    (
        2,
        Topic.KPI_RESULTS,
        ("Stebo", "Hefboom", "GTB"),
        "Kan de minister gedetailleerd de KPI’s (key performance indicator) voor de projecten van "
        "STEBO, HEFBOOM en GTB meedelen, met behaalde resultaten?",
    ),
    (
        3,
        Topic.FINANCING,
        ("Stebo", "Hefboom", "GTB"),
        "Hoeveel projectfinanciering werd uiteindelijk aan elk van de projecten uitgekeerd, en is "
        "er verschil met het oorspronkelijk toegewezen bedrag? Zo ja, hoeveel bedraagt het "
        "verschil?",
    ),
]

HEFBOOM_DYZO = (
    "Verder is er in dit project voor tweede kans ondernemers veel aandacht besteed aan de "
    "samenwerking tussen Hefboom en Dyzo. Er heeft regelmatig overleg plaatsgevonden en er zijn "
    "afspraken gemaakt rond het doorverwijzingen naar elkaar en het leren kennen van elkaars "
    "werking en personeel. Ook na het project wordt deze samenwerking voorgezet en de opgedane "
    "kennis in de praktijk toegepast."
)
GTB_OUTCOME_NOTE = (
    "Het was geen doelstelling van het project om te achterhalen hoeveel kandidaten "
    "uiteindelijk zijn doorgestroomd naar een zelfstandige activiteit. De organisatie heeft "
    "echter zelf een maand na afloop een bevraging gedaan."
)
GTB_IMPACT = (
    "Naast harde KPI’s waren er ook doelstellingen rond impact van het project. Het project heeft "
    "er voor gezorgd dat GTB zich heeft kunnen professionaliseren op het vlak van "
    "ondernemerschap en het thema nu ingebed zit in de organisatie. Dit heeft er onder andere "
    "toe geleid dat de organisatie via vzw SUEM.be een belangrijke partner was in een Europees "
    "project (Erasmus + project) waar een handboek supported employment naar zelfstandig "
    "ondernemen werd ontwikkeld. De organisatie heeft ook gezorgd voor aandacht voor de "
    "doelgroep bij partners en in het veld. Er zijn vele samenwerkingen uit gegroeid en het lukt "
    "GTB ook om veel van de kandidaten warm te maken voor het project ‘Maak werk van je zaak’ "
    "van Syntra-Limburg om zo goed voorbereid te kunnen starten met een onderneming."
)
GTB_EQUAL_OPPORTUNITIES = (
    "Ook de bijdrage aan gelijke kansen is ruim behaald. Het komt vaak voor dat de mensen een "
    "gecombineerde problematiek hebben, dus dat zij bijvoorbeeld niet alleen een arbeidshandicap "
    "hebben, maar bovendien kortgeschoold zijn, en migratieachtergrond hebben, enz."
)


def _count(project, name, objective, realised, **kwargs):
    kpi = kpi_create(
        project=project,
        name=name,
        kind=KpiKind.COUNT,
        objective_value=None if objective is None else D(objective),
        **kwargs,
    )
    kpi_value_record(kpi=kpi, value=D(realised), evidence=EVIDENCE)
    return kpi


def _increase(project, name, percent, baseline, realised, **kwargs):
    kpi = kpi_create(
        project=project,
        name=name,
        kind=KpiKind.INCREASE,
        objective_percent=D(percent),
        unit="aanvragen p/j",
        **kwargs,
    )
    kpi_value_record(kpi=kpi, baseline=D(baseline), value=D(realised), evidence=EVIDENCE)
    return kpi


def _qualitative(project, name, narrative, **kwargs):
    kpi = kpi_create(project=project, name=name, kind=KpiKind.QUALITATIVE, **kwargs)
    kpi_value_record(kpi=kpi, narrative=narrative, evidence=EVIDENCE)
    return kpi


@transaction.atomic
def load_demo() -> dict:
    """Load the seed's call, projects, KPIs, dossiers and question. Returns the main objects.

    Nobody made these writes: they stay out of the audit trail, which starts with the first
    person who logs in (and the demo loads a third faster).
    """
    with disable_auditlog():
        return _load()


def _load() -> dict:
    users = {
        username: user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            first_name=first_name,
            last_name=last_name,
            is_staff=role == Role.FUNDER_ADMIN,
            is_superuser=role == Role.FUNDER_ADMIN,
        )
        for username, role, (first_name, last_name) in DEMO_USERS
    }
    for username in DEMO_TOTP_USERS:
        app_device_set(users[username], secret=DEMO_TOTP_SECRET)
    groups = {
        code: target_group_create(code=code, name=name, name_en=name_en, order=index)
        for index, (code, name, name_en) in enumerate(TARGET_GROUPS, start=1)
    }
    call = call_create(
        title=CALL_TITLE,
        number_of_projects=6,
        minister=MINISTER,
        portfolio=PORTFOLIO,
        duration_months=42,
        target_groups=list(groups.values()),
    )
    hefboom_org = organisation_create(name="Hefboom")
    dyzo = organisation_create(name="Dyzo")
    stebo_org = organisation_create(name="Stebo")
    gtb_org = organisation_create(name="GTB")
    membership_add(user=users["promotor"], organisation=hefboom_org)
    hefboom = project_create(
        call=call, name="Hefboom", promoter=hefboom_org, partners=[dyzo], order=1
    )
    stebo = project_create(call=call, name="Stebo", promoter=stebo_org, order=2)
    gtb = project_create(call=call, name="GTB", promoter=gtb_org, order=3)

    _load_hefboom(hefboom)
    _load_stebo(stebo)
    _load_gtb(gtb, groups)
    _load_dossiers(hefboom, stebo, gtb, users)
    call = call_publish(call, actor=users["beheerder"])
    question = _load_question(call, {p.name: p for p in (hefboom, stebo, gtb)})
    return {"call": call, "question": question, "users": users}


def _load_hefboom(project):
    young = track_create(project=project, name="Jongeren", name_en="Young people", order=1)
    second = track_create(
        project=project,
        name="Tweede kans ondernemers",
        name_en="Second-chance entrepreneurs",
        order=2,
    )
    _count(
        project,
        "Aantal jonge kandidaat-ondernemers die effectief een kredietaanvraag doen "
        "bij Impulskrediet",
        26,
        59,
        track=young,
        order=1,
    )
    _count(
        project,
        "Aantal organisaties die deel uitmaken van een netwerk dat op structurele "
        "wijze geïnformeerd wordt over Impulskrediet",
        5,
        10,
        track=young,
        order=2,
    )
    _count(
        project,
        "Aantal jonge kandidaat-ondernemers die starten in een begeleidingstraject "
        "dat speciaal voor dit traject werd uitgewerkt",
        10,
        20,
        track=young,
        order=3,
    )
    _increase(
        project,
        "Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar).",
        10,
        5,
        16,
        track=young,
        order=4,
    )
    _count(
        project,
        "Infosessies of aanwezigheid bij events specifiek gericht tot jongeren",
        12,
        13,
        track=young,
        order=5,
    )
    ratio = kpi_create(
        project=project,
        track=young,
        order=6,
        name="Conversieratio (= aantal ontvangen aanvragen van jongeren / effectief "
        "goedgekeurde kredieten van jongeren)",
        kind=KpiKind.RATIO,
        objective_numerator=D(1),
        objective_denominator=D(4),
    )
    kpi_value_record(kpi=ratio, numerator=D(1), denominator=D(2), evidence=EVIDENCE)

    _count(
        project,
        "Deelnemers aan info- en opleidingssessies (personeel, de vrijwilligers en "
        "andere betrokkenen beschikken over de nodige kennis en informatie om gefailleerden "
        "bij te staan)",
        200,
        446,
        track=second,
        order=1,
    )
    _count(
        project,
        "Aanwezige organisaties (stakeholders van Impulskrediet en Dyzo) op "
        "info-en opleidingssessies",
        7,
        20,
        track=second,
        order=2,
    )
    collective = _count(
        project,
        "Collectieve begeleidingsactiviteiten (info- en opleidingssessies)",
        10,
        17,
        track=second,
        order=3,
        children_rule=ChildrenRule.OF_WHICH,
    )
    _count(
        project,
        "ism met Dyzo",
        None,
        15,
        parent=collective,
        order=1,
        name_en="in cooperation with Dyzo",
    )
    _count(project, "Individuele begeleidingstrajecten", 10, 23, track=second, order=4)
    _increase(
        project,
        "Er is een stijging in het aantal verleende kredieten aan gefailleerden",
        10,
        5,
        12,
        track=second,
        order=5,
    )
    _qualitative(
        project,
        "Samenwerking tussen Hefboom en Dyzo",
        HEFBOOM_DYZO,
        track=second,
        order=6,
        name_en="Cooperation between Hefboom and Dyzo",
    )


def _load_stebo(project):
    reached = _count(
        project, "Aantal bereikte prestarters", 400, 1347, order=1, children_rule=ChildrenRule.SUM
    )
    for order, (name, objective, realised) in enumerate(
        [
            ("Via infosessies", None, 767),
            ("Via themasessies", None, 98),
            ("Individuele contacten", 93, 320),
            ("Individuele begeleiding", 93, 101),
            ("Collectieve begeleiding", 37, 61),
        ],
        start=1,
    ):
        _count(project, name, objective, realised, parent=reached, order=order)
    organisations = _count(
        project,
        "Aantal bereikte ondernemingen, entiteiten, onderwijsinstellingen, …",
        25,
        38,
        order=2,
        children_rule=ChildrenRule.SUM,
    )
    for order, (name, realised) in enumerate(
        [
            ("Hogescholen, universiteiten, CVO’s, …", 9),
            ("Organisaties in het werkveld", 14),
            ("Bedrijven die opgestart zijn via project en terug contact zoeken", 15),
        ],
        start=1,
    ):
        _count(project, name, None, realised, parent=organisations, order=order)
    activities = _count(
        project,
        "Aantal begeleidingsactiviteiten",
        154,
        224,
        order=3,
        children_rule=ChildrenRule.SUM,
    )
    for order, (name, objective, realised) in enumerate(
        [
            ("Infosessies", 12, 49),
            ("Themasessies", 12, 13),
            ("Individuele begeleiding", 93, 101),
            ("Collectieve begeleiding", 37, 61),
        ],
        start=1,
    ):
        _count(project, name, objective, realised, parent=activities, order=order)


def _load_gtb(project, groups):
    _count(
        project,
        "Klanten die minstens een kort kennismakingsgesprek rond ondernemerschap hebben",
        200,
        441,
        order=1,
    )
    started = _count(
        project,
        "Klanten die effectief starten met een traject naar ondernemerschap",
        105,
        276,
        order=2,
        note=GTB_OUTCOME_NOTE,
    )
    for code, count in [
        ("occupational_disability", 239),
        ("aged_50_plus", 39),
        ("migration_background", 27),
        ("long_term_unemployed", 117),
        ("low_educated", 81),
    ]:
        target_group_count_set(kpi=started, target_group=groups[code], count=count)
    outcome_count_add(
        kpi=started,
        status=OutcomeStatus.STARTED_PROGRAMME,
        programme="Maak werk van je zaak",
        count=124,
        source=OutcomeSource.SURVEY,
        note="Bevraging een maand na afloop van het project.",
        order=1,
    )
    outcome_count_add(
        kpi=started,
        status=OutcomeStatus.OTHER_PATH,
        count=152,
        source=OutcomeSource.SURVEY,
        order=2,
        note="Gingen via een andere weg er mee aan de slag, beslisten om als "
        "werknemer een job te vinden of moesten op het moment van bevraging nog "
        "starten met het traject van ‘Maak werk van je zaak’.",
    )
    end_of_september = datetime.date(2017, 9, 30)
    outcome_count_add(
        kpi=started,
        status=OutcomeStatus.SELF_EMPLOYED,
        count=91,
        as_of=end_of_september,
        source=OutcomeSource.SURVEY,
        order=3,
    )
    outcome_count_add(
        kpi=started,
        status=OutcomeStatus.EMPLOYEE,
        count=46,
        as_of=end_of_september,
        source=OutcomeSource.SURVEY,
        order=4,
    )
    _qualitative(
        project,
        "Impact: professionalisering rond ondernemerschap",
        GTB_IMPACT,
        order=3,
        name_en="Impact: professionalisation in entrepreneurship",
    )
    _qualitative(
        project,
        "Bijdrage aan gelijke kansen",
        GTB_EQUAL_OPPORTUNITIES,
        order=4,
        name_en="Contribution to equal opportunities",
    )


# Demo detail: the seed gives only the allocations and the net amounts; the budget, advances,
# cost lines, verdicts and bank accounts below are invented, minimal, and chosen so that the
# settlement computes exactly the seed's net amounts (Hefboom € 299.168,12, Stebo € 203.045,14).
DEMO_DETAIL = "Demodetail: niet uit het seed-document; gekozen zodat de afrekening het klopt."
SETTLED_DOSSIERS = {
    "Hefboom": {
        "allocated_amount": D("300000.00"),
        "overhead_rate": D("10"),
        "payee_iban": "BE71096123456769",
        "payee_bic": "GKCCBEBB",
        "budget": {"personnel": D("250000.00"), "operating": D("25000.00")},
        "revenues": D("0.00"),
        # (category, description, declared, document, verdict, partly accepted amount, reason)
        "lines": [
            (
                "personnel",
                "Loonkosten projectmedewerkers",
                D("248500.00"),
                "DEMO-H-01",
                "accepted",
                None,
                "",
            ),
            (
                "operating",
                "Werkingskosten infosessies en verplaatsingen",
                D("26650.00"),
                "DEMO-H-02",
                "partly_accepted",
                D("25818.12"),
                "Verplaatsingen zonder bewijsstuk",
            ),
        ],
    },
    "Stebo": {
        "allocated_amount": D("224989.00"),
        "overhead_rate": D("10"),
        "payee_iban": "BE73735012345660",
        "payee_bic": "KREDBEBB",
        "budget": {"personnel": D("180000.00"), "operating": D("26989.00")},
        "revenues": D("1250.00"),
        "lines": [
            (
                "personnel",
                "Loonkosten projectmedewerkers",
                D("172400.00"),
                "DEMO-S-01",
                "partly_accepted",
                D("165000.00"),
                "Prestaties buiten de projectperiode",
            ),
            (
                "operating",
                "Werkingskosten info- en themasessies",
                D("22795.14"),
                "DEMO-S-02",
                "accepted",
                None,
                "",
            ),
            (
                "operating",
                "Catering netwerkevent",
                D("1800.00"),
                "DEMO-S-03",
                "rejected",
                None,
                "Niet subsidiabel volgens de oproep",
            ),
        ],
    },
}


def _load_dossiers(hefboom, stebo, gtb, users):
    handler = users["dossierbehandelaar"]
    inspector = users["inspecteur"]
    promoter = users["promotor"]
    d = datetime.date
    for project in (hefboom, stebo):
        detail = SETTLED_DOSSIERS[project.name]
        dossier = dossier_open(
            project=project,
            allocated_amount=detail["allocated_amount"],
            subsidy_rate=D("100"),
            overhead_rate=detail["overhead_rate"],
            payee_iban=detail["payee_iban"],
            payee_bic=detail["payee_bic"],
            case_handler=handler,
            actor=handler,
            opened_on=d(2013, 9, 1),
        )
        for category, amount in detail["budget"].items():
            budget_line_set(
                dossier=dossier, category=category, amount=amount, note=DEMO_DETAIL, actor=handler
            )
        for number, approved_on, paid_on in [
            (1, d(2013, 9, 2), d(2013, 9, 16)),
            (2, d(2015, 9, 1), d(2015, 9, 15)),
        ]:
            advance = advance_schedule(
                dossier=dossier,
                number=number,
                percentage=D("40"),
                condition=DEMO_DETAIL,
                actor=handler,
            )
            advance_approve(advance=advance, on=approved_on, actor=handler)
            advance_pay(advance=advance, on=paid_on, actor=handler)
        reviews = []
        for category, description, amount, document, verdict, partly, reason in detail["lines"]:
            line = cost_line_add(
                dossier=dossier,
                category=category,
                description=f"{description} (demodetail)",
                amount=amount,
                document_ref=document,
                actor=promoter,
            )
            reviews.append((line, verdict, partly, f"{reason} (demodetail)" if reason else ""))
        cost_statement_set_revenues(dossier=dossier, revenues=detail["revenues"], actor=promoter)
        cost_statement_submit(dossier=dossier, on=d(2017, 3, 31), actor=promoter, note=DEMO_DATE)
        inspection_start(dossier=dossier, on=d(2017, 6, 15), actor=handler, note=DEMO_DATE)
        for line, verdict, partly, reason in reviews:
            cost_line_review(
                line=line,
                verdict=verdict,
                accepted_amount=partly,
                reason=reason,
                on=d(2017, 12, 1),
                actor=inspector,
            )
        inspection_complete(dossier=dossier, on=d(2017, 12, 15), actor=inspector, note=DEMO_DATE)
        dossier_settle(dossier=dossier, on=d(2018, 1, 15), actor=handler, note=DEMO_DATE)
        settlement_pay(dossier=dossier, on=d(2018, 2, 15), actor=handler, note=DEMO_DATE)
        dossier_close(dossier=dossier, on=d(2018, 2, 28), actor=handler, note=DEMO_DATE)
    dossier = dossier_open(
        project=gtb,
        allocated_amount=None,
        case_handler=handler,
        actor=handler,
        opened_on=d(2013, 9, 1),
    )
    # The seed gives no figures for GTB: its final report is in, its lines are not entered.
    cost_statement_submit(dossier=dossier, on=d(2018, 1, 31), actor=promoter, note=DEMO_DATE)
    inspection_start(dossier=dossier, on=d(2018, 3, 1), actor=handler, note=DEMO_DATE)


def _load_question(call, projects):
    earlier = question_create(
        number=788,
        session="2016-2017",
        date=datetime.date(2017, 8, 30),
        questioner=QUESTIONER,
        minister=MINISTER,
        portfolio=PORTFOLIO,
        call=call,
    )
    question = question_create(
        number=418,
        session="2017-2018",
        date=datetime.date(2018, 3, 23),
        questioner=QUESTIONER,
        minister=MINISTER,
        portfolio=PORTFOLIO,
        title="Projecten oproep 'Stakeholdersplatform prestartersbegeleiding van doelgroepen' - "
        "Validering",
        text=QUESTION_TEXT,
        call=call,
        refers_to=earlier,
    )
    for number, topic, names, text in SUB_QUESTIONS:
        sub_question_add(
            question=question,
            number=number,
            text=text,
            topic=topic,
            projects=[projects[name] for name in names],
        )
    return question
