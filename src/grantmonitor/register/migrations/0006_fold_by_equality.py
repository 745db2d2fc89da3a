"""The stamps' triggers folded anew: the same rows and weights, matched with an equality the
database can hash (:func:`grantmonitor.register.stamps._fold`). Off PostgreSQL there are no
triggers; going back keeps these functions, which do the same as the earlier ones."""

from django.db import migrations

from grantmonitor.register import stamps


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in stamps.install_statements(apps):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("register", "0005_shared_writes")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
