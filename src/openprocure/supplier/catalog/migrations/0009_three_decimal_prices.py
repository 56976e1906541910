"""Catalog prices to three decimals, so a product priced in KWD, BHD, OMR, JOD or TND keeps its fils.

The search indexes read the price columns (price bands), and SQLite rebuilds the product table to
change a column, which a view over it would stop: both indexes are dropped first, then recreated and
refilled from the products. Going back drops them; migrating forward again rebuilds them.
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
        ("catalog", "0008_export_started_and_file_deleted"),
    ]

    operations = [
        migrations.RunPython(drop_search_index, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="pricetier",
            name="unit_price",
            field=models.DecimalField(decimal_places=3, max_digits=13, verbose_name="unit price"),
        ),
        migrations.AlterField(
            model_name="product",
            name="business_price",
            field=models.DecimalField(decimal_places=3, max_digits=13, verbose_name="business price"),
        ),
        migrations.AlterField(
            model_name="product",
            name="list_price",
            field=models.DecimalField(decimal_places=3, max_digits=13, verbose_name="list price"),
        ),
        migrations.RunPython(reinstall_search_index, drop_search_index),
    ]
