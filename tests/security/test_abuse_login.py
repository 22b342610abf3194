"""Login lockout (django-axes): after DJANGO_LOGIN_FAILURE_LIMIT failures the account (from any
address) and the address (for any account) are refused for the cool-off, the right password
included; the answer is a 429 in Chinese saying when to retry. The same holds for the admin's
login and the API's token endpoint. Time is moved by moving the recorded attempts back."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ELSEWHERE = "10.20.30.40"


def fail(client, username, times, *, url=LOGIN, address="127.0.0.1"):
    return [
        client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
        for _ in range(times)
    ]


def log_in(client, username, *, url=LOGIN, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


def test_the_limit_th_failure_locks_and_then_the_right_password_is_refused(client, secretary):
    limit = settings.AXES_FAILURE_LIMIT
    responses = fail(client, "secretary", limit)

    assert [r.status_code for r in responses[:-1]] == [200] * (limit - 1)
    assert responses[-1].status_code == 429
    response = log_in(client, "secretary")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    page = response.content.decode()
    assert "登录失败次数过多，登录已锁定 15 分钟" in page
    assert "之后再试" in page
    assert "_auth_user_id" not in client.session


def test_the_locked_account_is_refused_from_another_address(client, secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT)

    assert log_in(client, "secretary", address=ELSEWHERE).status_code == 429


def test_the_locked_address_is_refused_for_another_account(client, secretary, other_secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT)

    assert log_in(client, "secretary2").status_code == 429


def test_guesses_spread_over_accounts_lock_the_address(client, secretary, other_secretary):
    limit = settings.AXES_FAILURE_LIMIT
    for number in range(limit):
        fail(client, f"guess{number}", 1)

    assert log_in(client, "secretary").status_code == 429
    assert log_in(client, "secretary", address=ELSEWHERE).status_code == 302


def test_another_account_from_another_address_is_not_affected(client, secretary, other_secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT)

    response = log_in(client, "secretary2", address=ELSEWHERE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_secretary.pk)


def test_failures_below_the_limit_do_not_lock(client, secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT - 1)

    assert log_in(client, "secretary").status_code == 302


def test_after_the_cool_off_the_right_password_logs_in(client, secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT)
    assert log_in(client, "secretary").status_code == 429

    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)

    response = log_in(client, "secretary")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(secretary.pk)


def test_just_inside_the_cool_off_it_is_still_locked(client, secretary):
    fail(client, "secretary", settings.AXES_FAILURE_LIMIT)

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    )

    assert log_in(client, "secretary").status_code == 429


def test_the_admin_login_is_locked_too(client, admin_user):
    responses = fail(client, "admin", settings.AXES_FAILURE_LIMIT, url="/admin/login/")

    assert responses[-1].status_code == 429
    assert log_in(client, "admin", url="/admin/login/").status_code == 429
    assert log_in(client, "admin").status_code == 429


def test_the_api_token_endpoint_is_locked_with_a_json_answer(api_client, secretary):
    url = "/api/auth/token/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = api_client.post(url, {"username": "secretary", "password": "x"}, format="json")
        assert wrong.status_code == 400
    locked = api_client.post(url, {"username": "secretary", "password": "x"}, format="json")
    assert locked.status_code == 429

    right = api_client.post(url, {"username": "secretary", "password": PASSWORD}, format="json")
    assert right.status_code == 429
    assert "登录已锁定" in right.json()["detail"]
    assert right["Retry-After"]
    # …and the page login of the same account is locked as well.
    assert log_in(api_client, "secretary").status_code == 429


def test_a_forwarded_for_header_does_not_change_the_address_without_a_proxy(client, secretary):
    """With DJANGO_NUM_PROXIES = 0 (no proxy of ours) the header is the client's word: ignored,
    or a locked-out client would just send a new one with each guess."""
    for number in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": f"guess{number}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )

    assert log_in(client, "secretary").status_code == 429


def test_behind_one_proxy_the_address_it_saw_counts(client, secretary, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "nobody", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="spoofed, 198.51.100.7",
        )

    other_client = client.post(
        LOGIN, {"username": "secretary", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert other_client.status_code == 302
    same_client = client.post(
        LOGIN,
        {"username": "secretary", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="other-spoof, 198.51.100.7",
    )
    assert same_client.status_code == 429


def test_a_weak_password_is_refused_in_chinese_where_an_administrator_sets_one(
    client_for, admin_user
):
    from communities.models import User

    client = client_for(admin_user)
    response = client.post(
        "/admin/communities/user/add/",
        {"username": "newclerk", "password1": "12345678", "password2": "12345678"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "密码太短：至少需要 10 个字符" in page
    assert "这个密码太常见了" in page
    assert "密码只包含数字" in page
    assert not User.objects.filter(username="newclerk").exists()


def test_a_weak_password_is_refused_when_changing_ones_own(client_for, secretary):
    secretary.is_staff = True
    secretary.save()
    client = client_for(secretary)
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "secretar1", "new_password2": "secretar1"},
    )

    assert response.status_code == 200
    assert "密码太短：至少需要 10 个字符" in response.content.decode()
    secretary.refresh_from_db()
    assert secretary.check_password(PASSWORD)


def test_a_long_uncommon_password_is_accepted(client_for, admin_user):
    from communities.models import User

    response = client_for(admin_user).post(
        "/admin/communities/user/add/",
        {"username": "newclerk", "password1": "lianhua-hu-2020", "password2": "lianhua-hu-2020"},
    )

    assert response.status_code == 302
    assert User.objects.filter(username="newclerk").exists()


def test_the_password_rules_are_the_standard_four_with_ten_characters_at_least():
    from django.contrib.auth import password_validation as standard

    validators = standard.get_default_password_validators()
    assert type(validators[0]) is standard.UserAttributeSimilarityValidator
    assert isinstance(validators[1], standard.MinimumLengthValidator)
    assert validators[1].min_length >= 10
    assert [type(v) for v in validators][2:] == [
        standard.CommonPasswordValidator,
        standard.NumericPasswordValidator,
    ]
