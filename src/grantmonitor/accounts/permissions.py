"""Who may do what: plain predicates returning ``Decision(allowed, reason)``.

Every face (pages, API, exports) asks these, and every list is scoped by ``project_scope``,
so a rule lives in one place. Roles: the funder's administrator, case handlers and inspectors
see every project's figures; the cabinet reads reports and answers; promoter staff see only
the projects of the organisations they are members of. Nobody at the funder or the cabinet
sees a participant's identity.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grantmonitor.accounts.models import Role, User
from grantmonitor.calls.models import Call, Project
from grantmonitor.dossiers.models import Dossier

FUNDER_STAFF = frozenset({Role.FUNDER_ADMIN, Role.CASE_HANDLER, Role.INSPECTOR})
READERS = FUNDER_STAFF | {Role.CABINET}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def _yes(reason) -> Decision:
    return Decision(True, str(reason))


def _no(reason) -> Decision:
    return Decision(False, str(reason))


def _active(user: User) -> Decision | None:
    if not user.is_authenticated or not user.is_active:
        return _no(_("You are not logged in."))
    return None


def _member_of(user: User, organisation_id: int) -> bool:
    return user.memberships.filter(organisation_id=organisation_id).exists()


def project_scope(user: User) -> Q:
    """A filter on ``Project`` for the projects this user may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role in READERS:
        return Q()
    if user.role == Role.PROMOTER:
        return Q(promoter__memberships__user=user)
    return Q(pk__in=[])


def call_scope(user: User) -> Q:
    """A filter on ``Call``: calls in which the user may see at least one project."""
    if user.is_authenticated and user.is_active and (user.is_superuser or user.role in READERS):
        return Q()
    return Q(pk__in=Project.objects.filter(project_scope(user)).values("call_id"))


def can_view_call(user: User, call: Call) -> Decision:
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role in READERS:
        return _yes(_("The funder and the cabinet see every call."))
    if call.projects.filter(project_scope(user)).exists():
        return _yes(_("Your organisation has a project in this call."))
    return _no(_("Your organisation has no project in this call."))


def can_view_project(user: User, project: Project) -> Decision:
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role in READERS:
        return _yes(_("The funder and the cabinet see every project's figures."))
    if user.role == Role.PROMOTER and _member_of(user, project.promoter_id):
        return _yes(_("You work for this project's promoter."))
    return _no(_("This project belongs to another organisation."))


def can_edit_register(user: User, project: Project) -> Decision:
    """Register participants, activities and outcomes: the promoter's own staff only."""
    if (refused := _active(user)) is not None:
        return refused
    if user.role == Role.PROMOTER and _member_of(user, project.promoter_id):
        return _yes(_("You work for this project's promoter."))
    return _no(_("Only the promoter's staff register participants and activities."))


def can_view_identities(user: User, project: Project) -> Decision:
    """Names and contact details of participants: never the funder or the cabinet."""
    if (refused := _active(user)) is not None:
        return refused
    if user.role == Role.PROMOTER and _member_of(user, project.promoter_id):
        return _yes(_("You work for this project's promoter."))
    return _no(_("Participants' identities stay with the promoter; you see pseudonyms."))


def can_view_dossier(user: User, dossier: Dossier) -> Decision:
    return can_view_project(user, dossier.project)


def can_move_dossier(user: User, dossier: Dossier) -> Decision:
    """Move the dossier on its path and settle it: its case handler or the administrator."""
    if (refused := _active(user)) is not None:
        return refused
    if user.role == Role.FUNDER_ADMIN or user.is_superuser:
        return _yes(_("The funder's administrator may act on every dossier."))
    if user.role == Role.CASE_HANDLER and dossier.case_handler_id == user.pk:
        return _yes(_("You are this dossier's case handler."))
    if user.role == Role.CASE_HANDLER:
        return _no(_("Another case handler is assigned to this dossier."))
    return _no(_("Only the dossier's case handler moves it."))


def can_follow_dossiers(user: User) -> Decision:
    """The dossier dashboard: every dossier's state and money, for the funder's staff."""
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role in FUNDER_STAFF:
        return _yes(_("The funder's staff follow every dossier."))
    return _no(_("The dossier dashboard is for the funder's staff."))


def can_work_inspections(user: User) -> Decision:
    """The inspection queue and its cost lines: the inspection service only."""
    if (refused := _active(user)) is not None:
        return refused
    if user.role == Role.INSPECTOR:
        return _yes(_("You work for the inspection service."))
    return _no(_("Only the inspection service reviews cost lines."))


def can_inspect(user: User, dossier: Dossier) -> Decision:
    return can_work_inspections(user)


def can_read_answers(user: User) -> Decision:
    """Written questions and their composed answers."""
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role in READERS:
        return _yes(_("The funder and the cabinet read questions and answers."))
    return _no(_("Questions and answers are for the funder and the cabinet."))


def can_view_audit(user: User) -> Decision:
    """The audit trail of every write, login and export: the funder's administrator only."""
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role == Role.FUNDER_ADMIN:
        return _yes(_("The funder's administrator reads the audit trail."))
    return _no(_("Only the funder's administrator reads the audit trail."))


def sees_small_counts(user: User, subject: Project | Call) -> Decision:
    """Counts of people from 1 to 4 as they are, or suppressed as published ("< 5").

    The promoter's staff see their own people; the funder's staff work with pseudonymised
    data under the funder's own legal basis (granting and checking the subsidy). The cabinet
    reads tables as they would be published, and a call's figures span every promoter's people.
    """
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role in FUNDER_STAFF:
        return _yes(_("The funder's staff see every count of the people the projects reach."))
    if (
        isinstance(subject, Project)
        and user.role == Role.PROMOTER
        and _member_of(user, subject.promoter_id)
    ):
        return _yes(_("You work for this project's promoter: these are your own people."))
    return _no(_("Small numbers of people are shown as they would be published."))


def can_publish_calls(user: User) -> Decision:
    """Publish a call's figures as open data, or withdraw them: the funder's administrator."""
    if (refused := _active(user)) is not None:
        return refused
    if user.is_superuser or user.role == Role.FUNDER_ADMIN:
        return _yes(_("The funder's administrator decides what is published."))
    return _no(_("Only the funder's administrator publishes a call's figures."))
