from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel

from .base import ScopedQuerySet, TimeStampedModel


class PathField(models.CharField):
    """The materialised path, written by a database trigger and read back on insert."""

    db_returning = True


class AreaQuerySet(ScopedQuerySet):
    area_field = ""

    def communities(self) -> "AreaQuerySet":
        return self.filter(level=AreaLevel.COMMUNITY)

    def hosting_for(self, user) -> "AreaQuerySet":
        """Communities the user may add estates, buildings and grids to."""
        communities = self.communities()
        if user.is_authenticated and user.is_active and user.sees_everything:
            return communities
        if user.is_authenticated and user.is_active and user.is_secretary:
            return communities.filter(pk=user.area_id)
        return self.none()

    def under(self, area: "Area") -> "AreaQuerySet":
        """The area and everything below it, at any depth."""
        return self.filter(path__startswith=area.path)


class Area(TimeStampedModel):
    """A node of the one area tree: province → city → county → township → community.

    `path` ("1/4/17/") is kept by a trigger in the database from the parent's path and the row's
    id, on insert and whenever `parent` changes (the subtree follows), so "everything under this
    area" is one `LIKE 'path%'` on an index, whatever writes the row.
    """

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = PathField(_("path"), max_length=255, editable=False, default="")

    objects = AreaQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"name_taken": "name"}

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        indexes = [
            models.Index(
                fields=["path"],
                name="communities_area_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="communities_area_unique_name",
                nulls_distinct=False,
                violation_error_message=_("An area of this name already exists here."),
                violation_error_code="name_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_community(self) -> bool:
        return self.level == AreaLevel.COMMUNITY

    def clean(self) -> None:
        super().clean()
        if self.pk and self.level:
            lowest = AreaLevel(self.level).rank
            below = {child.level for child in Area.objects.filter(parent=self.pk).only("level")}
            if any(AreaLevel(level).rank <= lowest for level in below):
                raise ValidationError(
                    {"level": _("Areas below this one must stay at a lower level.")}
                )
        if self.parent_id is None:
            return
        parent = self.parent
        if AreaLevel(parent.level).rank >= AreaLevel(self.level).rank:
            raise ValidationError(
                {
                    "parent": _("A %(level)s cannot lie under a %(parent_level)s.")
                    % {
                        "level": AreaLevel(self.level).label,
                        "parent_level": AreaLevel(parent.level).label,
                    }
                }
            )
        if self.pk and parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("An area cannot lie under itself.")})
