"""Template filters for the active language (nl-BE by default).

Money and numbers go through ``common.money``; KPIs are worded by ``documents.kpi_text``,
so a KPI reads the same on the page as in the generated answer.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from grantmonitor.common.money import format_eur, format_number
from grantmonitor.documents import kpi_text
from grantmonitor.dossiers.models import DossierStatus
from grantmonitor.kpis import rules

register = template.Library()


def _language() -> str:
    return get_language() or "nl"


@register.filter
def eur(amount):
    """``Decimal("299168.12")`` -> ``€ 299.168,12``; empty stays empty."""
    return "" if amount is None or amount == "" else format_eur(amount, _language())


@register.filter
def number(value):
    """``1347`` -> ``1.347``; empty stays empty."""
    return "" if value is None else format_number(value, _language())


@register.filter
def figure(value):
    """A count of people as this reader may see it: ``1.347``, or ``< 5`` / ``≥ 5``."""
    return value.text(_language())


@register.filter
def dossier_status(value):
    """A dossier status code as its label ("with_inspection" -> "bij de dienst Inspectie")."""
    return DossierStatus(value).label


@register.simple_tag
def dossier_status_badge(status):
    """A dossier's status as a badge, or "no dossier": one per row of a call's projects, so
    written here rather than included as a template."""
    if not status:
        return format_html('<span class="muted">{}</span>', gettext("no dossier"))
    return format_html(
        '<span class="status status-{}">{}</span>', status, DossierStatus(status).label
    )


@register.simple_tag
def achievement_badge(achievement):
    """ "3 of 4 achieved" as a badge (green when all are), or "no measurable KPIs"."""
    if not achievement.measurable:
        return format_html('<span class="muted">{}</span>', gettext("no measurable KPIs"))
    text = gettext("%(achieved)s of %(measurable)s achieved") % {
        "achieved": achievement.achieved,
        "measurable": achievement.measurable,
    }
    return format_html(
        '<span class="pill {}">{}</span>', "ok" if achievement.complete else "warn", text
    )


@register.filter
def kpi_objective(row):
    return kpi_text.objective_text(row, _language())


@register.filter
def kpi_realised(row):
    return kpi_text.realised_text(row, _language())


@register.filter
def kpi_achievement(row):
    return kpi_text.achievement_text(row, _language())


@register.filter
def verdict(value):
    return kpi_text.verdict_label(value)


@register.simple_tag
def period_figures(value, kind):
    """A KPI's figures for one reporting period: ``1 in 2`` for a ratio, else the number."""
    if kind == rules.Kind.RATIO:
        return kpi_text.ratio_text(value.figures, _language())
    return kpi_text.number(value.value, _language())


@register.simple_tag
def breakdown_warning(row, check):
    return kpi_text.breakdown_warning(row, check, _language())
