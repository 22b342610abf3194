"""Demo data of the apps above `communities`: each registers a step, and `seed_demo` runs them.

`communities` imports no other app of ours, so it cannot call them. Instead an app's `ready()`
calls `register(step)`; `seed_demo` builds its own places and accounts first, then runs every
registered step in the order of INSTALLED_APPS, all in one transaction. A step is idempotent like
the command: running it again creates nothing new and changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.apps import apps

from communities.models import Area, User


@dataclass
class DemoAccount:
    """A line of the printed account list."""

    username: str
    role: str
    where: str


@dataclass
class DemoRun:
    """What a step gets: where to write, the administrator to act as, and a way to add demo
    accounts that share the demo password and are listed at the end."""

    stdout: TextIO
    password: str
    admin: User | None = None
    accounts: list[DemoAccount] = field(default_factory=list)

    def account(
        self,
        username: str,
        role: str,
        area: Area | None,
        full_name: str,
        *,
        where: str | None = None,
        staff: bool = False,
    ) -> User:
        """Creates or refreshes a demo account with the demo password."""
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.area, user.last_name = role, area, full_name
        user.is_staff = user.is_superuser = staff
        user.set_password(self.password)
        user.full_clean()
        user.save()
        shown = where if where is not None else (area.name if area else "")
        self.accounts = [a for a in self.accounts if a.username != username]
        self.accounts.append(DemoAccount(username, role, shown))
        return user


DemoStep = Callable[[DemoRun], None]

_steps: list[DemoStep] = []


def register(step: DemoStep) -> DemoStep:
    """Adds `step` to the demo (once, however often an app's `ready()` runs)."""
    if step not in _steps:
        _steps.append(step)
    return step


def _app_rank(step: DemoStep) -> int:
    configs = list(apps.get_app_configs())
    config = apps.get_containing_app_config(step.__module__)
    return configs.index(config) if config in configs else len(configs)


def steps() -> list[DemoStep]:
    """The registered steps, in the order of INSTALLED_APPS."""
    return sorted(_steps, key=_app_rank)
