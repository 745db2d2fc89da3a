"""Upgrades: every migration of grantmonitor can be undone and redone, and none is missing."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL

from grantmonitor.calls.models import Project
from grantmonitor.demo.seed import load_demo
from grantmonitor.kpis.models import Kpi


def _apps_with_migrations() -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(
        {
            label
            for label, _name in loader.disk_migrations
            if apps.get_app_config(label).name.startswith("grantmonitor.")
        }
    )


def _tables(labels: list[str]) -> set[str]:
    return {
        model._meta.db_table
        for label in labels
        for model in apps.get_app_config(label).get_models()
    }


@pytest.mark.django_db(transaction=True)
def test_every_app_migrates_to_zero_and_forward_again():
    labels = _apps_with_migrations()
    assert {"accounts", "calls", "dossiers", "kpis", "questions", "register"} <= set(labels)
    tables = _tables(labels)
    assert tables <= set(connection.introspection.table_names())

    for label in reversed(labels):  # dependents first; Django unapplies what depends on it too
        call_command("migrate", label, "zero", verbosity=0)
    assert not tables & set(connection.introspection.table_names())

    call_command("migrate", verbosity=0)
    assert tables <= set(connection.introspection.table_names())
    demo = load_demo()  # the schema forward from empty holds the seed
    assert Project.objects.filter(call=demo["call"]).count() == 3


@pytest.mark.django_db(transaction=True)
def test_stepping_back_one_migration_and_forward_keeps_the_data():
    load_demo()
    projects, kpis = Project.objects.count(), Kpi.objects.count()
    loader = MigrationLoader(connection)
    for label in _apps_with_migrations():
        names = sorted(name for app, name in loader.disk_migrations if app == label)
        if len(names) > 1:
            call_command("migrate", label, names[-2], verbosity=0)
    call_command("migrate", verbosity=0)
    assert (Project.objects.count(), Kpi.objects.count()) == (projects, kpis)


def test_every_data_migration_can_be_reversed():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    irreversible = [
        f"{label}.{name}"
        for (label, name), migration in loader.disk_migrations.items()
        if apps.get_app_config(label).name.startswith("grantmonitor.")
        for operation in migration.operations
        if isinstance(operation, RunPython | RunSQL) and not operation.reversible
    ]
    assert irreversible == []


def test_the_models_and_the_migrations_agree(db):
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exc:
        pytest.fail(f"makemigrations --check found changes without a migration (exit {exc.code})")
