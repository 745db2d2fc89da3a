"""The settlement statement of one dossier, composed from the data (renderer-independent).

Allocation and terms, the budget, the declared cost lines with the inspector's verdicts, the
settlement (accepted costs, overhead, revenues, net, difference), the advances and the balance.
Reads the dossiers app through its selectors only. Dutch by default, English on request.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from grantmonitor.common.money import babel_locale, format_eur, format_number
from grantmonitor.dossiers import rules
from grantmonitor.dossiers.models import Dossier, DossierStatus, OrderKind
from grantmonitor.dossiers.selectors import (
    dossier_advances,
    dossier_budget_lines,
    dossier_cost_lines,
    dossier_cost_statement,
    dossier_current_status,
    dossier_settlement,
)


@dataclass(frozen=True)
class Section:
    title: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    # Columns holding amounts (right-aligned by the renderers).
    numeric: frozenset[int] = frozenset()
    # The rows to show in bold (totals, the net amount, the balance).
    emphasis: frozenset[int] = frozenset()
    note: str = ""
    # Read as one block (the settlement's arithmetic): not split over two pages.
    keep_together: bool = False


@dataclass(frozen=True)
class Statement:
    language: str
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    filename_stem: str


def _date(value: datetime.date | None, language: str) -> str:
    return format_date(value, format="long", locale=babel_locale(language)) if value else "—"


def _pct(value: Decimal | None, language: str) -> str:
    return "—" if value is None else f"{format_number(value.normalize(), language)}%"


def _cost_note(statement, lines) -> str:
    if statement is None or statement.submitted_on is None:
        return _("The final cost statement has not been submitted.")
    return "" if lines else _("No cost lines have been entered here.")


def compose_statement(*, dossier: Dossier, language: str = "nl") -> Statement:
    with translation.override(language):
        return _compose(dossier, language)


def _compose(dossier: Dossier, language: str) -> Statement:
    def eur(amount: Decimal | None) -> str:
        return "—" if amount is None else format_eur(amount, language)

    status = dossier_current_status(dossier=dossier)
    statement = dossier_cost_statement(dossier=dossier)
    settlement = dossier_settlement(dossier=dossier)
    promoter = dossier.project.promoter
    facts = [
        (_("Project"), dossier.project.name),
        (_("Promoter"), promoter.legal_name or promoter.name),
        (_("Reference"), dossier.reference or "—"),
        (_("Status"), str(DossierStatus(status).label) if status else "—"),
        (_("Allocated (on estimated costs)"), eur(dossier.allocated_amount)),
        (_("Subsidy rate"), _pct(dossier.subsidy_rate, language)),
        (
            _("Flat-rate overhead"),
            _("%(rate)s of personnel costs") % {"rate": _pct(dossier.overhead_rate, language)},
        ),
    ]
    sections = []

    budget = list(dossier_budget_lines(dossier=dossier))
    if budget:
        estimate = rules.budget(
            [(rules.CostCategory(line.category), line.amount) for line in budget],
            overhead_rate=dossier.overhead_rate,
            subsidy_rate=dossier.subsidy_rate or Decimal("0"),
        )
        rows = [[line.get_category_display(), eur(line.amount)] for line in budget]
        rows += [
            [_("Flat-rate overhead"), eur(estimate.overhead)],
            [_("Total"), eur(estimate.total)],
        ]
        sections.append(
            Section(
                _("Budget (estimated costs)"), [_("Category"), _("Amount")], rows, frozenset({1})
            )
        )

    lines = list(dossier_cost_lines(dossier=dossier))
    rows = [
        [
            line.get_category_display(),
            line.description,
            line.document_ref,
            eur(line.amount),
            line.get_verdict_display() if line.verdict else _("not reviewed"),
            eur(line.accepted_amount),
            line.reason,
        ]
        for line in lines
    ]
    if lines:
        rows.append(
            [
                _("Total"),
                "",
                "",
                eur(sum((line.amount for line in lines), Decimal("0.00"))),
                "",
                eur(sum((line.accepted_amount or 0 for line in lines), Decimal("0.00"))),
                "",
            ]
        )
    sections.append(
        Section(
            _("Final cost statement and inspection"),
            [
                _("Category"),
                _("Description"),
                _("Supporting document"),
                _("Declared"),
                _("Verdict"),
                _("Accepted"),
                _("Reason"),
            ],
            rows,
            frozenset({3, 5}),
            frozenset({len(rows) - 1}) if lines else frozenset(),
            note=_cost_note(statement, lines),
        )
    )

    advances = list(dossier_advances(dossier=dossier))
    if advances:
        sections.append(
            Section(
                _("Advances"),
                [_("No."), _("Share"), _("Amount"), _("Approved on"), _("Paid on")],
                [
                    [
                        str(advance.number),
                        _pct(advance.percentage, language),
                        eur(advance.amount),
                        _date(advance.approved_on, language),
                        _date(advance.paid_on, language),
                    ]
                    for advance in advances
                ],
                frozenset({2}),
            )
        )

    if settlement is None:
        sections.append(Section(_("Settlement"), note=_("The dossier has not been settled yet.")))
    else:
        rows = [
            [_("Accepted costs"), eur(settlement.accepted_direct)],
            [
                _("Flat-rate overhead (%(rate)s of accepted personnel costs of %(base)s)")
                % {
                    "rate": _pct(dossier.overhead_rate, language),
                    "base": eur(settlement.accepted_personnel),
                },
                eur(settlement.overhead),
            ],
            [_("Project revenues"), eur(-settlement.revenues)],
            [_("Eligible costs"), eur(settlement.eligible)],
            [
                _("Subsidy rate %(rate)s of the eligible costs")
                % {"rate": _pct(dossier.subsidy_rate, language)},
                eur(settlement.funded),
            ],
            [_("Net to finance (at most the allocation)"), eur(settlement.net)],
            [_("Difference with the allocation"), eur(dossier.difference)],
            [_("Advances paid"), eur(-settlement.advances_paid)],
        ]
        if settlement.order_kind == OrderKind.PAYMENT:
            rows.append([_("Balance to pay to the promoter"), eur(settlement.balance)])
        elif settlement.order_kind == OrderKind.RECOVERY:
            rows.append([_("Balance to recover from the promoter"), eur(-settlement.balance)])
            rows.append(
                [_("Structured communication"), settlement.structured_communication_display]
            )
        else:
            rows.append([_("Balance"), eur(settlement.balance)])
        if settlement.executed_on:
            done = _("Paid on") if settlement.order_kind == OrderKind.PAYMENT else _("Recovered on")
            rows.append([done, _date(settlement.executed_on, language)])
        sections.append(
            Section(
                _("Settlement of %(date)s") % {"date": _date(settlement.settled_on, language)},
                [_("Item"), _("Amount")],
                rows,
                frozenset({1}),
                frozenset({5, 8}),
                keep_together=True,
            )
        )

    stem = f"{slugify(_('settlement'))}-{slugify(dossier.project.name)}-{language[:2]}"
    return Statement(
        language=language,
        title=_("Settlement statement"),
        subtitle=_("Dossier %(dossier)s") % {"dossier": dossier},
        facts=facts,
        sections=sections,
        filename_stem=stem,
    )
