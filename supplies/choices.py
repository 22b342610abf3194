from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ItemCategory(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    DISINFECTION = "disinfection", _("Disinfection")
    THERMOMETRY = "thermometry", _("Temperature measurement")
    LIVING = "living", _("Daily necessities")
    MONEY = "money", _("Money")
    OTHER = "other", _("Other")


class ItemUnit(models.TextChoices):
    """Chinese measure words; the English labels only approximate them."""

    GE = "ge", _("pieces (ge)")
    ZHI = "zhi", _("pieces (zhi)")
    FU = "fu", _("pairs")
    XIANG = "xiang", _("cases")
    TONG = "tong", _("barrels")
    PING = "ping", _("bottles")
    TAI = "tai", _("devices")
    JIAN = "jian", _("garments")
    BAO = "bao", _("packets")
    HE = "he", _("boxes")
    DAI = "dai", _("bags")
    YUAN = "yuan", _("yuan")


class PartyKind(models.TextChoices):
    """Who gives, holds or receives. The first five hold stock and keep a ledger; the others
    are outside it: they give or receive, and hold nothing here."""

    COUNTY = "county", _("County stock")
    TOWNSHIP = "township", _("Township or street")
    COMMUNITY = "community", _("Community or village")
    WORK_UNIT = "work_unit", _("Work unit")
    TEAM = "team", _("Supervision team")
    ENTERPRISE = "enterprise", _("Enterprise")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other")


AREA_PARTY_KINDS = (PartyKind.COUNTY, PartyKind.TOWNSHIP, PartyKind.COMMUNITY)
HOLDER_KINDS = (*AREA_PARTY_KINDS, PartyKind.WORK_UNIT, PartyKind.TEAM)
OUTSIDE_KINDS = (PartyKind.ENTERPRISE, PartyKind.INDIVIDUAL, PartyKind.OTHER)


class EntryKind(models.TextChoices):
    DONATION = "donation", _("Donation received")
    COORDINATION = "coordination", _("Obtained by coordination")
    TRANSFER = "transfer", pgettext_lazy("ledger", "Transfer")
    ISSUE = "issue", _("Handed out or used")


# Which side's stock an entry moves: the receiver gains on these kinds …
INFLOW_KINDS = (EntryKind.DONATION, EntryKind.COORDINATION, EntryKind.TRANSFER)
# … and the giver loses on these. A reversing entry moves both the other way.
OUTFLOW_KINDS = (EntryKind.TRANSFER, EntryKind.ISSUE)
