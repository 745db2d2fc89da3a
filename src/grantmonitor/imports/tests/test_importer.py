import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from grantmonitor.imports.importer import import_file
from grantmonitor.imports.sheets import SheetError
from grantmonitor.imports.templates import template_csv, template_xlsx
from grantmonitor.imports.tests.conftest import DATA
from grantmonitor.kpis.models import Kpi, ValueSource
from grantmonitor.register.models import Activity, Attendance, Participant


def _import(name, kind, **kwargs):
    return import_file(source=DATA / name, file_name=name, kind=kind, **kwargs)


def test_participants_in_belgian_dates_are_registered_once(demo, dutch):
    report = _import("participants.csv", "participants")
    assert (report.rows, report.created, report.unchanged, report.failed) == (4, 3, 1, 0)
    first = Participant.objects.get(project__name="Hefboom", reference="HB-001")
    assert first.registered_on.isoformat() == "2018-03-23"
    assert (first.birth_year, first.gender) == (1995, "f")
    assert list(first.characteristics.values_list("code", flat=True)) == ["migration_background"]
    stebo = Participant.objects.get(project__name="Stebo", reference="ST-001")
    assert stebo.registered_on.isoformat() == "2017-02-01"
    assert sorted(stebo.characteristics.values_list("code", flat=True)) == [
        "low_educated",
        "occupational_disability",
    ]


def test_reimporting_the_same_file_creates_nothing(demo):
    _import("participants.csv", "participants")
    again = _import("participants.csv", "participants")
    assert (again.created, again.unchanged) == (0, 4)
    assert Participant.objects.filter(reference__startswith="HB-").count() == 2


def test_one_bad_row_saves_nothing_and_every_error_names_row_column_and_value(demo, english):
    report = _import("participants-bad.csv", "participants")
    assert not report.saved
    assert report.created == 1  # row 2 was sound, but is rolled back with the rest
    assert Participant.objects.filter(reference__startswith="HB-01").count() == 0
    assert [str(error) for error in report.errors] == [
        "row 3, intakedatum “31/02/2018”: not a date; write 23/03/2018 or 2018-03-23",
        "row 4, geboortejaar “negentig”: not a number",
        "row 5, project “Nergens”: there is no project with this name",
        "row 6, gender “q”: unknown value; use one of: f, m, x",
    ]


def test_errors_are_in_dutch_by_default(demo, dutch):
    report = _import("participants-bad.csv", "participants")
    assert str(report.errors[0]) == (
        "rij 3, intakedatum “31/02/2018”: geen datum; schrijf 23/03/2018 of 2018-03-23"
    )
    assert str(report.errors[1]) == "rij 4, geboortejaar “negentig”: geen getal"


def test_valid_only_saves_the_sound_rows_and_lists_the_others(demo, english):
    report = _import("participants-bad.csv", "participants", valid_only=True)
    assert report.saved and report.imported_anything
    assert (report.created, report.failed) == (1, 4)
    assert list(
        Participant.objects.filter(reference__startswith="HB-01").values_list(
            "reference", flat=True
        )
    ) == ["HB-010"]


def test_activities_then_attendance_by_natural_key(demo, dutch):
    _import("participants.csv", "participants")
    activities = _import("activities.csv", "activities")
    # the third row is the first one again, with the kind written as its English label
    assert (activities.created, activities.unchanged, activities.failed) == (2, 1, 0)
    training = Activity.objects.get(project__name="Hefboom", title="Financieel plan")
    assert (training.kind, training.organiser.name) == ("training", "Dyzo")
    session = Activity.objects.get(project__name="Hefboom", title="Infosessie Impulskrediet")
    assert session.organiser.name == "Hefboom"

    attendance = _import("attendance.csv", "attendance")
    assert (attendance.created, attendance.unchanged, attendance.failed) == (2, 1, 0)
    assert sorted(
        Attendance.objects.filter(activity=session).values_list("participant__reference", flat=True)
    ) == ["HB-001", "HB-002"]


def test_attendance_of_an_unknown_activity_is_refused(demo, english):
    _import("participants.csv", "participants")
    report = _import("attendance.csv", "attendance")
    assert report.created == 0 and not report.saved
    assert str(report.errors[0]) == (
        "row 2, datum “23/03/2018”: there is no information session on 2018-03-23 titled "
        "“Infosessie Impulskrediet” in this project"
    )


def test_reported_kpi_values_read_belgian_numbers(demo, english):
    report = _import("kpi-values.csv", "kpi-values", valid_only=True)
    # the credit KPI's 16 on a baseline of 5, with the answer as evidence, is the seed's own
    assert (report.created, report.unchanged, report.failed) == (1, 1, 1)
    assert (
        str(report.errors[0])
        == "row 4, KPI “Bestaat niet”: this project has no KPI named “Bestaat niet”"
    )
    sessions = Kpi.objects.get(
        project__name="Hefboom", name__startswith="Infosessies of aanwezigheid"
    )
    value = sessions.values.get(period_start__isnull=False)
    assert (value.value, value.period_end.isoformat()) == (Decimal("1347"), "2018-12-31")
    assert value.source == ValueSource.REPORTED and value.evidence == "Jaarverslag 2018"

    credits = Kpi.objects.get(project__name="Hefboom", name__startswith="Aantal goedgekeurde")
    assert credits.values.count() == 1

    again = _import("kpi-values.csv", "kpi-values", valid_only=True)
    assert (again.created, again.unchanged) == (0, 2)
    assert sessions.values.count() == 2


