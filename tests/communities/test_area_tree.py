"""The area tree: paths kept by the database, subtree queries, and the level order."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from communities import services
from communities.choices import AreaLevel
from communities.models import Area
from tests.factories import AreaFactory, CommunityFactory, CountyFactory

pytestmark = pytest.mark.django_db


def test_each_area_gets_its_path_from_the_database_on_insert(community):
    township, county = community.parent, community.parent.parent

    assert community.path == f"{county.path}{township.pk}/{community.pk}/"
    assert county.path.endswith(f"/{county.pk}/")


def test_bulk_created_areas_get_paths_too(county):
    created = Area.objects.bulk_create(
        [Area(name=f"镇{i}", level=AreaLevel.TOWNSHIP, parent=county) for i in range(3)]
    )

    assert [a.path for a in created] == [f"{county.path}{a.pk}/" for a in created]


def test_moving_a_township_moves_everything_under_it(community):
    township = community.parent
    new_county = CountyFactory()

    township.parent = new_county
    township.save()

    community.refresh_from_db()
    assert community.path == f"{new_county.path}{township.pk}/{community.pk}/"
    assert set(Area.objects.under(new_county)) == {new_county, township, community}


def test_everything_under_an_area_is_one_query_at_any_depth(
    community, other_community, far_community, django_assert_num_queries
):
    county = community.parent.parent
    province = county.parent.parent

    with django_assert_num_queries(1):
        under_county = set(Area.objects.under(county).values_list("name", flat=True))
    with django_assert_num_queries(1):
        under_province = Area.objects.under(province).count()

    assert under_county == {county.name, "莲花湖街道", "水木华园社区", "天嘉苑社区"}
    assert under_province == 6  # province, city, county, township, two communities


def test_subtree_query_uses_the_path_index(community):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        queryset = Area.objects.under(community.parent)
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "communities_area_path_like" in plan


def test_paths_of_sibling_roots_do_not_overlap():
    first = AreaFactory(name="省甲")
    while True:
        other = AreaFactory()
        if str(other.pk).startswith(str(first.pk)):
            break

    assert list(Area.objects.under(first)) == [first]


def test_a_community_cannot_hold_a_township(community):
    area = Area(name="错误", level=AreaLevel.TOWNSHIP, parent=community)

    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert "parent" in error.value.message_dict


def test_the_database_refuses_a_level_out_of_order_without_python(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.bulk_create([Area(name="错误", level=AreaLevel.COUNTY, parent=community)])


def test_the_database_refuses_moving_an_area_under_its_own_descendant(community):
    city = community.parent.parent.parent

    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.filter(pk=city.pk).update(parent=community.parent)
    city.refresh_from_db()
    assert community.path.startswith(city.path)


def test_area_names_are_unique_among_siblings(township):
    CommunityFactory(name="同名社区", parent=township)

    with pytest.raises(ValidationError) as error:
        Area(name="同名社区", level=AreaLevel.COMMUNITY, parent=township).full_clean()
    assert "此处已有同名区域。" in str(error.value) or "already exists" in str(error.value)


def test_only_administrators_change_the_tree(secretary, admin_user, township):
    area = Area(name="新社区", level=AreaLevel.COMMUNITY, parent=township)

    with pytest.raises(PermissionDenied):
        services.area_save(actor=secretary, area=area)
    assert not Area.objects.filter(name="新社区").exists()

    saved = services.area_save(actor=admin_user, area=area)
    assert saved.path == f"{township.path}{saved.pk}/"
