"""Writes on the register, for the web forms, an importer and the API alike.

Each function validates fully (``full_clean``, which also checks the database constraints)
and saves in one transaction, then recomputes the project's KPIs whose definitions count what
was written, **in the same transaction**: a reader never sees a register row without the KPI
value it changes, and if the recompute fails the registration is not saved either. The cost is
a few aggregate queries per registration; bulk loads (the synthetic register, an importer)
write first and recompute once at the end through :mod:`grantmonitor.kpis.engine`. A write of
attendance refreshes, last, the call's people it reached (:mod:`grantmonitor.register.reach`).
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grantmonitor.calls.models import Project
from grantmonitor.kpis import engine
from grantmonitor.kpis.models import OutcomeSource, OutcomeStatus
from grantmonitor.organisations.models import Organisation
from grantmonitor.register import reach
from grantmonitor.register.checks import characteristic_check, in_project_period, participant_new
from grantmonitor.register.models import (
    Activity,
    ActivityKind,
    Attendance,
    Characteristic,
    CreditApplication,
    CreditDecision,
    FollowUpOutcome,
    OrganisationPresence,
    OrganisationReached,
    Participant,
    ReachedKind,
    Referral,
    Trajectory,
    TrajectoryKind,
    characteristic_codes,
)


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


@transaction.atomic
def participant_register(
    *,
    project: Project,
    registered_on: datetime.date,
    insz: str = "",
    reference: str = "",
    birth_year: int | None = None,
    gender: str = "",
    characteristics: Iterable[str] = (),
) -> Participant:
    """Register a person in a project; the INSZ is validated, hashed and forgotten.

    Without ``birth_year`` the year the INSZ encodes is used. ``characteristics`` are
    recorded as of the intake date.
    """
    participant = participant_new(
        project=project,
        registered_on=registered_on,
        insz=insz,
        reference=reference,
        birth_year=birth_year,
        gender=gender,
    )
    _save(participant)
    for code in characteristics:
        _characteristic_add(participant, code, registered_on)
    engine.project_recompute(
        project=project, touching=None if characteristics else {"participants"}
    )
    return participant


def _characteristic_add(participant: Participant, code: str, recorded_on: datetime.date) -> None:
    characteristic_check(code)
    _save(Characteristic(participant=participant, code=code, recorded_on=recorded_on))


@transaction.atomic
def characteristic_record(
    *, participant: Participant, code: str, recorded_on: datetime.date
) -> Characteristic:
    _characteristic_add(participant, code, recorded_on)
    engine.project_recompute(project=participant.project)
    return participant.characteristics.get(code=code, recorded_on=recorded_on)


def _check_same_project(participant: Participant, project: Project) -> None:
    if participant.project_id != project.pk:
        raise ValidationError(
            {
                "participant": _("Participant %(participant)s belongs to another project.")
                % {"participant": participant}
            }
        )


@transaction.atomic
def activity_record(
    *,
    project: Project,
    kind: ActivityKind,
    date: datetime.date,
    organiser: Organisation,
    title: str = "",
    partners: Iterable[Organisation] = (),
    audience: str = "",
    participants: Iterable[Participant] = (),
    organisations_present: Iterable[Organisation] = (),
) -> Activity:
    """An activity with its partners and attendance; refused outside the project's period."""
    if audience and audience not in characteristic_codes():
        raise ValidationError(
            {"audience": _("unknown characteristic “%(code)s”.") % {"code": audience}}
        )
    activity = Activity(
        project=project, kind=kind, date=date, organiser=organiser, title=title, audience=audience
    )
    activity.full_clean()
    in_project_period(project, date, "date")
    activity.save()
    activity.partners.set(list(partners))
    attendees = [
        _attendance_add(activity, participant).participant_id for participant in participants
    ]
    for organisation in organisations_present:
        _save(OrganisationPresence(activity=activity, organisation=organisation))
    engine.project_recompute(
        project=project, touching={"activities", "attendees", "organisations_present"}
    )
    if attendees:
        reach.people_refresh(participants=Participant.objects.filter(pk__in=attendees))
    return activity


def _attendance_add(activity: Activity, participant: Participant) -> Attendance:
    _check_same_project(participant, activity.project)
    attendance = Attendance(activity=activity, participant=participant)
    # both are rows just read (not ids to look up): only the pair's uniqueness is checked
    attendance.validate_constraints()
    attendance.save()
    return attendance


