"""A small project whose dossier the tests walk along its path, through the services."""

import datetime
from decimal import Decimal as D

import pytest

from grantmonitor.accounts.models import Role
from grantmonitor.accounts.services import user_create
from grantmonitor.calls.services import call_create, project_create
from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import CostCategory, Verdict
from grantmonitor.organisations.services import organisation_create

DAY = datetime.date(2018, 1, 10)


class Walk:
    """Drives one dossier: allocation € 100.000,00, rate 80 %, overhead 15 % of personnel."""

    def __init__(self, handler, inspector, promoter, dossier):
        self.handler, self.inspector, self.promoter = handler, inspector, promoter
        self.dossier = dossier
        self.lines = []

    def advances(self, *percentages):
        for number, pct in enumerate(percentages, start=1):
            advance = services.advance_schedule(
                dossier=self.dossier, number=number, percentage=D(pct), actor=self.handler
            )
            services.advance_approve(
                advance=advance, on=datetime.date(2015, 1, 1), actor=self.handler
            )
            services.advance_pay(advance=advance, on=datetime.date(2015, 1, 5), actor=self.handler)
        return self

    def declare(self, *lines, revenues="0"):
        for category, amount in lines:
            self.lines.append(
                services.cost_line_add(
                    dossier=self.dossier,
                    category=category,
                    description=f"{category} {amount}",
                    amount=D(amount),
                    document_ref=f"INV-{len(self.lines) + 1}",
                    actor=self.promoter,
                )
            )
        services.cost_statement_set_revenues(
            dossier=self.dossier, revenues=D(revenues), actor=self.promoter
        )
        services.cost_statement_submit(
            dossier=self.dossier, on=datetime.date(2017, 3, 31), actor=self.promoter
        )
        return self

    def inspect(self, *verdicts):
        """``verdicts``: per line, "accepted", "rejected" or an accepted amount as text."""
        services.inspection_start(
            dossier=self.dossier, on=datetime.date(2017, 6, 1), actor=self.handler
        )
        for line, verdict in zip(self.lines, verdicts, strict=True):
            if verdict in (Verdict.ACCEPTED, Verdict.REJECTED):
                services.cost_line_review(
                    line=line,
                    verdict=verdict,
                    reason="" if verdict == Verdict.ACCEPTED else "no invoice",
                    on=datetime.date(2017, 9, 1),
                    actor=self.inspector,
                )
            else:
                services.cost_line_review(
                    line=line,
                    verdict=Verdict.PARTLY_ACCEPTED,
                    accepted_amount=D(verdict),
                    reason="partly out of period",
                    on=datetime.date(2017, 9, 1),
                    actor=self.inspector,
                )
        services.inspection_complete(
            dossier=self.dossier, on=datetime.date(2017, 10, 1), actor=self.inspector
        )
        return self

    def settle(self):
        return services.dossier_settle(dossier=self.dossier, on=DAY, actor=self.handler)


@pytest.fixture
def walk(db):
    handler = user_create(username="handler", password="x", role=Role.CASE_HANDLER)
    inspector = user_create(username="inspector", password="x", role=Role.INSPECTOR)
    promoter = user_create(username="promoter", password="x", role=Role.PROMOTER)
    call = call_create(title="Test call", number_of_projects=1)
    organisation = organisation_create(name="Promoter vzw", legal_name="Promoter vzw")
    project = project_create(call=call, name="Pilot", promoter=organisation)
    dossier = services.dossier_open(
        project=project,
        allocated_amount=D("100000.00"),
        subsidy_rate=D("80"),
        overhead_rate=D("15"),
        payee_iban="BE48 0011 2345 6727",
        payee_bic="GEBABEBB",
        case_handler=handler,
        actor=handler,
        opened_on=datetime.date(2014, 1, 1),
    )
    return Walk(handler, inspector, promoter, dossier)


PERSONNEL, OPERATING, EXTERNAL = (
    CostCategory.PERSONNEL,
    CostCategory.OPERATING,
    CostCategory.EXTERNAL,
)

LATER_DAY = datetime.date(2018, 2, 1)
# Accepted 50.000 personnel + 18.000 of 20.000 operating, 5.000 external rejected; overhead
# 15 % of 50.000 = 7.500; minus revenues 500 = 75.000 eligible; 80 % = net € 60.000,00.
LINES = [(PERSONNEL, "50000.00"), (OPERATING, "20000.00"), (EXTERNAL, "5000.00")]
VERDICTS = [Verdict.ACCEPTED, "18000.00", Verdict.REJECTED]
