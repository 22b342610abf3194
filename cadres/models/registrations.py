"""Registrations (报到) with a residential community, and the posts held through them."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.choices import (
    ACTIVE_STATUSES,
    DUTY_KINDS,
    Channel,
    PostKind,
    RegistrationStatus,
)
from communities.choices import AreaLevel
from communities.models import Area, Building, Estate, Grid, ScopedQuerySet, TimeStampedModel, Unit

from .people import Cadre


class RegistrationQuerySet(ScopedQuerySet):
    area_field = "community"
    community_field = "community"
    work_unit_field = "cadre__work_unit"

    def active(self) -> "RegistrationQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)


class Registration(TimeStampedModel):
    """A cadre's registration (报到) with the community where they live.

    At most one registration per cadre is active (pending or confirmed), and at most one transfer
    request is open: partial unique indexes in the database. The address inside the community
    (building, unit, room) is checked against the community by composite foreign keys.
    """

    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="registrations"
    )
    community = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="registrations",
        limit_choices_to={"level": AreaLevel.COMMUNITY},
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    room = models.CharField(_("room"), max_length=20, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.SELF_SERVICE
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING,
    )
    commitment_signed_on = models.DateField(_("commitment letter signed on"), null=True, blank=True)
    pioneer_post = models.CharField(_("pioneer post"), max_length=100, blank=True)
    transferred_from = models.ForeignKey(
        "self",
        verbose_name=_("transferred from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    submitted_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "one_active": "cadre",
        "one_transfer_request": "cadre",
        "reason_required": "return_reason",
        "unit_needs_building": "unit",
    }

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="cadres_registration_one_active",
                violation_error_message=_("This member already has an active registration."),
                violation_error_code="one_active",
            ),
            models.UniqueConstraint(
                fields=["cadre"],
                condition=Q(status=RegistrationStatus.TRANSFER_REQUESTED),
                name="cadres_registration_one_transfer_request",
                violation_error_message=_("This member already has a transfer request waiting."),
                violation_error_code="one_transfer_request",
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.RETURNED) | ~Q(return_reason=""),
                name="cadres_registration_reason_required",
                violation_error_message=_("Say why the registration is returned."),
                violation_error_code="reason_required",
            ),
            models.CheckConstraint(
                condition=~Q(status=RegistrationStatus.TRANSFER_REQUESTED)
                | Q(transferred_from__isnull=False),
                name="cadres_registration_transfer_has_origin",
                violation_error_message=_("A transfer request names the registration it replaces."),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(building__isnull=False),
                name="cadres_registration_unit_needs_building",
                violation_error_message=_("Choose the building of this unit."),
                violation_error_code="unit_needs_building",
            ),
            # Target of the composite foreign key that keeps a transfer with the same member.
            models.UniqueConstraint(fields=["id", "cadre"], name="cadres_registration_id_cadre"),
            # Target of the composite foreign key that keeps posts in the registration's community.
            models.UniqueConstraint(
                fields=["id", "community"], name="cadres_registration_id_community"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="cadres_reg_community_status"),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.community}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.community_id and self.community.level != AreaLevel.COMMUNITY:
            errors["community"] = _("Registrations are made with a community.")
        if self.building_id and self.building.community_id != self.community_id:
            errors["building"] = _("This building belongs to another community.")
        if self.unit_id and self.unit.building_id != self.building_id:
            errors["unit"] = _("This unit belongs to another building.")
        if errors:
            raise ValidationError(errors)


class PostQuerySet(ScopedQuerySet):
    area_field = "community"
    community_field = "community"
    work_unit_field = "registration__cadre__work_unit"

    def active(self) -> "PostQuerySet":
        return self.filter(ended_at__isnull=True)


def _post_shape(kind, *, estate_or_grid=False, building=False, unit=False) -> Q:
    """The targets a post of `kind` has: nothing else may be set."""
    place = (
        Q(estate__isnull=True, grid__isnull=True)
        if not estate_or_grid
        else (
            Q(estate__isnull=False, grid__isnull=True) | Q(estate__isnull=True, grid__isnull=False)
        )
    )
    return (
        (Q(kind=kind) if isinstance(kind, str) else Q(kind__in=kind))
        & place
        & Q(building__isnull=not building)
        & Q(unit__isnull=not unit)
    )


class Post(TimeStampedModel):
    """A post held through a confirmed registration: a chief over a zone or grid, a building or
    a unit, or one of the six duty roles.

    One active chief per zone, grid, building and unit; each duty role once per registration
    (partial unique indexes). The places lie in the registration's community (composite foreign
    keys), and an active post needs a confirmed registration (a trigger).
    """

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.PROTECT, related_name="posts"
    )
    # Copied from the registration, so composite foreign keys can tie every place to it.
    community = models.ForeignKey(
        Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("post"), max_length=20, choices=PostKind.choices)
    estate = models.ForeignKey(
        Estate,
        verbose_name=_("zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    assigned_by = models.ForeignKey(
        "communities.User",
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = PostQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {
        "building_taken": "building",
        "unit_taken": "unit",
        "zone_taken": "estate",
        "grid_taken": "grid",
        "duty_taken": "kind",
        "shape": "kind",
    }

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["community_id", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_post_shape(PostKind.ZONE_CHIEF, estate_or_grid=True)
                | _post_shape(PostKind.BUILDING_CHIEF, building=True)
                | _post_shape(PostKind.UNIT_CHIEF, building=True, unit=True)
                | _post_shape(DUTY_KINDS),
                name="cadres_post_shape",
                violation_error_message=_(
                    "A zone chief is over a zone or a grid, a building chief over a building, "
                    "a unit chief over a unit; a duty role is over no place."
                ),
                violation_error_code="shape",
            ),
            models.UniqueConstraint(
                fields=["building"],
                condition=Q(kind=PostKind.BUILDING_CHIEF, ended_at__isnull=True),
                name="cadres_post_one_building_chief",
                violation_error_message=_("This building already has a building chief."),
                violation_error_code="building_taken",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(kind=PostKind.UNIT_CHIEF, ended_at__isnull=True),
                name="cadres_post_one_unit_chief",
                violation_error_message=_("This unit already has a unit chief."),
                violation_error_code="unit_taken",
            ),
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(kind=PostKind.ZONE_CHIEF, ended_at__isnull=True),
                name="cadres_post_one_zone_chief",
                violation_error_message=_("This zone already has a zone chief."),
                violation_error_code="zone_taken",
            ),
            models.UniqueConstraint(
                fields=["grid"],
                condition=Q(kind=PostKind.ZONE_CHIEF, ended_at__isnull=True),
                name="cadres_post_one_grid_chief",
                violation_error_message=_("This grid already has a zone chief."),
                violation_error_code="grid_taken",
            ),
            models.UniqueConstraint(
                fields=["registration", "kind"],
                condition=Q(kind__in=DUTY_KINDS, ended_at__isnull=True),
                name="cadres_post_one_duty_each",
                violation_error_message=_("This member already holds this duty role."),
                violation_error_code="duty_taken",
            ),
        ]

    def __str__(self) -> str:
        place = self.unit or self.building or self.estate or self.grid
        label = self.get_kind_display()
        return f"{label} · {place}" if place else str(label)

    @property
    def place(self):
        return self.unit or self.building or self.estate or self.grid

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def clean(self) -> None:
        super().clean()
        if self.registration_id and not self.community_id:
            self.community_id = self.registration.community_id
        if self.unit_id and not self.building_id:
            self.building_id = self.unit.building_id
        errors = {}
        for field in ("estate", "grid", "building"):
            place = getattr(self, field) if getattr(self, f"{field}_id") else None
            if place is not None and place.community_id != self.community_id:
                errors[field] = _("This place belongs to another community.")
        if self.unit_id and self.unit.building_id != self.building_id:
            errors["unit"] = _("This unit belongs to another building.")
        if errors:
            raise ValidationError(errors)
