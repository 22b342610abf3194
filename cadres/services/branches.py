"""Writes of temporary branches and building Party groups."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import (
    BRANCH_MINIMUM_FULL_MEMBERS,
    BranchKind,
    BranchStatus,
    PartyStanding,
    RegistrationStatus,
)
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Registration
from communities.models import Area, Building, User

from .base import locked_for


def _branch_message() -> str:
    return _("You may only change branches of your own community.")


def _may_hold_branch(actor: User, branch: Branch) -> bool:
    """Secretaries set up their community's branches; the organisation department the
    front-line branches of its county; administrators any."""
    if actor.sees_everything:
        return True
    if branch.kind == BranchKind.FRONT_LINE:
        return actor.is_county_staff and (
            Area.objects.visible_to(actor).filter(pk=branch.area_id).exists()
        )
    return actor.is_secretary and actor.area_id == branch.area_id


@transaction.atomic
def branch_save(*, actor: User, branch: Branch) -> Branch:
    """Creates or changes a branch's name, grid and secretary (not its status)."""
    if branch.pk is not None:
        stored = locked_for(Branch, actor, branch.pk, _branch_message())
        branch.status = stored.status
    else:
        branch.status = BranchStatus.PREPARING
    if not _may_hold_branch(actor, branch):
        raise PermissionDenied(_branch_message())
    if branch.grid_id:
        branch.kind = BranchKind.GRID
    branch.full_clean()
    # A new branch has no members yet, so it cannot name a secretary either.
    if branch.secretary_id and not (
        branch.pk and branch.members.current().filter(cadre_id=branch.secretary_id).exists()
    ):
        raise ValidationError({"secretary": _("The branch secretary must be one of its members.")})
    branch.save()
    return branch


def _eligible_for_branch(branch: Branch, cadres: list[Cadre]) -> None:
    if branch.kind == BranchKind.FRONT_LINE:
        return
    confirmed = set(
        Registration.objects.filter(
            community_id=branch.area_id,
            status=RegistrationStatus.CONFIRMED,
            cadre__in=cadres,
        ).values_list("cadre_id", flat=True)
    )
    strangers = [c.name for c in cadres if c.pk not in confirmed]
    if strangers:
        raise ValidationError(
            {
                "cadres": _("Not confirmed members of this community: %(names)s.")
                % {"names": "、".join(strangers)}
            }
        )


@transaction.atomic
def branch_add_members(*, actor: User, branch: Branch, cadres: Iterable[Cadre]) -> Branch:
    """Adds members to a branch; a grid's or community's branch takes confirmed members of its
    community only. Members already in the branch are left as they are."""
    branch = locked_for(Branch, actor, branch.pk, _branch_message())
    if branch.status == BranchStatus.DISSOLVED:
        raise ValidationError(_("This branch is dissolved."), code="dissolved")
    cadres = list(cadres)
    _eligible_for_branch(branch, cadres)
    present = set(branch.members.current().values_list("cadre_id", flat=True))
    today = timezone.localdate()
    for cadre in cadres:
        if cadre.pk not in present:
            member = BranchMember(branch=branch, cadre=cadre, joined_on=today)
            member.full_clean()
            member.save()
    return branch


@transaction.atomic
def branch_remove_member(*, actor: User, branch: Branch, cadre: Cadre) -> Branch:
    branch = locked_for(Branch, actor, branch.pk, _branch_message())
    if branch.secretary_id == cadre.pk:
        branch.secretary = None
        branch.save(update_fields=["secretary", "updated_at"])
    branch.members.current().filter(cadre=cadre).update(
        left_on=timezone.localdate(), updated_at=timezone.now()
    )
    return branch


def _full_member_count(branch: Branch) -> int:
    return branch.members.current().filter(cadre__party_standing=PartyStanding.FULL).count()


@transaction.atomic
def branch_establish(*, actor: User, branch: Branch, on: date | None = None) -> Branch:
    """Marks a prepared branch established: only with at least three full Party members."""
    branch = locked_for(Branch, actor, branch.pk, _branch_message())
    if branch.status != BranchStatus.PREPARING:
        raise ValidationError(
            _("Only a branch being prepared can be established."), code="not_preparing"
        )
    count = _full_member_count(branch)
    if count < BRANCH_MINIMUM_FULL_MEMBERS:
        raise ValidationError(
            _(
                "A branch is established with at least %(minimum)s full Party members; "
                "%(name)s has %(count)s."
            )
            % {"minimum": BRANCH_MINIMUM_FULL_MEMBERS, "name": branch.name, "count": count},
            code="too_few_members",
        )
    branch.status = BranchStatus.ESTABLISHED
    branch.established_on = on or timezone.localdate()
    branch.full_clean()
    branch.save()
    return branch


@transaction.atomic
def branch_dissolve(*, actor: User, branch: Branch, on: date | None = None) -> Branch:
    """Dissolves a branch; its members leave on that day and the history stays."""
    branch = locked_for(Branch, actor, branch.pk, _branch_message())
    if branch.status == BranchStatus.DISSOLVED:
        return branch
    day = on or timezone.localdate()
    branch.status = BranchStatus.DISSOLVED
    branch.dissolved_on = day
    branch.full_clean()
    branch.save()
    # After the status: a dissolved branch keeps its last secretary as history.
    branch.members.current().update(left_on=day, updated_at=timezone.now())
    return branch


@transaction.atomic
def building_group_save(
    *, actor: User, building: Building, leader: Cadre | None = None
) -> BuildingGroup:
    """Sets up a building's Party group (one per building) or changes its leader, who must be a
    confirmed member of the building's community."""
    if not Building.objects.editable_by(actor).filter(pk=building.pk).exists():
        raise PermissionDenied(_("You may only change buildings of your own community."))
    group = BuildingGroup.objects.select_for_update().filter(building=building).first()
    group = group or BuildingGroup(building=building, community_id=building.community_id)
    if (
        leader is not None
        and not Registration.objects.filter(
            cadre=leader, community_id=building.community_id, status=RegistrationStatus.CONFIRMED
        ).exists()
    ):
        raise ValidationError(
            {"leader": _("The group leader must be a confirmed member of this community.")}
        )
    group.leader = leader
    group.full_clean()
    group.save()
    return group
