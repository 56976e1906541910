"""The PostgreSQL full-text index (table ``catalog_pgsearch`` with GIN indexes), on PostgreSQL only.

Nothing happens on other databases (SQLite has its FTS5 index from 0002). The SQL lives in
``search_postgres``, next to the code that keeps the index up to date.
"""

from django.db import migrations

from openprocure.supplier.catalog import search_postgres


def install(apps, schema_editor):
    # Empty: the document reads columns added by 0005, which recreates and fills the index.
    search_postgres.install(schema_editor.connection, fill=False)


def uninstall(apps, schema_editor):
    search_postgres.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_catalog_version")]

    operations = [migrations.RunPython(install, uninstall)]
