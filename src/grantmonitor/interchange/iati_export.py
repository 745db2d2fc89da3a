"""A call's projects as an IATI 2.03 activity file, with their KPIs as results.

One ``iati-activity`` per project: the funder reports, the promoter and its partners implement,
and every KPI becomes an indicator (counts and increases measured in units, ratios in percent,
qualitative KPIs as qualitative indicators with their narrative). The realised value over the
whole project is one period from the project's start to its end; the target groups reached
are the actual's disaggregation by ``dimension``.

Reads the domain only through selectors; knows nothing of HTTP or files.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import project_list
from grantmonitor.documents import kpi_text
from grantmonitor.dossiers.models import DossierStatus
from grantmonitor.dossiers.selectors import dossier_history, dossier_list
from grantmonitor.kpis import rules
from grantmonitor.kpis.selectors import KpiRow, ProjectKpis, projects_kpis

IATI_VERSION = "2.03"
SCHEMA = Path(__file__).parent / "schemas" / "iati-2.03" / "iati-activities-schema.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# IATI codelists used here: OrganisationType 10 government; OrganisationRole 1 funding,
# 4 implementing; ActivityDateType 1/2 planned/actual start, 3/4 planned/actual end;
# ResultType 1 output; IndicatorMeasure 1 unit, 2 percentage, 5 qualitative.
ROLE_FUNDING, ROLE_IMPLEMENTING = "1", "4"
MEASURE = {
    rules.Kind.COUNT: "1",
    rules.Kind.INCREASE: "1",
    rules.Kind.RATIO: "2",
    rules.Kind.QUALITATIVE: "5",
}
# ActivityStatus: 2 implementation, 3 finalisation, 4 closed.
ACTIVITY_STATUS = {
    DossierStatus.RUNNING: "2",
    DossierStatus.FINAL_REPORT_IN: "3",
    DossierStatus.WITH_INSPECTION: "3",
    DossierStatus.BACK_WITH_CASE_HANDLER: "3",
    DossierStatus.BALANCE_PAID: "4",
    DossierStatus.BALANCE_RECOVERED: "4",
    DossierStatus.CLOSED: "4",
}
CLOSED_STATUSES = {"3", "4"}


@dataclass(frozen=True)
class ReportingOrg:
    """The funder as IATI knows it: its organisation identifier (e.g. ``BE-BCE_KBO-...``)."""

    ref: str
    name: str
    type: str = "10"


class IatiExportError(Exception):
    """The call cannot be written as valid IATI; the message says what to complete."""


@dataclass(frozen=True)
class _Dates:
    start: datetime.date
    start_actual: bool
    end: datetime.date | None
    end_actual: bool


def export_call(
    *, call: Call, reporting_org: ReportingOrg, generated_at: datetime.datetime | None = None
) -> bytes:
    """The call's projects as an ``iati-activities`` document (UTF-8 XML, version 2.03)."""
    if not reporting_org.ref.strip():
        raise IatiExportError(_("The reporting organisation needs an IATI identifier (ref)."))
    generated_at = generated_at or timezone.now()
    projects = list(project_list(call=call).order_by("order", "name"))
    dossiers = {dossier.project_id: dossier for dossier in dossier_list(call_id=call.pk)}
    dates = {
        project.pk: _project_dates(project, call, dossiers.get(project.pk)) for project in projects
    }
    undated = [project.name for project in projects if dates[project.pk] is None]
    if undated:
        raise IatiExportError(
            _(
                "IATI needs a start date for every activity; these projects have none, nor "
                "does their call or dossier: %(projects)s."
            )
            % {"projects": ", ".join(undated)}
        )
    root = etree.Element(
        "iati-activities",
        version=IATI_VERSION,
        attrib={"generated-datetime": _datetime(generated_at)},
    )
    with translation.override("nl"):
        for table in projects_kpis(projects=projects):
            dossier = dossiers.get(table.project.pk)
            status = ACTIVITY_STATUS.get(getattr(dossier, "current_status", None), "2")
            root.append(
                _activity(table, call, reporting_org, dates[table.project.pk], status, generated_at)
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def iati_identifier(*, reporting_org: ReportingOrg, project: Project) -> str:
    return f"{reporting_org.ref.strip()}-{project.pk}"


def schema() -> etree.XMLSchema:
    """The official IATI 2.03 activity schema shipped with the project."""
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _project_dates(project: Project, call: Call, dossier) -> _Dates | None:
    today = timezone.localdate()
    start = project.start_date or call.start_date
    if start is None and dossier is not None:
        first = dossier_history(dossier=dossier).first()
        start = first.changed_on if first else None
    if start is None:
        return None
    end, end_actual = project.end_date or call.end_date, True
    months = project.duration_months or call.duration_months
    if end is None and months:
        end, end_actual = _add_months(start, months) - datetime.timedelta(days=1), False
    return _Dates(start, start <= today, end, end_actual and end is not None and end <= today)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + year, month=month + 1, day=min(day.day, 28))


