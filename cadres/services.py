"""Writes of the cadres app: registrations, posts, branches, work units and cadres.

Views, serializers, the admin and commands call these; each takes the acting user, checks what
that user may change, validates with `full_clean()` and runs in one transaction. The database
holds the same rules (constraints, composite keys, triggers) as the last line of defence.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import (
    ACTIVE_STATUSES,
    BRANCH_MINIMUM_FULL_MEMBERS,
    OPEN_STATUSES,
    UNDECIDED_STATUSES,
    BranchKind,
    BranchStatus,
    Channel,
    PartyStanding,
    PostKind,
    RegistrationStatus,
)
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.validators import normalize_id_number, normalize_phone
from communities.models import Area, Building, Estate, Grid, Unit, User


def _locked(model: type[Model], actor: User, pk: int, message: str):
    """The row `pk` if `actor` may change it, locked until the transaction ends."""
    row = model.objects.editable_by(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(message)
    return row


# --- work units and cadres ------------------------------------------------------------------


@transaction.atomic
def work_unit_save(*, actor: User, work_unit: WorkUnit) -> WorkUnit:
    """Creates or changes a work unit of a county the actor runs."""
    message = _("Only the county's organisation department changes its work units.")
    if work_unit.pk is not None:
        _locked(WorkUnit, actor, work_unit.pk, message)
    if not (
        actor.sees_everything or (actor.is_county_staff and actor.area_id == work_unit.county_id)
    ):
        raise PermissionDenied(message)
    work_unit.full_clean()
    work_unit.save()
    return work_unit


@transaction.atomic
def cadre_save(*, actor: User, cadre: Cadre) -> Cadre:
    """Creates or changes a cadre's own details (not their registrations)."""
    message = _("You may not change this member's details.")
    if cadre.pk is not None:
        _locked(Cadre, actor, cadre.pk, message)
    elif not WorkUnit.objects.editable_by(actor).filter(pk=cadre.work_unit_id).exists():
        raise PermissionDenied(message)
    cadre.full_clean()
    cadre.save()
    return cadre


# --- registrations --------------------------------------------------------------------------


@dataclass
class CadreDetails:
    """What a member states about themselves when registering."""

    name: str
    phone: str
    work_unit: WorkUnit
    gender: str = ""
    id_number: str | None = None
    position: str = ""
    party_standing: str = PartyStanding.FULL
    is_county_leader: bool = False


def _lock_identity(*keys: str) -> None:
    """Serialises registrations of the same phone or ID number (a double tap, two channels at
    once), so the lookup below and the insert after it see one another."""
    with connection.cursor() as cursor:
        for key in sorted(k for k in keys if k):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"cadres.identity:{key}"])


def _find_or_create_cadre(details: CadreDetails) -> Cadre:
    phone = normalize_phone(details.phone)
    id_number = normalize_id_number(details.id_number) or None
    _lock_identity(phone, id_number or "")
    by_phone = Cadre.objects.filter(phone=phone).first()
    by_id = Cadre.objects.filter(id_number=id_number).first() if id_number else None
    if by_phone and by_id and by_phone.pk != by_id.pk:
        raise ValidationError(
            {
                "id_number": _(
                    "This phone number and this ID-card number belong to two different members. "
                    "Please check them or contact the community secretary."
                )
            }
        )
    cadre = by_phone or by_id
    if cadre is None:
        cadre = Cadre(**{f.name: getattr(details, f.name) for f in fields(details)})
        cadre.full_clean()
        cadre.save()
        return cadre
    if id_number and cadre.id_number and cadre.id_number != id_number:
        raise ValidationError(
            {
                "id_number": _(
                    "This ID-card number differs from the one on record for this phone number. "
                    "Please check it or contact the community secretary."
                )
            }
        )
    if cadre.name != (details.name or "").strip():
        field = "phone" if by_phone else "id_number"
        raise ValidationError(
            {
                field: _(
                    "This number is already registered under another name. Please check it or "
                    "contact the community secretary."
                )
            }
        )
    return Cadre.objects.select_for_update().get(pk=cadre.pk)


