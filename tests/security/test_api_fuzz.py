"""Schemathesis fuzzes every operation of /api/schema/ as each role: no 5xx, and every answer's
status, content type and body as the schema says.

The schema is the one the app serves, loaded through its WSGI handler with the caller's token;
requests go through the same handler in this process, inside the test's transaction, so whatever
the fuzzer writes is rolled back. Each role works on a small world (the fixtures of
tests/conftest.py, plus a post, a branch, a report with problems, a ledger entry and an
appraisal), and every `{id}` of a path is drawn half the time from the ids the role sees in the
matching list, so details, updates and actions reach real rows, not only 404s.

Generation is derandomized with no example database, so CI runs the same cases every time.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from cadres.models import Branch
from cadres.services import branch_save, post_assign
from supervision.choices import FocusArea
from supervision.services import ProblemInput, problem_create

ROLES = ["county_staff", "township_staff", "secretary", "team_member", "unit_staff", "admin_user"]
# The checks, named: a server error, a status the operation does not document, a content
# type it does not declare, a body that does not match its schema.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Cases per operation and role: ~110 operations x 6 roles stay within a few minutes in CI.
EXAMPLES = 6
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"mode": "all", "deterministic": True, "database": "none"}}
)
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
DETAIL = re.compile(r"^(/api/[a-z-]+/)\{id\}/")


@pytest.fixture
def wsgi_app():
    """The app's WSGI handler, keeping the test's connection open between requests (as
    Django's test client does), so every request runs inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(
    admin_user,
    secretary,
    team_member,
    team,
    community,
    grid,
    unit,
    other_building,
    confirmed_registration,
    pending_registration,
    appraisal,
    disinfectant,
    give_stock,
):
    """Rows of every app for the fuzzer to find: a post, a branch, a report's problem, a ledger
    entry, an appraisal in an open period."""
    post_assign(actor=secretary, registration=confirmed_registration, kind="publicist")
    branch_save(
        actor=secretary, branch=Branch(area=community, grid=grid, name="第一网格临时党支部")
    )
    problem_create(
        actor=team_member,
        team=team,
        data=ProblemInput(
            community=community,
            focus_area=FocusArea.SUPPLIES,
            description="卡点缺少体温计",
            deadline=timezone.localdate() + timedelta(days=3),
        ),
    )
    give_stock(community, disinfectant, Decimal(40))


@pytest.fixture(params=ROLES)
def caller(request, world):
    return request.getfixturevalue(request.param)


@pytest.fixture
def auth_headers(caller):
    token, _ = Token.objects.get_or_create(user=caller)
    return {"Authorization": f"Token {token.key}"}


def visible_ids(wsgi_app, auth_headers, list_paths) -> dict[str, list[int]]:
    """The ids each list shows the caller (first page), by the list's path."""
    client = Client(wsgi_app)
    found = {}
    for path in list_paths:
        response = client.get(path, headers=auth_headers)
        body = response.json if response.status_code == 200 else {}
        rows = body.get("results", body) if isinstance(body, dict) else body
        found[path] = sorted(row["id"] for row in rows if isinstance(row, dict) and "id" in row)
    return found


def strategy(operation, ids: list[int]):
    """Positive and negative cases; half of them on an id the caller can see, when there is one."""
    drawn = [
        operation.as_strategy(generation_mode=mode)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    ]
    if ids:
        drawn += [
            st.sampled_from(ids).flatmap(
                lambda pk, mode=mode: operation.as_strategy(
                    generation_mode=mode, path_parameters={"id": pk}
                )
            )
            for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
        ]
    return st.one_of(drawn)


def test_every_operation_answers_as_documented(wsgi_app, auth_headers, subtests):
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, config=CONFIG, headers=auth_headers
    )
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) > 100  # the whole API, not a schema that failed to load
    ids = visible_ids(
        wsgi_app,
        auth_headers,
        {m.group(1) for m in (DETAIL.match(op.path) for op in operations) if m},
    )
    for operation in operations:
        match = DETAIL.match(operation.path)
        with subtests.test(msg=operation.label):

            @FUZZ_SETTINGS
            @given(case=strategy(operation, ids[match.group(1)] if match else []))
            def fuzz(case):
                case.call_and_validate(headers=auth_headers, checks=CHECKS)

            fuzz()


# What the fuzzer found, pinned one by one.


def test_a_path_under_the_api_that_no_route_matches_is_a_json_404(api_for, secretary):
    response = api_for(secretary).get("/api/cadres/1.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_a_path_outside_the_api_that_no_route_matches_is_still_the_html_page(client_for, secretary):
    response = client_for(secretary).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_form_with_too_many_fields_is_a_json_400_under_the_api(api_for, secretary):
    fields = {"ids": [str(n) for n in range(1, 1002)]}
    response = api_for(secretary).post("/api/registrations/confirm/", fields)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_the_schema_documents_the_error_answers(api_for, secretary):
    paths = api_for(secretary).get("/api/schema/", {"format": "json"}).json()["paths"]
    always = {"401", "403", "429", "503"}
    delete = paths["/api/buildings/{id}/"]["delete"]["responses"]
    assert set(delete) == always | {"204", "400", "404", "409"}
    assert set(paths["/api/buildings/"]["get"]["responses"]) == always | {"200", "400", "404"}
    assert set(paths["/api/measures/{id}/"]["get"]["responses"]) == always | {"200", "404"}
    error = paths["/api/measures/{id}/"]["get"]["responses"]["404"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Error"}
    bulk = paths["/api/registrations/confirm/"]["post"]["responses"]["404"]
    assert bulk["description"] == "An id out of the caller's view: nothing was changed."


def test_an_appraisal_not_graded_yet_matches_its_schema(api_for, county_staff, appraisal):
    schema = api_for(county_staff).get("/api/schema/", {"format": "json"}).json()
    final_grade = schema["components"]["schemas"]["AppraisalDetail"]["properties"]["final_grade"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in final_grade["oneOf"]
    assert api_for(county_staff).get(f"/api/appraisals/{appraisal.pk}/").json()["final_grade"] == ""
