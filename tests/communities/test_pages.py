"""The browser pages: login, the home overview and an area's page, each scoped."""

import pytest
from django.urls import reverse

from tests.factories import BuildingFactory, CommunityFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_the_chinese_login_page(client):
    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/"
    assert "登录" in response.content.decode()
    assert 'lang="zh-hans"' in response.content.decode()


def test_login_page_speaks_english_when_the_browser_asks(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert "Log in" in response.content.decode()


def test_secretary_home_shows_the_community_at_a_glance(client_for, secretary, unit, grid):
    response = client_for(secretary).get("/")

    page = response.content.decode()
    assert "水木华园社区" in page
    assert response.context["area"].household_count == 40
    assert response.context["area"].unit_count == 1
    assert response.context["area"].grid_count == 1


def test_township_home_lists_its_communities_with_totals(
    client_for, township_staff, unit, other_building
):
    UnitFactory(building=other_building, households=7)

    response = client_for(township_staff).get("/")

    children = {area.name: area.household_count for area in response.context["children"]}
    assert children == {"水木华园社区": 40, "天嘉苑社区": 7}
    assert response.context["area"].household_count == 47


def test_user_without_area_is_told_so(client_for, secretary):
    from communities.choices import Role

    secretary.role, secretary.area = Role.TEAM_MEMBER, None
    secretary.save()

    response = client_for(secretary).get("/")

    assert "尚未绑定区域" in response.content.decode()


class TestAreaPage:
    def url(self, area):
        return reverse("communities:area-detail", args=[area.pk])

    def test_anonymous_is_refused(self, client, community):
        response = client.get(self.url(community))

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_another_communitys_secretary_gets_404(self, client_for, other_secretary, community):
        response = client_for(other_secretary).get(self.url(community))

        assert response.status_code == 404
        assert "水木华园" not in response.content.decode()

    def test_secretary_sees_estates_buildings_units_and_grids(
        self, client_for, secretary, unit, grid
    ):
        response = client_for(secretary).get(self.url(secretary.area))

        page = response.content.decode()
        assert response.status_code == 200
        assert "一生活区" in page and "1号楼" in page and "第一网格" in page
        assert "1单元：40户" in page

    def test_township_staff_see_their_communities_but_not_another_countys(
        self, client_for, township_staff, community, far_community
    ):
        client = client_for(township_staff)

        assert client.get(self.url(community)).status_code == 200
        assert client.get(self.url(far_community)).status_code == 404

    def test_secretary_cannot_look_up_the_township(self, client_for, secretary, township):
        assert client_for(secretary).get(self.url(township)).status_code == 404

    def test_breadcrumbs_show_only_areas_in_scope(self, client_for, township_staff, community):
        response = client_for(township_staff).get(self.url(community))

        assert [a.name for a in response.context["ancestors"]] == ["莲花湖街道"]


def test_home_query_count_does_not_grow_with_communities(
    client_for, township_staff, django_assert_max_num_queries
):
    def communities(count):
        for _ in range(count):
            UnitFactory(building=BuildingFactory(estate__community__parent=township_staff.area))

    client = client_for(township_staff)
    communities(2)
    with django_assert_max_num_queries(5):
        client.get("/")
    communities(20)
    with django_assert_max_num_queries(5):
        response = client.get("/")
    assert len(response.context["children"]) == 22


def test_community_page_query_count_does_not_grow_with_buildings(
    client_for, secretary, estate, django_assert_max_num_queries
):
    client = client_for(secretary)
    url = reverse("communities:area-detail", args=[secretary.area.pk])
    for size in (2, 30):
        while estate.buildings.count() < size:
            UnitFactory(building=BuildingFactory(estate=estate))
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.context["area"].building_count == size


def test_an_empty_community_page_says_so(client_for, admin_user):
    empty = CommunityFactory()

    response = client_for(admin_user).get(reverse("communities:area-detail", args=[empty.pk]))

    assert "尚无网格" in response.content.decode()


def test_out_of_scope_page_is_a_chinese_404_that_names_nothing(
    client_for, other_secretary, community, settings
):
    settings.DEBUG = False

    response = client_for(other_secretary).get(
        reverse("communities:area-detail", args=[community.pk])
    )

    page = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in page
    assert "Area" not in page and community.name not in page
