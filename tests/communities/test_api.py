"""The REST API of the communities app: authentication, scope, writes, validation, filters,
documentation and query counts."""

import re

import pytest
from rest_framework.authtoken.models import Token

from communities.choices import AreaLevel
from communities.models import Area, Building, Estate, Grid, GridBuilding, Unit
from tests.conftest import PASSWORD
from tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    GridBuildingFactory,
    GridFactory,
    UnitFactory,
)

ENDPOINTS = ["areas", "estates", "buildings", "units", "grids"]
PLACE_ENDPOINTS = ["estates", "buildings", "units", "grids"]
# The fixture naming the object of `community` each endpoint shows in detail.
OBJECT_OF_COMMUNITY = {
    "areas": "community",
    "estates": "estate",
    "buildings": "building",
    "units": "unit",
    "grids": "grid",
}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def list_url(endpoint: str) -> str:
    return f"/api/{endpoint}/"


def detail_url(endpoint: str, pk: int) -> str:
    return f"/api/{endpoint}/{pk}/"


def ids_of(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# Token authentication


def test_token_obtained_with_username_and_password_authenticates(api_client, secretary, building):
    response = api_client.post(
        "/api/auth/token/", {"username": "secretary", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=secretary).key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = api_client.get(list_url("buildings"))
    assert listed.status_code == 200
    assert ids_of(listed) == {building.pk}


def test_token_with_wrong_password_is_refused(api_client, secretary):
    response = api_client.post(
        "/api/auth/token/", {"username": "secretary", "password": "wrong-password"}, format="json"
    )

    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=secretary).exists()


def test_unknown_token_is_refused(api_client, building):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get(list_url("buildings")).status_code == 401


# The triad: anonymous refused, another community's secretary 404, the right secretary 200


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_refused_on_list_and_detail(db, endpoint, request, api_client):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])

    assert api_client.get(list_url(endpoint)).status_code == 401
    assert api_client.get(detail_url(endpoint, obj.pk)).status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_other_communitys_secretary_gets_404_on_detail(endpoint, request, api_for, other_secretary):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])

    response = api_for(other_secretary).get(detail_url(endpoint, obj.pk))

    assert response.status_code == 404
    # The refusal reveals nothing of the object.
    assert str(obj.pk) not in response.content.decode()
    assert getattr(obj, "name", "\0") not in response.content.decode()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_communitys_own_secretary_reads_the_detail(endpoint, request, api_for, secretary):
    obj = request.getfixturevalue(OBJECT_OF_COMMUNITY[endpoint])

    response = api_for(secretary).get(detail_url(endpoint, obj.pk))

    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.fixture
def places_everywhere(community, other_community, far_community, estate, building, unit, grid):
    """An estate, a building, a unit and a grid in each of the three communities, by endpoint."""
    ids = {
        "areas": {"community": community.pk},
        "estates": {"community": estate.pk},
        "buildings": {"community": building.pk},
        "units": {"community": unit.pk},
        "grids": {"community": grid.pk},
    }
    for key, place in (("other", other_community), ("far", far_community)):
        an_estate = EstateFactory(community=place)
        a_building = BuildingFactory(estate=an_estate)
        a_grid = GridFactory(community=place)
        GridBuildingFactory(grid=a_grid, building=a_building)
        ids["areas"][key] = place.pk
        ids["estates"][key] = an_estate.pk
        ids["buildings"][key] = a_building.pk
        ids["units"][key] = UnitFactory(building=a_building).pk
        ids["grids"][key] = a_grid.pk
    return ids


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("secretary", {"community"}),
        ("township_staff", {"community", "other"}),
        ("county_staff", {"community", "other"}),
        ("admin_user", {"community", "other", "far"}),
    ],
)
def test_list_returns_only_rows_in_the_users_scope(
    endpoint, role, seen, request, api_for, places_everywhere
):
    user = request.getfixturevalue(role)
    known = places_everywhere[endpoint]

    response = api_for(user).get(list_url(endpoint))

    assert response.status_code == 200
    returned = ids_of(response)
    assert returned & set(known.values()) == {known[key] for key in seen}
    if endpoint != "areas":
        # Nothing else exists, so nothing else may show.
        assert returned == {known[key] for key in seen}


