"""The day's balance payments as a SEPA credit transfer file (pain.001.001.03), by ``sepaxml``.

IBAN and BIC are checked with python-stdnum before a file is written; ``sepaxml`` validates the
result against the XSD it ships.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from stdnum import bic, iban

from grantmonitor.dossiers.models import validate_bic, validate_iban
from grantmonitor.dossiers.selectors import balance_payments_on

SCHEMA = "pain.001.001.03"


@dataclass(frozen=True)
class Debtor:
    """The funder's account the balances are paid from."""

    name: str
    iban: str
    bic: str

    def validated(self) -> "Debtor":
        errors = {}
        if not self.name.strip():
            errors["debtor_name"] = _("The name of the paying account holder is missing.")
        for field, value, validate in (
            ("debtor_iban", self.iban, validate_iban),
            ("debtor_bic", self.bic, validate_bic),
        ):
            if not value.strip():
                errors[field] = _("The paying account's IBAN and BIC are both needed.")
                continue
            try:
                validate(value)
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)
        return Debtor(self.name.strip(), iban.compact(self.iban), bic.compact(self.bic))


def cents(amount) -> int:
    """Whole cents as sepaxml wants them; the amount is already a Decimal of whole cents."""
    return int(amount.scaleb(2))


def payment_file(*, day: datetime.date, debtor: Debtor) -> bytes:
    """The XML file of the balances paid on ``day``; refused when there are none."""
    debtor = debtor.validated()
    payments = list(balance_payments_on(day=day))
    if not payments:
        raise ValidationError(
            {"date": _("No balance was paid on %(day)s.") % {"day": day.isoformat()}}
        )
    transfer = SepaTransfer(
        {
            "name": debtor.name,
            "IBAN": debtor.iban,
            "BIC": debtor.bic,
            "batch": True,
            "currency": "EUR",
        },
        schema=SCHEMA,
    )
    for settlement in payments:
        dossier = settlement.dossier
        for field, value, validate in (
            ("payee_iban", dossier.payee_iban, validate_iban),
            ("payee_bic", dossier.payee_bic, validate_bic),
        ):
            try:
                validate(value)
            except ValidationError as exc:
                raise ValidationError(
                    {
                        field: _("Dossier %(dossier)s: %(error)s")
                        % {"dossier": dossier, "error": " ".join(exc.messages)}
                    }
                ) from exc
        transfer.add_payment(
            {
                "name": dossier.payee_name,
                "IBAN": dossier.payee_iban,
                "BIC": dossier.payee_bic,
                "amount": cents(settlement.balance),
                "execution_date": day,
                "description": _("Balance of the subsidy, dossier %(dossier)s")
                % {"dossier": dossier.reference or dossier.project.name},
                "endtoend_id": f"GM-SALDO-{dossier.pk}",
            }
        )
    return transfer.export(validate=True)
