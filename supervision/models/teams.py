"""Roving supervision teams (防疫巡回督导小分队): "1+5+X"."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel, Role
from communities.models import Area, ScopedQuerySet, TimeStampedModel


class TeamQuerySet(ScopedQuerySet):
    """A team is seen by the organisation department of its county, by staff of the areas it
    covers (and above), and by its own member accounts."""

    area_field = "county"
    team_field = ""

    def visible_to(self, user) -> "TeamQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        prefix = f"{self.team_field}__" if self.team_field else ""
        if user.role == Role.TEAM_MEMBER:
            # A team's account sees its own team only, not every team covering its area. One
            # row per team: the join is on this one account.
            return self.filter(**{f"{prefix}accounts": user})
        if user.area_id is None:
            return self.none()
        path = user.area.path
        covering = TeamCoverage.objects.filter(
            team=OuterRef(f"{prefix}pk"), area__path__startswith=path
        )
        # Staff of a community see the teams covering its township too.
        covering_above = TeamCoverage.objects.filter(
            team=OuterRef(f"{prefix}pk"),
            area_id__in=[int(part) for part in path.split("/") if part],
        )
        return self.filter(
            Q(**{f"{prefix}county__path__startswith": path})
            | Exists(covering)
            | Exists(covering_above)
        )


class Team(TimeStampedModel):
    """A team: its lead department, its "1" (a county-level leader), its "5" standing members
    (`TeamMember`), the townships and communities it covers (包保), and the work units paired
    with it. Its "X" is derived: the confirmed cadres of the covered communities and the cadres of
    the paired units."""

    county = models.ForeignKey(
        Area,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="teams",
        limit_choices_to={"level": AreaLevel.COUNTY},
    )
    name = models.CharField(_("name"), max_length=100)
    lead_unit = models.ForeignKey(
        WorkUnit,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    leader = models.ForeignKey(
        Cadre,
        verbose_name=_("county-level leader"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams_led",
    )
    paired_units = models.ManyToManyField(
        WorkUnit, verbose_name=_("paired work units"), related_name="paired_teams", blank=True
    )
    accounts = models.ManyToManyField(
        "communities.User",
        verbose_name=_("member accounts"),
        related_name="teams",
        blank=True,
        help_text=_("Accounts that post this team's daily reports."),
    )

    objects = TeamQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"name_taken": "name"}

    class Meta:
        verbose_name = _("supervision team")
        verbose_name_plural = _("supervision teams")
        ordering = ["county_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="supervision_team_unique_name",
                violation_error_message=_("This county already has a team of this name."),
                violation_error_code="name_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.leader_id and not self.leader.is_county_leader:
            errors["leader"] = _("The team's “1” must be a county-level leader.")
        if self.lead_unit_id and self.lead_unit.county_id != self.county_id:
            errors["lead_unit"] = _("The lead department belongs to another county.")
        if errors:
            raise ValidationError(errors)


class TeamMemberQuerySet(TeamQuerySet):
    team_field = "team"


class TeamMember(TimeStampedModel):
    """One of a team's standing members (the "5")."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="team_seats"
    )

    objects = TeamMemberQuerySet.as_manager()
    constraint_error_fields: ClassVar[dict[str, str]] = {"member_twice": "cadre"}

    class Meta:
        verbose_name = _("standing member")
        verbose_name_plural = _("standing members")
        ordering = ["team_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "cadre"],
                name="supervision_teammember_once",
                violation_error_message=_("This cadre is already a standing member of the team."),
                violation_error_code="member_twice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} · {self.team}"


class TeamCoverage(models.Model):
    """A township or community a team is answerable for (包保)."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="coverage"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="team_coverage",
        limit_choices_to={"level__in": [AreaLevel.TOWNSHIP, AreaLevel.COMMUNITY]},
    )

    class Meta:
        verbose_name = _("covered area")
        verbose_name_plural = _("covered areas")
        ordering = ["team_id", "area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "area"],
                name="supervision_teamcoverage_once",
                violation_error_message=_("The team already covers this area."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.area}"


class CountyWideQuerySet(ScopedQuerySet):
    """Rows of a county that are no secret to anyone working in it (the ledger's parties, the
    appraisal periods): staff at any level of the county, a team's accounts and a work unit's
    staff see those of the counties they work in."""

    area_field = "county"

    def visible_to(self, user) -> "CountyWideQuerySet":
        if not user.is_authenticated or not user.is_active or user.sees_everything:
            return super().visible_to(user)
        if user.is_unit_staff:
            return self.filter(county__work_units__in=user.work_unit_ids).distinct()
        if user.role == Role.TEAM_MEMBER:
            return self.filter(county__teams__accounts=user).distinct()
        if user.area_id is None:
            return self.none()
        above = [int(part) for part in user.area.path.split("/") if part]
        return self.filter(Q(county__path__startswith=user.area.path) | Q(county_id__in=above))
