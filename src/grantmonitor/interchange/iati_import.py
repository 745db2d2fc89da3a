"""IATI activity files (2.0x, and the older 1.0x layout) with results, read into a call.

Real files are messy. Reading (:func:`parse_activities`) turns what is sound into plain data
and notes every value it cannot use with the reason; writing (:func:`iati_import`) goes through
the domain's services only, one activity at a time, so one activity's bad data never blocks
the others. Re-importing the same file creates nothing twice: a project is found by its IATI
identifier (kept as the project's name until the project has a field for it), a KPI by its
indicator title within the project, and a value already current for its period is not
recorded again.

Each indicator measured in units becomes a count KPI: the objective is the sum of the targets
of the outermost periods (a period inside another one is a part of it, not extra), the
realised value the sum of the actuals likewise, and each sound period with an actual is also
kept as a value for that period.
"""

import copy
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from lxml import etree

from grantmonitor.calls.models import Call, Project
from grantmonitor.calls.selectors import call_get_by_title, project_list
from grantmonitor.calls.services import call_create, project_create
from grantmonitor.common.money import is_whole_cents
from grantmonitor.common.numbers import NotANumber, parse_number
from grantmonitor.kpis.models import Kpi, KpiKind, KpiValue
from grantmonitor.kpis.selectors import project_kpis
from grantmonitor.kpis.services import kpi_create, kpi_value_record
from grantmonitor.organisations.models import Organisation
from grantmonitor.organisations.selectors import organisation_get_by_name
from grantmonitor.organisations.services import organisation_create

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFERRED_LANGUAGES = ("nl", "", "en")
PLACEHOLDER_YEAR = 9999
MAX_IDENTIFIER = 200  # kept as the project's name for now
EVIDENCE = "IATI: %(file)s"

# OrganisationRole: 2.0x codes, 1.0x names.
ROLES = {
    "1": "funding",
    "2": "accountable",
    "3": "extending",
    "4": "implementing",
    "funding": "funding",
    "accountable": "accountable",
    "extending": "extending",
    "implementing": "implementing",
}
# ActivityDateType: 2.0x codes, 1.0x names.
DATE_TYPES = {
    "1": "start-planned",
    "2": "start-actual",
    "3": "end-planned",
    "4": "end-actual",
    "start-planned": "start-planned",
    "start-actual": "start-actual",
    "end-planned": "end-planned",
    "end-actual": "end-actual",
}
# IndicatorMeasure: only units are counts. 1.0x files usually leave it out.
UNIT_MEASURES = {"", "1", "unit"}


class IatiFileError(Exception):
    """The file is not an IATI activity file at all; nothing was imported."""


@dataclass(frozen=True)
class Skipped:
    """One value not imported, and why, with where it was found."""

    activity: str
    reason: str
    indicator: str = ""
    period: str = ""
    value: str = ""

    def __str__(self) -> str:
        where = " / ".join(part for part in (self.activity, self.indicator, self.period) if part)
        value = f" “{self.value}”" if self.value else ""
        return f"{where}{value}: {self.reason}"


@dataclass(frozen=True)
class Org:
    name: str
    ref: str = ""
    role: str = ""


@dataclass
class Period:
    start: datetime.date
    end: datetime.date
    target: Decimal | None = None
    actual: Decimal | None = None

    @property
    def span(self) -> tuple[datetime.date, datetime.date]:
        return self.start, self.end

    def within(self, other: "Period") -> bool:
        """Strictly inside ``other``: a part of it."""
        return other.span != self.span and other.start <= self.start and self.end <= other.end


@dataclass
class Indicator:
    title: str
    periods: list[Period] = field(default_factory=list)
    ascending: bool = True


@dataclass
class Activity:
    identifier: str
    title: str
    reporting_org: Org | None
    participating_orgs: list[Org]
    start_date: datetime.date | None
    end_date: datetime.date | None
    indicators: list[Indicator]


@dataclass
class ImportReport:
    call: Call | None = None
    call_created: bool = False
    activities_found: int = 0
    organisations_created: list[str] = field(default_factory=list)
    projects_created: list[str] = field(default_factory=list)
    projects_found: list[str] = field(default_factory=list)
    kpis_created: int = 0
    values_recorded: int = 0
    values_unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def imported_anything(self) -> bool:
        """Whether any activity was sound: created now, or found from an earlier import."""
        return bool(self.projects_created or self.projects_found)


