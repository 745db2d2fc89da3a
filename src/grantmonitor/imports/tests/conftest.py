from pathlib import Path

import pytest
from django.utils import translation

DATA = Path(__file__).parent / "data"


@pytest.fixture
def english():
    """Messages in English, so a test can read the reasons whatever the default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def dutch():
    with translation.override("nl"):
        yield


SESSION = ("23/03/2018", "info_session", "Infosessie Impulskrediet")


@pytest.fixture
def attendees_kpi(demo):
    """Hefboom's session-attendees KPI counting every attendance, three participants
    (HB-001 … HB-003) and the information session of 23/03/2018 nobody attended yet."""
    import datetime

    from grantmonitor.kpis.models import Kpi
    from grantmonitor.kpis.services import kpi_measure_bind, measure_definition_create
    from grantmonitor.register.models import ActivityKind
    from grantmonitor.register.services import activity_record, participant_register

    kpi = Kpi.objects.get(project__name="Hefboom", name__startswith="Deelnemers aan info-")
    definition = measure_definition_create(
        code="upload-attendees", name="attendees", spec={"count": "attendees", "filters": {}}
    )
    kpi_measure_bind(kpi=kpi, definition=definition)
    for number in (1, 2, 3):
        participant_register(
            project=kpi.project,
            reference=f"HB-00{number}",
            registered_on=datetime.date(2018, 3, 1),
        )
    activity_record(
        project=kpi.project,
        kind=ActivityKind.INFO_SESSION,
        date=datetime.date(2018, 3, 23),
        title=SESSION[2],
        organiser=kpi.project.promoter,
    )
    return kpi


def attendance_csv(*references: str) -> bytes:
    """An attendance file of the session for these references (Hefboom's project column)."""
    lines = ["project;datum;soort;titel;referentie van de promotor"]
    lines += [";".join(("Hefboom", *SESSION, reference)) for reference in references]
    return ("\n".join(lines) + "\n").encode()
