"""The test suite: PostgreSQL as everywhere else, a fast password hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around
# it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The audit trail's tables refuse TRUNCATE, except on connections that set this: the flush
# between transactional tests truncates every table.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
_db_options["options"] = f"{_db_options.get('options', '')} -c app.allow_truncate=on".strip()
# Uploaded evidence goes to a throw-away folder, never into the working tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="zaizhi-test-media-"))

# The cache: one process runs the tests and the live server's threads, so a local-memory cache is
# shared by both and costs no database queries (the pinned query counts stay what the pages and
# the API do). The database cache of production has its own table and is used by the tests of the
# rate limits that name it (RATELIMIT_USE_CACHE="database").
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": {"BACKEND": "communities.cache.DatabaseCache", "LOCATION": "zaizhi_cache"},
}
# High enough that no test meets them unless it lowers them itself (tests/security).
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
}
