"""Rules a register row must meet, shared by the services (one row, saved at once) and the
batch path (many rows of an import, saved together): one place for each rule."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.register import pseudonyms
from grantmonitor.register.models import CharacteristicCode, Participant, characteristic_codes


def participant_new(
    *,
    project: Project,
    registered_on: datetime.date,
    insz: str = "",
    reference: str = "",
    birth_year: int | None = None,
    gender: str = "",
) -> Participant:
    """A participant as registered, unsaved: the INSZ is validated, hashed into the person key
    and forgotten; without ``birth_year`` the year the INSZ encodes is used."""
    if birth_year is None and insz:
        birth_year = pseudonyms.birth_year(insz)
    return Participant(
        project=project,
        person_key=pseudonyms.person_key(insz) if insz else "",
        reference=reference,
        birth_year=birth_year,
        gender=gender,
        registered_on=registered_on,
    )


def characteristic_check(code: str) -> None:
    """A code recorded at intake; a derived one (from the birth year) is refused with a hint."""
    if code not in CharacteristicCode.values:
        hint = (
            _("“%(code)s” is derived from the birth year; record the birth year instead.")
            if code in characteristic_codes()
            else _("unknown characteristic “%(code)s”.")
        )
        raise ValidationError({"characteristics": hint % {"code": code}})


def in_project_period(project: Project, date: datetime.date, field: str) -> None:
    """Refuse a date outside the project's period, on ``field``."""
    if (project.start_date and date < project.start_date) or (
        project.end_date and date > project.end_date
    ):
        raise ValidationError(
            {
                field: _("%(date)s lies outside the project period (%(start)s – %(end)s).")
                % {
                    "date": date.isoformat(),
                    "start": project.start_date.isoformat() if project.start_date else "…",
                    "end": project.end_date.isoformat() if project.end_date else "…",
                }
            }
        )
