"""CSRF on every form, security headers (CSP without inline script, frame denial), session
expiry, and the API's throttles per account."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cadres.views.self_service import community_token
from communities.security import SessionIdleTimeoutMiddleware
from supervision.models import DailyReport
from tests.conftest import PASSWORD
from tests.factories import BranchFactory
from tests.supervision.test_api import report_body

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


# --- CSRF -------------------------------------------------------------------------------------


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    forms = {
        path.relative_to(TEMPLATES): POST_FORM.findall(path.read_text(encoding="utf-8"))
        for path in TEMPLATES.rglob("*.html")
    }
    with_forms = {path: found for path, found in forms.items() if found}

    assert len(with_forms) >= 15, sorted(map(str, with_forms))
    missing = [
        str(path)
        for path, found in with_forms.items()
        for body in found
        if "{% csrf_token %}" not in body
    ]
    assert missing == []


@pytest.fixture
def pages(
    community,
    county_staff,
    secretary,
    admin_user,
    pending_registration,
    appraisal,
    give_stock,
    disinfectant,
    building,
):
    """Every page whose template holds a POST form, and who opens it (None: nobody)."""
    branch = BranchFactory(area=community)
    entry = give_stock(community, disinfectant, 40)
    return [
        ("/accounts/login/", None),
        (reverse("cadres:register", args=[community_token(community)]), None),
        (reverse("cadres:workbench"), secretary),
        (reverse("cadres:registration-new"), secretary),
        (reverse("cadres:registration-detail", args=[pending_registration.pk]), secretary),
        (reverse("cadres:cadre-detail", args=[pending_registration.cadre.pk]), secretary),
        (reverse("cadres:roster-import"), county_staff),
        (reverse("cadres:branch-new"), secretary),
        (reverse("cadres:branch-detail", args=[branch.pk]), secretary),
        (reverse("cadres:building-group", args=[building.pk]), secretary),
        (reverse("appraisal:periods"), county_staff),
        (reverse("appraisal:period-detail", args=[appraisal.period.pk]), county_staff),
        (reverse("appraisal:period-close", args=[appraisal.period.pk]), county_staff),
        (reverse("appraisal:appraisal-detail", args=[appraisal.pk]), county_staff),
        (reverse("appraisal:commendations"), county_staff),
        (reverse("supplies:record", args=["donation"]), admin_user),
        (reverse("supplies:entry-detail", args=[entry.pk]), admin_user),
        ("/admin/communities/user/add/", admin_user),
    ]


def test_every_page_with_a_post_form_renders_the_csrf_token_in_each(pages):
    checked = 0
    for url, user in pages:
        client = Client()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        forms = POST_FORM.findall(response.content.decode())
        assert forms, url
        for body in forms:
            assert 'name="csrfmiddlewaretoken"' in body, url
            checked += 1
    assert checked > len(pages)


def test_a_post_without_the_token_is_a_403_in_chinese_and_changes_nothing(secretary, community):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "secretary", "password": PASSWORD})

    assert response.status_code == 403
    page = response.content.decode()
    assert "表单无法提交" in page
    assert "没有保存任何内容" in page
    assert "_auth_user_id" not in client.session


def test_a_logged_in_post_without_the_token_is_refused(secretary, pending_registration):
    from cadres.models import Registration

    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary)
    response = client.post(reverse("cadres:registration-confirm", args=[pending_registration.pk]))

    assert response.status_code == 403
    pending_registration.refresh_from_db()
    assert pending_registration.status == Registration._meta.get_field("status").default


# --- headers ----------------------------------------------------------------------------------


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def assert_strict(response):
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert sorted(directives["img-src"]) == ["'self'", "data:"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_page_sends_the_strict_policy_and_frame_denial(client_for, secretary):
    assert_strict(client_for(secretary).get("/"))


def test_the_login_page_sends_them_too(client):
    assert_strict(client.get("/accounts/login/"))


def test_the_api_sends_them(api_for, secretary):
    assert_strict(api_for(secretary).get("/api/areas/"))


def test_the_admin_sends_them(client_for, admin_user):
    assert_strict(client_for(admin_user).get("/admin/"))


def test_the_api_docs_allow_inline_style_but_still_no_inline_script(client_for, secretary):
    client = client_for(secretary)
    response = client.get("/api/docs/")

    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in directives["style-src"]
    page = response.content.decode()
    assert "<script>" not in page
    script = re.search(r'<script src="([^"]*script[^"]*)"', page).group(1)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()


def test_no_template_has_inline_script_handlers_or_style_attributes():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.name}: on*= handler")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


def test_production_settings_keep_hsts_and_secure_cookies():
    source = (Path(settings.BASE_DIR) / "config" / "settings" / "production.py").read_text()
    assert "SECURE_HSTS_SECONDS = env.int(" in source
    assert "SESSION_COOKIE_SECURE = True" in source
    assert "CSRF_COOKIE_SECURE = True" in source


# --- session expiry ---------------------------------------------------------------------------


def test_an_expired_session_is_sent_to_the_login_page(client_for, secretary):
    client = client_for(secretary)
    assert client.get("/").status_code == 200

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_idle_session_is_logged_out_and_sent_to_the_login_page(client_for, secretary):
    client = client_for(secretary)
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = int(
        (timezone.now() - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1)).timestamp()
    )
    session.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_session_in_use_stays_logged_in_and_is_stamped_at_most_once_a_minute(
    client_for, secretary
):
    client = client_for(secretary)
    session = client.session
    recent = int(
        (timezone.now() - timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60)).timestamp()
    )
    session[SessionIdleTimeoutMiddleware.KEY] = recent
    session.save()

    assert client.get("/").status_code == 200
    stamped = client.session[SessionIdleTimeoutMiddleware.KEY]
    assert stamped > recent
    assert client.get("/").status_code == 200
    assert client.session[SessionIdleTimeoutMiddleware.KEY] == stamped


# --- API throttles ----------------------------------------------------------------------------


def test_an_account_past_its_rate_gets_a_429_in_chinese_with_retry_after(
    api_for, secretary, other_secretary, monkeypatch
):
    monkeypatch.setattr(UserRateThrottle, "rate", "3/min", raising=False)
    client = api_for(secretary)

    statuses = [client.get("/api/areas/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/areas/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "请求已被限流" in refused.json()["detail"]
    # The count is the account's: another account's token is not held back.
    assert api_for(other_secretary).get("/api/areas/").status_code == 200


def test_the_token_endpoint_is_throttled_per_address(api_client, secretary, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    url = "/api/auth/token/"
    body = {"username": "secretary", "password": PASSWORD}

    statuses = [api_client.post(url, body, format="json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_report_posting_is_throttled_like_any_call_and_still_posts(
    api_for, team_member, team, community, monkeypatch
):
    """The daily report's fast path goes through the same throttle (one cache read and write
    a post); under the rate it posts as before."""
    monkeypatch.setattr(UserRateThrottle, "rate", "1/min", raising=False)
    client = api_for(team_member)
    body = report_body(team, community)

    first = client.post("/api/daily-reports/", body, format="json")
    second = client.post("/api/daily-reports/", body, format="json")

    assert first.status_code in (200, 201), first.content
    assert second.status_code == 429
    assert DailyReport.objects.count() == 1
