"""Issue 6's "done when", as a secretary lives it in the browser: a donation arrives and is
received, part is handed out, a mistaken hand-out is reversed; then the balance, the stock
card, the totals, the receipt and the Excel files all say the same."""

from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from supplies.models import LedgerEntry
from tests.supplies.test_pages import donation, hand_out, line_of, record_url


def workbook(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_arrival_hand_out_and_reversal_agree_everywhere(
    client_for, secretary, community, party_of, disinfectant
):
    client = client_for(secretary)
    holder = party_of(community)
    # 5 cases of 20 bottles arrive; 30 bottles go out; 12 more "go out" by mistake, reversed.
    assert (
        client.post(
            record_url("donation"),
            donation(holder, line_of(disinfectant, 5, in_packs=True, value="600")),
        ).status_code
        == 302
    )
    client.post(record_url("issue"), hand_out(holder, line_of(disinfectant, 30)))
    client.post(record_url("issue"), hand_out(holder, line_of(disinfectant, 12)))
    mistake = LedgerEntry.objects.get(kind="issue", quantity=12)
    response = client.post(
        reverse("supplies:entry-detail", args=[mistake.pk]), {"note": "重复登记"}
    )
    assert response.status_code == 302

    balances = client.get(reverse("supplies:balances")).context["balances"]
    assert [(row.holder, row.item, row.quantity) for row in balances] == [
        (holder, disinfectant, Decimal(70))
    ]

    by_item = client.get(reverse("supplies:totals"), {"by": "item"}).context["totals"]
    net = {row.kind: row.quantity for row in by_item.goods}
    assert net == {"donation": 100, "issue": 30}
    assert net["donation"] - net["issue"] == 70

    arrival = LedgerEntry.objects.get(kind="donation")
    receipt = client.get(reverse("supplies:receipt", args=[arrival.pk]))
    assert [line.quantity for line in receipt.context["lines"]] == [100]
    assert receipt.context["value_total"] == Decimal(600)

    ledger = workbook(client.get(reverse("supplies:ledger"), {"export": "xlsx"}))
    header, *card = ledger.worksheets[1].iter_rows(values_only=True)
    column = next(i for i, name in enumerate(header) if name in ("Balance", "结存"))
    assert [row[column] for row in card] == [100, 70, 58, 70]
    stock = workbook(client.get(reverse("supplies:balances"), {"export": "xlsx"}))
    header, *rows = stock.worksheets[0].iter_rows(values_only=True)
    column = next(i for i, name in enumerate(header) if name in ("Quantity", "数量"))
    assert [row[column] for row in rows] == [70]