@transaction.atomic
def registration_submit(
    *,
    actor: User | None,
    community: Area,
    details: CadreDetails,
    building: Building | None = None,
    unit: Unit | None = None,
    room: str = "",
    channel: str = Channel.SELF_SERVICE,
    commitment_signed_on: date | None = None,
    pioneer_post: str = "",
) -> Registration:
    """A member registers (报到) with the community where they live.

    `actor` is None on the public self-service page, or the secretary entering a registration
    taken by phone, SMS, WeChat or in person. The member is found by phone or ID number, or
    created. Registering again where one is already registered is refused with a message saying
    so; registering while active elsewhere becomes a transfer request.
    """
    if actor is None:
        channel = Channel.SELF_SERVICE
    elif not Area.objects.hosting_for(actor).filter(pk=community.pk).exists():
        raise PermissionDenied(_("You may only enter registrations for your own community."))
    if unit is not None and building is None:
        building = unit.building
    cadre = _find_or_create_cadre(details)
    registration = Registration(
        cadre=cadre,
        community=community,
        building=building,
        unit=unit,
        room=room.strip(),
        channel=channel,
        commitment_signed_on=commitment_signed_on,
        pioneer_post=pioneer_post.strip(),
        submitted_by=actor,
    )
    current = list(
        cadre.registrations.filter(
            status__in=[*ACTIVE_STATUSES, RegistrationStatus.TRANSFER_REQUESTED]
        ).select_related("community")
    )
    for existing in current:
        if existing.community_id == community.pk:
            raise ValidationError(
                _(
                    "%(name)s already registered with %(community)s on %(date)s (%(status)s); "
                    "nothing new was added."
                )
                % {
                    "name": cadre.name,
                    "community": community.name,
                    "date": timezone.localtime(existing.created_at).date().isoformat(),
                    "status": existing.get_status_display(),
                },
                code="already_registered",
            )
    for existing in current:
        if existing.status == RegistrationStatus.TRANSFER_REQUESTED:
            raise ValidationError(
                _("A transfer of %(name)s to %(community)s is already waiting for confirmation.")
                % {"name": cadre.name, "community": existing.community.name},
                code="transfer_waiting",
            )
    active = [r for r in current if r.status in ACTIVE_STATUSES]
    if active:
        registration.status = RegistrationStatus.TRANSFER_REQUESTED
        registration.transferred_from = active[0]
    registration.full_clean()
    registration.save()
    return registration


def _end_service(registration: Registration, when) -> None:
    """Ends the posts and the community branch memberships held through `registration`; a
    branch secretary or building group leader who leaves the community leaves that seat empty."""
    Post.objects.filter(registration=registration, ended_at__isnull=True).update(
        ended_at=when, updated_at=when
    )
    # Seats first: the database refuses a branch secretary who is not a current member.
    Branch.objects.filter(
        area_id=registration.community_id, secretary_id=registration.cadre_id
    ).update(secretary=None, updated_at=when)
    BranchMember.objects.filter(
        cadre_id=registration.cadre_id,
        branch__area_id=registration.community_id,
        left_on__isnull=True,
    ).update(left_on=timezone.localdate(when), updated_at=when)
    BuildingGroup.objects.filter(
        community_id=registration.community_id, leader_id=registration.cadre_id
    ).update(leader=None, updated_at=when)