def test_hostile_cells_are_kept_as_text_never_evaluated(demo):
    content = (
        b"project;referentie van de promotor;intakedatum\n"
        b"Hefboom;=cmd|' /C calc'!A0;23/03/2018\n"
        b"Hefboom;<script>alert(1)</script>;23/03/2018\n"
    )
    report = import_file(source=io.BytesIO(content), file_name="x.csv", kind="participants")
    assert report.created == 2
    assert set(
        Participant.objects.filter(project__name="Hefboom").values_list("reference", flat=True)
    ) == {"=cmd|' /C calc'!A0", "<script>alert(1)</script>"}


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_xlsx_with_real_dates_and_numbers_and_a_formula_refused(demo, english):
    import datetime

    source = _xlsx(
        [
            ["project", "KPI", "value", "evidence", "period start", "period end"],
            ["Stebo", None, None, None, None, None],
            [
                "Hefboom",
                "Infosessies of aanwezigheid bij events specifiek gericht tot jongeren",
                299168.12,
                "rapport",
                datetime.datetime(2018, 3, 23),
                "31/12/2018",
            ],
            [
                "Hefboom",
                "Infosessies of aanwezigheid bij events specifiek gericht tot jongeren",
                "=1+1",
                "",
                None,
                None,
            ],
        ]
    )
    report = import_file(source=source, file_name="v.xlsx", kind="kpi-values", valid_only=True)
    assert [str(error) for error in report.errors] == [
        "row 2, KPI: required",
        "row 4, value “=1+1”: a formula is not read; paste the value instead",
    ]
    value = Kpi.objects.get(name__startswith="Infosessies of").values.get(
        period_start__isnull=False
    )
    assert (value.value, value.period_start.isoformat()) == (Decimal("299168.12"), "2018-03-23")


def test_unknown_or_missing_columns_refuse_the_file(demo, english):
    with pytest.raises(SheetError, match="Column “naam” is not known for participants"):
        import_file(source=io.BytesIO(b"project;naam\n"), file_name="x.csv", kind="participants")
    with pytest.raises(SheetError, match="Missing columns: project"):
        import_file(
            source=io.BytesIO(b"reference;registered_on\n"), file_name="x.csv", kind="participants"
        )
    with pytest.raises(SheetError, match=r"only \.xlsx and \.csv"):
        import_file(source=io.BytesIO(b""), file_name="x.ods", kind="participants")


def test_project_given_for_the_whole_file(demo):
    source = io.BytesIO(b"reference,registered_on\nP1,2018-01-02\n")
    report = import_file(source=source, file_name="x.csv", kind="participants", project="gtb")
    assert report.created == 1
    assert Participant.objects.get(reference="P1").project.name == "GTB"


@pytest.mark.parametrize("kind", ["participants", "activities", "attendance", "kpi-values"])
def test_an_empty_template_imports_as_nothing_and_states_its_natural_key(db, dutch, kind):
    csv_template = template_csv(kind)
    assert "opnieuw" in csv_template.decode("utf-8-sig").splitlines()[1]
    report = import_file(source=io.BytesIO(csv_template), file_name="t.csv", kind=kind)
    assert report.rows == 0 and not report.imported_anything
    xlsx_template = template_xlsx(kind)
    report = import_file(source=io.BytesIO(xlsx_template), file_name="t.xlsx", kind=kind)
    assert report.rows == 0
    explanation = load_workbook(io.BytesIO(xlsx_template)).worksheets[1]
    assert "opnieuw" in explanation["A2"].value


def test_a_person_is_recognised_by_the_insz_which_is_not_kept(demo, english):
    content = (
        b"project;INSZ;intakedatum\n"
        b"GTB;90.01.01-001.23;02/01/2018\n"
        b"GTB;90010100123;03/01/2018\n"
        b"GTB;90010100124;03/01/2018\n"
    )
    report = import_file(
        source=io.BytesIO(content), file_name="x.csv", kind="participants", valid_only=True
    )
    assert (report.created, report.unchanged, report.failed) == (1, 1, 1)
    assert report.errors[0].row == 4 and report.errors[0].column == "INSZ"
    assert "90010100124 is not a valid national register or BIS number" in str(report.errors[0])
    person = Participant.objects.get(project__name="GTB")
    assert (person.birth_year, person.registered_on.isoformat()) == (1990, "2018-01-02")
    assert "90010100123" not in person.person_key and len(person.person_key) == 64


def test_a_file_that_is_not_utf8_or_has_no_header_is_refused_whole(db, english):
    with pytest.raises(SheetError, match="not UTF-8 text"):
        import_file(
            source=io.BytesIO("project;référence\n".encode("latin-1")),
            file_name="x.csv",
            kind="participants",
        )
    with pytest.raises(SheetError, match="no header row"):
        import_file(
            source=io.BytesIO(b"# only a comment\n\n"), file_name="x.csv", kind="participants"
        )
    with pytest.raises(SheetError, match="no header row"):
        import_file(source=_xlsx([]), file_name="x.xlsx", kind="participants")
