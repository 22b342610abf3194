"""Temporary Party branches (临时党支部) and building Party groups (楼栋党小组)."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.choices import BranchKind, BranchStatus
from communities.choices import AreaLevel
from communities.models import Area, Building, Grid, ScopedQuerySet, TimeStampedModel

from .people import Cadre


class BranchQuerySet(ScopedQuerySet):
    area_field = "area"
    community_field = "area"

    def editable_by(self, user) -> "BranchQuerySet":
        """Secretaries their community's branches; the organisation department its county's
        front-line branches; administrators all."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_county_staff and user.area_id:
            return self.filter(kind=BranchKind.FRONT_LINE, area__path__startswith=user.area.path)
        return super().editable_by(user).exclude(kind=BranchKind.FRONT_LINE)


class Branch(TimeStampedModel):
    """A temporary Party branch: of a grid or a community (一个网格一支部), or a front-line
    branch of organ cadres set up by a county.

    It is prepared, then established once it holds at least three full Party members (成熟一个
    建立一个; a trigger refuses the step otherwise), and may be dissolved. One open branch per grid,
    and one community-wide branch per community.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="branches"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=BranchKind.choices, default=BranchKind.GRID
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
    )
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(
        _("status"), max_length=16, choices=BranchStatus.choices, default=BranchStatus.PREPARING
    )
    secretary = models.ForeignKey(
        Cadre,
        verbose_name=_("branch secretary"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches_led",
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    objects = BranchQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "grid_taken": "grid",
        "community_taken": "area",
        "grid_shape": "grid",
        "name_taken": "name",
    }

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["area_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid"],
                condition=~Q(status=BranchStatus.DISSOLVED) & Q(grid__isnull=False),
                name="cadres_branch_one_per_grid",
                violation_error_message=_("This grid already has a branch."),
                violation_error_code="grid_taken",
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=~Q(status=BranchStatus.DISSOLVED) & Q(kind=BranchKind.COMMUNITY),
                name="cadres_branch_one_per_community",
                violation_error_message=_("This community already has a community-wide branch."),
                violation_error_code="community_taken",
            ),
            models.UniqueConstraint(
                fields=["area", "name"],
                condition=~Q(status=BranchStatus.DISSOLVED),
                name="cadres_branch_unique_name",
                violation_error_message=_("A branch of this name already exists here."),
                violation_error_code="name_taken",
            ),
            models.CheckConstraint(
                condition=Q(kind=BranchKind.GRID, grid__isnull=False)
                | (~Q(kind=BranchKind.GRID) & Q(grid__isnull=True)),
                name="cadres_branch_grid_shape",
                violation_error_message=_("A grid's branch names its grid; other branches none."),
                violation_error_code="grid_shape",
            ),
            models.CheckConstraint(
                condition=~Q(status=BranchStatus.ESTABLISHED) | Q(established_on__isnull=False),
                name="cadres_branch_established_dated",
                violation_error_message=_("An established branch has a date of establishment."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if not self.area_id:
            return
        errors = {}
        needs_community = self.kind in (BranchKind.GRID, BranchKind.COMMUNITY)
        if needs_community and self.area.level != AreaLevel.COMMUNITY:
            errors["area"] = _("A grid's or community's branch belongs to a community.")
        if self.grid_id and self.grid.community_id != self.area_id:
            errors["grid"] = _("This grid belongs to another community.")
        if errors:
            raise ValidationError(errors)


class BranchMemberQuerySet(ScopedQuerySet):
    area_field = "branch__area"
    community_field = "branch__area"
    work_unit_field = "cadre__work_unit"

    def current(self) -> "BranchMemberQuerySet":
        return self.filter(left_on__isnull=True)


class BranchMember(TimeStampedModel):
    """A cadre's membership of a branch; leaving keeps the row (history)."""

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="members"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="branch_memberships"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = BranchMemberQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"member_twice": "cadre"}

    class Meta:
        verbose_name = _("branch member")
        verbose_name_plural = _("branch members")
        ordering = ["branch_id", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "cadre"],
                condition=Q(left_on__isnull=True),
                name="cadres_branchmember_once",
                violation_error_message=_("This member is already in the branch."),
                violation_error_code="member_twice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.branch}"


class BuildingGroupQuerySet(ScopedQuerySet):
    area_field = "community"
    community_field = "community"


class BuildingGroup(TimeStampedModel):
    """The Party group of one building (一个楼栋一小组), with its leader."""

    building = models.OneToOneField(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="party_group",
    )
    # Copied from the building so scoping needs no join and a composite key can tie the two.
    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        Cadre,
        verbose_name=_("group leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="building_groups_led",
    )

    objects = BuildingGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("building Party group")
        verbose_name_plural = _("building Party groups")
        ordering = ["community_id", "building_id"]

    def __str__(self) -> str:
        return _("Party group of %(building)s") % {"building": self.building}

    def clean(self) -> None:
        super().clean()
        if self.building_id:
            self.community_id = self.building.community_id
