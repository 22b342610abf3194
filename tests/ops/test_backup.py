"""`manage.py backup` and `restore`: the demo of every app backed up, wiped, restored and found
again row for row; and every refusal before anything is touched."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ops.backup import FORMAT, FORMAT_VERSION, pg_environment


def fingerprint() -> dict:
    """Every table of the schema (listed by the database, so new tables count unasked) with its
    row count and a checksum of its content; and every sequence's position."""
    found = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "
                f'FROM public."{table}" AS t'
            )
            found[table] = cursor.fetchone()
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        found["sequences"] = sorted(cursor.fetchall())
    return found


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = settings.MEDIA_ROOT / "problems" / "2020" / "02" / "gate.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of the gate")
    return photo


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_finds_every_row_of_every_table(tmp_path, media):
    call_command("seed_demo", password="demo-password", stdout=io.StringIO())
    before = fingerprint()
    assert before["supplies_ledgerentry"][0] > 0 and before["appraisal_appraisal"][0] > 0
    archive = tmp_path / "backup.tar"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert f"{len(before) - 1} 张表" in out.getvalue()

    call_command("flush", interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE stray_after_the_backup (id integer)")
    photo = media.read_bytes()
    media.unlink()
    assert fingerprint()["supplies_ledgerentry"][0] == 0

    out = io.StringIO()
    call_command("restore", archive, yes=True, stdout=out)

    assert fingerprint() == before
    assert media.read_bytes() == photo
    assert "每张表的行数都与备份一致" in out.getvalue()
    # The triggers are back, and did not fire on the restored rows (balances above are equal):
    # the ledger still refuses a change.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE supplies_ledgerentry SET note = 'changed'")


def test_restore_without_yes_refuses_and_says_what_it_would_do(tmp_path):
    archive = make_archive(tmp_path, migrations={})
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", archive)


def test_restore_of_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="没有文件"):
        call_command("restore", tmp_path / "nothing.tar", yes=True)


@pytest.mark.parametrize(
    "content", [b"not an archive at all", None], ids=["not-a-tar", "tar-without-manifest"]
)
def test_restore_of_a_file_that_is_not_a_backup_is_refused(tmp_path, content):
    path = tmp_path / "other.tar"
    if content is None:
        with tarfile.open(path, "w") as archive:
            add(archive, "notes.txt", b"hello")
    else:
        path.write_bytes(content)
    with pytest.raises(CommandError, match="不是"):
        call_command("restore", path, yes=True)


@pytest.mark.django_db
def test_restore_of_a_damaged_dump_is_refused_and_changes_nothing(tmp_path, secretary):
    archive = make_archive(tmp_path, migrations={}, dump=b"PGDMP garbage")
    with pytest.raises(CommandError, match="不是"):
        call_command("restore", archive, yes=True)
    assert type(secretary).objects.filter(pk=secretary.pk).exists()


def test_restore_of_a_backup_from_a_newer_version_is_refused(tmp_path):
    archive = make_archive(tmp_path, migrations={"cadres": ["0001_initial", "9999_later"]})
    with pytest.raises(CommandError, match=r"更新的版本.*cadres\.9999_later"):
        call_command("restore", archive, yes=True)


def test_the_tools_go_where_django_goes_whatever_the_shell_says(monkeypatch):
    monkeypatch.setenv("PGDATABASE", "elsewhere")
    monkeypatch.setenv("PGHOST", "db.elsewhere.example")
    parameters = connection.get_connection_params()
    environment = pg_environment()
    assert environment["PGDATABASE"] == connection.settings_dict["NAME"]
    assert environment.get("PGHOST") == (parameters.get("host") or None)
    assert environment.get("PGPASSWORD") == (parameters.get("password") or None)


def make_archive(tmp_path: Path, *, migrations: dict, dump: bytes = b"") -> Path:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": "2020-02-06T08:00:00+08:00",
        "migrations": migrations,
        "tables": {},
        "media_files": 0,
    }
    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as archive:
        add(archive, "manifest.json", json.dumps(manifest).encode())
        add(archive, "database.dump", dump)
    return path


def add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
