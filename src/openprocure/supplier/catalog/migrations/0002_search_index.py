"""The FTS5 search index on SQLite (the view ``catalog_searchdoc`` and the table ``catalog_fts``).

Nothing happens on other databases. The SQL lives in ``search_fts5`` so that ``rebuild_search_index``
and this migration create the same thing.
"""

from django.db import migrations

from openprocure.supplier.catalog import search_fts5


def install(apps, schema_editor):
    search_fts5.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    search_fts5.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