@transaction.atomic
def attendance_record(*, activity: Activity, participant: Participant) -> Attendance:
    """A participant attended an activity; attending the same activity twice is refused."""
    attendance = _attendance_add(activity, participant)
    engine.project_recompute(project=activity.project, touching={"attendees"})
    reach.people_refresh(participants=Participant.objects.filter(pk=participant.pk))
    return attendance


@transaction.atomic
def attendance_remove(*, activity: Activity, participant: Participant) -> None:
    """Take back a participant's attendance recorded by mistake; nothing happens if none."""
    deleted, _counts = Attendance.objects.filter(
        activity=activity, participant=participant
    ).delete()
    engine.project_recompute(project=activity.project, touching={"attendees"})
    if deleted:
        reach.people_refresh(participants=Participant.objects.filter(pk=participant.pk))


@transaction.atomic
def organisation_presence_record(
    *, activity: Activity, organisation: Organisation
) -> OrganisationPresence:
    presence = OrganisationPresence(activity=activity, organisation=organisation)
    _save(presence)
    engine.project_recompute(project=activity.project, touching={"organisations_present"})
    return presence


@transaction.atomic
def trajectory_start(
    *,
    participant: Participant,
    kind: TrajectoryKind,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> Trajectory:
    trajectory = Trajectory(
        participant=participant, kind=kind, start_date=start_date, end_date=end_date
    )
    _save(trajectory)
    engine.project_recompute(
        project=participant.project, touching={"trajectories", "participants_in_trajectory"}
    )
    return trajectory


@transaction.atomic
def credit_application_record(
    *,
    participant: Participant,
    applied_on: datetime.date,
    amount: Decimal,
    lender: Organisation,
    decision: CreditDecision = CreditDecision.PENDING,
    decided_on: datetime.date | None = None,
) -> CreditApplication:
    """A credit application; a decision must be dated on or after the application."""
    application = CreditApplication(
        participant=participant,
        applied_on=applied_on,
        amount=amount,
        lender=lender,
        decision=decision,
        decided_on=decided_on,
    )
    _check_decision(application)
    _save(application)
    engine.project_recompute(
        project=participant.project, touching={"credit_applications", "credit_applicants"}
    )
    return application


@transaction.atomic
def credit_decide(
    *, application: CreditApplication, decision: CreditDecision, decided_on: datetime.date
) -> CreditApplication:
    application.decision = decision
    application.decided_on = decided_on
    _check_decision(application)
    _save(application)
    engine.project_recompute(
        project=application.participant.project,
        touching={"credit_applications", "credit_applicants"},
    )
    return application


def _check_decision(application: CreditApplication) -> None:
    if application.decided_on and application.decided_on < application.applied_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "The decision date %(decided)s lies before the application date %(applied)s."
                )
                % {
                    "decided": application.decided_on.isoformat(),
                    "applied": application.applied_on.isoformat(),
                }
            }
        )
    if (application.decision == CreditDecision.PENDING) != (application.decided_on is None):
        raise ValidationError(
            {"decided_on": _("A decision needs a decision date; a pending one has none.")}
        )


@transaction.atomic
def referral_record(
    *,
    participant: Participant,
    from_organisation: Organisation,
    to_organisation: Organisation,
    referred_on: datetime.date,
    reason: str = "",
    taken_up: bool | None = None,
) -> Referral:
    if from_organisation.pk == to_organisation.pk:
        raise ValidationError(
            {
                "to_organisation": _("%(organisation)s cannot refer a participant to itself.")
                % {"organisation": from_organisation}
            }
        )
    referral = Referral(
        participant=participant,
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        referred_on=referred_on,
        reason=reason,
        taken_up=taken_up,
    )
    _save(referral)
    engine.project_recompute(project=participant.project, touching={"referrals"})
    return referral


@transaction.atomic
def organisation_reached_record(
    *, project: Project, organisation: Organisation, kind: ReachedKind, reached_on: datetime.date
) -> OrganisationReached:
    reached = OrganisationReached(
        project=project, organisation=organisation, kind=kind, reached_on=reached_on
    )
    _save(reached)
    engine.project_recompute(project=project, touching={"organisations_reached"})
    return reached


@transaction.atomic
def outcome_record(
    *,
    participant: Participant,
    observed_on: datetime.date,
    status: OutcomeStatus,
    source: OutcomeSource,
    programme: str = "",
) -> FollowUpOutcome:
    outcome = FollowUpOutcome(
        participant=participant,
        observed_on=observed_on,
        status=status,
        source=source,
        programme=programme,
    )
    _save(outcome)
    engine.project_recompute(project=participant.project, touching={"participants_with_outcome"})
    return outcome
