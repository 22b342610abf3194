"""What lies inside a community: estates, buildings, units with households, and grids."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel, EstateKind

from .base import ScopedQuerySet, TimeStampedModel

COMMUNITY_ONLY = {"level": AreaLevel.COMMUNITY}


class CommunityScopedQuerySet(ScopedQuerySet):
    area_field = "community"
    community_field = "community"


class UnitQuerySet(ScopedQuerySet):
    area_field = "building__community"
    community_field = "building__community"


class CommunityOwned(TimeStampedModel):
    """A place that hangs directly off a community."""

    constraint_error_fields: ClassVar[dict[str, str]] = {"name_taken": "name"}

    class Meta:
        abstract = True

    @property
    def owner_community_id(self) -> int | None:
        return self.community_id


class Estate(CommunityOwned):
    """A residential estate, living area or zone (小区/生活区/区片) of a community."""

    community = models.ForeignKey(
        "communities.Area",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to=COMMUNITY_ONLY,
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=EstateKind.choices, default=EstateKind.ESTATE
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["community_id", Length("name"), "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="communities_estate_unique_name",
                violation_error_message=_("This community already has an estate of this name."),
                violation_error_code="name_taken",
            ),
            # Target of the composite foreign key that keeps a building in its own community.
            models.UniqueConstraint(
                fields=["id", "community"], name="communities_estate_id_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Building(CommunityOwned):
    """A building (楼栋) of a community, optionally inside one of its estates."""

    community = models.ForeignKey(
        "communities.Area",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="buildings",
        limit_choices_to=COMMUNITY_ONLY,
    )
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("estate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="buildings",
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example 3号楼."))

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        # "2号楼" before "10号楼": shorter names first, then by name.
        ordering = ["community_id", "estate_id", Length("name"), "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="communities_building_unique_name",
                violation_error_message=_("This community already has a building of this name."),
                violation_error_code="name_taken",
            ),
            models.UniqueConstraint(
                fields=["id", "community"], name="communities_building_id_community"
            ),
        ]

    def __str__(self) -> str:
        if self.estate_id:
            return f"{self.estate.name} {self.name}"
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.estate_id and self.community_id and self.estate.community_id != self.community_id:
            raise ValidationError(
                {"estate": _("This estate belongs to another community.")},
                code="estate_other_community",
            )


class Unit(TimeStampedModel):
    """A stairwell unit (单元) of a building; households are counted here and roll up."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="units"
    )
    number = models.PositiveSmallIntegerField(_("unit number"))
    households = models.IntegerField(_("households"), default=0)

    objects = UnitQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "unit_number_taken": "number",
        "unit_number_invalid": "number",
        "households_negative": "households",
    }

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="communities_unit_unique_number",
                violation_error_message=_("This building already has a unit with this number."),
                violation_error_code="unit_number_taken",
            ),
            models.CheckConstraint(
                condition=models.Q(households__gte=0),
                name="communities_unit_households_not_negative",
                violation_error_message=_("Households cannot be negative."),
                violation_error_code="households_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="communities_unit_number_positive",
                violation_error_message=_("A unit number starts at 1."),
                violation_error_code="unit_number_invalid",
            ),
            # Target of composite foreign keys that keep a unit inside its stated building.
            models.UniqueConstraint(fields=["id", "building"], name="communities_unit_id_building"),
        ]

    @property
    def owner_community_id(self) -> int | None:
        return self.building.community_id if self.building_id else None

    def __str__(self) -> str:
        return _("%(building)s unit %(number)s") % {
            "building": self.building,
            "number": self.number,
        }


class Grid(CommunityOwned):
    """A grid (网格) of a community: a set of its buildings, or a village group."""

    community = models.ForeignKey(
        "communities.Area",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to=COMMUNITY_ONLY,
    )
    name = models.CharField(_("name"), max_length=100)
    buildings = models.ManyToManyField(
        Building,
        verbose_name=_("buildings"),
        through="GridBuilding",
        related_name="grids",
        blank=True,
    )

    objects = CommunityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community_id", Length("name"), "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"],
                name="communities_grid_unique_name",
                violation_error_message=_("This community already has a grid of this name."),
                violation_error_code="name_taken",
            ),
            models.UniqueConstraint(
                fields=["id", "community"], name="communities_grid_id_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridBuilding(models.Model):
    """A building's place in a grid. A building lies in at most one grid, of its own community.

    `community` is copied from the grid; composite foreign keys (grid, community) and
    (building, community) in the database make a building of another community impossible.
    """

    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.CASCADE, related_name="memberships"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Area", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("building in grid")
        verbose_name_plural = _("buildings in grids")
        ordering = ["grid_id", "building_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["building"],
                name="communities_gridbuilding_one_grid",
                violation_error_message=_("This building already belongs to a grid."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.building}"

    def clean(self) -> None:
        super().clean()
        if self.grid_id and not self.community_id:
            self.community_id = self.grid.community_id
        if self.building_id and self.building.community_id != self.community_id:
            raise ValidationError(
                {"building": _("This building belongs to another community.")},
                code="building_other_community",
            )
