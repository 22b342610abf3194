"""While the database cannot be reached, every request is answered with a 503 — a friendly
Chinese page, or JSON under /api/ — with Retry-After, never a 500 or a stack trace, wherever the
first query happens: in the session and user look-ups of the middleware, in the API's token
authentication, in a view. (tests/faults/test_database_restart.py does the same against a real
server stopped under load.)"""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from cadres.views.self_service import community_token
from communities.models import Area
from communities.unavailable import server_error

SESSION_COOKIE = "sessionid"


@pytest.fixture
def browser():
    """A browser that sends a session cookie, so the middleware asks the database for the
    session before any view runs; exceptions come back as the answers users see."""
    client = Client(raise_request_exception=False)
    client.cookies[SESSION_COOKIE] = "a" * 32
    return client


def assert_friendly_page(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "暂时无法使用" in page
    assert "数据库" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    return page


def test_a_page_with_a_session_is_a_friendly_503_when_the_session_cannot_be_read(
    database_down, browser
):
    assert_friendly_page(browser.get(reverse("communities:home")))


def test_logging_in_is_a_friendly_503(database_down):
    client = Client(raise_request_exception=False)

    response = client.post(reverse("login"), {"username": "secretary", "password": "x" * 12})

    assert_friendly_page(response)


def test_the_public_self_service_page_is_a_friendly_503(database_down):
    token = community_token(Area(pk=4242))  # only the key is signed: no query

    response = Client(raise_request_exception=False).get(reverse("cadres:register", args=[token]))

    assert_friendly_page(response)


def test_the_page_is_in_english_for_an_english_browser(database_down, browser):
    response = browser.get(reverse("communities:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()


def test_the_api_with_a_token_answers_json_503(database_down):
    client = Client(raise_request_exception=False)

    response = client.get("/api/areas/", HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "数据库" in response.json()["detail"]


def test_the_api_logs_the_database_error_it_answers_503_for(database_down, caplog):
    """The client gets a clean 503; the operator still gets the exception and its trace (a
    deadlock or a cancelled statement is answered the same way and must not go unseen)."""
    client = Client(raise_request_exception=False)

    with caplog.at_level("WARNING"):
        response = client.get("/api/areas/", HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert response.status_code == 503
    logged = [record for record in caplog.records if record.exc_info]
    assert logged and logged[0].exc_info[0].__name__ == "OperationalError"


def test_the_api_with_a_session_answers_json_503_from_the_middleware(database_down, browser):
    response = browser.post("/api/daily-reports/", {"team": 1}, content_type="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_app_answers_again_once_the_database_is_back(database_down, browser):
    assert browser.get(reverse("communities:home")).status_code == 503

    database_down()  # the server is back
    response = browser.get(reverse("communities:home"))

    # An unknown session is an anonymous visitor: sent to log in, the database was asked.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_any_other_error_is_still_the_500_page():
    request = RequestFactory().get("/")
    try:
        raise ValueError("not the database")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


@pytest.mark.parametrize("path", ["/supervision/", "/api/daily-reports/"])
def test_a_connection_lost_in_the_middle_of_a_query_is_a_503(path):
    """The server killed while a query runs: psycopg2 reports a bare DatabaseError ("server
    closed the connection unexpectedly"), not an OperationalError; seen in the restart test."""
    from django.db import DatabaseError

    from communities.api.errors import exception_handler

    request = RequestFactory().get(path)
    error = DatabaseError("server closed the connection unexpectedly")
    try:
        raise error
    except DatabaseError:
        page = server_error(request)
    api = exception_handler(error, {"request": request})

    assert page.status_code == api.status_code == 503
    assert page["Retry-After"] == api["Retry-After"] == "5"


@pytest.mark.parametrize("kind", ["IntegrityError", "DataError", "ProgrammingError"])
def test_errors_of_the_query_itself_are_not_a_503(kind):
    import django.db

    request = RequestFactory().get("/")
    try:
        raise getattr(django.db, kind)("the statement's own fault")
    except django.db.DatabaseError:
        response = server_error(request)

    assert response.status_code == 500
