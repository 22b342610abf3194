"""The navigation bar. Apps add their entries in `AppConfig.ready()`; `communities` imports none
of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    # Whether the entry is shown to a user; a url name that needs the user's own object (their
    # community) gives its arguments through `args`.
    shown: Callable = lambda user: True
    args: Callable = lambda user: ()

    def url(self, user) -> str:
        return reverse(self.url_name, args=self.args(user))


_entries: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if all(existing.url_name != entry.url_name for existing in _entries):
        _entries.append(entry)


def entries_for(user) -> list[NavEntry]:
    return [entry for entry in _entries if entry.shown(user)]
