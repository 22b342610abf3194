"""The admin: every model has a working list, search, add and change page, and its saves and
deletes obey the same rules as the API; what a service refuses is shown, never a 500, and
nothing of it is saved."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities.choices import AreaLevel
from communities.models import Area, Building, Estate, Grid, Unit, User
from tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db

MODELS = [Area, Estate, Building, Unit, Grid, User]
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
NO_UNITS = {"units-TOTAL_FORMS": 0, "units-INITIAL_FORMS": 0}


def url(model, action, *args):
    return reverse(f"admin:communities_{model._meta.model_name}_{action}", args=args)


def staff(user, *codenames):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def building_form(building, **changes):
    return {
        "community": building.community_id,
        "estate": building.estate_id or "",
        "name": building.name,
        **NO_UNITS,
        **changes,
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_list_search_add_and_change_pages(
    client_for, admin_user, unit, grid, model
):
    client = client_for(admin_user)
    info = (model._meta.app_label, model._meta.model_name)
    obj = model.objects.first()

    assert model in admin.site._registry
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    assert (
        client.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "1"}).status_code == 200
    )
    assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    change = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
    assert client.get(change).status_code == 200


def test_area_autocomplete_finds_communities_by_name(client_for, admin_user, community):
    response = client_for(admin_user).get(
        reverse("admin:autocomplete"),
        {
            "term": "水木",
            "app_label": "communities",
            "model_name": "estate",
            "field_name": "community",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["水木华园社区"]


def test_admin_grid_form_refuses_another_communitys_building(
    client_for, admin_user, community, other_building
):
    response = client_for(admin_user).post(
        reverse("admin:communities_grid_add"),
        {"community": community.pk, "name": "第九网格", "buildings": [other_building.pk]},
    )

    assert response.status_code == 200
    assert "9号楼" in response.content.decode()
    assert not Grid.objects.filter(name="第九网格").exists()


def test_admin_unit_with_negative_households_is_refused(client_for, admin_user, building):
    response = client_for(admin_user).post(
        reverse("admin:communities_unit_add"),
        {"building": building.pk, "number": 5, "households": -1},
    )

    assert response.status_code == 200
    assert "户数不能为负数" in response.content.decode()
    assert not Unit.objects.filter(number=5).exists()


def test_the_admin_is_closed_to_secretaries(client_for, secretary):
    response = client_for(secretary).get(reverse("admin:index"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_building_in_another_communitys_estate_is_refused_on_the_form(
    client_for, admin_user, community, other_building
):
    response = client_for(admin_user).post(
        url(Building, "add"),
        {
            "community": community.pk,
            "estate": other_building.estate_id,
            "name": "2号楼",
            **NO_UNITS,
        },
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "This estate belongs to another community." in response.content.decode()
    assert not Building.objects.filter(name="2号楼").exists()


def test_moving_a_building_of_a_grid_to_another_community_is_refused_not_failed_at_commit(
    client_for, admin_user, grid, estate, building, other_community
):
    # The grid's hold on the building is a foreign key PostgreSQL checks only at commit.
    response = client_for(admin_user).post(
        url(Building, "change", building.pk),
        building_form(building, community=other_community.pk, estate=""),
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "Other records depend on this as it was" in response.content.decode()
    assert Building.objects.filter(pk=building.pk, community=grid.community, estate=estate).exists()


def test_staff_outside_the_community_see_the_refusal_and_the_building_is_unchanged(
    client_for, township_staff, building
):
    client = client_for(staff(township_staff, "view_building", "change_building"))

    response = client.post(
        url(Building, "change", building.pk), building_form(building, name="99号楼"), **ENGLISH
    )

    assert response.status_code == 200
    assert "You may only change places of your own community." in response.content.decode()
    building.refresh_from_db()
    assert building.name == "1号楼"


def test_turning_a_township_with_communities_into_a_community_is_refused(
    client_for, admin_user, township, community
):
    response = client_for(admin_user).post(
        url(Area, "change", township.pk),
        {"name": township.name, "level": AreaLevel.COMMUNITY, "parent": township.parent_id},
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "Areas below this one must stay at a lower level." in response.content.decode()
    township.refresh_from_db()
    assert township.level == AreaLevel.TOWNSHIP


def test_moving_a_grid_away_from_its_buildings_community_names_the_buildings(
    client_for, admin_user, grid, building, other_community
):
    response = client_for(admin_user).post(
        url(Grid, "change", grid.pk),
        {"community": other_community.pk, "name": grid.name, "buildings": [building.pk]},
        **ENGLISH,
    )

    assert response.status_code == 200
    assert "These buildings belong to another community: 1号楼." in response.content.decode()
    grid.refresh_from_db()
    assert grid.community_id == building.community_id


def test_units_typed_on_a_buildings_page_are_saved(client_for, admin_user, building):
    response = client_for(admin_user).post(
        url(Building, "change", building.pk),
        building_form(
            building,
            **{
                "units-TOTAL_FORMS": 1,
                "units-0-number": 2,
                "units-0-households": 36,
                "units-0-building": building.pk,
            },
        ),
    )

    assert response.status_code == 302
    assert list(building.units.values_list("number", "households")) == [(2, 36)]


def test_a_unit_removed_on_a_buildings_page_is_deleted(client_for, admin_user, unit):
    building = unit.building
    response = client_for(admin_user).post(
        url(Building, "change", building.pk),
        building_form(
            building,
            **{
                "units-TOTAL_FORMS": 1,
                "units-INITIAL_FORMS": 1,
                "units-0-id": unit.pk,
                "units-0-building": building.pk,
                "units-0-number": unit.number,
                "units-0-households": unit.households,
                "units-0-DELETE": "on",
            },
        ),
    )

    assert response.status_code == 302
    assert not building.units.exists()


def test_a_refusal_that_comes_only_when_saving_for_real_is_a_message_and_saves_nothing(
    client_for, township_staff, building, monkeypatch
):
    # As if another user had changed things between the check and the save.
    monkeypatch.setattr(admin.site._registry[Building], "service_try", lambda *args: None)
    client = client_for(staff(township_staff, "view_building", "change_building"))
    change = url(Building, "change", building.pk)

    response = client.post(change, building_form(building, name="99号楼"), follow=True, **ENGLISH)

    assert response.redirect_chain == [(change, 302)]
    assert "You may only change places of your own community." in response.content.decode()
    building.refresh_from_db()
    assert building.name == "1号楼"
    assert not LogEntry.objects.exists()


def test_an_unused_building_is_deleted_through_the_service(client_for, admin_user, building):
    response = client_for(admin_user).post(url(Building, "delete", building.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Building.objects.filter(pk=building.pk).exists()


def test_a_building_that_still_has_units_is_not_deleted(client_for, admin_user, unit):
    response = client_for(admin_user).post(
        url(Building, "delete", unit.building_id), {"post": "yes"}, **ENGLISH
    )

    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert Building.objects.filter(pk=unit.building_id).exists()


def test_a_delete_the_service_refuses_keeps_the_building_and_says_why(
    client_for, township_staff, building
):
    client = client_for(staff(township_staff, "view_building", "delete_building"))

    response = client.post(
        url(Building, "delete", building.pk), {"post": "yes"}, follow=True, **ENGLISH
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url(Building, "change", building.pk)
    assert "You may only change places of your own community." in response.content.decode()
    assert Building.objects.filter(pk=building.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_a_bulk_delete_the_service_refuses_deletes_none_of_them(
    client_for, township_staff, building, estate
):
    second = BuildingFactory(estate=estate, name="2号楼")
    client = client_for(staff(township_staff, "view_building", "delete_building"))

    response = client.post(
        url(Building, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [building.pk, second.pk],
            "post": "yes",
            "index": 0,
        },
        follow=True,
        **ENGLISH,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "You may only change places of your own community." in page
    assert "Successfully deleted" not in page
    assert Building.objects.filter(pk__in=[building.pk, second.pk]).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()
