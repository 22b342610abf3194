"""The supervision app's entries in the navigation bar, registered from
`SupervisionConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from communities.choices import Role
from communities.navigation import NavEntry, register


def _sees_overview(user) -> bool:
    return user.sees_everything or user.role in (Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)


def _sees_teams(user) -> bool:
    return _sees_overview(user) or user.role in (Role.TEAM_MEMBER, Role.SECRETARY)


def register_navigation() -> None:
    register(NavEntry(_("Supervision"), "supervision:overview", shown=_sees_overview))
    register(NavEntry(_("Teams"), "supervision:teams", shown=_sees_teams))
    register(NavEntry(_("Daily reports"), "supervision:reports", shown=_sees_teams))
    register(NavEntry(_("Problems"), "supervision:problems", shown=_sees_teams))
