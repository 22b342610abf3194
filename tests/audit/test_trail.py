"""The audit trail: a write through every path is recorded with who, when, from where and what
changed; the event tables refuse UPDATE, DELETE and TRUNCATE."""

import pghistory
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse

from audit.models import EVENT_MODELS, AuditEntry, CadreEvent, RegistrationEvent
from audit.views_sql import entry_view_sql
from cadres.models import Cadre, Registration
from supervision.models import DailyReport, Problem
from supervision.services import daily_report_submit_at_once
from tests.audit.helpers import events_of
from tests.cadres.test_roster_import import GOOD_ROWS, upload
from tests.factories import CadreFactory, RegistrationFactory
from tests.supervision.test_reports import problem_inputs, report_input

pytestmark = pytest.mark.django_db


def test_every_tracked_model_is_in_the_entry_view():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_viewdef('audit_entry'::regclass)")
        definition = cursor.fetchone()[0]
    for event in EVENT_MODELS.values():
        assert event._meta.db_table in definition
    assert entry_view_sql().count("UNION ALL") == len(EVENT_MODELS) - 1


def test_page_form_write_is_recorded_with_who_where_and_old_and_new(
    client_for, secretary, pending_registration
):
    response = client_for(secretary).post(
        reverse("cadres:registration-confirm", args=[pending_registration.pk]),
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code in (200, 302)

    event = events_of(pending_registration, "update").get()
    assert (event.user_id, event.username, event.address, event.method) == (
        secretary.pk,
        "secretary",
        "10.1.2.3",
        "POST",
    )
    assert event.url == reverse("cadres:registration-confirm", args=[pending_registration.pk])
    assert event.diff["status"] == ["pending", "confirmed"]
    assert event.area_path == pending_registration.community.path


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(
    client_for, secretary, pending_registration, settings
):
    url = reverse("cadres:registration-confirm", args=[pending_registration.pk])
    client_for(secretary).post(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert events_of(pending_registration, "update").get().address == "10.0.0.1"

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    Registration.objects.filter(pk=pending_registration.pk).update(status="pending")
    client_for(secretary).post(
        url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    latest = events_of(pending_registration, "update").filter(username="secretary").first()
    assert latest.address == "203.0.113.9"


def test_api_write_carries_the_tokens_user(api_for, secretary, pending_registration):
    response = api_for(secretary).post(
        f"/api/registrations/{pending_registration.pk}/confirm/", REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200, response.content

    event = events_of(pending_registration, "update").get()
    assert (event.user_id, event.username, event.address) == (secretary.pk, "secretary", "10.9.9.9")
    assert event.url == f"/api/registrations/{pending_registration.pk}/confirm/"


def test_admin_write_is_recorded(client_for, admin_user, cadre):
    response = client_for(admin_user).post(
        reverse("admin:cadres_cadre_change", args=[cadre.pk]),
        {
            "name": "赵莹",
            "gender": "",
            "phone": "13812349999",
            "id_number": "",
            "work_unit": cadre.work_unit_id,
            "position": "科员",
            "party_standing": cadre.party_standing,
            "registrations-TOTAL_FORMS": "0",
            "registrations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    event = events_of(cadre, "update").get()
    assert event.username == "admin"
    assert event.diff["phone"] == ["13812341234", "13812349999"]
    assert event.diff["position"] == ["", "科员"]


def test_bulk_update_and_delete_are_recorded_row_by_row(community):
    registrations = RegistrationFactory.create_batch(3, community=community)
    with pghistory.context(command="test-bulk"):
        Registration.objects.filter(community=community).update(room="101")
    for registration in registrations:
        event = events_of(registration, "update").get()
        assert event.diff["room"] == ["", "101"]
        assert event.command == "test-bulk"

    cadre = CadreFactory()
    Cadre.objects.filter(pk=cadre.pk).delete()
    deleted = events_of(cadre, "delete").get()
    assert deleted.data["phone"] == cadre.phone
    # Scoped by the row's own columns although the row is gone.
    assert deleted.area_path == cadre.work_unit.county.path


def test_a_save_that_changes_nothing_records_nothing(cadre):
    cadre.save()
    assert not events_of(cadre, "update").exists()


def test_raw_sql_fast_path_report_is_recorded(team, team_member, community):
    data = report_input(team, communities=[community], problems=problem_inputs(community, 2))
    with pghistory.context(user=team_member.pk, username=team_member.username):
        report = daily_report_submit_at_once(actor=team_member, data=data)
    assert report is not None

    event = events_of(report, "insert").get()
    assert event.username == "team" and event.area_path == team.county.path
    for problem in Problem.objects.filter(report=report):
        assert events_of(problem, "insert").get().username == "team"
    assert AuditEntry.objects.filter(model="supervision.problemstep", action="insert").count() == 2


def test_api_report_post_is_recorded(api_for, team_member, team, community):
    from tests.supervision.test_api import REPORTS, report_body

    response = api_for(team_member).post(
        REPORTS, report_body(team, community), format="json", REMOTE_ADDR="10.7.7.7"
    )
    assert response.status_code == 201, response.content
    report = DailyReport.objects.get()
    event = events_of(report, "insert").get()
    assert (event.username, event.address, event.method) == ("team", "10.7.7.7", "POST")


def test_roster_import_is_recorded(client_for, county_staff, work_unit):
    response = client_for(county_staff).post(
        reverse("cadres:roster-import"), {"work_unit": work_unit.pk, "file": upload(GOOD_ROWS)}
    )
    assert response.status_code == 200
    for cadre in Cadre.objects.filter(work_unit=work_unit):
        event = events_of(cadre, "insert").get()
        assert event.username == "county"
        assert event.url == reverse("cadres:roster-import")


def test_management_command_is_recorded_with_its_name(county, cadre, pending_registration):
    Registration.objects.filter(pk=pending_registration.pk).update(
        status="returned", return_reason="搬走了"
    )
    call_command("anonymise_emergency", county=str(county.pk), ended="2100-01-01", yes=True)

    event = events_of(cadre, "update").get()
    assert event.command == "anonymise_emergency"
    assert event.user_id is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET pgh_label = 'x'",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "UPDATE {table} SET name = 'x'",
    ],
)
def test_event_tables_refuse_changes(cadre, statement):
    """Even raw SQL: the database refuses, whatever the application does."""
    table = CadreEvent._meta.db_table
    with pytest.raises((InternalError, ProgrammingError)) as refused:
        with transaction.atomic(), connection.cursor() as cursor:
            # As production's connections are: the tests' own allow the flush to truncate.
            cursor.execute("SET LOCAL app.allow_truncate = 'off'")
            cursor.execute(statement.format(table=table))
    assert "append-only" in str(refused.value)
    assert CadreEvent.objects.filter(name=cadre.name).exists()


def test_anonymising_setting_allows_only_personal_columns(cadre, pending_registration):
    cadre_table, registration_table = CadreEvent._meta.db_table, RegistrationEvent._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL app.anonymising = 'on'")
        cursor.execute(f"UPDATE {cadre_table} SET name = '匿名'")
    assert CadreEvent.objects.get().name == "匿名"
    with pytest.raises((InternalError, ProgrammingError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL app.anonymising = 'on'")
            cursor.execute(f"UPDATE {registration_table} SET status = 'confirmed'")
    with pytest.raises((InternalError, ProgrammingError)):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL app.anonymising = 'on'")
            cursor.execute(f"DELETE FROM {cadre_table}")


def test_ledger_and_closed_period_writes_are_recorded_and_their_triggers_leave_events_alone(
    give_stock, community, disinfectant, admin_user, appraisal
):
    """The ledger's append-only trigger and the closed period's triggers guard their own tables:
    the events of those rows are written, and scrubbing an event stays possible."""
    from appraisal.models import Appraisal
    from appraisal.services import period_close
    from audit.models import AppraisalEvent, LedgerEntryEvent

    entry = give_stock(community, disinfectant, "10")
    assert events_of(entry, "insert").get().area_path == entry.county.path
    assert LedgerEntryEvent.objects.filter(pgh_obj_id=entry.pk).count() == 1

    period = appraisal.period
    period_close(actor=admin_user, period=period)
    assert events_of(period, "update").get().diff["status"][1] == "closed"
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            Appraisal.objects.filter(pk=appraisal.pk).update(opinion="x")
    # The period is closed, yet its appraisal's events can still be scrubbed while anonymising.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL app.anonymising = 'on'")
        cursor.execute(
            f"UPDATE {AppraisalEvent._meta.db_table} SET pgh_diff = NULL WHERE pgh_obj_id = %s",
            [appraisal.pk],
        )
