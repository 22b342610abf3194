"""The rules of the appraisal, in the services and in the database: weights and thresholds, a
closed period refusing every change (also past the services: the ORM and raw SQL meet the
triggers), the 优秀 quota (the message, the trigger, never below what is given), each input by its
own people, the arithmetic of the evaluation rule, composite and proposed grade, and the facts
the list brings from the other apps in a fixed number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import override

from appraisal import services
from appraisal.choices import Grade, Input
from appraisal.models import Appraisal, Commendation, Period, Quota
from appraisal.selectors import appraisals_for_list, quotas_with_use
from communities.choices import Role
from supervision.models import DailyReport, Problem
from tests.factories import (
    CadreFactory,
    CommunityFactory,
    PostFactory,
    RegistrationFactory,
    TeamFactory,
    UserFactory,
    WorkUnitFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def new_period(county, actor, **fields) -> Period:
    values = {
        "county": county,
        "name": "2026年度考核",
        "starts_on": today() - timedelta(days=30),
        "ends_on": today() + timedelta(days=30),
    } | fields
    return services.period_save(actor=actor, period=Period(**values))


def refused_by_database(statement, *params, match=None):
    with (
        pytest.raises(IntegrityError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)


def serving(community, work_unit, name=None, **fields):
    """A confirmed member of `work_unit` serving in `community`."""
    cadre = CadreFactory(work_unit=work_unit, **({"name": name} if name else {}))
    return RegistrationFactory(cadre=cadre, community=community, **{"status": "confirmed"} | fields)


@pytest.fixture
def holder(period, community, work_unit, county_staff):
    """赵莹, also of 县民政局, graded 优秀 under a quota of one."""
    registration = serving(community, work_unit, "赵莹")
    services.appraisals_sync(actor=county_staff, period=period)
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)
    return services.appraisal_update(
        actor=county_staff,
        appraisal=period.appraisals.get(cadre=registration.cadre),
        changes={"final_grade": Grade.EXCELLENT},
    )


# --- weights and thresholds -------------------------------------------------------------------


@pytest.mark.parametrize("weights", [(40, 40, 30), (0, 0, 0), (50, 30, 10), (100, 1, 0)], ids=str)
def test_weights_must_add_up_to_100(weights, county, county_staff):
    inspection, talk, evaluation = weights

    with pytest.raises(ValidationError) as error, override("en"):
        new_period(
            county,
            county_staff,
            weight_inspection=inspection,
            weight_talk=talk,
            weight_evaluation=evaluation,
        )

    assert error.value.message_dict["weight_inspection"] == [
        "The three weights must add up to 100."
    ]
    assert not Period.objects.exists()


def test_weights_of_100_0_0_are_fine(county, county_staff):
    period = new_period(
        county, county_staff, weight_inspection=100, weight_talk=0, weight_evaluation=0
    )

    assert period.pk


def test_the_database_refuses_weights_not_adding_up_to_100(period):
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(weight_talk=31)


@pytest.mark.parametrize(
    "thresholds",
    [("90", "90", "60"), ("75", "90", "60"), ("90", "60", "75"), ("101", "75", "60")],
    ids=str,
)
def test_thresholds_go_up(thresholds, county, county_staff):
    excellent, competent, basic = (Decimal(value) for value in thresholds)

    with pytest.raises(ValidationError) as error:
        new_period(
            county,
            county_staff,
            excellent_from=excellent,
            competent_from=competent,
            basic_from=basic,
        )

    assert "excellent_from" in error.value.message_dict


def test_the_database_refuses_thresholds_out_of_order(period):
    refused_by_database(
        "UPDATE appraisal_period SET competent_from = excellent_from WHERE id = %s", period.pk
    )


def test_points_go_down_from_satisfied_to_unsatisfied(county, county_staff):
    with pytest.raises(ValidationError) as error:
        new_period(county, county_staff, points_basic=50, points_unsatisfied=60)

    assert "points_satisfied" in error.value.message_dict


def test_a_period_ends_after_it_starts(county, county_staff):
    with pytest.raises(ValidationError) as error:
        new_period(county, county_staff, ends_on=today() - timedelta(days=31))

    assert "ends_on" in error.value.message_dict


def test_a_period_belongs_to_a_county_in_the_database(period, township):
    refused_by_database(
        "UPDATE appraisal_period SET county_id = %s WHERE id = %s", township.pk, period.pk
    )


# --- who runs a period ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["secretary", "township_staff", "team_member", "unit_staff"])
def test_only_the_organisation_department_opens_a_period(role, request, county):
    with pytest.raises(PermissionDenied):
        new_period(county, request.getfixturevalue(role))


def test_county_staff_of_another_county_run_nothing_here(period, far_community):
    outsider = UserFactory(role=Role.COUNTY_STAFF, area=far_community.parent.parent)

    with pytest.raises(PermissionDenied):
        services.period_close(actor=outsider, period=period)
    with pytest.raises(PermissionDenied):
        services.appraisals_sync(actor=outsider, period=period)
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=outsider, period=period, work_unit=WorkUnitFactory(), excellent=1)


def test_a_period_stays_with_its_county(period, admin_user, far_community):
    period.county = far_community.parent.parent

    with pytest.raises(ValidationError) as error:
        services.period_save(actor=admin_user, period=period)

    assert "county" in error.value.message_dict


def test_opening_a_period_appraises_who_served_in_it(
    county, county_staff, community, other_community, work_unit
):
    serving_now = serving(community, work_unit)
    serving(other_community, work_unit, status="pending")
    ended = serving(other_community, work_unit)
    ended.ended_at = timezone.now() - timedelta(days=90)
    ended.status = "transferred"
    ended.save()
    far = serving(CommunityFactory(), WorkUnitFactory())

    period = new_period(county, county_staff)

    cadres = set(period.appraisals.values_list("cadre", flat=True))
    assert cadres == {serving_now.cadre_id}
    appraisal = period.appraisals.get()
    assert (appraisal.work_unit, appraisal.community) == (work_unit, community)
    assert far.cadre_id not in cadres


# --- a closed period --------------------------------------------------------------------------


@pytest.fixture
def closed_period(period, appraisal, county_staff, work_unit):
    """The period with a quota and a commendation, then closed."""
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=2)
    services.commendation_add(
        actor=county_staff,
        cadre=appraisal.cadre,
        kind="citation",
        awarded_on=today(),
        reason="表现突出",
        approver="中共铁岭县委组织部",
        period=period,
    )
    return services.period_close(actor=county_staff, period=period)


def test_closing_stamps_who_and_when(closed_period, county_staff):
    assert closed_period.status == "closed"
    assert closed_period.closed_by == county_staff
    assert closed_period.closed_at is not None


def test_a_closed_period_refuses_every_change_through_the_services(
    closed_period, appraisal, county_staff, work_unit
):
    with override("en"):
        attempts = {
            "change": lambda: services.period_save(actor=county_staff, period=closed_period),
            "close": lambda: services.period_close(actor=county_staff, period=closed_period),
            "sync": lambda: services.appraisals_sync(actor=county_staff, period=closed_period),
            "input": lambda: services.appraisal_update(
                actor=county_staff, appraisal=appraisal, changes={"talk_score": Decimal(80)}
            ),
            "quota": lambda: services.quota_set(
                actor=county_staff, period=closed_period, work_unit=work_unit, excellent=3
            ),
            "commendation": lambda: services.commendation_add(
                actor=county_staff,
                cadre=appraisal.cadre,
                kind="merit",
                awarded_on=today(),
                reason="又一次",
                approver="中共铁岭县委组织部",
                period=closed_period,
            ),
        }
        for name, attempt in attempts.items():
            with pytest.raises(ValidationError) as error:
                attempt()
            assert "is closed" in str(error.value), name

    appraisal.refresh_from_db()
    assert appraisal.talk_score is None
    assert Quota.objects.get().excellent == 2
    assert Commendation.objects.count() == 1


def test_even_an_administrator_changes_nothing_in_a_closed_period(
    closed_period, appraisal, admin_user
):
    with pytest.raises(ValidationError):
        services.appraisal_update(
            actor=admin_user, appraisal=appraisal, changes={"final_grade": Grade.COMPETENT}
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE appraisal_period SET status = 'open' WHERE id = %(period)s",
        "UPDATE appraisal_period SET name = 'x' WHERE id = %(period)s",
        "DELETE FROM appraisal_period WHERE id = %(period)s",
        "UPDATE appraisal_appraisal SET talk_score = 80 WHERE id = %(appraisal)s",
        "UPDATE appraisal_appraisal SET final_grade = 'competent' WHERE id = %(appraisal)s",
        "DELETE FROM appraisal_appraisal WHERE id = %(appraisal)s",
        "INSERT INTO appraisal_appraisal (created_at, updated_at, period_id, cadre_id,"
        " work_unit_id, community_id, inspection_note, talk_note, satisfied,"
        " basically_satisfied, unsatisfied, final_grade, opinion)"
        " SELECT now(), now(), %(period)s, c.id, c.work_unit_id, %(community)s, '', '', 0, 0,"
        " 0, '', '' FROM cadres_cadre c WHERE c.id = %(cadre)s",
        "UPDATE appraisal_quota SET excellent = 5 WHERE period_id = %(period)s",
        "DELETE FROM appraisal_quota WHERE period_id = %(period)s",
        "INSERT INTO appraisal_quota (created_at, updated_at, period_id, work_unit_id, excellent)"
        " SELECT now(), now(), %(period)s, id, 1 FROM cadres_workunit WHERE id = %(unit)s",
        "UPDATE appraisal_commendation SET reason = 'x' WHERE period_id = %(period)s",
        "DELETE FROM appraisal_commendation WHERE period_id = %(period)s",
        "INSERT INTO appraisal_commendation (created_at, updated_at, cadre_id, period_id, kind,"
        " awarded_on, reason, approver, recorded_by_id)"
        " VALUES (now(), now(), %(cadre)s, %(period)s, 'merit', current_date, 'x', 'x',"
        " %(user)s)",
    ],
    ids=lambda s: " ".join(s.split()[:3]),
)
def test_the_database_refuses_every_change_to_a_closed_period(
    statement, closed_period, appraisal, county_staff, county
):
    other = serving(appraisal.community, WorkUnitFactory(county=county))
    values = {
        "period": closed_period.pk,
        "appraisal": appraisal.pk,
        "community": appraisal.community_id,
        "cadre": other.cadre_id,
        "unit": other.cadre.work_unit_id,
        "user": county_staff.pk,
    }
    if statement.startswith("INSERT INTO appraisal_commendation"):
        values["cadre"] = appraisal.cadre_id

    with (
        pytest.raises(IntegrityError, match="is closed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, values)


def test_the_orm_meets_the_same_trigger(closed_period, appraisal):
    appraisal.talk_score = Decimal(80)

    with pytest.raises(IntegrityError, match="is closed"), transaction.atomic():
        appraisal.save()
    with pytest.raises(IntegrityError, match="is closed"), transaction.atomic():
        Period.objects.filter(pk=closed_period.pk).update(status="open")


def test_another_open_period_is_not_held_by_a_closed_one(closed_period, county, county_staff):
    other = new_period(county, county_staff, name="另一期")

    assert other.appraisals.count() == 1
    services.appraisal_update(
        actor=county_staff, appraisal=other.appraisals.get(), changes={"talk_score": Decimal(70)}
    )


# --- the excellent quota ----------------------------------------------------------------------


def test_excellent_within_the_quota_is_given(holder, work_unit, period):
    assert holder.final_grade == Grade.EXCELLENT
    quota = quotas_with_use(period).get(work_unit=work_unit)
    assert (quota.excellent, quota.given, quota.holders) == (1, 1, "赵莹")


def test_excellent_beyond_the_quota_is_refused_naming_unit_quota_and_holder(
    holder, appraisal, county_staff
):
    with pytest.raises(ValidationError) as error, override("en"):
        services.appraisal_update(
            actor=county_staff, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
        )

    message = error.value.message_dict["final_grade"][0]
    assert message == (
        "县民政局 has 1 “excellent” places in 2020年疫情防控一线专项考核, all taken: 赵莹."
    )
    appraisal.refresh_from_db()
    assert appraisal.final_grade == ""


def test_the_refusal_reads_in_chinese_too(holder, appraisal, county_staff):
    with pytest.raises(ValidationError) as error, override("zh-hans"):
        services.appraisal_update(
            actor=county_staff, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
        )

    message = error.value.message_dict["final_grade"][0]
    assert "县民政局" in message
    assert "赵莹" in message


def test_without_a_quota_no_excellent_is_given(appraisal, county_staff):
    with pytest.raises(ValidationError) as error, override("en"):
        services.appraisal_update(
            actor=county_staff, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
        )

    assert "县民政局 has no “excellent” quota" in error.value.message_dict["final_grade"][0]


def test_regrading_the_holder_as_excellent_again_is_no_second_place(holder, county_staff):
    holder.opinion = "x"

    services.appraisal_update(
        actor=county_staff,
        appraisal=holder,
        changes={"final_grade": Grade.EXCELLENT, "opinion": "表现突出"},
    )

    holder.refresh_from_db()
    assert holder.opinion == "表现突出"


def test_a_place_given_back_can_be_given_to_another(holder, appraisal, county_staff):
    services.appraisal_update(
        actor=county_staff, appraisal=holder, changes={"final_grade": Grade.COMPETENT}
    )

    services.appraisal_update(
        actor=county_staff, appraisal=appraisal, changes={"final_grade": Grade.EXCELLENT}
    )

    appraisal.refresh_from_db()
    assert appraisal.final_grade == Grade.EXCELLENT


def test_quotas_are_per_work_unit(holder, period, community, county, county_staff):
    unit = WorkUnitFactory(county=county, name="县卫健局")
    other = serving(community, unit)
    services.appraisals_sync(actor=county_staff, period=period)
    services.quota_set(actor=county_staff, period=period, work_unit=unit, excellent=1)

    services.appraisal_update(
        actor=county_staff,
        appraisal=period.appraisals.get(cadre=other.cadre),
        changes={"final_grade": Grade.EXCELLENT},
    )

    assert period.appraisals.filter(final_grade=Grade.EXCELLENT).count() == 2


def test_the_database_refuses_excellent_beyond_the_quota_past_the_service(holder, appraisal):
    with pytest.raises(IntegrityError, match="1 excellent places"), transaction.atomic():
        Appraisal.objects.filter(pk=appraisal.pk).update(final_grade=Grade.EXCELLENT)
    refused_by_database(
        "UPDATE appraisal_appraisal SET final_grade = 'excellent' WHERE id = %s",
        appraisal.pk,
        match="all taken",
    )


def test_the_database_refuses_excellent_without_a_quota(appraisal):
    refused_by_database(
        "UPDATE appraisal_appraisal SET final_grade = 'excellent' WHERE id = %s",
        appraisal.pk,
        match="0 excellent places",
    )


def test_the_database_refuses_a_new_row_born_excellent_beyond_the_quota(
    holder, period, community, work_unit
):
    newcomer = serving(community, work_unit)

    with pytest.raises(IntegrityError, match="all taken"), transaction.atomic():
        Appraisal.objects.create(
            period=period,
            cadre=newcomer.cadre,
            work_unit=work_unit,
            community=community,
            final_grade=Grade.EXCELLENT,
        )


def test_the_database_allows_excellent_within_the_quota(appraisal, period, work_unit, admin_user):
    services.quota_set(actor=admin_user, period=period, work_unit=work_unit, excellent=1)

    Appraisal.objects.filter(pk=appraisal.pk).update(final_grade=Grade.EXCELLENT)

    appraisal.refresh_from_db()
    assert appraisal.final_grade == Grade.EXCELLENT


def test_a_quota_cannot_drop_below_the_excellent_given(holder, period, work_unit, county_staff):
    with pytest.raises(ValidationError) as error, override("en"):
        services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=0)

    assert error.value.message_dict["excellent"] == [
        "1 cadres are already graded “excellent”: 赵莹."
    ]
    assert Quota.objects.get().excellent == 1


def test_the_database_refuses_a_quota_below_the_given_or_removed(holder):
    with pytest.raises(IntegrityError, match="given under this quota"), transaction.atomic():
        Quota.objects.update(excellent=0)
    with pytest.raises(IntegrityError, match="given under this quota"), transaction.atomic():
        Quota.objects.all().delete()
    assert Quota.objects.get().excellent == 1


def test_a_quota_is_of_a_unit_of_the_periods_county(period, admin_user, far_community):
    far_unit = WorkUnitFactory(county=far_community.parent.parent)

    with pytest.raises(ValidationError) as error:
        services.quota_set(actor=admin_user, period=period, work_unit=far_unit, excellent=1)

    assert "work_unit" in error.value.message_dict
    refused_by_database(
        "INSERT INTO appraisal_quota (created_at, updated_at, period_id, work_unit_id, excellent)"
        " VALUES (now(), now(), %s, %s, 1)",
        period.pk,
        far_unit.pk,
    )


def test_one_quota_per_unit_and_period(period, work_unit, county_staff):
    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=1)

    services.quota_set(actor=county_staff, period=period, work_unit=work_unit, excellent=3)

    assert Quota.objects.get().excellent == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Quota.objects.create(period=period, work_unit=work_unit, excellent=1)


# --- each input by its own people -------------------------------------------------------------

# role → the inputs it may enter on 孙守超's appraisal (水木华园社区, 莲花湖街道, covered by `team`)
MAY_ENTER = {
    "admin_user": set(Input),
    "county_staff": set(Input),
    "secretary": {Input.TALK, Input.EVALUATION},
    "team_member": {Input.INSPECTION},
    "other_secretary": set(),
    "township_staff": set(),
    "unit_staff": set(),
}
CHANGE = {
    Input.INSPECTION: {"inspection_score": Decimal("85.5"), "inspection_note": "卡点值守到位"},
    Input.TALK: {"talk_score": Decimal(88), "talk_note": "书记评价良好"},
    Input.EVALUATION: {"satisfied": 8, "basically_satisfied": 1, "unsatisfied": 1},
    Input.GRADE: {"final_grade": Grade.COMPETENT, "opinion": "称职"},
}


@pytest.mark.parametrize("role", MAY_ENTER)
@pytest.mark.parametrize("what", list(Input))
def test_each_input_only_by_its_people(role, what, request, appraisal, team):
    actor = request.getfixturevalue(role)
    allowed = what in MAY_ENTER[role]

    assert services.may_enter(actor, appraisal, what) is allowed
    if allowed:
        services.appraisal_update(actor=actor, appraisal=appraisal, changes=CHANGE[what])
        appraisal.refresh_from_db()
        by, at = services.STAMPS[what]
        assert getattr(appraisal, by) == actor
        assert getattr(appraisal, at) is not None
    else:
        with pytest.raises(PermissionDenied):
            services.appraisal_update(actor=actor, appraisal=appraisal, changes=CHANGE[what])
        appraisal.refresh_from_db()
        assert all(getattr(appraisal, by) is None for by, _ in services.STAMPS.values())


def test_inputs_for_lists_what_the_user_may_enter_in_order(appraisal, team, secretary):
    assert services.inputs_for(secretary, appraisal) == [Input.TALK, Input.EVALUATION]


def test_a_team_not_covering_the_community_may_not_inspect(appraisal, county):
    elsewhere = TeamFactory(county=county)
    elsewhere.coverage.create(area=CommunityFactory(parent=appraisal.community.parent))
    account = UserFactory(role=Role.TEAM_MEMBER, area=appraisal.community.parent)
    elsewhere.accounts.add(account)

    assert not services.may_enter(account, appraisal, Input.INSPECTION)
    with pytest.raises(PermissionDenied):
        services.appraisal_update(
            actor=account, appraisal=appraisal, changes={"inspection_score": Decimal(90)}
        )


def test_a_team_covering_the_community_itself_may_inspect(appraisal, county):
    team = TeamFactory(county=county)
    team.coverage.create(area=appraisal.community)
    account = UserFactory(role=Role.TEAM_MEMBER, area=appraisal.community.parent)
    team.accounts.add(account)

    assert services.may_enter(account, appraisal, Input.INSPECTION)


def test_one_forbidden_field_refuses_the_whole_change(appraisal, secretary):
    with pytest.raises(PermissionDenied):
        services.appraisal_update(
            actor=secretary,
            appraisal=appraisal,
            changes={"talk_score": Decimal(90), "final_grade": Grade.COMPETENT},
        )

    appraisal.refresh_from_db()
    assert (appraisal.talk_score, appraisal.talk_by) == (None, None)


def test_unchanged_values_are_left_alone_and_unstamped(appraisal, secretary, county_staff):
    services.appraisal_update(actor=secretary, appraisal=appraisal, changes=CHANGE[Input.TALK])

    # The grade people send the talk back unchanged with their grade: only the grade is theirs.
    services.appraisal_update(
        actor=county_staff, appraisal=appraisal, changes=CHANGE[Input.TALK] | CHANGE[Input.GRADE]
    )

    appraisal.refresh_from_db()
    assert (appraisal.talk_by, appraisal.graded_by) == (secretary, county_staff)


def test_a_secretary_sends_unchanged_grade_fields_without_a_refusal(appraisal, secretary):
    services.appraisal_update(
        actor=secretary,
        appraisal=appraisal,
        changes={"talk_score": Decimal(70), "final_grade": "", "opinion": ""},
    )

    appraisal.refresh_from_db()
    assert appraisal.talk_score == Decimal(70)


@pytest.mark.parametrize("score", [Decimal("-0.01"), Decimal("100.01")])
def test_a_score_is_between_0_and_100(score, appraisal, county_staff):
    with pytest.raises(ValidationError) as error:
        services.appraisal_update(
            actor=county_staff, appraisal=appraisal, changes={"inspection_score": score}
        )

    assert "inspection_score" in error.value.message_dict


def test_the_database_refuses_a_score_out_of_range(appraisal):
    refused_by_database(
        "UPDATE appraisal_appraisal SET talk_score = 100.5 WHERE id = %s", appraisal.pk
    )


def test_a_field_that_is_no_input_is_a_programming_error(appraisal, county_staff):
    with pytest.raises(ValueError):
        services.appraisal_update(actor=county_staff, appraisal=appraisal, changes={"cadre_id": 1})


# --- arithmetic -------------------------------------------------------------------------------


def scored(period, inspection, talk, satisfied, basic, unsatisfied) -> Appraisal:
    return Appraisal(
        period=period,
        inspection_score=None if inspection is None else Decimal(inspection),
        talk_score=None if talk is None else Decimal(talk),
        satisfied=satisfied,
        basically_satisfied=basic,
        unsatisfied=unsatisfied,
    )


def test_the_evaluation_rule_is_stated_with_the_periods_points(period):
    with override("en"):
        assert period.evaluation_rule() == (
            "Score = (satisfied × 100 + basically satisfied × 60 + unsatisfied × 0) "
            "÷ number of evaluations"
        )


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 0), None),
        ((10, 0, 0), "100.00"),
        ((0, 10, 0), "60.00"),
        ((0, 0, 10), "0.00"),
        ((8, 2, 0), "92.00"),
        ((1, 1, 1), "53.33"),
        ((2, 1, 0), "86.67"),  # 260 ÷ 3 = 86.666…: rounded half up
    ],
)
def test_the_evaluation_score_follows_the_rule(counts, expected, period):
    appraisal = scored(period, None, None, *counts)

    expected = None if expected is None else Decimal(expected)
    assert appraisal.evaluation_score == expected


def test_the_evaluation_score_follows_the_periods_own_points(period):
    period.points_satisfied, period.points_basic, period.points_unsatisfied = 100, 80, 20

    assert scored(period, None, None, 1, 1, 1).evaluation_score == Decimal("66.67")


@pytest.mark.parametrize(
    ("inputs", "composite"),
    [
        # 40 % inspection, 30 % talk, 30 % evaluation
        ((90, 90, 10, 0, 0), "93.00"),
        ((80, 70, 8, 2, 0), "80.60"),
        ((100, 100, 10, 0, 0), "100.00"),
        ((0, 0, 0, 0, 5), "0.00"),
        ((None, 90, 10, 0, 0), None),
        ((90, None, 10, 0, 0), None),
        ((90, 90, 0, 0, 0), None),
    ],
)
def test_the_composite_weighs_all_three_inputs_once_they_are_in(inputs, composite, period):
    appraisal = scored(period, *inputs)

    assert appraisal.composite == (None if composite is None else Decimal(composite))


def test_the_composite_follows_the_periods_weights(period):
    period.weight_inspection, period.weight_talk, period.weight_evaluation = 50, 25, 25

    # 80 × .5 + 60 × .25 + 100 × .25
    assert scored(period, 80, 60, 4, 0, 0).composite == Decimal("80.00")


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", Grade.EXCELLENT),
        ("90", Grade.EXCELLENT),
        ("89.99", Grade.COMPETENT),
        ("75", Grade.COMPETENT),
        ("74.99", Grade.BASIC),
        ("60", Grade.BASIC),
        ("59.99", Grade.INCOMPETENT),
        ("0", Grade.INCOMPETENT),
    ],
)
def test_the_proposed_grade_follows_the_thresholds(score, grade, period):
    assert period.grade_for(Decimal(score)) == grade


def test_no_proposed_grade_before_the_composite(period):
    appraisal = scored(period, 90, None, 1, 0, 0)

    assert appraisal.proposed_grade == ""
    assert appraisal.get_proposed_grade_display() == ""


def test_the_proposed_grade_of_an_appraisal(period):
    appraisal = scored(period, 80, 70, 8, 2, 0)  # 80.60

    assert appraisal.proposed_grade == Grade.COMPETENT


# --- facts from the other apps ----------------------------------------------------------------


def _report(team, community, day, problems=(), **extra):
    texts = {n: "x" for n in ("responsibility", "publicity", "mobilisation", "screening")}
    report = DailyReport.objects.create(
        team=team, date=day, body_hash=f"{team.pk}-{day}", supplies="x", **texts, **extra
    )
    report.communities.add(community)
    steps = ["found", "rectifying", "resolved", "verified"]
    for status in problems:
        problem = Problem.objects.create(
            team=team,
            report=report,
            community=community,
            focus_area="screening",
            description="卡点登记不全",
            found_on=day,
        )
        # Step by step and stamped, as the database wants it.
        by, now = team.accounts.first(), timezone.now()
        stamps = {
            "rectifying": {},
            "resolved": {"resolved_by": UserFactory(), "resolved_at": now},
            "verified": {"verified_by": by, "verified_at": now},
        }
        for step in steps[1 : steps.index(status) + 1]:
            Problem.objects.filter(pk=problem.pk).update(status=step, **stamps[step])
    return report


def test_the_list_brings_days_registered_posts_and_team_facts(
    period, community, work_unit, team, county, county_staff
):
    decided = timezone.now() - timedelta(days=9)
    registration = serving(community, work_unit, "赵莹", decided_at=decided)
    PostFactory(registration=registration, kind="fighter")
    PostFactory(registration=registration, kind="publicist")
    services.appraisals_sync(actor=county_staff, period=period)
    _report(team, community, today(), problems=["found", "resolved", "verified"])
    _report(team, community, today() - timedelta(days=1))
    _report(team, community, period.starts_on - timedelta(days=1), problems=["found"])
    elsewhere = TeamFactory(county=county)
    neighbour = CommunityFactory(parent=community.parent)
    elsewhere.coverage.create(area=neighbour)
    _report(elsewhere, neighbour, today(), problems=["found"])

    row = appraisals_for_list(period.appraisals.filter(cadre=registration.cadre)).get()

    assert row.days_registered == 10  # nine days ago to today, both counted
    assert sorted(row.post_kinds) == ["fighter", "publicist"]
    # The covering team's two reports in the period; the other team covers another community,
    # and the report before the period is outside it.
    assert row.team_reports == 2
    assert (row.team_problems, row.team_problems_fixed) == (3, 2)


def test_days_registered_are_clipped_to_the_period(community, work_unit, county, admin_user):
    registration = serving(community, work_unit, decided_at=timezone.now() - timedelta(days=100))
    registration.ended_at = timezone.now() - timedelta(days=40)
    registration.status = "transferred"
    registration.save()
    period = new_period(
        county,
        admin_user,
        starts_on=today() - timedelta(days=50),
        ends_on=today() + timedelta(days=10),
    )

    row = appraisals_for_list(period.appraisals.all()).get()

    assert row.days_registered == 11  # 50 days ago to 40 days ago


@pytest.mark.parametrize("size", [1, 15])
def test_the_facts_come_in_a_fixed_number_of_queries(
    size, period, township, team, county, county_staff, django_assert_num_queries
):
    for n in range(size):
        community = CommunityFactory(parent=township)
        registration = serving(community, WorkUnitFactory(county=county))
        PostFactory(registration=registration)
        _report(team, community, today() - timedelta(days=n), problems=["found"])
        services.commendation_add(
            actor=county_staff,
            cadre=registration.cadre,
            kind="citation",
            awarded_on=today(),
            reason="表现突出",
            approver="中共铁岭县委组织部",
        )
    services.appraisals_sync(actor=county_staff, period=period)

    with django_assert_num_queries(2):
        rows = list(appraisals_for_list(period.appraisals.all()))
        facts = [
            (
                r.cadre.name,
                r.work_unit.name,
                r.community.parent.name,
                r.post_kinds,
                r.days_registered,
                r.team_reports,
                r.composite,
                [c.kind for c in r.cadre.commendations.all()],
            )
            for r in rows
        ]

    assert len(facts) == size + 1
    assert sum(len(f[-1]) for f in facts) == size
