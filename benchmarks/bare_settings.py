"""The app's settings with the bare endpoint's URLs, for `benchmarks.report_posting` only: the
same middleware, authentication and database, so the two servers differ in the view alone."""

from config.settings.dev import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare_urls"
