"""The supplies app's entries in the navigation bar, registered from `SuppliesConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import NavEntry, register


def _keeps_supplies(user) -> bool:
    """Everyone with a role works with the ledger: records, or reads the county's totals."""
    return user.sees_everything or bool(user.role)


def register_navigation() -> None:
    register(NavEntry(_("Supplies"), "supplies:ledger", shown=_keeps_supplies))
