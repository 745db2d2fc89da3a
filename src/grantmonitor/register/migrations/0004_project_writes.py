"""The transactions that wrote to each project, added by PostgreSQL triggers on the tables its
register's figures are drawn from (:mod:`grantmonitor.register.stamps`). Off PostgreSQL there
are none."""

from django.db import migrations, models

from grantmonitor.register import stamps


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements(apps):
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0002_call_publication"),
        ("kpis", "0002_measure_definitions"),
        ("register", "0003_call_people"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProjectWrite",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("project_id", models.BigIntegerField(verbose_name="project")),
                ("transaction", models.BigIntegerField(verbose_name="transaction")),
            ],
            options={
                "verbose_name": "write to a project's register",
                "verbose_name_plural": "writes to projects' registers",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project_id", "transaction"),
                        name="project_write_once_per_transaction",
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run(lambda apps: stamps.install_statements(apps, shared=False, fold=False)),
            _run(lambda apps: stamps.uninstall_statements(apps, shared=False)),
        ),
    ]
