"""The content security policy in a real browser: the pages whose scripts used to be (or could
have been) inline load with no violation reported, and what their scripts do still works — the
print button of the receipt and the public notice appears, the item list of quick entry
suggests, the QR code shows, and Swagger UI starts from its own script file."""

import pytest
from django.urls import reverse

from tests.browser.test_login_and_home import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def violations(page):
    """Every CSP violation the page reports, from the console and from the DOM event."""
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' "
        "+ e.blockedURI));"
    )
    return seen


def test_pages_load_without_a_csp_violation_and_their_scripts_work(
    page, live_server, violations, secretary, community, disinfectant, give_stock
):
    entry = give_stock(community, disinfectant, 40)
    log_in(page, "secretary")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(reverse("supplies:receipt", args=[entry.pk]))
    assert page.locator("[data-print]").is_visible()

    page.goto(reverse("supplies:notice", args=[community.pk]))
    assert page.locator("[data-print]").is_visible()

    page.goto(reverse("supplies:record", args=["donation"]))
    options = page.locator("#supplies-items option")
    assert any(
        value.startswith("消毒液")
        for value in options.evaluate_all("options => options.map(o => o.value)")
    )

    page.goto(reverse("cadres:community-qr", args=[community.pk]))
    assert page.locator(".qr svg").is_visible()

    for url in ("/", reverse("cadres:workbench"), reverse("cadres:gaps")):
        page.goto(url)
        # The stylesheet applies (a blocked one would leave the bar unstyled).
        background = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(183, 28, 28)"

    assert violations == []


def test_swagger_ui_starts_under_the_policy(page, live_server, violations, secretary):
    log_in(page, "secretary")
    page.wait_for_url(f"{live_server.url}/")

    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "在职党员进社区 API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10
    assert violations == []


def test_the_admin_works_under_the_policy(page, live_server, violations, admin_user):
    page.goto("/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill("pass-word-123")
    page.locator("input[type=submit]").click()
    page.goto("/admin/communities/user/add/")
    assert page.locator("#id_username").is_visible()
    assert violations == []
