"""The ledger benchmark at a toy size, so that it does not rot: its generated ledger goes
through the real triggers (vouchers without gaps, balances that are their stock cards' sums,
none negative), its operations take the same queries at two sizes, and its concurrent
hand-outs end at exactly the stock."""

import pytest
from django.db.models import Count, Max, Sum

from benchmarks import ledger
from supplies.models import Balance, LedgerEntry, StockMovement


@pytest.mark.django_db
def test_the_generated_ledger_keeps_every_rule_and_the_reads_stay_flat():
    world = ledger.build_world()

    ledger.fill(world, 300, batch=120)
    small = ledger.measure(runs=1, warmup=0)
    ledger.fill(world, 3000, batch=1000)
    big = ledger.measure(runs=1, warmup=0)

    assert LedgerEntry.objects.count() > 3000
    kinds = dict(LedgerEntry.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert set(kinds) == {"donation", "coordination", "issue"}
    numbers = LedgerEntry.objects.values("year").annotate(n=Count("id"), last=Max("number"))
    assert all(row["n"] == row["last"] for row in numbers)
    totals = {
        (holder, item): total
        for holder, item, total in StockMovement.objects.order_by()
        .values_list("holder", "item")
        .annotate(total=Sum("quantity"))
    }
    assert totals == {(b.holder_id, b.item_id): b.quantity for b in Balance.objects.all()}
    assert not Balance.objects.filter(quantity__lt=0).exists()
    for name in ledger.OPERATIONS:
        assert small[name]["queries"] == big[name]["queries"], name
    assert small["balance"]["queries"] == 1
    assert big["record_issue"]["kinds"]["insert"] == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_hand_outs_at_once_leave_exactly_the_stock_of_ten():
    ledger.build_world()

    result = ledger.concurrent_hand_outs(1)

    assert result["outcomes"] == {"handed out": 10, "refused": 10}
    assert result["issued_entries"] == 10
    assert result["balance_after"] == 0
    assert result["exact"]
    assert "并发测试口罩" in result["refusal"]  # the refusal names the item and the balance
