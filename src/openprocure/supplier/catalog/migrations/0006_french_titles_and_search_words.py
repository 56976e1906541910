"""French titles and descriptions, the search vocabulary, and search indexes that hold both titles.

The FTS5 index (SQLite) gains a ``title_fr`` column and the PostgreSQL one indexes ``title_fr``
through an accent-folding text search configuration: both are dropped before the new columns are
added, then recreated and refilled from the products. Going back drops them; migrating forward
again rebuilds them.
"""

from django.db import migrations, models

from openprocure.supplier.catalog import search_fts5, search_postgres


def reinstall_search_index(apps, schema_editor):
    search_fts5.reinstall(schema_editor.connection)
    search_postgres.reinstall(schema_editor.connection)


def drop_search_index(apps, schema_editor):
    search_fts5.uninstall(schema_editor.connection)
    search_postgres.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_iso_currency_and_country_validators"),
    ]

    operations = [
        # First: SQLite rebuilds the product table to add columns, which a view over it would stop.
        migrations.RunPython(drop_search_index, migrations.RunPython.noop),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=100, unique=True)),
                ("products", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.AddField(
            model_name="product",
            name="description_fr",
            field=models.TextField(blank=True, verbose_name="French description"),
        ),
        migrations.AddField(
            model_name="product",
            name="title_fr",
            field=models.CharField(
                blank=True,
                help_text="Shown to French readers; searched too.",
                max_length=500,
                verbose_name="French title",
            ),
        ),
        migrations.RunPython(reinstall_search_index, drop_search_index),
    ]
