"""``payments --date 2018-02-15 -o payments.xml``: the day's balance payments as a SEPA file."""

import argparse
import datetime
import sys

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grantmonitor.cli.main import CommandFailed, write_output
from grantmonitor.dossiers.sepa import Debtor, payment_file

NAME = "payments"
HELP = gettext_lazy(
    "Write the balances paid on a day as a SEPA credit transfer file (pain.001.001.03)."
)


def day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a date YYYY-MM-DD") % {"value": value}
        ) from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", type=day, required=True, help=gettext_lazy("the day, YYYY-MM-DD"))
    parser.add_argument(
        "-o", "--output", help=gettext_lazy("file to write (default: standard output)")
    )
    parser.add_argument(
        "--debtor-name", help=gettext_lazy("the funder's account holder (default: FUNDER_NAME)")
    )
    parser.add_argument(
        "--debtor-iban", help=gettext_lazy("the funder's IBAN (default: FUNDER_IBAN)")
    )
    parser.add_argument("--debtor-bic", help=gettext_lazy("the funder's BIC (default: FUNDER_BIC)"))


def run(args: argparse.Namespace) -> int:
    debtor = Debtor(
        name=args.debtor_name or settings.FUNDER_NAME,
        iban=args.debtor_iban or settings.FUNDER_IBAN,
        bic=args.debtor_bic or settings.FUNDER_BIC,
    )
    try:
        content = payment_file(day=args.date, debtor=debtor)
    except ValidationError as exc:
        raise CommandFailed(
            "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
        ) from exc
    if not args.output:
        return write_output(content, "-")
    write_output(content, args.output)
    print(
        _("%(file)s: %(count)s payment(s)")
        % {"file": args.output, "count": content.count(b"<CdtTrfTxInf>")},
        file=sys.stderr,
    )
    return 0