def parse_activities(source: str | Path | BinaryIO, report: ImportReport) -> Iterator[Activity]:
    """The sound part of each ``iati-activity``; what is not sound goes to ``report.skipped``.

    Streams the file: one activity is in memory at a time.
    """
    parser_options = {"resolve_entities": False, "no_network": True, "remove_comments": True}
    events = etree.iterparse(
        str(source) if isinstance(source, Path) else source,
        events=("start", "end"),
        **parser_options,
    )
    try:
        _event, root = next(events)
        if root.tag != "iati-activities":
            raise IatiFileError(
                _("This is not an IATI activity file: its root element is <%(tag)s>.")
                % {"tag": root.tag}
            )
        for event, element in events:
            if event == "end" and element.tag == "iati-activity" and element.getparent() is root:
                report.activities_found += 1
                activity = _activity(element, report.skipped, position=report.activities_found)
                element.clear(keep_tail=True)
                while element.getprevious() is not None:
                    del root[0]
                if activity is not None:
                    yield activity
    except etree.XMLSyntaxError as exc:
        raise IatiFileError(
            _("The file is not well-formed XML: %(error)s") % {"error": exc}
        ) from exc


def iati_import(
    *, source: str | Path | BinaryIO, call_title: str, file_name: str = ""
) -> ImportReport:
    """Import every sound activity of ``source`` into the call titled ``call_title``.

    The call is created when no call has that title, with as many projects as activities,
    and only when at least one activity could be imported. Raises :class:`IatiFileError` when
    the file is no IATI activity file at all, and ``ValidationError`` for a call title that
    cannot be a call's.
    """
    report = ImportReport()
    activities = list(parse_activities(source, report))
    if not activities:
        return report
    with transaction.atomic():
        try:
            report.call = call_get_by_title(title=call_title)
        except Call.DoesNotExist:
            report.call = call_create(title=call_title, number_of_projects=report.activities_found)
            report.call_created = True
        evidence = EVIDENCE % {"file": file_name or call_title}
        for activity in activities:
            _import_isolated(activity, report, evidence)
        if report.call_created and not report.imported_anything:
            transaction.set_rollback(True)  # no empty call for a file with nothing sound
            report.call, report.call_created = None, False
    return report


def _import_isolated(activity: Activity, report: ImportReport, evidence: str) -> None:
    """Import one activity whole or not at all; its failure is reported, not raised."""
    before = copy.deepcopy({name: getattr(report, name) for name in _OUTCOMES})
    try:
        with transaction.atomic():
            _import_activity(activity, report, evidence)
    except (ValidationError, DatabaseError) as exc:
        for name, value in before.items():
            setattr(report, name, value)
        report.skipped.append(
            Skipped(
                activity.identifier,
                _("activity not imported: %(error)s") % {"error": _messages(exc)},
            )
        )


# What one activity adds to the report; put back as it was when the activity rolls back.
_OUTCOMES = (
    "organisations_created",
    "projects_created",
    "projects_found",
    "kpis_created",
    "values_recorded",
    "values_unchanged",
    "skipped",
)


# --- reading -------------------------------------------------------------------------------


def _activity(element: etree._Element, skipped: list[Skipped], position: int) -> Activity | None:
    identifier = _text(element.find("iati-identifier"))
    if not identifier:
        skipped.append(
            Skipped(
                _("activity nr. %(position)s") % {"position": position},
                _("no iati-identifier: activity skipped"),
            )
        )
        return None
    if len(identifier) > MAX_IDENTIFIER:
        skipped.append(
            Skipped(
                identifier,
                _("iati-identifier longer than %(max)s characters: activity skipped")
                % {"max": MAX_IDENTIFIER},
            )
        )
        return None
    reporting = element.find("reporting-org")
    reporting_org = _org(reporting) if reporting is not None else None
    orgs = [org for org in (_org(e) for e in element.findall("participating-org")) if org.name]
    start, end = _activity_dates(element, identifier, skipped)
    indicators = []
    for result in element.findall("result"):
        for indicator in result.findall("indicator"):
            parsed = _indicator(indicator, identifier, skipped)
            if parsed is not None:
                indicators.append(parsed)
    return Activity(
        identifier=identifier,
        title=_text(element.find("title")) or identifier,
        reporting_org=reporting_org if reporting_org and reporting_org.name else None,
        participating_orgs=orgs,
        start_date=start,
        end_date=end,
        indicators=indicators,
    )


