import datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import sepaxml
from django.core.exceptions import ValidationError
from lxml import etree

from grantmonitor.cli.main import main
from grantmonitor.dossiers.sepa import Debtor, payment_file

PAID_ON = datetime.date(2018, 2, 15)  # the demo's balance payments
FUNDER = Debtor(
    name="Agentschap Innoveren & Ondernemen", iban="BE32 0680 1234 5602", bic="GKCCBEBB"
)
XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def _parse(content: bytes):
    document = etree.fromstring(content)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    assert schema.validate(document), schema.error_log
    return document


def test_the_days_balance_payments_form_a_valid_pain_001_file(demo):
    document = _parse(payment_file(day=PAID_ON, debtor=FUNDER))
    transactions = document.findall(".//p:CdtTrfTxInf", NS)
    paid = {
        tx.findtext("p:Cdtr/p:Nm", namespaces=NS): (
            D(tx.findtext("p:Amt/p:InstdAmt", namespaces=NS)),
            tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS),
            tx.findtext("p:CdtrAgt/p:FinInstnId/p:BIC", namespaces=NS),
        )
        for tx in transactions
    }
    assert paid == {
        "Hefboom": (D("59168.12"), "BE71096123456769", "GKCCBEBB"),
        "Stebo": (D("23053.94"), "BE73735012345660", "KREDBEBB"),
    }
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "82222.06"
    assert document.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert document.findtext(".//p:ReqdExctnDt", namespaces=NS) == "2018-02-15"
    assert document.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "BE32068012345602"


def test_a_day_without_payments_is_refused(demo):
    with pytest.raises(ValidationError) as error:
        payment_file(day=PAID_ON + datetime.timedelta(days=1), debtor=FUNDER)
    assert "date" in error.value.message_dict


def test_the_funders_account_is_validated(demo):
    bad = Debtor(name="", iban="BE00 0000 0000 0000", bic="XX")
    with pytest.raises(ValidationError) as error:
        payment_file(day=PAID_ON, debtor=bad)
    assert set(error.value.message_dict) == {"debtor_name", "debtor_iban", "debtor_bic"}


def test_cli_writes_the_file(demo, tmp_path, capsys):
    target = tmp_path / "payments.xml"
    status = main(
        [
            "payments",
            "--date",
            "2018-02-15",
            "-o",
            str(target),
            "--debtor-name",
            FUNDER.name,
            "--debtor-iban",
            FUNDER.iban,
            "--debtor-bic",
            FUNDER.bic,
        ]
    )
    assert status == 0
    assert len(_parse(target.read_bytes()).findall(".//p:CdtTrfTxInf", NS)) == 2


def test_cli_reports_a_bad_iban_without_a_traceback(demo, tmp_path, capsys):
    status = main(
        ["payments", "--date", "2018-02-15", "-o", str(tmp_path / "x.xml"),
         "--debtor-name", "Funder", "--debtor-iban", "BE00", "--debtor-bic", "GKCCBEBB"]
    )  # fmt: skip
    assert status == 2
    assert "debtor_iban" in capsys.readouterr().err
    assert not (tmp_path / "x.xml").exists()


def test_a_missing_funders_account_is_named(demo):
    with pytest.raises(ValidationError) as error:
        payment_file(day=PAID_ON, debtor=Debtor(name="Funder", iban="", bic=""))
    assert set(error.value.message_dict) == {"debtor_iban", "debtor_bic"}
    assert "De IBAN en de BIC van de betalende rekening zijn allebei nodig." in str(error.value)
