"""The audit pages: county staff see their county's events and accesses, newest first, filtered,
exported; anyone else gets a 404."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AccessLog, AuditEntry
from cadres.models import Cadre
from communities.choices import Role
from tests.audit.helpers import events_of
from tests.factories import CadreFactory, CountyFactory, UserFactory, WorkUnitFactory

pytestmark = pytest.mark.django_db

EVENTS = reverse("audit:events")
ACCESS = reverse("audit:access")


@pytest.fixture
def far_cadre(db):
    """A cadre of another county: their events are not the county staff's."""
    return CadreFactory(name="外县人", work_unit=WorkUnitFactory(county=CountyFactory()))


def test_anonymous_is_sent_to_login(client):
    response = client.get(EVENTS)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["secretary", "township_staff", "team_member", "unit_staff"])
def test_others_get_404(request, client_for, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(EVENTS).status_code == 404
    assert client_for(user).get(ACCESS).status_code == 404


def test_county_staff_see_their_county_only(client_for, county_staff, cadre, far_cadre):
    response = client_for(county_staff).get(EVENTS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "赵莹" in page and "外县人" not in page
    # Full phones to county staff, by the one rule.
    assert "13812341234" in page

    far = events_of(far_cadre).get()
    detail = reverse("audit:event-detail", args=[far.model, far.event_id])
    assert client_for(county_staff).get(detail).status_code == 404
    own = events_of(cadre).get()
    own_detail = reverse("audit:event-detail", args=[own.model, own.event_id])
    assert client_for(county_staff).get(own_detail).status_code == 200


def test_admin_sees_every_county(client_for, admin_user, cadre, far_cadre):
    page = client_for(admin_user).get(EVENTS).content.decode()
    assert "赵莹" in page and "外县人" in page


def test_id_numbers_are_masked_and_field_names_translated(client_for, county_staff, work_unit):
    CadreFactory(work_unit=work_unit, name="李玉平", id_number="11010519491231002X")
    page = client_for(county_staff).get(EVENTS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "11010519491231002X" not in page
    assert "110105********002X" in page
    assert "身份证号码" in page


def test_filters(client_for, county_staff, cadre, pending_registration):
    Cadre.objects.filter(pk=cadre.pk).update(position="科长")
    client = client_for(county_staff)

    updates = client.get(EVENTS, {"model": "cadres.cadre", "action": "update"})
    assert [row["entry"].action for row in updates.context["rows"]] == ["update"]
    by_object = client.get(
        EVENTS, {"object_id": str(pending_registration.pk), "model": "cadres.registration"}
    )
    assert {row["entry"].object_id for row in by_object.context["rows"]} == {
        str(pending_registration.pk)
    }
    future = client.get(EVENTS, {"date_from": "2999-01-01"})
    assert list(future.context["rows"]) == []
    assert client.get(EVENTS, {"date_from": "not a date"}).status_code == 400


def test_list_query_count_is_flat(client_for, county_staff, work_unit, django_assert_num_queries):
    client = client_for(county_staff)
    CadreFactory.create_batch(2, work_unit=work_unit)
    client.get(EVENTS)
    with django_assert_num_queries(5) as few:
        client.get(EVENTS)
    CadreFactory.create_batch(30, work_unit=work_unit)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(EVENTS)


def test_export_reads_back_and_is_logged(client_for, county_staff, cadre, far_cadre):
    response = client_for(county_staff).get(EVENTS, {"export": "xlsx"}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + AuditEntry.objects.visible_to(county_staff).count()
    body = "\n".join(str(cell) for row in rows[1:] for cell in row)
    assert "13812341234" in body and "赵莹" in body and "外县人" not in body
    access = AccessLog.objects.get()
    assert (access.kind, access.username, access.address, access.row_count) == (
        "unmasked_export",
        "county",
        "10.3.3.3",
        len(rows) - 1,
    )


def test_access_log_page_is_scoped(client_for, county_staff, cadre, admin_user):
    far_county_staff = UserFactory(role=Role.COUNTY_STAFF, area=CountyFactory())
    client_for(far_county_staff).get(EVENTS, {"export": "xlsx"})
    assert AccessLog.objects.count() == 1
    page = client_for(county_staff).get(ACCESS)
    assert list(page.context["accesses"]) == []
    assert len(client_for(admin_user).get(ACCESS).context["accesses"]) == 1


def test_navigation_entry_for_county_staff_only(client_for, county_staff, secretary):
    assert EVENTS in client_for(county_staff).get("/").content.decode()
    assert EVENTS not in client_for(secretary).get("/").content.decode()


def test_changes_read_as_words_local_times_and_related_rows(client_for, county_staff, appraisal):
    """A grade given: the stamp's fields by their Chinese names, the time in local time to the
    second (not the stored ISO text), who by kind and number."""
    from django.utils import timezone

    from appraisal import services
    from appraisal.choices import Grade

    graded = services.appraisal_update(
        actor=county_staff, appraisal=appraisal, changes={"final_grade": Grade.COMPETENT}
    )
    event = events_of(graded, "update").get()
    page = client_for(county_staff).get(
        reverse("audit:event-detail", args=[event.model, event.event_id])
    )

    text = page.content.decode()
    assert "定等时间" in text and "定等人" in text
    assert timezone.localtime(graded.graded_at).strftime("%Y-%m-%d %H:%M:%S") in text
    assert graded.graded_at.isoformat() not in text
    assert f"用户 #{county_staff.pk}" in text
    assert "graded" not in text
