"""The first thing a secretary does: open the site on a phone, log in, see the community."""

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username, password=PASSWORD):
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_secretary_logs_in_on_a_phone_and_sees_the_community(page, live_server, secretary, unit):
    log_in(page, "secretary")

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="水木华园社区").is_visible()
    totals = page.locator(".totals")
    assert "户数" in totals.inner_text()
    assert "40" in totals.inner_text()
    # The stylesheet is ours and applied: the bar is red, the page fits the phone's width.
    background = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(183, 28, 28)"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Nothing was fetched from anywhere but the site itself.
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_wrong_password_gives_a_chinese_error_and_stays_on_login(page, secretary):
    log_in(page, "secretary", "wrong-password")

    assert page.get_by_role("alert").is_visible()
    assert "请输入一个正确的" in page.get_by_role("alert").inner_text()
    assert "/accounts/login/" in page.url


def test_secretary_opens_the_community_and_logs_out(page, live_server, secretary, grid, unit):
    log_in(page, "secretary")
    page.get_by_role("link", name="我的区域").click()

    assert page.get_by_role("heading", name="一生活区").is_visible()
    assert "第一网格" in page.content()
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_language_switches_to_english_and_back(page, live_server, secretary):
    log_in(page, "secretary")
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="English").click()

    assert page.get_by_role("link", name="My area").is_visible()
    page.get_by_role("button", name="简体中文").click()
    assert page.get_by_role("link", name="我的区域").is_visible()
