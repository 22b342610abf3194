"""The database cache's table (rate limits and throttles share it when no Redis is configured).

`createcachetable` creates the table of every DatabaseCache in CACHES and does nothing for other
backends, so running it here keeps `migrate` the only set-up step. Reversing drops nothing: the
table holds only throw-away counters and `createcachetable` is idempotent."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0005_unit_staff_and_unit_key"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=True),
    ]
