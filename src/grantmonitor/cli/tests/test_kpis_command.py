"""``python -m grantmonitor kpis``: every KPI as CSV or JSON, numbers as numbers."""

import csv
import io
import json

from grantmonitor.cli.main import main

YOUNG_CREDITS = (
    "Aantal jonge kandidaat-ondernemers die effectief een kredietaanvraag doen bij Impulskrediet"
)


def run_csv(capsys, *args) -> list[dict]:
    assert main(["kpis", "--format", "csv", *args]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_csv_lists_stebos_kpis_with_parents(demo, capsys):
    rows = run_csv(capsys, "--project", "stebo")
    assert {row["project"] for row in rows} == {"Stebo"}
    assert len(rows) == 15  # 3 parents, 12 breakdown rows
    by_name = {(row["parent"], row["kpi"]): row for row in rows}
    via = by_name[("Aantal bereikte prestarters", "Via infosessies")]
    assert via["realised_value"] == "767"
    assert via["objective_value"] == ""
    assert via["depth"] == "1"
    assert via["kind"] == "count"
    assert via["source"] == "reported"
    assert via["verdict"] == "no_objective"
    assert via["verdict_display"] == "geen objectief"
    reached = by_name[("", "Aantal bereikte prestarters")]
    assert (reached["objective_value"], reached["realised_value"]) == ("400", "1347")
    assert reached["realised_display"] == "1.347"
    assert (reached["achievement_percent"], reached["verdict"]) == ("337", "achieved")


def test_csv_of_every_project_has_every_kind(demo, capsys):
    rows = run_csv(capsys)
    assert [row["project"] for row in rows].count(
        "Hefboom"
    ) == 13  # 6 + 5 + the part "ism met Dyzo" + 1 in words
    assert {row["project"] for row in rows} == {"Hefboom", "Stebo", "GTB"}
    by_name = {row["kpi"]: row for row in rows}
    increase = by_name["Aantal goedgekeurde kredieten van jonge kandidaat-ondernemers (< 28 jaar)."]
    assert increase["track"] == "Jongeren"
    assert (increase["objective_percent"], increase["realised_baseline"]) == ("10", "5")
    assert (increase["realised_value"], increase["achievement_display"]) == ("16", "+220%")
    ratio = next(row for row in rows if row["kpi"].startswith("Conversieratio"))
    assert (ratio["objective_numerator"], ratio["objective_denominator"]) == ("1", "4")
    assert (ratio["realised_numerator"], ratio["realised_denominator"]) == ("1", "2")
    assert ratio["objective_display"] == "1 op 4"
    part = by_name["ism met Dyzo"]
    assert (part["parent"], part["realised_value"]) == (
        "Collectieve begeleidingsactiviteiten (info- en opleidingssessies)",
        "15",
    )
    qualitative = by_name["Samenwerking tussen Hefboom en Dyzo"]
    assert (qualitative["kind"], qualitative["verdict"]) == ("qualitative", "qualitative")
    assert qualitative["realised_display"].startswith("Verder is er in dit project")


def test_json_has_numbers_not_text(demo, tmp_path):
    target = tmp_path / "kpis.json"
    call = "Stakeholdersplatform prestartersbegeleiding van doelgroepen"
    assert (
        main(["kpis", "--call", call, "--format", "json", "--lang", "en", "-o", str(target)]) == 0
    )
    rows = json.loads(target.read_text())
    first = rows[0]
    assert first["kpi"] == YOUNG_CREDITS
    assert first["track"] == "Young people"
    assert (first["objective_value"], first["realised_value"]) == (26, 59)
    assert (first["achievement_percent"], first["verdict"]) == (227, "achieved")
    assert first["verdict_display"] == "achieved"
    assert first["objective_percent"] is None


def test_unknown_project_or_call_is_a_clear_error(demo, capsys):
    assert main(["kpis", "--project", "Onbekend"]) == 2
    assert capsys.readouterr().err.strip() == "error: Er is geen project met de naam ‘Onbekend’."
    assert main(["kpis", "--call", "Geen oproep"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Er is geen oproep met de titel") and "Geen oproep" in err
