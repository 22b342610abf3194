"""Personal data: each full ID-card number shown and each unmasked export is in the access log;
`anonymise_emergency` leaves no name, phone or ID number behind and keeps every count."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from audit.models import AccessLog
from cadres.models import Registration
from supplies.models import Party
from tests.factories import CadreFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def test_full_id_number_on_the_member_page_is_logged(client_for, secretary, community, work_unit):
    cadre = CadreFactory(work_unit=work_unit, id_number=ID)
    RegistrationFactory(cadre=cadre, community=community, status="confirmed")
    response = client_for(secretary).post(
        reverse("cadres:cadre-detail", args=[cadre.pk]), REMOTE_ADDR="10.4.4.4"
    )
    assert ID in response.content.decode()
    access = AccessLog.objects.get()
    assert (access.kind, access.cadre_id, access.username, access.address) == (
        "id_number_shown",
        cadre.pk,
        "secretary",
        "10.4.4.4",
    )


def test_full_id_number_through_the_api_is_logged(api_for, county_staff, work_unit):
    cadre = CadreFactory(work_unit=work_unit, id_number=ID)
    response = api_for(county_staff).post(f"/api/cadres/{cadre.pk}/id-number/")
    assert response.json() == {"id_number": ID}
    assert AccessLog.objects.get().cadre_id == cadre.pk


def test_admin_change_form_showing_an_id_number_is_logged(client_for, admin_user, work_unit):
    cadre = CadreFactory(work_unit=work_unit, id_number=ID)
    client_for(admin_user).get(reverse("admin:cadres_cadre_change", args=[cadre.pk]))
    assert AccessLog.objects.get().cadre_id == cadre.pk


def test_roster_export_with_full_phones_is_logged(client_for, county_staff, pending_registration):
    response = client_for(county_staff).get(reverse("cadres:workbench"), {"export": "xlsx"})
    assert response.status_code == 200
    access = AccessLog.objects.get()
    assert (access.kind, access.export_name, access.row_count) == ("unmasked_export", "roster", 1)


def test_masked_roster_export_is_not_logged(client_for, township_staff, pending_registration):
    response = client_for(township_staff).get(reverse("cadres:workbench"), {"export": "xlsx"})
    assert response.status_code == 200
    assert not AccessLog.objects.exists()


def test_self_service_form_asks_neither_gender_nor_id_number(client, community):
    from cadres.views.self_service import community_token

    page = client.get(reverse("cadres:register", args=[community_token(community)]))
    assert page.status_code == 200
    form = page.context["form"]
    assert "id_number" not in form.fields and "gender" not in form.fields
    assert {"name", "phone", "work_unit", "party_standing"} <= set(form.fields)


# --- anonymise_emergency -----------------------------------------------------------------------


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_name = c.table_name AND t.table_schema = c.table_schema
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
            AND c.data_type IN ('character varying', 'text', 'jsonb')"""
        )
        return cursor.fetchall()


def _tables_holding(value: str) -> set[str]:
    found = set()
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1', [f"%{value}%"]
            )
            if cursor.fetchone():
                found.add(f"{table}.{column}")
    return found


def _counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def ended_service(county, community, work_unit, appraisal, donor):
    """A member whose service ended (returned with a reason naming them), one still serving, a
    private donor, and an appraisal period."""
    gone = CadreFactory(name="王艳秋", phone="13700000001", id_number=ID, work_unit=work_unit)
    registration = RegistrationFactory(cadre=gone, community=community, room="302")
    Registration.objects.filter(pk=registration.pk).update(
        status="returned", return_reason="王艳秋已搬离 13700000001"
    )
    Registration.objects.filter(pk=registration.pk).update(room="303")
    staying = CadreFactory(name="李玉平", phone="13700000002", work_unit=work_unit)
    RegistrationFactory(cadre=staying, community=community, status="confirmed")
    return gone, staying


def test_dry_run_changes_nothing(ended_service, county):
    before = _counts()
    out = io.StringIO()
    call_command("anonymise_emergency", county=county.name, ended="2100-01-01", stdout=out)
    assert "Dry run" in out.getvalue() and "cadres: 1" in out.getvalue()
    assert _tables_holding("王艳秋")
    assert _counts() == before