def _activity_dates(
    element: etree._Element, identifier: str, skipped: list[Skipped]
) -> tuple[datetime.date | None, datetime.date | None]:
    found: dict[str, datetime.date] = {}
    for date in element.findall("activity-date"):
        kind = DATE_TYPES.get((date.get("type") or "").strip().lower())
        raw = date.get("iso-date") or _text(date)
        day = _date(raw)
        if kind is None:
            continue
        if isinstance(day, str):
            skipped.append(
                Skipped(
                    identifier,
                    _("activity date not kept: %(reason)s") % {"reason": day},
                    value=raw or "",
                )
            )
            continue
        found[kind] = day
    start = found.get("start-actual") or found.get("start-planned")
    end = found.get("end-actual") or found.get("end-planned")
    if start and end and end < start:
        skipped.append(
            Skipped(
                identifier,
                _("activity dates not kept: the end lies before the start"),
                value=f"{start.isoformat()} – {end.isoformat()}",
            )
        )
        return None, None
    return start, end


def _indicator(
    element: etree._Element, identifier: str, skipped: list[Skipped]
) -> Indicator | None:
    title = _text(element.find("title"))
    measure = (element.get("measure") or "").strip().lower()
    if not title:
        skipped.append(Skipped(identifier, _("indicator without a title: skipped")))
        return None
    if measure not in UNIT_MEASURES:
        skipped.append(
            Skipped(
                identifier,
                _("not a count (measure %(measure)s): only indicators in units become KPIs")
                % {"measure": measure},
                indicator=title,
            )
        )
        return None
    indicator = Indicator(
        title=title,
        ascending=(element.get("ascending") or "1").strip().lower() not in {"0", "false"},
    )
    for baseline in element.findall("baseline"):
        if (baseline.get("value") or "").strip():
            skipped.append(
                Skipped(
                    identifier,
                    _("baseline not kept: a count KPI has no baseline"),
                    indicator=title,
                    period=baseline.get("year") or "",
                    value=baseline.get("value"),
                )
            )
    spans: dict[tuple, Period] = {}
    for period in element.findall("period"):
        parsed = _period(period, identifier, title, skipped)
        if parsed is None:
            continue
        first = spans.setdefault(parsed.span, parsed)
        if first is not parsed:
            _merge(first, parsed, identifier, title, skipped)
    indicator.periods = list(spans.values())
    return indicator


def _merge(first: Period, again: Period, identifier: str, title: str, skipped: list) -> None:
    """The same period twice: take values it did not have yet, refuse contradicting ones."""
    for side in ("target", "actual"):
        value = getattr(again, side)
        if value is None:
            continue
        if getattr(first, side) is None:
            setattr(first, side, value)
        elif getattr(first, side) != value:
            skipped.append(
                Skipped(
                    identifier,
                    _("%(side)s not kept: the same period already has %(value)s")
                    % {"side": _side(side), "value": getattr(first, side)},
                    indicator=title,
                    period=f"{first.start} – {first.end}",
                    value=str(value),
                )
            )


def _period(
    element: etree._Element, identifier: str, title: str, skipped: list[Skipped]
) -> Period | None:
    raw_start = _attr(element.find("period-start"), "iso-date")
    raw_end = _attr(element.find("period-end"), "iso-date")
    label = f"{raw_start or '?'} – {raw_end or '?'}"
    values = {
        side: _side_value(element, side, identifier, title, label, skipped)
        for side in ("target", "actual")
    }
    start, end = _date(raw_start), _date(raw_end)
    problem = next((reason for reason in (start, end) if isinstance(reason, str)), None)
    if problem is None and end < start:
        problem = _("the period ends before it starts")
    if problem is not None:
        for side, value in values.items():
            if value is not None:
                skipped.append(
                    Skipped(
                        identifier,
                        _("%(side)s not kept: %(reason)s")
                        % {"side": _side(side), "reason": problem},
                        indicator=title,
                        period=label,
                        value=str(value),
                    )
                )
        return None
    if values["target"] is None and values["actual"] is None:
        return None
    return Period(start=start, end=end, target=values["target"], actual=values["actual"])


