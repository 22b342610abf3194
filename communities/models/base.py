from typing import ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConstraintErrorFieldsMixin:
    """Reports a multi-field constraint's error on one field instead of on the whole form."""

    # violation_error_code of a constraint → the field its error is reported on, so that forms
    # and the API show the message next to the field the user typed.
    constraint_error_fields: ClassVar[dict[str, str]] = {}

    def validate_constraints(self, exclude=None) -> None:
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            for item in errors.pop(NON_FIELD_ERRORS, []):
                field = self.constraint_error_fields.get(item.code, NON_FIELD_ERRORS)
                errors.setdefault(field, []).append(item)
            raise ValidationError(errors) from error


class TimeStampedModel(ConstraintErrorFieldsMixin, models.Model):
    """Created and updated timestamps for every model of the project."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedQuerySet(models.QuerySet):
    """The one scoping mechanism: every page, export and endpoint starts from `visible_to(user)`.

    A subclass names the relation that leads to the `Area` a row belongs to (`area_field`, empty
    for `Area` itself) and, for rows a secretary may change, the relation to their community
    (`community_field`). Scope is "everything under the user's area", one indexed prefix query on
    the area's materialised path at any depth.
    """

    area_field: ClassVar[str] = ""
    community_field: ClassVar[str | None] = None
    # For rows about people: the relation to the work unit whose staff accounts see the row.
    # Work unit staff see nothing else (they are bound to no area).
    work_unit_field: ClassVar[str | None] = None

    def _path_lookup(self) -> str:
        return f"{self.area_field}__path__startswith" if self.area_field else "path__startswith"

    def visible_to(self, user) -> "ScopedQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_unit_staff:
            if self.work_unit_field is None:
                return self.none()
            return self.filter(**{f"{self.work_unit_field}__in": user.work_unit_ids})
        if user.area_id is None:
            return self.none()
        return self.filter(**{self._path_lookup(): user.area.path})

    def editable_by(self, user) -> "ScopedQuerySet":
        """Rows the user may change: admins everything, a secretary their own community."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if self.community_field is None or not user.is_secretary or user.area_id is None:
            return self.none()
        return self.filter(**{self.community_field: user.area_id})
