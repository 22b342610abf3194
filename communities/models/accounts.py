from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from communities.choices import ROLE_AREA_LEVEL, AreaLevel, Role

from .base import ConstraintErrorFieldsMixin


class User(ConstraintErrorFieldsMixin, AbstractUser):
    """An account: a role, and the area it works in (its scope: that area and all below)."""

    # No role (the default) sees nothing unless the account is a superuser.
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        "communities.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    constraint_error_fields: ClassVar[dict[str, str]] = {"area_required": "area"}

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=list(ROLE_AREA_LEVEL)) | models.Q(area__isnull=False),
                name="communities_user_area_required",
                violation_error_message=_("This role must be bound to an area."),
                violation_error_code="area_required",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_secretary(self) -> bool:
        return self.role == Role.SECRETARY

    @property
    def is_county_staff(self) -> bool:
        return self.role == Role.COUNTY_STAFF

    @property
    def is_unit_staff(self) -> bool:
        return self.role == Role.UNIT_STAFF

    @cached_property
    def work_unit_ids(self) -> list[int]:
        """The work units a unit staff account speaks for (`cadres.WorkUnit.contacts`)."""
        return list(self.work_units.values_list("pk", flat=True)) if self.pk else []

    def clean(self) -> None:
        super().clean()
        expected = ROLE_AREA_LEVEL.get(self.role)
        if expected and self.area_id and self.area.level != expected:
            raise ValidationError(
                {
                    "area": _("A %(role)s must be bound to a %(level)s.")
                    % {"role": Role(self.role).label, "level": AreaLevel(expected).label}
                }
            )
