from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PartyStanding(models.TextChoices):
    """正式党员 / 预备党员: a branch is established only with at least three full members."""

    FULL = "full", _("Full Party member")
    PROBATIONARY = "probationary", _("Probationary Party member")


class Channel(models.TextChoices):
    """How a registration reached the community."""

    SELF_SERVICE = "self_service", _("Self-service page (QR code)")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("In person")
    TRANSFER = "transfer", _("Transfer from another community")


class RegistrationStatus(models.TextChoices):
    """pending → confirmed or returned; confirmed → transferred when the member moves.

    A registration at a second community while one is active elsewhere is a transfer request:
    confirming it transfers the member, returning it leaves the first one as it was.
    """

    PENDING = "pending", _("Pending")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    CONFIRMED = "confirmed", _("Confirmed")
    RETURNED = "returned", _("Returned")
    TRANSFERRED = "transferred", _("Transferred away")


# A member has at most one registration in these statuses (a database constraint holds it).
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)
# Registrations the community is dealing with: its secretary sees the member's full phone and
# may change the member's details.
OPEN_STATUSES = (*ACTIVE_STATUSES, RegistrationStatus.TRANSFER_REQUESTED)
# Registrations the secretary still has to decide.
UNDECIDED_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.TRANSFER_REQUESTED)


class PostKind(models.TextChoices):
    """The chiefs over a place, and the six duty roles (which hang off no place)."""

    ZONE_CHIEF = "zone_chief", _("Zone chief")
    BUILDING_CHIEF = "building_chief", _("Building chief")
    UNIT_CHIEF = "unit_chief", _("Unit chief")
    PUBLICIST = "publicist", _("Publicist")
    PERSUADER = "persuader", _("Persuader")
    FIGHTER = "fighter", _("Fighter")
    SERVER = "server", _("Server")
    SUPERVISOR = "supervisor", _("Supervisor")
    SUPPORTER = "supporter", _("Supporter")


CHIEF_KINDS = (PostKind.ZONE_CHIEF, PostKind.BUILDING_CHIEF, PostKind.UNIT_CHIEF)
DUTY_KINDS = tuple(kind for kind in PostKind if kind not in CHIEF_KINDS)


class BranchKind(models.TextChoices):
    GRID = "grid", _("Temporary branch of a grid")
    COMMUNITY = "community", _("Temporary branch of a community")
    FRONT_LINE = "front_line", _("Front-line branch of organ cadres")


class BranchStatus(models.TextChoices):
    """成熟一个建立一个: a branch is prepared, then established once it has three full members."""

    PREPARING = "preparing", _("Preparing")
    ESTABLISHED = "established", _("Established")
    DISSOLVED = "dissolved", _("Dissolved")


# A branch needs at least this many full Party members to be established.
BRANCH_MINIMUM_FULL_MEMBERS = 3