def _side_value(
    period: etree._Element,
    side: str,
    identifier: str,
    title: str,
    label: str,
    skipped: list[Skipped],
) -> Decimal | None:
    """The period's total target or actual: the one value given, or the one without dimension."""
    elements = period.findall(side)
    if not elements:
        return None
    totals = [e for e in elements if e.find("dimension") is None]
    for element in elements:
        if element.find("dimension") is not None and (totals or len(elements) > 1):
            dimensions = ", ".join(
                f"{d.get('name', '')} = {d.get('value', '')}" for d in element.findall("dimension")
            )
            skipped.append(
                Skipped(
                    identifier,
                    _("disaggregated %(side)s (%(dimensions)s) not kept: only totals are imported")
                    % {"side": _side(side), "dimensions": dimensions},
                    indicator=title,
                    period=label,
                    value=element.get("value") or "",
                )
            )
    chosen = totals if totals else elements if len(elements) == 1 else []
    if len(chosen) > 1:
        skipped.append(
            Skipped(
                identifier,
                _("several %(side)s values for one period: none kept") % {"side": _side(side)},
                indicator=title,
                period=label,
                value=" | ".join(e.get("value") or "" for e in chosen),
            )
        )
        return None
    if not chosen:
        return None
    raw = chosen[0].get("value")
    if raw is None:
        raw = _text(chosen[0])
    number = parse_number(raw)
    reason = None
    if isinstance(number, NotANumber):
        reason = number.reason
    elif number < 0:
        reason = _("negative")
    elif not is_whole_cents(number):
        reason = _("more than two decimals")
    if reason is not None:
        skipped.append(
            Skipped(
                identifier,
                _("%(side)s not kept: %(reason)s") % {"side": _side(side), "reason": reason},
                indicator=title,
                period=label,
                value=raw or "",
            )
        )
        return None
    return number


def _side(side: str) -> str:
    return _("target") if side == "target" else _("actual")


def _org(element: etree._Element) -> Org:
    ref = (element.get("ref") or "").strip()
    role = ROLES.get((element.get("role") or "").strip().lower(), "")
    return Org(name=_text(element) or ref, ref=ref, role=role)


def _text(element: etree._Element | None) -> str:
    """The text of a 2.0x element (its narratives, Dutch first) or a 1.0x one (its own text)."""
    if element is None:
        return ""
    narratives = element.findall("narrative")
    if narratives:
        by_language = {}
        for narrative in narratives:
            by_language.setdefault(
                (narrative.get(XML_LANG) or "").lower()[:2], _clean(narrative.text)
            )
        for language in PREFERRED_LANGUAGES:
            if by_language.get(language):
                return by_language[language]
        return next((text for text in by_language.values() if text), "")
    return _clean(element.text)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _attr(element: etree._Element | None, name: str) -> str:
    return "" if element is None else (element.get(name) or "").strip()


def _date(raw: str | None) -> datetime.date | str:
    """An ISO date, or the reason it is not a sound one."""
    raw = (raw or "").strip()
    if not raw:
        return _("no date")
    try:
        day = datetime.date.fromisoformat(raw[:10])
    except ValueError:
        return _("“%(value)s” is not a date") % {"value": raw}
    if day.year >= PLACEHOLDER_YEAR:
        return _("placeholder date %(value)s") % {"value": raw}
    return day


# --- writing -------------------------------------------------------------------------------


