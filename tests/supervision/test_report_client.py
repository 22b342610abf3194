"""The report client script (plain `requests`) against a live server: it takes a token, posts a
day's report with two problems, retries it, moves a problem to resolved, and a second account
verifies it. The database afterwards holds one report and the problem's whole history."""

import subprocess
import sys
from pathlib import Path

import pytest

from supervision.models import DailyReport, Problem
from tests.conftest import PASSWORD

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "report_client.py"


@pytest.mark.django_db(transaction=True)
def test_client_script_posts_retries_and_closes_a_problem(
    live_server, team, team_member, community, secretary
):
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--base-url",
            live_server.url,
            "--username",
            team_member.username,
            "--password",
            PASSWORD,
            "--team",
            str(team.pk),
            "--community",
            str(community.pk),
            "--verifier-username",
            secretary.username,
            "--verifier-password",
            PASSWORD,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    report = DailyReport.objects.get()
    assert report.team == team
    assert report.idempotency_key
    assert "retried: 200, the same report" in result.stdout
    assert report.problems.count() == 2
    verified = Problem.objects.get(status="verified")
    assert (verified.resolved_by, verified.verified_by) == (team_member, secretary)
    assert [step.to_status for step in verified.steps.all()] == [
        "found",
        "rectifying",
        "resolved",
        "verified",
    ]
    assert Problem.objects.get(status="found").report == report
