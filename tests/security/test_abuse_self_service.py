"""The public self-service page: a rate limit per client address in the shared cache, and a form
that refuses what a script sends (a trap field, the signed time it was handed out)."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cadres.forms import self_service_stamp
from cadres.models import Cadre, Registration
from cadres.views.self_service import community_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(community):
    return reverse("cadres:register", args=[community_token(community)])


@pytest.fixture
def sign_up(client, url, community, work_unit):
    """Posts a sign-up as a person would (the page opened a minute ago), phone by number."""

    def post(number, **extra):
        data = {
            "issued": self_service_stamp(community, timezone.now() - timedelta(minutes=1)),
            "name": "王艳秋",
            "phone": f"1390000{number:04d}",
            "work_unit": work_unit.pk,
            "party_standing": "full",
        }
        data.update(extra.pop("data", {}))
        return client.post(url, data, **extra)

    return post


@pytest.mark.parametrize("cache_alias", ["default", "database"])
def test_thirty_scripted_sign_ups_from_one_address_stop_at_the_limit(
    sign_up, settings, cache_alias
):
    """Run against the tests' memory cache and against the database cache production uses when
    no Redis is configured (its table made by the migration)."""
    settings.RATELIMIT_USE_CACHE = cache_alias
    caches[cache_alias].clear()
    limit = int(settings.SELF_SERVICE_RATE.split("/")[0])

    responses = [sign_up(number) for number in range(30)]

    assert [r.status_code for r in responses] == [302] * limit + [429] * (30 - limit)
    assert Registration.objects.count() == limit
    assert Cadre.objects.count() == limit
    refused = responses[-1]
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "您所在网络的提交次数过多" in page
    assert "分钟后再试" in page


def test_another_address_is_not_held_back_by_the_first(sign_up):
    limit = int(settings.SELF_SERVICE_RATE.split("/")[0])
    for number in range(limit + 1):
        sign_up(number)

    response = sign_up(99, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert Registration.objects.filter(cadre__phone="13900000099").exists()


def test_the_page_itself_still_opens_for_a_limited_address(sign_up, client, url):
    limit = int(settings.SELF_SERVICE_RATE.split("/")[0])
    for number in range(limit + 1):
        sign_up(number)

    assert client.get(url).status_code == 200


def test_the_trap_field_filled_in_saves_nothing(sign_up):
    response = sign_up(1, data={"leave_empty": "http://spam.example"})

    assert response.status_code == 200
    assert "表单未能提交，请检查后重新提交" in response.content.decode()
    assert not Registration.objects.exists()
    assert not Cadre.objects.exists()


def test_the_trap_field_is_out_of_sight_and_reach(client, url):
    page = client.get(url).content.decode()

    assert 'name="leave_empty"' in page
    field = (
        page.split('name="leave_empty"')[0].rsplit("<input", 1)[1]
        + page.split('name="leave_empty"')[1].split(">", 1)[0]
    )
    assert 'class="trap"' in field
    assert 'tabindex="-1"' in field
    assert 'aria-hidden="true"' in field


def test_a_form_sent_as_soon_as_it_was_opened_saves_nothing(sign_up, community):
    response = sign_up(1, data={"issued": self_service_stamp(community)})

    assert response.status_code == 200
    assert "表单打开后提交得过快" in response.content.decode()
    assert not Registration.objects.exists()


def test_the_minimum_fill_time_is_the_setting(sign_up, community):
    just_under = timezone.now() - timedelta(seconds=settings.SELF_SERVICE_MIN_FILL_SECONDS - 1)
    just_over = timezone.now() - timedelta(seconds=settings.SELF_SERVICE_MIN_FILL_SECONDS + 1)

    assert sign_up(1, data={"issued": self_service_stamp(community, just_under)}).status_code == 200
    assert sign_up(1, data={"issued": self_service_stamp(community, just_over)}).status_code == 302
    assert Registration.objects.count() == 1


def test_a_form_without_its_stamp_saves_nothing(sign_up):
    response = sign_up(1, data={"issued": ""})

    assert response.status_code == 200
    assert "表单已过期" in response.content.decode()
    assert not Registration.objects.exists()


def test_an_expired_form_saves_nothing_and_comes_back_with_a_fresh_stamp(sign_up, community):
    old = timezone.now() - timedelta(seconds=settings.SELF_SERVICE_FORM_MAX_AGE + 60)
    response = sign_up(1, data={"issued": self_service_stamp(community, old)})

    assert response.status_code == 200
    assert "表单已过期" in response.content.decode()
    assert not Registration.objects.exists()
    fresh = response.context["form"].data["issued"]
    assert fresh != self_service_stamp(community, old)


def test_a_stamp_of_another_community_or_forged_saves_nothing(sign_up, other_community):
    earlier = timezone.now() - timedelta(minutes=1)
    other = self_service_stamp(other_community, earlier)

    assert sign_up(1, data={"issued": other}).status_code == 200
    assert sign_up(2, data={"issued": other[:-3] + "abc"}).status_code == 200
    assert not Registration.objects.exists()


def test_the_database_cache_counts_every_one_of_simultaneous_increments(transactional_db):
    """The database cache's `incr` locks the counter's row: ten requests at once count ten
    (Django's own reads then writes, so some would be lost), and the key keeps its expiry."""
    cache = caches["database"]
    cache.clear()
    cache.add("hits", 0, 3600)
    start = threading.Barrier(10)

    def hit():
        start.wait()
        try:
            cache.incr("hits")
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert cache.get("hits") == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM zaizhi_cache")
        (expires,) = cursor.fetchone()
    assert expires > timezone.now() + timedelta(minutes=55)
    cache.clear()


def test_incr_of_a_missing_key_is_a_value_error(db):
    with pytest.raises(ValueError):
        caches["database"].incr("never-set")


def test_a_stamp_is_good_for_one_sign_up(client, url, community, work_unit):
    """A script that waited once cannot send its one stamp again and again."""
    stamp = self_service_stamp(community, timezone.now() - timedelta(minutes=1))
    data = {"issued": stamp, "work_unit": work_unit.pk, "party_standing": "full"}

    first = client.post(url, {**data, "name": "王艳秋", "phone": "13900001111"})
    again = client.post(url, {**data, "name": "李潇潇", "phone": "13900002222"})

    assert first.status_code == 302
    assert again.status_code == 200
    assert "该表单已经提交过" in again.content.decode()
    assert list(Cadre.objects.values_list("name", flat=True)) == ["王艳秋"]
    assert again.context["form"]["issued"].value() != stamp


def test_a_form_corrected_after_an_error_is_sent_with_its_stamp(client, url, community, work_unit):
    stamp = self_service_stamp(community, timezone.now() - timedelta(minutes=1))
    data = {"issued": stamp, "work_unit": work_unit.pk, "party_standing": "full"}

    without_name = client.post(url, {**data, "phone": "13900001111"})
    corrected = client.post(url, {**data, "name": "王艳秋", "phone": "13900001111"})

    assert without_name.status_code == 200
    assert corrected.status_code == 302
    assert Cadre.objects.get().name == "王艳秋"
