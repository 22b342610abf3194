from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    """Levels of the area tree, from the top down; a parent is always at a higher level."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township or street")
    COMMUNITY = "community", _("Community or village")

    @property
    def rank(self) -> int:
        return list(AreaLevel).index(self)


class EstateKind(models.TextChoices):
    ESTATE = "estate", _("Residential estate")
    LIVING_AREA = "living_area", _("Living area")
    ZONE = "zone", _("Zone")


class Role(models.TextChoices):
    """What a user does; the area they are bound to sets where."""

    COUNTY_STAFF = "county_staff", _("County organisation department")
    TOWNSHIP_STAFF = "township_staff", _("Township staff")
    SECRETARY = "secretary", _("Community secretary")
    TEAM_MEMBER = "team_member", _("Supervision team member")
    UNIT_STAFF = "unit_staff", _("Work unit staff")
    ADMIN = "admin", _("Administrator")


# The level of area each role must be bound to; admins and team members may be unbound, and
# work unit staff are bound to their work units instead (they see those units' cadres only).
ROLE_AREA_LEVEL = {
    Role.COUNTY_STAFF: AreaLevel.COUNTY,
    Role.TOWNSHIP_STAFF: AreaLevel.TOWNSHIP,
    Role.SECRETARY: AreaLevel.COMMUNITY,
}
