"""The shared stamp: writes to the tables that belong to no project, triggers on every table
a call or project page shows, and rows folded as they are written, their weight kept
(:mod:`grantmonitor.register.stamps`). Off PostgreSQL there are no triggers."""

from django.db import migrations, models

from grantmonitor.register import stamps


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in stamps.install_statements(apps):
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    """Back to 0004: no shared stamp, and the projects' triggers that do not fold."""
    if schema_editor.connection.vendor == "postgresql":
        statements = stamps.uninstall_statements(apps)
        statements += stamps.install_statements(apps, shared=False, fold=False)
        for statement in statements:
            schema_editor.execute(statement)
    apps.get_model("register", "ProjectWrite").objects.filter(project_id=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_membership"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("calls", "0002_call_publication"),
        ("dossiers", "0003_balance_order_label"),
        ("kpis", "0002_measure_definitions"),
        ("organisations", "0001_initial"),
        ("questions", "0001_initial"),
        ("register", "0004_project_writes"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="projectwrite",
            options={
                "verbose_name": "write to a project or to the shared tables",
                "verbose_name_plural": "writes to projects and to the shared tables",
            },
        ),
        migrations.AlterField(
            model_name="projectwrite",
            name="project_id",
            field=models.BigIntegerField(null=True, verbose_name="project"),
        ),
        migrations.AddField(
            model_name="projectwrite",
            name="weight",
            field=models.PositiveBigIntegerField(db_default=1, verbose_name="transactions"),
        ),
        migrations.AddConstraint(
            model_name="projectwrite",
            constraint=models.UniqueConstraint(
                condition=models.Q(("project_id__isnull", True)),
                fields=("transaction",),
                name="shared_write_once_per_transaction",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