def _activity(
    table: ProjectKpis,
    call: Call,
    reporting_org: ReportingOrg,
    dates: _Dates,
    status: str,
    generated_at: datetime.datetime,
) -> etree._Element:
    project = table.project
    activity = etree.Element(
        "iati-activity",
        attrib={"last-updated-datetime": _datetime(generated_at), XML_LANG: "nl"},
    )
    _sub(activity, "iati-identifier").text = iati_identifier(
        reporting_org=reporting_org, project=project
    )
    _org(
        activity,
        "reporting-org",
        reporting_org.name,
        ref=reporting_org.ref,
        type=reporting_org.type,
    )
    _narratives(_sub(activity, "title"), project.title or project.name)
    _narratives(
        _sub(activity, "description", type="1"),
        _("Project %(project)s in the call “%(call)s”.")
        % {"project": project.name, "call": call.title},
    )
    _org(
        activity,
        "participating-org",
        reporting_org.name,
        ref=reporting_org.ref,
        role=ROLE_FUNDING,
        type=reporting_org.type,
    )
    for organisation in [project.promoter, *project.partners.all()]:
        _org(activity, "participating-org", organisation.name, role=ROLE_IMPLEMENTING)
    _sub(activity, "activity-status", code=status)
    _sub(activity, "activity-date", type="2" if dates.start_actual else "1", **_iso(dates.start))
    if dates.end is not None:
        ended = dates.end_actual and status in CLOSED_STATUSES
        _sub(activity, "activity-date", type="4" if ended else "3", **_iso(dates.end))
    for block in table.blocks:
        rows = [row for row in block.rows if _exportable(row)]
        if not rows:
            continue
        result = _sub(activity, "result", type="1")
        if block.track is not None:
            _narratives(_sub(result, "title"), block.track.name, block.track.name_en)
        else:
            _narratives(
                _sub(result, "title"), _("Results of %(project)s") % {"project": project.name}
            )
        for row in rows:
            result.append(_indicator(row, table, dates))
    return activity


def _exportable(row: KpiRow) -> bool:
    """A KPI with something to say: an objective, a realised value or a narrative."""
    return not (row.kpi.objective.is_empty() and row.realised.is_empty() and not row.narrative)


def _indicator(row: KpiRow, table: ProjectKpis, dates: _Dates) -> etree._Element:
    kpi = row.kpi
    indicator = etree.Element(
        "indicator", measure=MEASURE[row.kind], ascending="1" if kpi.higher_is_better else "0"
    )
    _narratives(
        _sub(indicator, "title"),
        _title(row, table, "nl"),
        _title(row, table, "en") if kpi.name_en else "",
    )
    description = "\n\n".join(text for text in (kpi.note, row.narrative) if text)
    if kpi.unit:
        description = "\n\n".join(
            filter(None, (_("Unit: %(unit)s") % {"unit": kpi.unit}, description))
        )
    if description:
        _narratives(_sub(indicator, "description"), description)
    if row.kind == rules.Kind.QUALITATIVE:
        return indicator
    target, actual = _target_and_actual(row)
    baseline = row.realised.baseline
    if baseline is not None:
        _sub(
            indicator,
            "baseline",
            year=str(dates.start.year),
            value=_number(baseline),
            **_iso(dates.start),
        )
    if dates.end is None or (target is None and actual is None):
        return indicator
    period = _sub(indicator, "period")
    _sub(period, "period-start", **_iso(dates.start))
    _sub(period, "period-end", **_iso(dates.end))
    if target is not None:
        element = _sub(period, "target", value=_number(target))
        wording = kpi_text.objective_text(row, "nl")
        if wording and wording != kpi_text.number(target, "nl"):
            _narratives(_sub(element, "comment"), wording)
    if actual is not None:
        _sub(period, "actual", value=_number(actual))
        for count in table.target_group_counts.get(kpi.pk, []):
            element = _sub(period, "actual", value=_number(count.count))
            _sub(element, "dimension", name=_("target group"), value=count.target_group.label("nl"))
    return indicator


def _target_and_actual(row: KpiRow) -> tuple[Decimal | None, Decimal | None]:
    objective, realised = row.kpi.objective, row.realised
    if row.kind == rules.Kind.RATIO:
        return _percent(objective.ratio), _percent(realised.ratio)
    if row.kind == rules.Kind.INCREASE:
        if objective.percent is None or realised.baseline is None:
            return None, realised.value
        change = objective.percent if row.kpi.higher_is_better else -objective.percent
        return realised.baseline * (1 + change / HUNDRED), realised.value
    return objective.value, realised.value


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * HUNDRED).quantize(CENT)


def _title(row: KpiRow, table: ProjectKpis, language: str) -> str:
    """A child KPI reads under its parent: ``Aantal bereikte prestarters – Via infosessies``."""
    kpis = {other.kpi.pk: other.kpi for other in table.rows}
    names, kpi = [], row.kpi
    while kpi is not None:
        names.append(kpi.label(language))
        kpi = kpis.get(kpi.parent_id)
    return " – ".join(reversed(names))


def _org(parent: etree._Element, tag: str, name: str, **attrib: str) -> None:
    _narratives(_sub(parent, tag, **{key: value for key, value in attrib.items() if value}), name)


def _narratives(parent: etree._Element, dutch: str, english: str = "") -> etree._Element:
    _sub(parent, "narrative", attrib={XML_LANG: "nl"}).text = dutch
    if english and english != dutch:
        _sub(parent, "narrative", attrib={XML_LANG: "en"}).text = english
    return parent


def _sub(
    parent: etree._Element, tag: str, attrib: dict | None = None, **extra: str
) -> etree._Element:
    return etree.SubElement(parent, tag, attrib={**(attrib or {}), **extra})


def _iso(day: datetime.date) -> dict[str, str]:
    return {"iso-date": day.isoformat()}


def _number(value: Decimal | int) -> str:
    """IATI values are plain decimals with a point: ``1347``, ``5.5``, ``25``."""
    return format(Decimal(value).normalize(), "f")


def _datetime(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
