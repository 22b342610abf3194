"""The appraisal app's entries in the navigation bar, registered from `AppraisalConfig.ready()`."""

from django.utils.translation import gettext_lazy as _

from communities.navigation import NavEntry, register


def _sees_appraisal(user) -> bool:
    """Everyone working in a county takes part: the organisation department runs it, teams and
    secretaries enter inputs, township and unit staff follow their cadres."""
    return user.sees_everything or bool(user.role)


def register_navigation() -> None:
    register(NavEntry(_("Appraisal"), "appraisal:periods", shown=_sees_appraisal))
