"""Fifty case handlers pressing "pay the balance" at the same moment pay it once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from grantmonitor.dossiers import services
from grantmonitor.dossiers.models import DossierAuditEntry, DossierStatus, Settlement
from grantmonitor.dossiers.tests.conftest import LATER_DAY, LINES, VERDICTS

ATTEMPTS = 50


@pytest.mark.postgres
def test_fifty_concurrent_payments_pay_the_balance_once(postgres_only, transactional_db, walk):
    walk.advances("30").declare(*LINES, revenues="500.00").inspect(*VERDICTS)
    walk.settle()
    start = threading.Barrier(ATTEMPTS)

    def attempt(_):
        try:
            connection.ensure_connection()  # connect first, so the attempts really overlap
            start.wait()
            services.settlement_pay(dossier=walk.dossier, on=LATER_DAY, actor=walk.handler)
            return "paid"
        except ValidationError as exc:
            return [error.code for errors in exc.error_dict.values() for error in errors]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))

    assert outcomes.count("paid") == 1
    # The others waited for the lock and then saw the balance paid: not a lucky later check.
    assert [o for o in outcomes if o != "paid"] == [["already_executed"]] * (ATTEMPTS - 1)
    assert Settlement.objects.get(dossier=walk.dossier).executed_on == LATER_DAY
    assert walk.dossier.status_changes.filter(status=DossierStatus.BALANCE_PAID).count() == 1
    assert (
        DossierAuditEntry.objects.filter(dossier=walk.dossier, action="balance_paid").count() == 1
    )
