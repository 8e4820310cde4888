import django.contrib.postgres.search
from django.db import migrations

# The GIN index exists on PostgreSQL only (a Meta index cannot be conditional); on
# SQLite the column stays empty and search scans the current sheets instead.
INDEX = "factsheets_factsheet_search_vector_gin"


def index_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from factsheets.search import refresh_search_vectors

    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON factsheets_factsheet "
        "USING gin (search_vector)"
    )
    FactSheet = apps.get_model("factsheets", "FactSheet")
    refresh_search_vectors(FactSheet.objects.using(schema_editor.connection.alias))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("factsheets", "0007_legacy_addresses"),
    ]

    operations = [
        migrations.AddField(
            model_name="factsheet",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.RunPython(index_and_fill, drop_index),
    ]