def test_area_list_of_a_township_includes_the_township_not_its_county(
    api_for, township_staff, township, county, community, other_community
):
    returned = ids_of(api_for(township_staff).get(list_url("areas")))

    assert returned == {township.pk, community.pk, other_community.pk}
    assert county.pk not in returned


# Writes


@pytest.fixture
def loose_building(community):
    return BuildingFactory(estate=None, community=community, name="临街楼")


def test_secretary_creates_an_estate_in_their_community(api_for, secretary, community):
    response = api_for(secretary).post(
        list_url("estates"),
        {"community": community.pk, "name": "二生活区", "kind": "living_area"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = Estate.objects.get(pk=response.json()["id"])
    assert (created.community_id, created.name, created.kind) == (
        community.pk,
        "二生活区",
        "living_area",
    )


def test_secretary_creates_a_building_in_their_community(api_for, secretary, community, estate):
    response = api_for(secretary).post(
        list_url("buildings"),
        {"community": community.pk, "estate": estate.pk, "name": "2号楼"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = Building.objects.get(pk=response.json()["id"])
    assert (created.community_id, created.estate_id, created.name) == (
        community.pk,
        estate.pk,
        "2号楼",
    )


def test_secretary_creates_a_unit_in_their_community(api_for, secretary, building):
    response = api_for(secretary).post(
        list_url("units"), {"building": building.pk, "number": 2, "households": 36}, format="json"
    )

    assert response.status_code == 201, response.json()
    created = Unit.objects.get(pk=response.json()["id"])
    assert (created.building_id, created.number, created.households) == (building.pk, 2, 36)


def test_secretary_creates_a_grid_with_buildings_in_their_community(
    api_for, secretary, community, loose_building
):
    response = api_for(secretary).post(
        list_url("grids"),
        {"community": community.pk, "name": "第二网格", "buildings": [loose_building.pk]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    created = Grid.objects.get(pk=response.json()["id"])
    assert created.community_id == community.pk
    assert list(created.buildings.all()) == [loose_building]
    assert response.json()["buildings"] == [loose_building.pk]


@pytest.mark.parametrize(
    ("endpoint", "field", "payload"),
    [
        ("estates", "community", lambda c, b: {"community": c.pk, "name": "越界小区"}),
        ("buildings", "community", lambda c, b: {"community": c.pk, "name": "越界楼"}),
        ("units", "building", lambda c, b: {"building": b.pk, "number": 7, "households": 1}),
        ("grids", "community", lambda c, b: {"community": c.pk, "name": "越界网格"}),
    ],
)
def test_creating_in_another_community_is_refused_and_writes_nothing(
    endpoint, field, payload, api_for, secretary, other_community, other_building
):
    model = {"estates": Estate, "buildings": Building, "units": Unit, "grids": Grid}[endpoint]
    before = model.objects.count()

    response = api_for(secretary).post(
        list_url(endpoint), payload(other_community, other_building), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert model.objects.count() == before


def test_secretary_cannot_put_a_building_under_another_communitys_estate(
    api_for, secretary, community, other_building
):
    response = api_for(secretary).post(
        list_url("buildings"),
        {"community": community.pk, "estate": other_building.estate_id, "name": "混入楼"},
        format="json",
    )

    assert response.status_code == 400
    assert "estate" in response.json()
    assert not Building.objects.filter(name="混入楼").exists()


def test_patch_of_another_communitys_building_is_404_and_changes_nothing(
    api_for, other_secretary, building
):
    response = api_for(other_secretary).patch(
        detail_url("buildings", building.pk), {"name": "被改名"}, format="json"
    )

    assert response.status_code == 404
    building.refresh_from_db()
    assert building.name == "1号楼"


def test_secretary_renames_their_own_building(api_for, secretary, building):
    response = api_for(secretary).patch(
        detail_url("buildings", building.pk), {"name": "1号楼东"}, format="json"
    )

    assert response.status_code == 200, response.json()
    building.refresh_from_db()
    assert building.name == "1号楼东"


@pytest.mark.parametrize("role", ["township_staff", "county_staff"])
@pytest.mark.parametrize(
    ("endpoint", "payload"),
    [
        ("estates", lambda c, b: {"community": c.pk, "name": "新小区"}),
        ("buildings", lambda c, b: {"community": c.pk, "name": "新楼"}),
        ("units", lambda c, b: {"building": b.pk, "number": 5}),
        ("grids", lambda c, b: {"community": c.pk, "name": "新网格"}),
    ],
)
def test_township_and_county_staff_cannot_create_places(
    role, endpoint, payload, request, api_for, community, building
):
    user = request.getfixturevalue(role)
    model = {"estates": Estate, "buildings": Building, "units": Unit, "grids": Grid}[endpoint]
    before = model.objects.count()

    response = api_for(user).post(list_url(endpoint), payload(community, building), format="json")

    assert response.status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("role", ["township_staff", "county_staff"])
def test_township_and_county_staff_cannot_change_or_delete_a_building(
    role, request, api_for, building
):
    api = api_for(request.getfixturevalue(role))

    response = api.patch(detail_url("buildings", building.pk), {"name": "X"}, format="json")

    assert response.status_code == 403
    assert api.delete(detail_url("buildings", building.pk)).status_code == 403
    building.refresh_from_db()
    assert building.name == "1号楼"


def test_secretary_cannot_create_areas(api_for, secretary, community):
    response = api_for(secretary).post(
        list_url("areas"),
        {"name": "新社区", "level": AreaLevel.COMMUNITY, "parent": community.parent_id},
        format="json",
    )

    assert response.status_code == 403
    assert not Area.objects.filter(name="新社区").exists()


def test_admin_creates_an_area_whose_path_ends_with_its_id(api_for, admin_user, township):
    response = api_for(admin_user).post(
        list_url("areas"),
        {"name": "新社区", "level": AreaLevel.COMMUNITY, "parent": township.pk},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["path"].endswith(f"/{body['id']}/")
    assert body["path"] == f"{township.path}{body['id']}/"
    assert Area.objects.get(pk=body["id"]).path == body["path"]


# Bad input: 400 with field errors, nothing stored


def test_negative_households_is_refused_with_a_translated_message(api_for, secretary, building):
    api = api_for(secretary)
    payload = {"building": building.pk, "number": 2, "households": -3}

    english = api.post(list_url("units"), payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = api.post(list_url("units"), payload, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english.status_code == chinese.status_code == 400
    assert english.json() == {"households": ["Households cannot be negative."]}
    assert not Unit.objects.filter(building=building).exists()
    assert chinese.json() == {"households": ["户数不能为负数。"]}


def test_negative_households_is_refused_on_change_too(api_for, secretary, unit):
    response = api_for(secretary).patch(
        detail_url("units", unit.pk), {"households": -1}, format="json", **EN
    )

    assert response.status_code == 400
    assert response.json() == {"households": ["Households cannot be negative."]}
    unit.refresh_from_db()
    assert unit.households == 40


def test_repeated_unit_number_in_a_building_is_refused(api_for, secretary, unit):
    response = api_for(secretary).post(
        list_url("units"),
        {"building": unit.building_id, "number": unit.number, "households": 5},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {"number": ["This building already has a unit with this number."]}
    assert Unit.objects.filter(building=unit.building).count() == 1


def test_building_with_another_communitys_estate_is_refused_even_for_admin(
    api_for, admin_user, community, other_building
):
    response = api_for(admin_user).post(
        list_url("buildings"),
        {"community": community.pk, "estate": other_building.estate_id, "name": "错位楼"},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert response.json() == {"estate": ["This estate belongs to another community."]}
    assert not Building.objects.filter(name="错位楼").exists()


def test_grid_with_another_communitys_building_is_refused(
    api_for, admin_user, community, other_building
):
    response = api_for(admin_user).post(
        list_url("grids"),
        {"community": community.pk, "name": "混合网格", "buildings": [other_building.pk]},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["buildings"]
    assert "9号楼" in response.json()["buildings"][0]
    assert not Grid.objects.filter(name="混合网格").exists()
    assert not GridBuilding.objects.filter(building=other_building).exists()


def test_secretary_cannot_name_another_communitys_building_in_a_grid(
    api_for, secretary, community, other_building
):
    response = api_for(secretary).post(
        list_url("grids"),
        {"community": community.pk, "name": "混合网格", "buildings": [other_building.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "buildings" in response.json()
    assert not Grid.objects.filter(name="混合网格").exists()


def test_grid_with_a_building_already_in_another_grid_is_refused(
    api_for, secretary, community, grid, building
):
    response = api_for(secretary).post(
        list_url("grids"),
        {"community": community.pk, "name": "第二网格", "buildings": [building.pk]},
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["buildings"]
    message = response.json()["buildings"][0]
    assert building.name in message
    assert grid.name in message
    assert not Grid.objects.filter(name="第二网格").exists()
    assert list(GridBuilding.objects.filter(building=building).values_list("grid", flat=True)) == [
        grid.pk
    ]


def test_malformed_json_is_400_and_stores_nothing(api_for, secretary, community):
    response = api_for(secretary).post(
        list_url("estates"),
        data=f'{{"community": {community.pk}, "name": "半截',
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Estate.objects.exists()


def test_wrong_types_are_400_with_an_error_per_field(api_for, secretary, building):
    response = api_for(secretary).post(
        list_url("units"),
        {"building": "一号楼", "number": "first", "households": "many"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"building", "number", "households"}
    assert not Unit.objects.exists()


def test_missing_required_fields_are_named(api_for, secretary):
    response = api_for(secretary).post(list_url("buildings"), {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"community", "name"}


def test_deleting_a_building_with_units_is_refused_with_a_message(api_for, secretary, unit):
    building = unit.building

    response = api_for(secretary).delete(detail_url("buildings", building.pk), **EN)

    assert response.status_code == 400
    messages = [m for field in response.json().values() for m in field]
    assert len(messages) == 1
    assert "cannot be deleted" in messages[0]
    assert Building.objects.filter(pk=building.pk).exists()
    assert Unit.objects.filter(pk=unit.pk).exists()


def test_deleting_an_empty_building_removes_it(api_for, secretary, loose_building):
    response = api_for(secretary).delete(detail_url("buildings", loose_building.pk))

    assert response.status_code == 204
    assert not Building.objects.filter(pk=loose_building.pk).exists()


# Filters


@pytest.fixture
def buildings_to_filter(community, other_community, estate, building):
    """`building` (一生活区 1号楼) plus a loose building, a second estate's building, and another
    community's building."""
    second_estate = EstateFactory(community=community, name="二生活区")
    return {
        "first": building,
        "loose": BuildingFactory(estate=None, community=community, name="门面房"),
        "second": BuildingFactory(estate=second_estate, name="5号楼"),
        "other": BuildingFactory(estate=EstateFactory(community=other_community), name="1号楼"),
    }


def test_buildings_filter_by_community(
    api_for, township_staff, other_community, buildings_to_filter
):
    response = api_for(township_staff).get(list_url("buildings"), {"community": other_community.pk})

    assert ids_of(response) == {buildings_to_filter["other"].pk}


def test_buildings_filter_by_estate(api_for, secretary, buildings_to_filter):
    second = buildings_to_filter["second"]

    response = api_for(secretary).get(list_url("buildings"), {"estate": second.estate_id})

    assert ids_of(response) == {second.pk}


def test_buildings_search_matches_building_or_estate_name(api_for, secretary, buildings_to_filter):
    api = api_for(secretary)

    by_building = ids_of(api.get(list_url("buildings"), {"q": "1号"}))
    by_estate = ids_of(api.get(list_url("buildings"), {"q": "二生活"}))

    # The other community's 1号楼 stays out of scope whatever the search.
    assert by_building == {buildings_to_filter["first"].pk}
    assert by_estate == {buildings_to_filter["second"].pk}


def test_areas_filter_under_a_township(
    api_for, admin_user, township, community, other_community, far_community
):
    response = api_for(admin_user).get(list_url("areas"), {"under": township.pk})

    assert ids_of(response) == {township.pk, community.pk, other_community.pk}


def test_areas_filter_under_a_community_is_just_that_community(
    api_for, admin_user, community, other_community
):
    response = api_for(admin_user).get(list_url("areas"), {"under": community.pk})

    assert ids_of(response) == {community.pk}


# Documentation


def test_schema_is_an_openapi_document_for_a_logged_in_user(api_for, secretary):
    response = api_for(secretary).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for endpoint in ENDPOINTS:
        assert list_url(endpoint) in document["paths"]
        assert f"/api/{endpoint}/{{id}}/" in document["paths"]


def test_docs_page_loads_its_assets_from_the_site_only(client_for, secretary):
    response = client_for(secretary).get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']([^\"']+)", html)
    assert any("drf_spectacular_sidecar" in asset for asset in assets), assets
    outside = [a for a in assets if re.match(r"(?:https?:)?//", a)]
    assert outside == []


# Query counts: a list costs the same at 3 rows and at 30


def _make_areas(n, township):
    for _ in range(n):
        CommunityFactory(parent=township)


def _make_estates(n, community):
    for _ in range(n):
        EstateFactory(community=community)


def _make_buildings(n, community):
    estate = EstateFactory(community=community)
    for _ in range(n):
        BuildingFactory(estate=estate)


def _make_units(n, community):
    building = BuildingFactory(estate=EstateFactory(community=community))
    for _ in range(n):
        UnitFactory(building=building)


def _make_grids(n, community):
    estate = EstateFactory(community=community)
    for _ in range(n):
        grid = GridFactory(community=community)
        GridBuildingFactory(grid=grid, building=BuildingFactory(estate=estate))
        GridBuildingFactory(grid=grid, building=BuildingFactory(estate=estate))


LIST_MAKERS = {
    "areas": (_make_areas, "township"),
    "estates": (_make_estates, "community"),
    "buildings": (_make_buildings, "community"),
    "units": (_make_units, "community"),
    "grids": (_make_grids, "community"),
}
# Token and user, the user's area (for its path), the count, the page; a grid's buildings come
# in one more query for the whole page.
LIST_QUERY_BOUND = {"areas": 4, "estates": 4, "buildings": 4, "units": 4, "grids": 5}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_list_query_count_does_not_grow_with_rows(
    endpoint, size, request, api_for, township_staff, django_assert_max_num_queries
):
    make, parent = LIST_MAKERS[endpoint]
    make(size, request.getfixturevalue(parent))
    api = api_for(township_staff)

    with django_assert_max_num_queries(LIST_QUERY_BOUND[endpoint]):
        response = api.get(list_url(endpoint))

    assert response.status_code == 200
    assert response.json()["count"] >= size


def test_out_of_scope_detail_says_only_not_found_in_the_callers_language(
    api_for, other_secretary, building
):
    client = api_for(other_secretary)

    chinese = client.get(f"/api/buildings/{building.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(f"/api/buildings/{building.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 404
    assert chinese.json() == {"detail": "未找到。"}
    assert english.json() == {"detail": "Not found."}
