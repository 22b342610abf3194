"""Writes of registrations (报到): submit, confirm, return, transfer, save."""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    UNDECIDED_STATUSES,
    Channel,
    PartyStanding,
    RegistrationStatus,
)
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.validators import normalize_id_number, normalize_phone
from communities.models import Area, Building, Unit, User

from .base import lock_registrations, locked_for


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


@transaction.atomic
def registration_confirm(
    *, actor: User, registrations: Iterable[Registration]
) -> list[Registration]:
    """Confirms pending registrations and transfer requests, many at once, all or none.

    Confirming a transfer request transfers the member: the registration it replaces ends, with
    its posts and branch memberships. Registrations already confirmed are left as they are.
    """
    locked = lock_registrations(actor, registrations)
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
    locked = lock_registrations(actor, registrations)
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
    (old,) = lock_registrations(actor, [registration])
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
    stored = locked_for(
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
