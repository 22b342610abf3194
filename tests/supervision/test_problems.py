"""Problems in a closed loop: one step at a time, a note to reopen, four eyes to verify,
evidence checked, every step recorded, overdue ones flagged."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from communities.choices import Role
from supervision.choices import PROBLEM_TRANSITIONS, FocusArea, ProblemStatus
from supervision.models import Problem, ProblemEvidence
from supervision.services import (
    EVIDENCE_MAX_BYTES,
    ProblemInput,
    problem_advance,
    problem_create,
)
from tests.factories import TeamFactory, UserFactory

S = ProblemStatus
# How to reach each status from found, one allowed step at a time.
PATH_TO = {
    S.FOUND: [],
    S.RECTIFYING: [S.RECTIFYING],
    S.RESOLVED: [S.RECTIFYING, S.RESOLVED],
    S.VERIFIED: [S.RECTIFYING, S.RESOLVED, S.VERIFIED],
}
REFUSED_STEPS = sorted(set(product(S.values, S.values)) - set(PROBLEM_TRANSITIONS))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def problem(team, team_member, community):
    return problem_create(
        actor=team_member,
        team=team,
        data=ProblemInput(
            community=community,
            focus_area=FocusArea.SUPPLIES,
            description="No thermometer at the gate",
            deadline=timezone.localdate() + timedelta(days=3),
        ),
    )


def walk(problem, to_status, resolver, verifier):
    """Moves `problem` from found to `to_status`: the team resolves, someone else verifies."""
    for step in PATH_TO[to_status]:
        actor = verifier if step == S.VERIFIED else resolver
        problem = problem_advance(actor=actor, problem=problem, to_status=step, note="ok")
    return problem


def photo(name="gate.jpg", content_type="image/jpeg", size=100):
    return SimpleUploadedFile(name, b"x" * size, content_type=content_type)


# --- creating ---------------------------------------------------------------------------------


def test_problem_is_created_as_found_with_a_first_step(problem, team_member):
    assert problem.status == S.FOUND
    assert problem.found_by == team_member
    assert problem.found_on == timezone.localdate()
    step = problem.steps.get()
    assert (step.from_status, step.to_status, step.actor) == ("", S.FOUND, team_member)


def test_problem_outside_the_teams_coverage_is_refused(team, team_member, far_community):
    with pytest.raises(ValidationError) as error:
        problem_create(
            actor=team_member,
            team=team,
            data=ProblemInput(far_community, FocusArea.SUPPLIES, "No masks"),
        )
    assert "community" in error.value.message_dict
    assert not Problem.objects.exists()


def test_problem_for_another_team_is_refused(team, county, township, community):
    other_account = UserFactory(role=Role.TEAM_MEMBER, area=township)
    TeamFactory(county=county).accounts.add(other_account)
    with pytest.raises(PermissionDenied):
        problem_create(
            actor=other_account,
            team=team,
            data=ProblemInput(community, FocusArea.SUPPLIES, "No masks"),
        )


# --- steps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), sorted(PROBLEM_TRANSITIONS))
def test_allowed_step_is_taken_and_recorded(
    from_status, to_status, problem, team_member, secretary
):
    problem = walk(problem, from_status, team_member, secretary)
    actor = secretary if to_status == S.VERIFIED else team_member
    moved = problem_advance(actor=actor, problem=problem, to_status=to_status, note="checked")
    moved.refresh_from_db()
    assert moved.status == to_status
    step = moved.steps.latest("id")
    assert (step.from_status, step.to_status) == (from_status, to_status)
    assert (step.actor, step.note) == (actor, "checked")
    assert step.at is not None


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED_STEPS)
def test_skipped_backward_or_standing_step_is_refused_clearly(
    from_status, to_status, problem, team_member, secretary
):
    problem = walk(problem, from_status, team_member, secretary)
    steps_before = problem.steps.count()
    with pytest.raises(ValidationError) as error:
        problem_advance(actor=secretary, problem=problem, to_status=to_status, note="n")
    assert error.value.message_dict["status"] == [
        f"A problem cannot go from “{S(from_status).label}” to “{S(to_status).label}”."
    ]
    problem.refresh_from_db()
    assert problem.status == from_status
    assert problem.steps.count() == steps_before


def test_unknown_status_is_refused_by_name(problem, team_member):
    with pytest.raises(ValidationError) as error:
        problem_advance(actor=team_member, problem=problem, to_status="closed")
    assert "“closed”" in error.value.message_dict["status"][0]


def test_resolving_stamps_who_and_when(problem, team_member):
    resolved = walk(problem, S.RESOLVED, team_member, None)
    assert resolved.resolved_by == team_member
    assert resolved.resolved_at is not None


def test_reopening_needs_a_note(problem, team_member, secretary):
    problem = walk(problem, S.RESOLVED, team_member, secretary)
    with pytest.raises(ValidationError) as error:
        problem_advance(actor=secretary, problem=problem, to_status=S.RECTIFYING, note="  ")
    assert error.value.message_dict["note"] == ["Say why the check failed."]
    problem.refresh_from_db()
    assert problem.status == S.RESOLVED


def test_reopening_clears_the_resolver_and_keeps_the_note(problem, team_member, secretary):
    problem = walk(problem, S.RESOLVED, team_member, secretary)
    reopened = problem_advance(
        actor=secretary, problem=problem, to_status=S.RECTIFYING, note="Gate still unmanned"
    )
    assert (reopened.resolved_by, reopened.resolved_at) == (None, None)
    assert reopened.steps.latest("id").note == "Gate still unmanned"


def test_resolver_cannot_verify(problem, team_member):
    problem = walk(problem, S.RESOLVED, team_member, None)
    with pytest.raises(ValidationError) as error:
        problem_advance(actor=team_member, problem=problem, to_status=S.VERIFIED)
    assert error.value.message_dict["status"] == [
        "Whoever resolved a problem cannot also verify it."
    ]
    problem.refresh_from_db()
    assert problem.status == S.RESOLVED


def test_someone_else_verifies_and_is_stamped(problem, team_member, secretary):
    verified = walk(problem, S.VERIFIED, team_member, secretary)
    assert verified.status == S.VERIFIED
    assert (verified.resolved_by, verified.verified_by) == (team_member, secretary)
    assert verified.verified_at is not None


def test_database_refuses_a_verification_by_the_resolver(problem, team_member):
    problem = walk(problem, S.RESOLVED, team_member, None)
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        Problem.objects.filter(pk=problem.pk).update(
            status=S.VERIFIED, verified_by=team_member, verified_at=timezone.now()
        )
    assert error.value.__cause__.diag.constraint_name == "supervision_problem_four_eyes"


def test_staff_of_another_area_may_not_move_the_problem_on(problem, far_community):
    stranger = UserFactory(role=Role.SECRETARY, area=far_community)
    with pytest.raises(PermissionDenied):
        problem_advance(actor=stranger, problem=problem, to_status=S.RECTIFYING)


def test_secretary_of_the_neighbouring_community_may_not_move_the_problem_on(
    problem, other_secretary
):
    with pytest.raises(PermissionDenied):
        problem_advance(actor=other_secretary, problem=problem, to_status=S.RECTIFYING)


# --- evidence ---------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_is_stored_with_the_step(problem, team_member, media):
    moved = problem_advance(
        actor=team_member,
        problem=problem,
        to_status=S.RECTIFYING,
        note="photo of the gate",
        files=[photo(), photo("order.pdf", "application/pdf", 2000)],
    )
    step = moved.steps.latest("id")
    evidence = list(step.evidence.order_by("id"))
    assert [(e.name, e.content_type, e.size) for e in evidence] == [
        ("gate.jpg", "image/jpeg", 100),
        ("order.pdf", "application/pdf", 2000),
    ]
    assert (media / evidence[0].file.name).read_bytes() == b"x" * 100


def test_evidence_of_another_type_is_refused(problem, team_member, media):
    with pytest.raises(ValidationError) as error:
        problem_advance(
            actor=team_member,
            problem=problem,
            to_status=S.RECTIFYING,
            files=[photo("notes.txt", "text/plain")],
        )
    assert error.value.message_dict["files"] == [
        "notes.txt is not a photo (JPEG, PNG, WebP) or a PDF."
    ]
    problem.refresh_from_db()
    assert problem.status == S.FOUND
    assert not ProblemEvidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_evidence_over_ten_megabytes_is_refused(problem, team_member, media):
    with pytest.raises(ValidationError) as error:
        problem_advance(
            actor=team_member,
            problem=problem,
            to_status=S.RECTIFYING,
            files=[photo("huge.jpg", size=EVIDENCE_MAX_BYTES + 1)],
        )
    assert error.value.message_dict["files"] == ["huge.jpg is larger than 10 MB."]
    assert problem.steps.count() == 1


def test_evidence_of_exactly_ten_megabytes_is_accepted(problem, team_member, media):
    problem_advance(
        actor=team_member,
        problem=problem,
        to_status=S.RECTIFYING,
        files=[photo("big.png", "image/png", EVIDENCE_MAX_BYTES)],
    )
    assert ProblemEvidence.objects.get().size == EVIDENCE_MAX_BYTES


# --- overdue ----------------------------------------------------------------------------------


def test_open_problem_past_its_deadline_is_overdue(problem, team_member, secretary):
    today = timezone.localdate()
    Problem.objects.filter(pk=problem.pk).update(deadline=today - timedelta(days=1))
    problem.refresh_from_db()
    assert problem.is_overdue
    assert list(Problem.objects.overdue()) == [problem]
    problem = walk(problem, S.RESOLVED, team_member, secretary)
    assert problem.is_overdue, "resolved but not verified is still open"


def test_problem_due_today_or_without_deadline_is_not_overdue(problem, team):
    today = timezone.localdate()
    Problem.objects.filter(pk=problem.pk).update(deadline=today)
    problem.refresh_from_db()
    assert not problem.is_overdue
    Problem.objects.filter(pk=problem.pk).update(deadline=None)
    problem.refresh_from_db()
    assert not problem.is_overdue
    assert not Problem.objects.overdue().exists()


def test_verified_problem_is_never_overdue(problem, team_member, secretary):
    problem = walk(problem, S.VERIFIED, team_member, secretary)
    Problem.objects.filter(pk=problem.pk).update(deadline=timezone.localdate() - timedelta(days=9))
    problem.refresh_from_db()
    assert not problem.is_overdue
    assert not Problem.objects.overdue().exists()


def test_overdue_takes_the_day_to_judge_by(problem):
    deadline = problem.deadline
    assert not Problem.objects.overdue(today=deadline).exists()
    assert Problem.objects.overdue(today=deadline + timedelta(days=1)).get() == problem


# --- who may edit -----------------------------------------------------------------------------


def test_problem_is_editable_by_its_team_and_the_staff_of_its_place(
    problem,
    team_member,
    secretary,
    other_secretary,
    township_staff,
    county_staff,
    unit_staff,
    admin_user,
    far_community,
):
    def may(user):
        return Problem.objects.editable_by(user).filter(pk=problem.pk).exists()

    for user in (team_member, secretary, township_staff, county_staff, admin_user):
        assert may(user), user
    stranger = UserFactory(role=Role.COUNTY_STAFF, area=far_community.parent.parent)
    for user in (other_secretary, unit_staff, stranger):
        assert not may(user), user


def test_account_of_another_team_may_not_edit_the_problem(problem, county, township):
    other_account = UserFactory(role=Role.TEAM_MEMBER, area=township)
    TeamFactory(county=county).accounts.add(other_account)
    assert not Problem.objects.editable_by(other_account).exists()
