"""`manage.py restore FILE --yes`: the database and the media files back from a backup."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from ops import backup


class Command(BaseCommand):
    help = (
        "Restores a backup made by `backup`: replaces every table of the database and puts the "
        "media files back, then checks every table's row count against the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive `backup` wrote.")
        parser.add_argument(
            "--yes", action="store_true", help="Really replace the database's contents."
        )

    def handle(self, *args, file, yes=False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = backup.read_manifest(file)
                if not yes:
                    raise CommandError(
                        _("Restoring replaces everything in database %(database)s with the "
                          "backup of %(created)s. Run again with --yes to do it.")
                        % {"database": connection.settings_dict["NAME"],
                           "created": manifest["created_at"]}
                    )  # fmt: skip
                done = backup.restore(file)
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                _("Restored %(tables)d tables (%(rows)d rows) and %(files)d media files from "
                  "%(path)s, made %(created)s. Every table's row count matches the backup.")
                % {"tables": done.tables, "rows": done.rows, "files": done.media_files,
                   "path": done.path, "created": done.manifest["created_at"]}
            )  # fmt: skip
