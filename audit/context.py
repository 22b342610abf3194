"""Who, from where, and through what: the context every audit event carries.

Requests get it from `AuditContextMiddleware`; the project's management commands from
`carry_context_in_commands`, which wraps `BaseCommand.execute` once. Both go through
`pghistory.context`, which puts the metadata into a transaction-local setting the event triggers
read.
"""

from functools import wraps

import pghistory
from django.core.management.base import BaseCommand

from communities.security import client_ip

# Commands of our own apps; Django's own (migrate, runserver, shell …) are left alone: a server
# started under one context would stamp every request with it.
PROJECT_APPS = ("communities", "cadres", "supervision", "supplies", "appraisal", "audit")


def client_address(request) -> str:
    """The client's address by the site's one rule (`communities.security.client_ip`, behind
    `DJANGO_NUM_PROXIES`), the same the login lockout and the rate limits use."""
    return client_ip(request)[:64]


def user_context(user) -> dict:
    if user is not None and getattr(user, "is_authenticated", False):
        return {"user": user.pk, "username": user.get_username()}
    return {"user": None, "username": None}


def carry_context_in_commands() -> None:
    if getattr(BaseCommand.execute, "_audit_wrapped", False):
        return
    execute = BaseCommand.execute

    @wraps(execute)
    def execute_with_context(self, *args, **options):
        module = type(self).__module__
        if not module.startswith(tuple(f"{app}." for app in PROJECT_APPS)):
            return execute(self, *args, **options)
        command = module.rsplit(".", 1)[-1]
        with pghistory.context(command=command, user=None, username=None):
            return execute(self, *args, **options)

    execute_with_context._audit_wrapped = True
    BaseCommand.execute = execute_with_context
