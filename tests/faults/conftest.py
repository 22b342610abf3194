"""Fixtures that take the database away: from this process (the test database's connection
pointed at a socket nobody listens on), or for real (a PostgreSQL server of the test's own,
stopped and started again)."""

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