def test_anonymise_leaves_no_trace_and_keeps_counts(
    ended_service, county, donor, client_for, admin_user, appraisal
):
    gone, staying = ended_service
    Party.objects.filter(pk=donor.pk).update(kind="individual", name="李潇潇")
    assert _tables_holding("王艳秋") and _tables_holding("13700000001") and _tables_holding(ID)
    before = _counts()

    call_command("anonymise_emergency", county=str(county.pk), ended="2100-01-01", yes=True)

    for value in ("王艳秋", "13700000001", ID, "李潇潇"):
        assert _tables_holding(value) == set(), value
    after = _counts()
    # Rows: the same, but for the events of the anonymisation itself and its own access log.
    grew = {table for table in after if after[table] != before[table]}
    assert grew <= {"audit_cadreevent", "audit_registrationevent"}
    gone.refresh_from_db()
    assert gone.name == f"匿名{gone.pk:07d}" and gone.id_number is None
    staying.refresh_from_db()
    assert staying.name == "李玉平" and staying.phone == "13700000002"

    # Run again: nothing to do.
    out = io.StringIO()
    call_command(
        "anonymise_emergency", county=str(county.pk), ended="2100-01-01", yes=True, stdout=out
    )
    assert "cadres: 0" in out.getvalue() and "cadre events: 0" in out.getvalue()
    assert _counts() == after

    # The appraisal export still works.
    response = client_for(admin_user).get(reverse("appraisal:workbook", args=[appraisal.period_id]))
    assert response.status_code == 200


def test_service_ended_after_the_date_is_kept(ended_service, county):
    call_command("anonymise_emergency", county=str(county.pk), ended="2000-01-01", yes=True)
    assert _tables_holding("王艳秋")


def test_bad_arguments_are_refused(county):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("anonymise_emergency", county=str(county.pk), ended="yesterday")
    with pytest.raises(CommandError):
        call_command("anonymise_emergency", county="无此县", ended="2020-01-01")


def test_anonymise_scrubs_the_admin_history(ended_service, county, admin_user, donor):
    """The admin's history (django_admin_log) names the object: a cadre's change, the
    registrations added on its page, a registration's own change. Those names go too; another
    member's entries keep theirs."""
    from django.contrib.admin.models import CHANGE, LogEntry

    from cadres.models import Cadre

    gone, staying = ended_service
    registration = gone.registrations.get()
    added = [{"added": {"name": "registration", "object": str(registration)}}]
    LogEntry.objects.log_actions(admin_user.pk, Cadre.objects.filter(pk=gone.pk), CHANGE, added)
    LogEntry.objects.log_actions(
        admin_user.pk,
        Registration.objects.filter(pk=registration.pk),
        CHANGE,
        [{"changed": {"fields": ["Room"]}}],
    )
    LogEntry.objects.log_actions(admin_user.pk, Cadre.objects.filter(pk=staying.pk), CHANGE, [])
    Party.objects.filter(pk=donor.pk).update(kind="individual", name="李潇潇")
    LogEntry.objects.log_actions(admin_user.pk, Party.objects.filter(pk=donor.pk), CHANGE, [])

    call_command("anonymise_emergency", county=str(county.pk), ended="2100-01-01", yes=True)

    def shown(entry):
        return entry.object_repr + json.dumps(
            json.loads(entry.change_message or "[]"), ensure_ascii=False
        )

    entries = LogEntry.objects.select_related("content_type")
    texts = [
        shown(entry)
        for entry in entries
        if (entry.content_type.model, entry.object_id)
        in {("cadre", str(gone.pk)), ("registration", str(registration.pk))}
    ]
    assert len(texts) == 2 and not any("王艳秋" in text for text in texts), texts
    assert f"匿名{gone.pk:07d}" in texts[0] + texts[1]
    assert entries.get(content_type__model="cadre", object_id=staying.pk).object_repr == "李玉平"
    donor_entry = entries.get(content_type__model="party", object_id=donor.pk)
    assert donor_entry.object_repr == f"匿名个人{donor.pk:07d}"


def test_a_standing_member_of_a_team_is_still_serving(ended_service, county, team):
    """Someone whose registration ended but who still sits on a supervision team (or leads one)
    is serving: the team's roster keeps their name."""
    gone, _staying = ended_service
    team.members.create(cadre=gone)
    call_command("anonymise_emergency", county=str(county.pk), ended="2100-01-01", yes=True)
    gone.refresh_from_db()
    assert gone.name == "王艳秋" and gone.phone == "13700000001"
