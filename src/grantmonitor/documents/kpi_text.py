"""How a KPI reads in a document: objective, realised value, achievement and verdict as text.

Shared by the answer composer and the ``kpis`` command so a KPI is worded the same way
everywhere. Call these under ``translation.override(language)``; ``language`` picks the
number format (``1.347`` in Dutch, ``1,347`` in English).
"""

from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from grantmonitor.common.money import format_number
from grantmonitor.kpis import rules
from grantmonitor.kpis.selectors import KpiRow


def join_words(items: list[str]) -> str:
    """``["a", "b", "c"]`` -> ``a, b en c`` (``a, b and c`` in English)."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def number(value: Decimal | int | None, language: str) -> str:
    return "" if value is None else format_number(value, language)


def percent(value: Decimal, language: str, *, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{format_number(value, language)}%"


def verdict_label(verdict: rules.Verdict) -> str:
    return {
        rules.Verdict.ACHIEVED: _("achieved"),
        rules.Verdict.NOT_ACHIEVED: _("not achieved"),
        rules.Verdict.NO_OBJECTIVE: _("no objective"),
        rules.Verdict.NO_RESULT: _("no result yet"),
        rules.Verdict.QUALITATIVE: _("qualitative"),
    }[verdict]


def objective_text(row: KpiRow, language: str) -> str:
    kpi = row.kpi
    if kpi.objective_text:
        return kpi.objective_text
    objective = kpi.objective
    if row.kind == rules.Kind.COUNT:
        return number(objective.value, language)
    if row.kind == rules.Kind.INCREASE:
        if objective.percent is None:
            return ""
        wording = (
            _("An increase of at least %(percent)s")
            if kpi.higher_is_better
            else _("A decrease of at least %(percent)s")
        )
        return wording % {"percent": percent(objective.percent, language)}
    if row.kind == rules.Kind.RATIO:
        return ratio_text(objective, language)
    return ""


def ratio_text(figures: rules.Figures, language: str) -> str:
    if figures.numerator is None or figures.denominator is None:
        return ""
    return _("%(numerator)s in %(denominator)s") % {
        "numerator": number(figures.numerator, language),
        "denominator": number(figures.denominator, language),
    }


def realised_text(
    row: KpiRow, language: str, *, count: Callable[[KpiRow], str] | None = None
) -> str:
    """The realised side; a KPI whose children are parts ("waarvan") names them inline.

    ``count`` writes a count KPI's value (the answer's writes small counts of people "< 5").
    """
    count = count or (lambda counted: number(counted.realised.value, language))
    realised = row.realised
    if row.kind == rules.Kind.QUALITATIVE:
        return row.narrative
    if row.kind == rules.Kind.RATIO:
        return ratio_text(realised, language)
    if row.kind == rules.Kind.INCREASE:
        return _increase_text(row, language)
    text = count(row) if realised.value is not None else ""
    parts = [
        f"{count(child)} {child.kpi.label(language)}"
        for child in row.children
        if child.realised.value is not None
    ]
    if text and parts and row.kpi.children_rule == rules.ChildrenRule.OF_WHICH:
        text = _("%(value)s (of which %(parts)s)") % {"value": text, "parts": join_words(parts)}
    return text


def _increase_text(row: KpiRow, language: str) -> str:
    realised = row.realised
    if realised.value is None:
        return ""
    unit = row.kpi.unit.split()
    values = {
        "unit": " ".join(unit),
        # Said again, the unit drops its noun: "5 aanvragen p/j ... naar gem. 16 p/j".
        "rate": " ".join(unit[1:]),
        "value": number(realised.value, language),
        "baseline": number(realised.baseline, language),
    }
    if realised.baseline is None:
        wording = _("On average %(value)s %(unit)s")
    elif realised.value > realised.baseline:
        wording = _(
            "At first there were on average %(baseline)s %(unit)s, "
            "this has risen to an average of %(value)s %(rate)s"
        )
    elif realised.value < realised.baseline:
        wording = _(
            "At first there were on average %(baseline)s %(unit)s, "
            "this has fallen to an average of %(value)s %(rate)s"
        )
    else:
        wording = _("Unchanged at an average of %(value)s %(unit)s")
    return " ".join((wording % values).split()).replace(" ,", ",")


def achievement_text(row: KpiRow, language: str) -> str:
    """``227%`` for a count, ``+220%`` for an increase (the change itself), empty if none."""
    score = row.assessment.score_percent
    if score is None:
        return ""
    return percent(score, language, signed=row.kind == rules.Kind.INCREASE)


def breakdown_warning(row: KpiRow, check: rules.BreakdownCheck, language: str) -> str:
    """A sentence that says how a parent and its children disagree."""
    values = {
        "kpi": row.kpi.label(language),
        "side": _("objective") if check.side == "objective" else _("realised"),
        "parent": number(check.parent, language),
        "total": number(check.children_total, language),
        "largest": number(check.children_max, language),
    }
    if check.rule == rules.ChildrenRule.SUM:
        wording = _(
            "Check: the parts of “%(kpi)s” add up to %(total)s, not to %(parent)s (%(side)s)."
        )
    elif check.rule == rules.ChildrenRule.OF_WHICH:
        wording = _(
            "Check: a part of “%(kpi)s” (%(largest)s) is larger than the whole "
            "(%(parent)s, %(side)s)."
        )
    else:
        wording = _(
            "Check: the groups of “%(kpi)s” do not fit its total of %(parent)s (%(side)s): "
            "the largest group counts %(largest)s, all groups together %(total)s."
        )
    return wording % values
