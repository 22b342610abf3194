"""The admin: every model has a working list, search, add and change page, and its saves obey
the same rules as the API."""

import pytest
from django.contrib import admin
from django.urls import reverse

from communities.models import Area, Building, Estate, Grid, Unit, User

pytestmark = pytest.mark.django_db

MODELS = [Area, Estate, Building, Unit, Grid, User]


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
