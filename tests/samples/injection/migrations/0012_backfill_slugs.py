"""Backfill project slugs (a Django data migration): the SQL is built from the rows the project itself
wrote, run once by the operator at deploy time (AR601 look-alike: silent in migrations)."""

from django.db import migrations


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM projects_project WHERE slug = ''")
        for project_id, name in cursor.fetchall():
            slug = name.lower().replace(" ", "-")
            cursor.execute(f"UPDATE projects_project SET slug = '{slug}' WHERE id = {project_id}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0011_project_slug")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
