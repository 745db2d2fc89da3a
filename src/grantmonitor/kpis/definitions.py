"""The measure-definition language: how a KPI is counted from the register, as JSON data.

A definition is one of four shapes. A **measure** counts register records::

    {"count": "attendees",
     "filters": {"activity_kind": ["info_session"], "characteristics": ["young"]},
     "window": "project"}

``window`` is ``"project"`` (the project's period; open when the project has none, the
default) or ``{"start": "2014-01-01", "end": "2016-12-31"}``. Both ends are **inclusive**.
Characteristic filters hold when the participant has *all* the codes listed: recorded codes
count when recorded on or before the counted event; ``young`` (under 28) and ``aged_50_plus``
compare the birth year with the year of the counted event.

The three combinations::

    {"combine": "average_per_year", "measure": M}
    {"combine": "ratio", "numerator": M, "denominator": M, "as": "fraction" | "one_in"}
    {"combine": "change", "measure": M, "baseline": {"start": ..., "end": ...},
     "per_year": true}

``average_per_year`` divides by the window's length in years (whole months / 12 when the
window runs from a first to a last day of a month, else days / 365.25). ``change`` gives a
realised level and a baseline level (each averaged per year when ``per_year``), from which
the KPI rules compute the relative change. ``ratio`` ``as: one_in`` reports "1 in N".

This module is pure validation: :func:`validate` raises ``ValidationError`` naming the path
of the offending element, so a definition that cannot be computed is never saved.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grantmonitor.kpis.models import KpiKind, OutcomeStatus
from grantmonitor.register.models import (
    ActivityKind,
    CreditDecision,
    ReachedKind,
    TrajectoryKind,
    characteristic_codes,
)


@dataclass(frozen=True)
class Filter:
    kind: str  # "choices" (a non-empty list of known values), "code", "text", "bool"
    values: tuple[str, ...] = ()


ACTIVITY_KIND = Filter("choices", tuple(ActivityKind.values))
CHARACTERISTICS = Filter("choices", tuple(characteristic_codes()))
AUDIENCE = Filter("code", tuple(characteristic_codes()))
TEXT = Filter("text")

ACTIVITY_FILTERS = {"activity_kind": ACTIVITY_KIND, "audience": AUDIENCE, "partner": TEXT}

#: What can be counted, and the filters each countable accepts.
COUNTABLES: dict[str, dict[str, Filter]] = {
    # distinct participants who attended a matching activity
    "attendees": {**ACTIVITY_FILTERS, "characteristics": CHARACTERISTICS},
    "activities": ACTIVITY_FILTERS,
    # distinct organisations present at a matching activity
    "organisations_present": ACTIVITY_FILTERS,
    # distinct participants registered (intake) in the window
    "participants": {"characteristics": CHARACTERISTICS},
    "trajectories": {
        "trajectory_kind": Filter("choices", tuple(TrajectoryKind.values)),
        "characteristics": CHARACTERISTICS,
    },
    "participants_in_trajectory": {
        "trajectory_kind": Filter("choices", tuple(TrajectoryKind.values)),
        "characteristics": CHARACTERISTICS,
    },
    "credit_applications": {
        "decision": Filter("choices", tuple(CreditDecision.values)),
        "characteristics": CHARACTERISTICS,
        "lender": TEXT,
    },
    "credit_applicants": {
        "decision": Filter("choices", tuple(CreditDecision.values)),
        "characteristics": CHARACTERISTICS,
        "lender": TEXT,
    },
    "organisations_reached": {"reached_kind": Filter("choices", tuple(ReachedKind.values))},
    "referrals": {"taken_up": Filter("bool"), "characteristics": CHARACTERISTICS},
    "participants_with_outcome": {
        "outcome_status": Filter("choices", tuple(OutcomeStatus.values)),
        "programme": TEXT,
        "characteristics": CHARACTERISTICS,
    },
}

#: Countables whose result is a number of distinct people (they have a population).
PEOPLE = {
    "attendees",
    "participants",
    "participants_in_trajectory",
    "credit_applicants",
    "participants_with_outcome",
}

MEASURE_KEYS = {"count", "filters", "window"}
COMBINE_KEYS = {
    "average_per_year": {"combine", "measure"},
    "ratio": {"combine", "numerator", "denominator", "as"},
    "change": {"combine", "measure", "baseline", "per_year"},
}
RATIO_FORMS = ("fraction", "one_in")
#: The KPI kinds each shape can realise.
SHAPE_KINDS = {
    "measure": {KpiKind.COUNT},
    "average_per_year": {KpiKind.COUNT},
    "ratio": {KpiKind.RATIO},
    "change": {KpiKind.INCREASE},
}


@dataclass(frozen=True)
class Window:
    """An inclusive date range; ``None`` at an end means open."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def intersect(self, other: "Window") -> "Window":
        # a recompute intersects every value's year with its window: 18.000 times at L
        start = other.start if self.start is None else self.start
        if other.start is not None and other.start > start:
            start = other.start
        end = other.end if self.end is None else self.end
        if other.end is not None and other.end < end:
            end = other.end
        return Window(start, end)

    @property
    def closed(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def empty(self) -> bool:
        return self.closed and self.end < self.start


class _Errors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.messages.append(f"{path}: {message}")


def shape(spec: dict) -> str:
    return spec.get("combine", "measure") if isinstance(spec, dict) else "measure"


def validate(spec: object, *, kind: str | None = None) -> dict:
    """Return ``spec`` if it is a valid definition (for a KPI of ``kind``, when given)."""
    errors = _Errors()
    if not isinstance(spec, dict):
        raise ValidationError({"spec": _("A definition is a JSON object.")})
    combine = spec.get("combine")
    if combine is None:
        _validate_measure(spec, "definition", errors)
    elif combine not in COMBINE_KEYS:
        errors.add(
            "combine",
            _("unknown combination “%(value)s”; use one of %(known)s.")
            % {"value": combine, "known": ", ".join(COMBINE_KEYS)},
        )
    else:
        _unknown_keys(spec, COMBINE_KEYS[combine], "definition", errors)
        if combine in ("average_per_year", "change"):
            _validate_measure(spec.get("measure"), "measure", errors)
        if combine == "average_per_year":
            _require_closed_or_project(spec.get("measure"), "measure.window", errors)
        if combine == "change":
            baseline = _validate_window(spec.get("baseline"), "baseline", errors, required=True)
            if baseline is not None and not baseline.closed:
                errors.add("baseline", _("a baseline needs a start and an end."))
            if not isinstance(spec.get("per_year", True), bool):
                errors.add("per_year", _("must be true or false."))
        if combine == "ratio":
            _validate_measure(spec.get("numerator"), "numerator", errors)
            _validate_measure(spec.get("denominator"), "denominator", errors)
            if spec.get("as", "fraction") not in RATIO_FORMS:
                errors.add(
                    "as",
                    _("unknown ratio form “%(value)s”; use one of %(known)s.")
                    % {"value": spec.get("as"), "known": ", ".join(RATIO_FORMS)},
                )
    if kind is not None and not errors.messages and kind not in SHAPE_KINDS[shape(spec)]:
        errors.add(
            "combine",
            _("a definition of shape “%(shape)s” cannot realise a KPI of kind “%(kind)s”.")
            % {"shape": shape(spec), "kind": kind},
        )
    if errors.messages:
        raise ValidationError({"spec": errors.messages})
    return spec


def _unknown_keys(obj: dict, allowed: set[str], path: str, errors: _Errors) -> None:
    for key in obj:
        if key not in allowed:
            errors.add(
                path,
                _("unknown field “%(field)s”; allowed: %(allowed)s.")
                % {"field": key, "allowed": ", ".join(sorted(allowed))},
            )


def _validate_measure(measure: object, path: str, errors: _Errors) -> None:
    if not isinstance(measure, dict):
        errors.add(path, _("a measure is a JSON object with at least “count”."))
        return
    _unknown_keys(measure, MEASURE_KEYS, path, errors)
    countable = measure.get("count")
    if countable not in COUNTABLES:
        errors.add(
            f"{path}.count",
            _("unknown countable “%(value)s”; use one of %(known)s.")
            % {"value": countable, "known": ", ".join(COUNTABLES)},
        )
        return
    filters = measure.get("filters", {})
    if not isinstance(filters, dict):
        errors.add(f"{path}.filters", _("filters are a JSON object."))
        return
    allowed = COUNTABLES[countable]
    for name, value in filters.items():
        spec = allowed.get(name)
        where = f"{path}.filters.{name}"
        if spec is None:
            errors.add(
                where,
                _("unknown filter for “%(countable)s”; allowed: %(allowed)s.")
                % {"countable": countable, "allowed": ", ".join(sorted(allowed)) or "-"},
            )
        elif spec.kind == "choices":
            if not isinstance(value, list) or not value:
                errors.add(
                    where,
                    _("a non-empty list is needed (an empty list would always count zero)."),
                )
                continue
            for item in value:
                if item not in spec.values:
                    errors.add(
                        where,
                        _("unknown value “%(value)s”; use one of %(known)s.")
                        % {"value": item, "known": ", ".join(spec.values)},
                    )
        elif spec.kind == "code" and value not in spec.values:
            errors.add(
                where,
                _("unknown characteristic “%(value)s”; use one of %(known)s.")
                % {"value": value, "known": ", ".join(spec.values)},
            )
        elif spec.kind == "text" and (not isinstance(value, str) or not value.strip()):
            errors.add(where, _("a non-empty text is needed."))
        elif spec.kind == "bool" and not isinstance(value, bool):
            errors.add(where, _("must be true or false."))
    _validate_window(measure.get("window", "project"), f"{path}.window", errors)


def _validate_window(
    window: object, path: str, errors: _Errors, *, required: bool = False
) -> Window | None:
    if window == "project" and not required:
        return None
    if not isinstance(window, dict):
        errors.add(path, _("a window is “project” or {“start”: date, “end”: date}."))
        return None
    _unknown_keys(window, {"start", "end"}, path, errors)
    bounds = {}
    for end in ("start", "end"):
        raw = window.get(end)
        if raw is None:
            bounds[end] = None
            continue
        try:
            bounds[end] = datetime.date.fromisoformat(raw)
        except (TypeError, ValueError):
            errors.add(
                f"{path}.{end}", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}
            )
            return None
    result = Window(bounds["start"], bounds["end"])
    if result.empty:
        errors.add(
            path,
            _("the window ends before it starts: counting per year would divide by zero."),
        )
    return result


def _require_closed_or_project(measure: object, path: str, errors: _Errors) -> None:
    if isinstance(measure, dict) and isinstance(measure.get("window"), dict):
        window = measure["window"]
        if not (window.get("start") and window.get("end")):
            errors.add(path, _("an average per year needs a window with a start and an end."))


def parse_window(raw: object) -> Window | None:
    """The explicit window of a validated definition, or None for ``"project"``."""
    if not isinstance(raw, dict):
        return None
    start, end = raw.get("start"), raw.get("end")
    return Window(
        datetime.date.fromisoformat(start) if start else None,
        datetime.date.fromisoformat(end) if end else None,
    )


def measures(spec: dict) -> list[dict]:
    """The measures a definition is made of."""
    combine = spec.get("combine")
    if combine is None:
        return [spec]
    if combine == "ratio":
        return [spec["numerator"], spec["denominator"]]
    return [spec["measure"]]


def countables(spec: dict) -> set[str]:
    """What a definition counts: a change in these register tables touches its KPI."""
    return {measure["count"] for measure in measures(spec)}


def counts_people(spec: dict) -> bool:
    return shape(spec) == "measure" and spec["count"] in PEOPLE
