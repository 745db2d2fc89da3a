from django.db.models import OuterRef, QuerySet, Subquery

from grantmonitor.dossiers.models import Dossier, DossierStatus, DossierStatusChange


def _latest_status_subquery():
    return Subquery(
        DossierStatusChange.objects.filter(dossier=OuterRef("pk"))
        .order_by("-changed_on", "-recorded_at", "-pk")
        .values("status")[:1]
    )


def dossier_current_status(*, dossier: Dossier) -> DossierStatus | None:
    status = (
        DossierStatusChange.objects.filter(dossier=dossier)
        .order_by("-changed_on", "-recorded_at", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    return DossierStatus(status) if status else None


def dossier_list(*, call_id: int | None = None) -> QuerySet[Dossier]:
    """Dossiers with ``current_status`` annotated from the latest history row."""
    qs = Dossier.objects.select_related("project", "project__promoter", "case_handler").annotate(
        current_status=_latest_status_subquery()
    )
    if call_id is not None:
        qs = qs.filter(project__call_id=call_id)
    return qs


def dossier_history(*, dossier: Dossier) -> QuerySet[DossierStatusChange]:
    return dossier.status_changes.select_related("actor").order_by(
        "changed_on", "recorded_at", "pk"
    )
