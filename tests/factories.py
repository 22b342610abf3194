"""Factories for every model the tests build. Areas hang under one county per test."""

import factory
from factory.django import DjangoModelFactory

from cadres.models.people import name_initials
from cadres.validators import id_number_check_character
from communities.choices import AreaLevel, Role
from communities.models import Area, Building, Estate, Grid, GridBuilding, Unit, User


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"区域{n}")
    level = AreaLevel.PROVINCE
    parent = None


class CountyFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"县{n}")
    level = AreaLevel.COUNTY
    parent = factory.SubFactory(
        AreaFactory,
        level=AreaLevel.CITY,
        parent=factory.SubFactory(AreaFactory, level=AreaLevel.PROVINCE),
    )


class TownshipFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"街道{n}")
    level = AreaLevel.TOWNSHIP
    parent = factory.SubFactory(CountyFactory)


class CommunityFactory(AreaFactory):
    name = factory.Sequence(lambda n: f"社区{n}")
    level = AreaLevel.COMMUNITY
    parent = factory.SubFactory(TownshipFactory)


class EstateFactory(DjangoModelFactory):
    class Meta:
        model = Estate

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    estate = factory.SubFactory(EstateFactory)
    community = factory.LazyAttribute(lambda o: o.estate.community)
    name = factory.Sequence(lambda n: f"{n}号楼")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: n + 1)
    households = 20


class GridFactory(DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class GridBuildingFactory(DjangoModelFactory):
    class Meta:
        model = GridBuilding

    grid = factory.SubFactory(GridFactory)
    building = factory.SubFactory(BuildingFactory)
    community = factory.LazyAttribute(lambda o: o.grid.community)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.SECRETARY
    area = factory.SubFactory(CommunityFactory)
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


# --- cadres -----------------------------------------------------------------------------------


def valid_id_number(n: int) -> str:
    """A resident ID number with a real birth date and the right GB 11643 check digit."""
    first17 = f"211221{1970 + n % 30:04d}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first17 + id_number_check_character(first17)


class WorkUnitFactory(DjangoModelFactory):
    class Meta:
        model = "cadres.WorkUnit"

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"县单位{n}")


class CadreFactory(DjangoModelFactory):
    class Meta:
        model = "cadres.Cadre"

    name = factory.Sequence(lambda n: f"党员{n}")
    # Far from the numbers tests type by hand (139 0000 1111 …), however many cadres a run makes.
    phone = factory.Sequence(lambda n: f"1395{n:07d}")
    id_number = None
    work_unit = factory.SubFactory(WorkUnitFactory)
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))


class RegistrationFactory(DjangoModelFactory):
    """A registration; pass status="confirmed" for a confirmed one."""

    class Meta:
        model = "cadres.Registration"

    cadre = factory.SubFactory(CadreFactory)
    community = factory.SubFactory(CommunityFactory)


class PostFactory(DjangoModelFactory):
    class Meta:
        model = "cadres.Post"

    registration = factory.SubFactory(RegistrationFactory, status="confirmed")
    community = factory.LazyAttribute(lambda o: o.registration.community)
    kind = "publicist"


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = "cadres.Branch"

    area = factory.SubFactory(CommunityFactory)
    kind = "community"
    name = factory.Sequence(lambda n: f"临时党支部{n}")


# --- supervision ------------------------------------------------------------------------------


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = "supervision.Team"

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"督导小分队{n}")


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = "supervision.Measure"

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"措施{n + 1}")


# --- supplies ---------------------------------------------------------------------------------


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = "supplies.Item"

    name = factory.Sequence(lambda n: f"物资{n}")
    category = "protection"
    unit = "ge"


class OutsidePartyFactory(DjangoModelFactory):
    """An enterprise (or, with kind=, a person or other) outside the stock, in a county."""

    class Meta:
        model = "supplies.Party"

    kind = "enterprise"
    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"企业{n}")
