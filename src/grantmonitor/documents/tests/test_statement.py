"""The settlement statement, read back from the PDF and the DOCX as a reader sees them."""

import datetime
from decimal import Decimal as D

import pytest

from grantmonitor.documents.statement_render import render_statement
from grantmonitor.documents.tests.readers import docx_tables, docx_text, flat, pdf_text
from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import Dossier

READ = {"pdf": pdf_text, "docx": docx_text}


def _dossier(name: str) -> Dossier:
    return Dossier.objects.get(project__name=name)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_stebo_statement_in_dutch(demo, fmt):
    document = render_statement(dossier=_dossier("Stebo"), fmt=fmt)
    assert document.filename == f"afrekening-stebo-nl.{fmt}"
    text = READ[fmt](document.content)
    for expected in [
        "Afrekening",
        "€ 224.989,00",  # allocation
        "€ 172.400,00",  # declared personnel
        "€ 165.000,00",  # of which accepted
        "gedeeltelijk aanvaard",
        "afgewezen",
        "€ 16.500,00",  # overhead, 10 % of accepted personnel
        "€ 203.045,14",  # net
        "€ 21.943,86",  # difference
        "€ 89.995,60",  # each advance, 40 % of the allocation
        "€ 23.053,94",  # balance paid
        "15 februari 2018",
        "DEMO-S-03",
    ]:
        assert expected in text, expected


def test_docx_statement_has_real_tables_with_the_verdicts(demo):
    content = render_statement(dossier=_dossier("Hefboom"), fmt="docx", language="en").content
    tables = docx_tables(content)
    cost_table = next(t for t in tables if t[0][0] == "Category" and len(t[0]) == 7)
    assert [flat(cell) for cell in cost_table[2]] == [
        "operating costs",
        "Werkingskosten infosessies en verplaatsingen (demodetail)",
        "DEMO-H-02",
        "€26,650.00",
        "partly accepted",
        "€25,818.12",
        "Verplaatsingen zonder bewijsstuk (demodetail)",
    ]
    settlement = next(t for t in tables if t[0] == ["Item", "Amount"])
    rows = {flat(label): flat(amount) for label, amount in settlement[1:]}
    assert rows["Net to finance (at most the allocation)"] == "€299,168.12"
    assert rows["Difference with the allocation"] == "€831.88"
    assert rows["Advances paid"] == "-€240,000.00"
    assert rows["Balance to pay to the promoter"] == "€59,168.12"


def test_english_statement(demo):
    document = render_statement(dossier=_dossier("Hefboom"), fmt="pdf", language="en")
    text = pdf_text(document.content)
    assert document.filename == "settlement-hefboom-en.pdf"
    assert "Settlement statement" in text
    assert "Balance to pay to the promoter" in text
    assert "15 February 2018" in text


def test_unsettled_dossier_and_hostile_text(demo):
    gtb = _dossier("GTB")
    text = pdf_text(render_statement(dossier=gtb, fmt="pdf").content)
    assert "nog niet afgerekend" in text
    assert "met de dienst Inspectie" in text or "bij de dienst Inspectie" in text


def test_recovery_statement_shows_the_structured_communication(db):
    from grantmonitor.accounts.services import user_create
    from grantmonitor.calls.services import call_create, project_create
    from grantmonitor.organisations.services import organisation_create

    day = datetime.date(2018, 1, 1)
    user = user_create(username="u", password="x")
    project = project_create(
        call=call_create(title="C", number_of_projects=1),
        name="<script>alert(1)</script>",
        promoter=organisation_create(name="P"),
    )
    dossier = services.dossier_open(
        project=project, allocated_amount=D("1000.00"), subsidy_rate=D("100"), opened_on=day
    )
    advance = services.advance_schedule(dossier=dossier, number=1, percentage=D("80"))
    services.advance_approve(advance=advance, on=day)
    services.advance_pay(advance=advance, on=day)
    line = services.cost_line_add(
        dossier=dossier,
        category="operating",
        description="<b>bold</b> & more",
        amount=D("500.00"),
        document_ref="F-1",
    )
    services.cost_statement_submit(dossier=dossier, on=day)
    services.inspection_start(dossier=dossier, on=day)
    services.cost_line_review(line=line, verdict="accepted", on=day, actor=user)
    services.inspection_complete(dossier=dossier, on=day)
    settlement = services.dossier_settle(dossier=dossier, on=day)
    for fmt in ("pdf", "docx"):
        text = READ[fmt](render_statement(dossier=dossier, fmt=fmt).content)
        assert "€ 300,00" in text  # 800 advanced - 500 net
        assert settlement.structured_communication_display in text
        assert "<b>bold</b> & more" in text
        assert "<script>alert(1)</script>" in text