def _lock_registrations(actor: User, registrations: Iterable[Registration]) -> list[Registration]:
    ids = sorted({r.pk for r in registrations})
    if not ids:
        raise ValidationError(_("Choose at least one registration."), code="empty")
    locked = list(
        Registration.objects.editable_by(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("cadre")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise PermissionDenied(_("You may only decide registrations of your own community."))
    return locked


@transaction.atomic
def registration_confirm(
    *, actor: User, registrations: Iterable[Registration]
) -> list[Registration]:
    """Confirms pending registrations and transfer requests, many at once, all or none.

    Confirming a transfer request transfers the member: the registration it replaces ends, with
    its posts and branch memberships. Registrations already confirmed are left as they are.
    """
    locked = _lock_registrations(actor, registrations)
    now = timezone.now()
    for registration in locked:
        if registration.status == RegistrationStatus.CONFIRMED:
            continue
        if registration.status not in UNDECIDED_STATUSES:
            raise ValidationError(
                _("The registration of %(name)s is %(status)s and cannot be confirmed.")
                % {"name": registration.cadre.name, "status": registration.get_status_display()},
                code="not_pending",
            )
        if registration.status == RegistrationStatus.TRANSFER_REQUESTED:
            _transfer_away(registration.transferred_from_id, now)
        registration.status = RegistrationStatus.CONFIRMED
        registration.decided_at = now
        registration.decided_by = actor
        registration.full_clean()
        registration.save()
    return locked


def _transfer_away(registration_id: int, when) -> None:
    previous = Registration.objects.select_for_update().get(pk=registration_id)
    if previous.status not in ACTIVE_STATUSES:
        return
    _end_service(previous, when)
    previous.status = RegistrationStatus.TRANSFERRED
    previous.ended_at = when
    previous.save(update_fields=["status", "ended_at", "updated_at"])


@transaction.atomic
def registration_return(
    *, actor: User, registrations: Iterable[Registration], reason: str
) -> list[Registration]:
    """Returns pending registrations or transfer requests with a reason, many at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"return_reason": _("Say why the registration is returned.")})
    locked = _lock_registrations(actor, registrations)
    now = timezone.now()
    for registration in locked:
        if registration.status == RegistrationStatus.RETURNED:
            continue
        if registration.status not in UNDECIDED_STATUSES:
            raise ValidationError(
                _("The registration of %(name)s is %(status)s and cannot be returned.")
                % {"name": registration.cadre.name, "status": registration.get_status_display()},
                code="not_pending",
            )
        registration.status = RegistrationStatus.RETURNED
        registration.return_reason = reason
        registration.decided_at = now
        registration.decided_by = actor
        registration.full_clean()
        registration.save()
    return locked


@transaction.atomic
def registration_transfer(
    *,
    actor: User,
    registration: Registration,
    community: Area,
    building: Building | None = None,
    unit: Unit | None = None,
    room: str = "",
) -> Registration:
    """A confirmed member moved: their registration ends (posts and branch memberships too) and
    a pending one is opened at the new community, pointing back at the old one."""
    (old,) = _lock_registrations(actor, [registration])
    if old.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            _("Only a confirmed registration can be transferred."), code="not_confirmed"
        )
    if community.pk == old.community_id:
        raise ValidationError(
            {"community": _("The member is already registered with this community.")}
        )
    waiting = old.cadre.registrations.filter(status=RegistrationStatus.TRANSFER_REQUESTED).first()
    if waiting is not None:
        raise ValidationError(
            _("A transfer request to %(community)s is waiting; decide it first.")
            % {"community": waiting.community.name},
            code="transfer_waiting",
        )
    now = timezone.now()
    _transfer_away(old.pk, now)
    if unit is not None and building is None:
        building = unit.building
    new = Registration(
        cadre=old.cadre,
        community=community,
        building=building,
        unit=unit,
        room=room.strip(),
        channel=Channel.TRANSFER,
        commitment_signed_on=old.commitment_signed_on,
        transferred_from=old,
        submitted_by=actor,
    )
    new.full_clean()
    new.save()
    return new


@transaction.atomic
def registration_save(*, actor: User, registration: Registration) -> Registration:
    """Changes a registration's address, commitment letter date or pioneer post; nothing else
    of it (status, community, member) changes here, whatever the caller set."""
    stored = _locked(
        Registration,
        actor,
        registration.pk,
        _("You may only change registrations of your own community."),
    )
    if stored.status not in OPEN_STATUSES:
        raise ValidationError(
            _("A %(status)s registration is history and is not changed.")
            % {"status": stored.get_status_display()},
            code="closed",
        )
    for name in ("building", "unit", "room", "commitment_signed_on", "pioneer_post"):
        setattr(stored, name, getattr(registration, name))
    if stored.unit_id and not stored.building_id:
        stored.building_id = stored.unit.building_id
    stored.full_clean()
    stored.save()
    return stored


# --- posts ------------------------------------------------------------------------------------

_POST_PLACE = {
    PostKind.ZONE_CHIEF: ("estate", "grid"),
    PostKind.BUILDING_CHIEF: ("building",),
    PostKind.UNIT_CHIEF: ("unit",),
}
_PLACE_MODELS = {"estate": Estate, "grid": Grid, "building": Building, "unit": Unit}


@transaction.atomic
def post_assign(
    *,
    actor: User,
    registration: Registration,
    kind: str,
    estate: Estate | None = None,
    grid: Grid | None = None,
    building: Building | None = None,
    unit: Unit | None = None,
) -> Post:
    """Makes a confirmed member a chief over a place, or gives them a duty role.

    A place with an active chief already is refused with the holder's name; the place's row is
    locked, so two secretaries assigning the same building at once cannot both succeed.
    """
    (registration,) = _lock_registrations(actor, [registration])
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            _("Only confirmed members hold posts; confirm the registration first."),
            code="not_confirmed",
        )
    post = Post(
        registration=registration,
        community_id=registration.community_id,
        kind=kind,
        estate=estate,
        grid=grid,
        building=building if kind != PostKind.UNIT_CHIEF or building else None,
        unit=unit,
        assigned_by=actor,
    )
    places = {name: getattr(post, name) for name in _POST_PLACE.get(kind, ())}
    given = {name: place for name, place in places.items() if place is not None}
    if kind in _POST_PLACE and len(given) != 1:
        field = _POST_PLACE[kind][0]
        raise ValidationError({field: _("Choose the place this chief is over.")})
    for name, place in given.items():
        _PLACE_MODELS[name].objects.select_for_update().filter(pk=place.pk).first()
        holder = _active_holder(kind, name, place)
        if holder is not None:
            raise ValidationError(
                {
                    name: _("%(place)s already has a %(post)s: %(holder)s. End that post first.")
                    % {"place": place, "post": post.get_kind_display(), "holder": holder}
                },
                code="post_taken",
            )
    post.full_clean()
    post.save()
    return post


def _active_holder(kind: str, field: str, place) -> str | None:
    return (
        Post.objects.active()
        .filter(kind=kind, **{field: place})
        .values_list("registration__cadre__name", flat=True)
        .first()
    )


@transaction.atomic
def post_end(*, actor: User, post: Post) -> Post:
    """Ends a post; its row stays as history. Ending an ended post changes nothing."""
    post = _locked(Post, actor, post.pk, _("You may only change posts of your own community."))
    if post.ended_at is None:
        post.ended_at = timezone.now()
        post.save(update_fields=["ended_at", "updated_at"])
    return post


# --- branches ---------------------------------------------------------------------------------


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
        stored = _locked(Branch, actor, branch.pk, _branch_message())
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
    branch = _locked(Branch, actor, branch.pk, _branch_message())
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
    branch = _locked(Branch, actor, branch.pk, _branch_message())
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
    branch = _locked(Branch, actor, branch.pk, _branch_message())
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
    branch = _locked(Branch, actor, branch.pk, _branch_message())
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
