"""A community secretary keeps the supplies ledger on a phone: records a donation of two items
picked from the item list, hands part of it out, sees the balance, reverses a mistaken hand-out
and opens the donation receipt. Fields are found by their names, so the test holds in either
language."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from supplies.models import LedgerEntry
from tests.browser.test_login_and_home import log_in
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db(transaction=True)


def pick_item(page, line: int, name: str) -> str:
    """Types the start of an item's name and takes the datalist's option for it, the way a
    phone's suggestion list fills the box; returns what the box holds."""
    box = page.locator(f"[name='lines-{line}-item']")
    box.fill(name[:2])
    options = page.locator("#supplies-items option")
    values = options.evaluate_all("options => options.map(option => option.value)")
    chosen = next(value for value in values if value.startswith(name))
    box.fill(chosen)
    return chosen


def balance_of(page, item: str) -> str:
    page.goto(reverse("supplies:balances"))
    return page.locator("table.balances tbody tr", has_text=item).locator("td.num").inner_text()


def test_secretary_records_hands_out_reverses_and_prints_a_receipt(
    page, live_server, secretary, community, disinfectant
):
    ItemFactory(name="口罩", category="protection", unit="ge")
    log_in(page, "secretary")

    # The navigation leads to the ledger, and from there to recording a donation.
    page.get_by_role("link", name="物资", exact=True).click()
    page.locator(f"a[href='{reverse('supplies:record', args=['donation'])}']").click()
    page.locator("[name='entry-donor_name']").fill("铁岭某药业公司")
    assert page.locator("[name='entry-to_party'] option:checked").inner_text() == "水木华园社区"
    label = pick_item(page, 0, "消毒液 500毫升")
    assert "20" in label  # the pack is shown with the unit
    page.locator("[name='lines-0-quantity']").fill("2")
    page.locator("[name='lines-0-in_packs']").check()
    page.locator("[name='lines-0-value']").fill("300")
    pick_item(page, 1, "口罩")
    page.locator("[name='lines-1-quantity']").fill("500")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("form.entry-form button[type=submit]").click()
    page.wait_for_load_state()

    first, second = LedgerEntry.objects.order_by("number")
    assert first.batch == second.batch
    assert first.quantity == 40
    assert first.voucher in page.locator(".message").inner_text()
    assert second.voucher in page.locator(".message").inner_text()
    donation_url = page.url

    # Hand out 15 bottles to the residents.
    page.locator(f"a[href='{reverse('supplies:record', args=['issue'])}']").click()
    page.locator("[name='entry-recipient']").fill("一生活区居民")
    pick_item(page, 0, "消毒液 500毫升")
    page.locator("[name='lines-0-quantity']").fill("15")
    page.locator("form.entry-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "25" in page.locator(".movements .balance").inner_text()
    assert "25" in balance_of(page, "消毒液")

    # A mistaken hand-out of 200 masks is reversed; the balance is back.
    page.goto(reverse("supplies:record", args=["issue"]))
    page.locator("[name='entry-recipient']").fill("横道镇卡点")
    pick_item(page, 0, "口罩")
    page.locator("[name='lines-0-quantity']").fill("200")
    page.locator("form.entry-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "300" in balance_of(page, "口罩")
    mistake = LedgerEntry.objects.get(kind="issue", recipient="横道镇卡点")
    page.goto(reverse("supplies:entry-detail", args=[mistake.pk]))
    page.locator("section.reverse [name='note']").fill("发错了，应为另一社区")
    page.locator("section.reverse button[type=submit]").click()
    page.wait_for_load_state()
    reversal = LedgerEntry.objects.get(reverses=mistake)
    assert reversal.voucher in page.locator(".marks").inner_text()
    assert page.locator("section.reverse").count() == 0
    assert "500" in balance_of(page, "口罩")

    # The donation's receipt: both vouchers, the donor, the signature lines, printable.
    page.goto(donation_url)
    page.locator("a.receipt-link").click()
    page.wait_for_load_state()
    receipt = page.locator("article.receipt")
    assert first.voucher in receipt.locator(".vouchers").inner_text()
    assert second.voucher in receipt.locator(".vouchers").inner_text()
    assert "铁岭某药业公司" in receipt.locator(".donor").inner_text()
    assert receipt.locator(".receipt-lines tbody tr").count() == 2
    assert receipt.locator(".signatures div").count() == 4
    assert page.locator("[data-print]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
