"""Role fixtures over a small world: two communities of one township, a second township, and a
community of another county."""

import pytest
from rest_framework.test import APIClient

from communities.choices import Role
from tests.factories import (
    BuildingFactory,
    CadreFactory,
    CommunityFactory,
    EstateFactory,
    GridFactory,
    ItemFactory,
    OutsidePartyFactory,
    RegistrationFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    UserFactory,
    WorkUnitFactory,
)

PASSWORD = "pass-word-123"


def authenticate(**credentials):
    """`django.contrib.auth.authenticate` with a request, as the login lockout (django-axes)
    needs one to know the client's address."""
    from django.contrib.auth import authenticate as django_authenticate
    from django.test import RequestFactory

    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit and throttle counters live in the cache (local memory in the tests, see
    config/settings/test.py): each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def township(db):
    return TownshipFactory(name="莲花湖街道")


@pytest.fixture
def county(township):
    return township.parent


@pytest.fixture
def community(township):
    return CommunityFactory(name="水木华园社区", parent=township)


@pytest.fixture
def other_community(township):
    return CommunityFactory(name="天嘉苑社区", parent=township)


@pytest.fixture
def far_community(db):
    """A community of another county altogether."""
    return CommunityFactory(name="二工村社区")


@pytest.fixture
def estate(community):
    return EstateFactory(community=community, name="一生活区")


@pytest.fixture
def building(estate):
    return BuildingFactory(estate=estate, name="1号楼")


@pytest.fixture
def unit(building):
    return UnitFactory(building=building, number=1, households=40)


@pytest.fixture
def grid(community, building):
    grid = GridFactory(community=community, name="第一网格")
    grid.memberships.create(building=building, community=community)
    return grid


@pytest.fixture
def other_building(other_community):
    return BuildingFactory(
        estate=EstateFactory(community=other_community, name="天嘉苑小区"), name="9号楼"
    )


@pytest.fixture
def secretary(community):
    return UserFactory(username="secretary", role=Role.SECRETARY, area=community)


@pytest.fixture
def other_secretary(other_community):
    return UserFactory(username="secretary2", role=Role.SECRETARY, area=other_community)


@pytest.fixture
def township_staff(township):
    return UserFactory(username="township", role=Role.TOWNSHIP_STAFF, area=township)


@pytest.fixture
def county_staff(county):
    return UserFactory(username="county", role=Role.COUNTY_STAFF, area=county)


@pytest.fixture
def team_member(township):
    return UserFactory(username="team", role=Role.TEAM_MEMBER, area=township)


@pytest.fixture
def work_unit(county):
    return WorkUnitFactory(county=county, name="县民政局")


@pytest.fixture
def unit_staff(work_unit):
    user = UserFactory(username="unitstaff", role=Role.UNIT_STAFF, area=None)
    work_unit.contacts.add(user)
    return user


@pytest.fixture
def cadre(work_unit):
    return CadreFactory(name="赵莹", phone="13812341234", work_unit=work_unit)


@pytest.fixture
def pending_registration(cadre, community, building, unit):
    return RegistrationFactory(cadre=cadre, community=community, building=building, unit=unit)


@pytest.fixture
def confirmed_registration(work_unit, community, building, unit):
    cadre = CadreFactory(name="孙守超", phone="13900001111", work_unit=work_unit)
    return RegistrationFactory(
        cadre=cadre, community=community, building=building, unit=unit, status="confirmed"
    )


@pytest.fixture
def team(county, township, team_member):
    """A team of the county covering the township (so its communities), with the team member's
    account."""
    team = TeamFactory(county=county, name="县委统战部督导小分队")
    team.coverage.create(area=township)
    team.accounts.add(team_member)
    return team


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="admin", role=Role.ADMIN, area=None, is_staff=True, is_superuser=True
    )


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(client):
    """A browser client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for(api_client):
    """An API client authenticated by token as the given user."""
    from rest_framework.authtoken.models import Token

    def authenticate(user):
        token, _ = Token.objects.get_or_create(user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api_client

    return authenticate


# --- supplies ---------------------------------------------------------------------------------


@pytest.fixture
def disinfectant(db):
    """Bottles of disinfectant, in cases of 20."""
    return ItemFactory(
        name="消毒液",
        specification="500毫升",
        category="disinfection",
        unit="ping",
        pack_unit="xiang",
        pack_size=20,
    )


@pytest.fixture
def money(db):
    return ItemFactory(name="现金", category="money", unit="yuan", is_money=True)


@pytest.fixture
def donor(county):
    return OutsidePartyFactory(county=county, name="铁岭某药业公司")


@pytest.fixture
def party_of():
    """The stock-holding party of an area, a work unit or a team (made by the database)."""
    from supplies.models import Party

    def party(holder):
        field = {"Area": "area", "WorkUnit": "work_unit", "Team": "team"}[type(holder).__name__]
        return Party.objects.select_related("area", "work_unit", "team").get(**{field: holder})

    return party


@pytest.fixture
def give_stock(admin_user, donor, party_of):
    """Records a donation from `donor` to a holder (an area, a unit or a team), as the admin."""
    from decimal import Decimal

    from django.utils import timezone

    from supplies import services

    def give(holder, item, quantity, **extra):
        return services.entry_record(
            actor=admin_user,
            kind="donation",
            line=services.EntryLine(item=item, quantity=Decimal(quantity)),
            entry_date=extra.pop("entry_date", timezone.localdate()),
            from_party=extra.pop("from_party", donor),
            to_party=party_of(holder),
            **extra,
        )

    return give


# --- appraisal --------------------------------------------------------------------------------


@pytest.fixture
def period(county, confirmed_registration, admin_user):
    """An open period of the county around today; 孙守超 (confirmed in 水木华园社区) is in it."""
    from datetime import timedelta

    from django.utils import timezone

    from appraisal import services
    from appraisal.models import Period

    today = timezone.localdate()
    return services.period_save(
        actor=admin_user,
        period=Period(
            county=county,
            name="2020年疫情防控一线专项考核",
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=30),
        ),
    )


@pytest.fixture
def appraisal(period, confirmed_registration):
    """孙守超's appraisal in the period."""
    return period.appraisals.get(cadre=confirmed_registration.cadre)
