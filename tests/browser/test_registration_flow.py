"""The flow the whole system exists for, in a real browser on a phone: a member scans the
community's QR code and registers; the secretary confirms, makes them 楼长, sees the gap shrink,
and exports the roster."""

from urllib.parse import urlsplit

import openpyxl
import pytest

from tests.browser.test_login_and_home import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_registers_by_qr_code_and_secretary_makes_them_building_chief(
    browser, page, live_server, secretary, work_unit, building, unit, tmp_path
):
    log_in(page, "secretary")
    page.goto("/registrations/")
    page.get_by_role("link", name="报到二维码").click()
    assert page.locator(".qr svg").is_visible()
    register_url = page.get_by_role("link", name="打开自助报到页面").get_attribute("href")
    assert urlsplit(register_url).netloc == urlsplit(live_server.url).netloc

    # The member, on their own phone, not logged in.
    member = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = member.new_page()
    phone.goto(register_url)
    assert phone.get_by_role("heading", name="在职党员报到").is_visible()
    phone.get_by_label("姓名").fill("李潇潇")
    phone.get_by_label("手机号码").fill("139 0000 2222")
    phone.get_by_label("工作单位").select_option(label="县民政局")
    phone.get_by_label("楼栋").select_option(label="一生活区 1号楼")
    phone.get_by_label("单元").fill("1")
    phone.get_by_label("房间号").fill("302")
    phone.get_by_label("我已签署承诺书").check()
    # A person takes longer than the form's minimum fill time (three seconds); a script does not.
    phone.wait_for_timeout(3000)
    phone.get_by_role("button", name="提交报到").click()
    assert phone.get_by_role("heading", name="报到已提交").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    member.close()

    # The secretary's morning: the new registration is on top, pending.
    page.goto("/registrations/")
    row = page.locator(".row").first
    assert "李潇潇" in row.inner_text()
    assert "待确认" in row.inner_text()
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="确认所选").click()
    assert "已确认 1 条报到" in page.locator(".message").inner_text()

    page.get_by_role("link", name="空缺").first.click()
    assert page.locator("#buildings-covered").inner_text() == "0 / 1"

    page.goto("/registrations/")
    page.get_by_role("link", name="李潇潇").click()
    page.get_by_label("岗位").select_option(label="楼长")
    page.get_by_label("负责").select_option(label="一生活区 1号楼")
    page.get_by_role("button", name="安排岗位").click()
    assert "楼长" in page.locator(".message").inner_text()

    page.goto("/gaps/")
    assert page.locator("#buildings-covered").inner_text() == "1 / 1"
    assert "李潇潇" in page.locator(".buildings").inner_text()

    # The roster downloads and reads back.
    page.goto("/registrations/")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出花名册（Excel）").click()
    path = tmp_path / "roster.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "李潇潇" in values
    assert "13900002222" in values
