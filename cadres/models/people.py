"""Work units and the cadres (in-service Party members) they employ."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from cadres.choices import ACTIVE_STATUSES, Gender, PartyStanding
from cadres.validators import (
    ID_NUMBER_PATTERN,
    MOBILE_PATTERN,
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)
from communities.choices import AreaLevel
from communities.models import Area, ScopedQuerySet, TimeStampedModel


def _ancestor_ids(area: Area) -> list[int]:
    return [int(part) for part in area.path.split("/") if part]


# The unit and every unit below it, at any depth; UNION stops at a unit already seen.
SUBTREE_SQL = """
    WITH RECURSIVE subtree(id) AS (
        SELECT id FROM cadres_workunit WHERE id = %s
        UNION SELECT unit.id FROM cadres_workunit unit JOIN subtree ON unit.parent_id = subtree.id
    ) SELECT id FROM subtree
"""


class WorkUnitQuerySet(ScopedQuerySet):
    area_field = "county"
    work_unit_field = "id"

    @staticmethod
    def subtree(unit_id: int) -> RawSQL:
        """The ids of a unit and all units below it, for `work_unit__in=`: one query."""
        return RawSQL(SUBTREE_SQL, [unit_id])

    def visible_to(self, user) -> "WorkUnitQuerySet":
        """A county's employers are no secret to anyone working in it: staff at every level of
        the county see its units (to pick one, to filter by one); unit staff their own units."""
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_unit_staff or user.area_id is None:
            return super().visible_to(user)
        return self.filter(
            Q(county__path__startswith=user.area.path) | Q(county_id__in=_ancestor_ids(user.area))
        )

    def editable_by(self, user) -> "WorkUnitQuerySet":
        """Administrators, and the organisation department of the unit's county."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_county_staff and user.area_id:
            return self.filter(county__path__startswith=user.area.path)
        return self.none()


class WorkUnit(TimeStampedModel):
    """An employer of cadres (县直机关, 县人社中心, 县民政局 …), in a tree under its county."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="work_units",
        limit_choices_to={"level": AreaLevel.COUNTY},
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    # Accounts of the unit's own staff: they see the unit's cadres and where they serve.
    contacts = models.ManyToManyField(
        "communities.User",
        verbose_name=_("staff accounts"),
        related_name="work_units",
        blank=True,
    )

    objects = WorkUnitQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"name_taken": "name"}

    class Meta:
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="cadres_workunit_unique_name",
                violation_error_message=_("This county already has a work unit of this name."),
                violation_error_code="name_taken",
            ),
            # Target of the composite foreign key keeping a unit's parent in the same county.
            models.UniqueConstraint(fields=["id", "county"], name="cadres_workunit_id_county"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.county_id and self.county.level != AreaLevel.COUNTY:
            raise ValidationError({"county": _("A work unit belongs to a county.")})
        if self.parent_id and self.parent.county_id != self.county_id:
            raise ValidationError({"parent": _("The parent unit belongs to another county.")})
        if (
            self.parent_id
            and self.pk
            and (
                WorkUnit.objects.filter(
                    pk=self.parent_id, id__in=WorkUnit.objects.subtree(self.pk)
                ).exists()
            )
        ):
            raise ValidationError({"parent": _("A work unit cannot lie under itself.")})


class CadreQuerySet(ScopedQuerySet):
    work_unit_field = "work_unit"

    def visible_to(self, user) -> "CadreQuerySet":
        """A cadre is seen where they work (their unit's county and above) and where they live
        (every community they have registered with, and the areas above it)."""
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_unit_staff or user.area_id is None:
            return super().visible_to(user)
        from .registrations import Registration

        path = user.area.path
        registered_here = Registration.objects.filter(
            cadre=OuterRef("pk"), community__path__startswith=path
        )
        return self.filter(Q(work_unit__county__path__startswith=path) | Exists(registered_here))

    def editable_by(self, user) -> "CadreQuerySet":
        """Administrators; the organisation department of the cadre's county; the secretary of a
        community the cadre is actively registered with (pending or confirmed)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        if user.is_county_staff and user.area_id:
            return self.filter(work_unit__county__path__startswith=user.area.path)
        if user.is_secretary and user.area_id:
            from .registrations import Registration

            # A returned or ended registration is history: it gives no say over the member.
            registered_here = Registration.objects.filter(
                cadre=OuterRef("pk"), community=user.area_id, status__in=ACTIVE_STATUSES
            )
            return self.filter(Exists(registered_here))
        return self.none()


def name_initials(name: str) -> str:
    """赵莹 → zy: what a secretary types to find someone on a phone keyboard."""
    # Imported here: its dictionaries cost ~55 MB, only in processes that write cadres.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


class Cadre(TimeStampedModel):
    """An in-service Party member (在职党员): works at a unit, serves where they live."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, validators=[validate_mobile]
    )
    id_number = models.CharField(
        _("ID-card number"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_id_number],
    )
    work_unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="cadres"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_county_leader = models.BooleanField(_("county-level leader"), default=False)
    party_standing = models.CharField(
        _("Party standing"),
        max_length=16,
        choices=PartyStanding.choices,
        default=PartyStanding.FULL,
    )
    name_initials = models.CharField(
        _("pinyin initials"), max_length=50, editable=False, default="", db_index=True
    )

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["name_initials", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__regex=MOBILE_PATTERN),
                name="cadres_cadre_phone_mobile",
                violation_error_message=_("Enter a mainland mobile number of 11 digits."),
            ),
            models.CheckConstraint(
                condition=Q(id_number__isnull=True) | Q(id_number__regex=ID_NUMBER_PATTERN),
                name="cadres_cadre_id_number_format",
                violation_error_message=_(
                    "An ID-card number has 17 digits followed by a digit or X."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Tidy what people type before the validators see it.
        self.name = (self.name or "").strip()
        self.phone = normalize_phone(self.phone)
        self.id_number = normalize_id_number(self.id_number) or None
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        self.name_initials = name_initials(self.name)
        # A team's "1" is a county-level leader (the database holds it too): say so, rather
        # than let the trigger refuse with no explanation.
        if self.pk and not self.is_county_leader and self.teams_led.exists():
            names = "、".join(self.teams_led.values_list("name", flat=True))
            raise ValidationError(
                {
                    "is_county_leader": _(
                        "This cadre leads %(teams)s as its “1”: choose another leader first."
                    )
                    % {"teams": names}
                }
            )
