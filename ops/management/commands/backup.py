"""`manage.py backup [--output FILE]`: the database and the media files in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ops import backup


class Command(BaseCommand):
    help = "Backs up the database (pg_dump) and the media files into one tar archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="The archive to write (default: var/backups/backup-<date>-<time>.tar).",
        )

    def handle(self, *args, output=None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                done = backup.backup(output or backup.default_output())
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                _("Backed up %(tables)d tables (%(rows)d rows) and %(files)d media files to "
                  "%(path)s.")
                % {"tables": done.tables, "rows": done.rows, "files": done.media_files,
                   "path": done.path}
            )  # fmt: skip
