"""The cadres app's entries in the navigation bar, registered from `CadresConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import NavEntry, register


def _has_area(user) -> bool:
    return user.sees_everything or user.area_id is not None


def _runs_work_units(user) -> bool:
    return user.sees_everything or user.is_county_staff or user.is_unit_staff


def register_navigation() -> None:
    register(NavEntry(_("Registrations"), "cadres:workbench", shown=_has_area))
    register(NavEntry(_("Gaps"), "cadres:gaps", shown=lambda user: user.is_secretary))
    register(NavEntry(_("Work units"), "cadres:work-units", shown=_runs_work_units))
    register(NavEntry(_("Branches"), "cadres:branches", shown=_has_area))
    register(
        NavEntry(
            _("Import a roster"),
            "cadres:roster-import",
            shown=lambda user: user.sees_everything or user.is_county_staff,
        )
    )