def _import_activity(activity: Activity, report: ImportReport, evidence: str) -> None:
    project = project_list(call=report.call).filter(name=activity.identifier).first()
    if project is None:
        project = _create_project(activity, report)
        report.projects_created.append(activity.identifier)
    else:
        report.projects_found.append(activity.identifier)
    existing = {row.kpi.name: row.kpi for row in project_kpis(project=project).rows}
    seen: set[str] = set()
    for order, indicator in enumerate(activity.indicators, start=1):
        objective = _outermost_sum(indicator.periods, "target")
        if indicator.title in seen:
            report.skipped.append(
                Skipped(
                    activity.identifier,
                    _("another indicator of this activity has the same title: skipped"),
                    indicator=indicator.title,
                )
            )
            continue
        seen.add(indicator.title)
        kpi = existing.get(indicator.title)
        if kpi is None:
            try:
                kpi = kpi_create(
                    project=project,
                    name=indicator.title,
                    kind=KpiKind.COUNT,
                    order=order,
                    higher_is_better=indicator.ascending,
                    objective_value=objective,
                )
            except ValidationError as exc:
                report.skipped.append(
                    Skipped(
                        activity.identifier,
                        _("indicator not imported: %(error)s") % {"error": _messages(exc)},
                        indicator=indicator.title,
                    )
                )
                continue
            report.kpis_created += 1
        elif objective is not None and kpi.objective_value != objective:
            report.skipped.append(
                Skipped(
                    activity.identifier,
                    _("target not kept: the KPI already has the objective %(objective)s")
                    % {"objective": kpi.objective_value},
                    indicator=indicator.title,
                    value=str(objective),
                )
            )
        if kpi.kind != KpiKind.COUNT:
            report.skipped.append(
                Skipped(
                    activity.identifier,
                    _("actuals not kept: the existing KPI is not a count"),
                    indicator=indicator.title,
                )
            )
            continue
        _record_values(kpi, activity, indicator, report, evidence)


def _create_project(activity: Activity, report: ImportReport) -> Project:
    orgs = activity.participating_orgs
    implementing = [org for org in orgs if org.role == "implementing"]
    accountable = [org for org in orgs if org.role in {"accountable", "extending"}]
    candidates = implementing or accountable or orgs
    promoter = candidates[0] if candidates else activity.reporting_org
    if promoter is None:
        raise ValidationError(
            {"promoter": _("no reporting or participating organisation names a promoter")}
        )
    for org in [activity.reporting_org, *orgs]:
        if org is not None:
            _organisation(org, report)
    partners = [_organisation(org, report) for org in implementing[1:]]
    return project_create(
        call=report.call,
        name=activity.identifier,
        title=activity.title[:300],
        promoter=_organisation(promoter, report),
        partners=[partner for partner in partners if partner.name != promoter.name],
        start_date=activity.start_date,
        end_date=activity.end_date,
        order=len(report.projects_created) + len(report.projects_found) + 1,
    )


def _organisation(org: Org, report: ImportReport) -> Organisation:
    name = org.name[:200]
    try:
        return organisation_get_by_name(name=name)
    except Organisation.DoesNotExist:
        report.organisations_created.append(name)
        return organisation_create(name=name)
    except Organisation.MultipleObjectsReturned as exc:
        raise ValidationError(
            {"promoter": _("several organisations are called “%(name)s”") % {"name": name}}
        ) from exc


def _record_values(
    kpi: Kpi, activity: Activity, indicator: Indicator, report: ImportReport, evidence: str
) -> None:
    wanted: list[tuple[datetime.date | None, datetime.date | None, Decimal]] = [
        (period.start, period.end, period.actual)
        for period in indicator.periods
        if period.actual is not None
    ]
    total = _outermost_sum(indicator.periods, "actual")
    if total is not None:
        wanted.append((None, None, total))
    for start, end, value in wanted:
        if _current_value(kpi, start, end) == value:
            report.values_unchanged += 1
            continue
        try:
            kpi_value_record(
                kpi=kpi, value=value, period_start=start, period_end=end, evidence=evidence
            )
        except ValidationError as exc:
            report.skipped.append(
                Skipped(
                    activity.identifier,
                    _("actual not kept: %(error)s") % {"error": _messages(exc)},
                    indicator=indicator.title,
                    period=f"{start} – {end}" if start else "",
                    value=str(value),
                )
            )
            continue
        report.values_recorded += 1


def _current_value(kpi: Kpi, start: datetime.date | None, end: datetime.date | None):
    latest = (
        KpiValue.objects.filter(kpi=kpi, period_start=start, period_end=end)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return latest.value if latest else None


def _outermost_sum(periods: list[Period], side: str) -> Decimal | None:
    """The sum over the periods that lie in no other period with a value on this side."""
    with_value = [period for period in periods if getattr(period, side) is not None]
    outermost = [p for p in with_value if not any(p.within(other) for other in with_value)]
    if not outermost:
        return None
    return sum((getattr(p, side) for p in outermost), Decimal(0))


def _messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        )
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
